// hop_harness.cpp: the Verilator co-simulation harness for any hopgen core.
//
// hopgen fills in HOP_TOP (the module name) and HOP_N (neurons), builds this with
// `verilator --cc --exe --build` next to the core's sources, and runs it in the
// core's directory (memory files are read from there). Protocol, all little-endian:
//   argv:   COUNT SEED IN_RATE OUT_RATE MAX_CYCLES
//   stdin:  COUNT probes, each W = ceil(N/32) u32 words (bit i = 1 means s_i = +1)
//   stdout: COUNT results in probe order, each W u32 state words, u32 sweeps,
//           u32 status, u64 latency (rising edges from taking the probe to the first
//           edge that sees its result valid)
// in_valid rises with probability IN_RATE/8 on a cycle it may, out_ready is high with
// probability OUT_RATE/8 on each cycle (xorshift64 from SEED), so every run exercises
// gaps and back-pressure. Built with --trace and -DHOP_TRACE it also writes every
// half cycle to rtl.vcd in the working directory. The harness also checks the handshake rule that a valid
// result stays valid and stable until taken; a violation exits with code 4.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "verilated.h"
#include HOP_HEADER
#ifdef HOP_TRACE
#include "verilated_vcd_c.h"
static VerilatedVcdC* trace_file = nullptr;
#endif
static uint64_t sim_time = 0;

#define HOP_WORDS ((HOP_N + 31) / 32)

typedef HOP_CLASS Top;

static void set_state(Top* top, const uint32_t* w) {
#if HOP_N > 64
    for (int i = 0; i < HOP_WORDS; ++i) top->in_state[i] = w[i];
#elif HOP_N > 32
    top->in_state = (uint64_t)w[0] | ((uint64_t)w[1] << 32);
#else
    top->in_state = w[0];
#endif
}

static void get_state(const Top* top, uint32_t* w) {
#if HOP_N > 64
    for (int i = 0; i < HOP_WORDS; ++i) w[i] = top->out_state[i];
#elif HOP_N > 32
    w[0] = (uint32_t)top->out_state;
    w[1] = (uint32_t)((uint64_t)top->out_state >> 32);
#else
    w[0] = (uint32_t)top->out_state;
#endif
}

static uint64_t rng_state;
static unsigned draw8() {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state >> 32) & 7u;
}

// One clock cycle; with HOP_TRACE every half cycle goes to rtl.vcd (5 time units each).
static void tick(Top* top) {
    top->clk = 1;
    top->eval();
#ifdef HOP_TRACE
    trace_file->dump(sim_time);
#endif
    sim_time += 5;
    top->clk = 0;
    top->eval();
#ifdef HOP_TRACE
    trace_file->dump(sim_time);
#endif
    sim_time += 5;
}

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s COUNT SEED IN_RATE OUT_RATE MAX_CYCLES\n", argv[0]);
        return 2;
    }
    const uint64_t count = std::strtoull(argv[1], nullptr, 10);
    rng_state = std::strtoull(argv[2], nullptr, 10) * 2654435761ull + 0x9E3779B97F4A7C15ull;
    const unsigned in_rate = (unsigned)std::atoi(argv[3]);
    const unsigned out_rate = (unsigned)std::atoi(argv[4]);
    const uint64_t max_cycles = std::strtoull(argv[5], nullptr, 10);

    std::vector<uint32_t> probes(count * HOP_WORDS);
    if (count && std::fread(probes.data(), 4, probes.size(), stdin) != probes.size()) {
        std::fprintf(stderr, "hop_harness: expected %llu probes on stdin\n", (unsigned long long)count);
        return 2;
    }

    VerilatedContext* context = new VerilatedContext;
    Top* top = new Top{context};
#ifdef HOP_TRACE
    Verilated::traceEverOn(true);
    trace_file = new VerilatedVcdC;
    top->trace(trace_file, 99);
    trace_file->open("rtl.vcd");
#endif
    top->clk = 0;
    top->rst = 1;
    top->in_valid = 0;
    top->out_ready = 0;
    top->eval();
    for (int i = 0; i < 3; ++i) tick(top);
    top->rst = 0;
    top->eval();

    uint64_t sent = 0, received = 0, cycles = 0;
    std::vector<uint64_t> accepted_at(count);  // edge that took each probe
    bool seen = false, held = false;
    std::vector<uint32_t> held_word(HOP_WORDS + 2), word(HOP_WORDS + 2);
    std::vector<uint32_t> out(HOP_WORDS);
    while (received < count) {
        if (++cycles > max_cycles) {
            std::fprintf(stderr, "hop_harness: timeout after %llu cycles (%llu sent, %llu received)\n",
                         (unsigned long long)cycles, (unsigned long long)sent, (unsigned long long)received);
            std::fflush(stdout);
            return 3;
        }
        // Sample the handshakes as the rising edge will see them.
        get_state(top, word.data());
        word[HOP_WORDS] = top->out_sweeps;
        word[HOP_WORDS + 1] = top->out_status;
        if (held && (!top->out_valid || word != held_word)) {
            std::fprintf(stderr, "hop_harness: result %llu changed or dropped before out_ready\n",
                         (unsigned long long)received);
            return 4;
        }
        const bool took_in = top->in_valid && top->in_ready;
        const bool took_out = top->out_valid && top->out_ready;
        if (top->out_valid && !seen) {
            const uint64_t latency = cycles - accepted_at[received];
            seen = true;
            std::fwrite(word.data(), 4, HOP_WORDS + 2, stdout);
            std::fwrite(&latency, 8, 1, stdout);
        }
        held = top->out_valid && !top->out_ready;
        held_word = word;
        if (took_in) accepted_at[sent++] = cycles;
        if (took_out) {
            ++received;
            seen = false;
        }
        tick(top);
        // New stimulus between edges; a probe stays valid until taken.
        if (took_in || !top->in_valid) {
            top->in_valid = 0;
            if (sent < count && draw8() < in_rate) {
                top->in_valid = 1;
                set_state(top, &probes[sent * HOP_WORDS]);
            }
        }
        top->out_ready = draw8() < out_rate;
        top->eval();
    }
    std::fflush(stdout);
#ifdef HOP_TRACE
    trace_file->close();
#endif
    top->final();
    delete top;
    delete context;
    return 0;
}
