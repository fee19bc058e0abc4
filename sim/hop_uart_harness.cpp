// hop_uart_harness.cpp: runs hopgen's board top (hop_board) in Verilator with its UART
// pins driven and sampled at the bit level, so the host protocol code can talk to the
// real RTL exactly as it talks to a board.
//
// hopgen fills in HOP_HEADER / HOP_CLASS (and HOP_HAS_BUTTON when the board has a
// reset button, held released). Usage:
//   argv:   CLKS_PER_BIT IDLE_CYCLES
//   stdin:  bytes to send on uart_rx (8N1, LSB first, CLKS_PER_BIT clocks per bit)
//   stdout: bytes received on uart_tx, sampled at the middle of each bit, written as
//           soon as their stop bit is seen
// When nothing is being sent or received and the transmit line has been idle for
// IDLE_CYCLES clocks, simulated time stops until more input arrives; at end of input
// (and IDLE_CYCLES idle clocks) the harness exits 0. A received byte whose stop bit is
// low is a framing error: the harness reports it on stderr and exits 3.
#include <poll.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>

#include "verilated.h"
#include HOP_HEADER

typedef HOP_CLASS Top;

// Clocks after start-up before the harness drives uart_rx (the reset lasts 17).
static const uint64_t POWER_ON_CYCLES = 64;

struct Sender {
    std::deque<uint8_t> queue;
    int bit = -1;  // -1 idle, 0 start, 1..8 data, 9 stop
    uint16_t frame = 0;
    uint64_t count = 0;
    bool busy() const { return bit >= 0 || !queue.empty(); }
    // The level on uart_rx for this clock.
    int step(uint64_t cpb) {
        if (bit < 0) {
            if (queue.empty()) return 1;
            frame = (uint16_t)((1u << 9) | ((unsigned)queue.front() << 1));
            queue.pop_front();
            bit = 0;
            count = 0;
        }
        int level = (frame >> bit) & 1;
        if (++count == cpb) {
            count = 0;
            if (++bit == 10) bit = -1;
        }
        return level;
    }
};

struct Receiver {
    int bit = -1;  // -1 idle, 0 start, 1..8 data, 9 stop
    uint64_t count = 0;
    unsigned shift = 0;
    bool busy() const { return bit >= 0; }
    // Samples uart_tx; returns a byte (0..255), -1 for nothing, -2 for a framing error.
    int step(int level, uint64_t cpb) {
        if (bit < 0) {
            if (level == 0) {
                bit = 0;
                count = cpb / 2;
            }
            return -1;
        }
        if (count > 1) {
            --count;
            return -1;
        }
        count = cpb;
        if (bit == 0) {
            if (level != 0) bit = -1;  // a glitch, not a start bit
            else bit = 1;
            shift = 0;
            return -1;
        }
        if (bit <= 8) {
            shift |= (unsigned)level << (bit - 1);
            ++bit;
            return -1;
        }
        bit = -1;
        return level ? (int)shift : -2;
    }
};

// Reads what stdin has (waiting up to timeout_ms); returns false at end of input.
static bool read_input(Sender& sender, int timeout_ms) {
    struct pollfd fd = {0, POLLIN, 0};
    if (poll(&fd, 1, timeout_ms) <= 0) return true;
    uint8_t buf[4096];
    ssize_t got = read(0, buf, sizeof buf);
    if (got <= 0) return false;
    for (ssize_t i = 0; i < got; ++i) sender.queue.push_back(buf[i]);
    return true;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s CLKS_PER_BIT IDLE_CYCLES\n", argv[0]);
        return 2;
    }
    const uint64_t cpb = strtoull(argv[1], nullptr, 10);
    const uint64_t idle_limit = strtoull(argv[2], nullptr, 10);
    Verilated::commandArgs(1, argv);
    Top* top = new Top;
    top->clk = 0;
    top->uart_rx = 1;
#ifdef HOP_HAS_BUTTON
    top->btn_n = 1;
#endif
    top->eval();
    Sender sender;
    Receiver receiver;
    bool input_open = true;
    uint64_t idle = 0;
    uint64_t cycle = 0;
    while (true) {
        if (!sender.busy() && input_open) {
            bool quiet = idle >= idle_limit;
            // Poll often enough to keep up with the host, block when everything is idle.
            if (quiet || (cycle & 255) == 0) input_open = read_input(sender, quiet ? -1 : 0);
        }
        if (!input_open && !sender.busy() && idle >= idle_limit) break;
        // Nothing is sent during the board's power-on reset (hop_reset_sync).
        top->uart_rx = cycle < POWER_ON_CYCLES ? 1 : sender.step(cpb);
        top->clk = 1;
        top->eval();
        top->clk = 0;
        top->eval();
        ++cycle;
        int got = receiver.step(top->uart_tx, cpb);
        if (got >= 0) {
            uint8_t byte = (uint8_t)got;
            fwrite(&byte, 1, 1, stdout);
            fflush(stdout);
        } else if (got == -2) {
            fprintf(stderr, "framing error on uart_tx at cycle %llu\n", (unsigned long long)cycle);
            return 3;
        }
        bool active = sender.busy() || receiver.busy() || top->uart_tx == 0 ||
                      cycle < POWER_ON_CYCLES;
        idle = active ? 0 : idle + 1;
    }
    top->final();
    delete top;
    return 0;
}
