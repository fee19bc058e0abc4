// hop_tb_stream: a self-checking stream testbench for any hopgen core.
//
// Feeds the probes of probes.hex through the core's input handshake with random
// gaps, takes results with random back-pressure, and compares each result (state,
// sweeps, status, in probe order) with expected.hex, which hopgen's reference model
// wrote. It also checks the handshake rules: once out_valid is high it stays high,
// with stable data, until out_ready takes the result. Prints one PASS or FAIL line.
//
// Compile with the core's sources and -DHOP_DUT=<top module>, e.g.
//   iverilog -g2005 -DHOP_DUT=digits -Phop_tb_stream.N=256 -Phop_tb_stream.COUNT=100 \
//       -o tb sim/hop_tb_stream.v <sources> && vvp tb
// expected.hex holds one word per probe: {status[1:0], sweeps[15:0], state[N-1:0]}.
// For every result it also prints "LATENCY <probe> <cycles>": rising edges from the
// one that took the probe to the first one that sees its result valid.
//
// `hopgen testbench` instead embeds the vectors: compile with -DHOP_EMBEDDED and the
// macros HOP_DUT, HOP_N and HOP_COUNT (any simulator: +define+ or -D), and the probes and
// expected results come from hop_tb_vectors.vh, which hopgen wrote from its model.
`timescale 1ns / 1ps
`default_nettype none
`ifndef HOP_N
`define HOP_N 1
`endif
`ifndef HOP_COUNT
`define HOP_COUNT 1
`endif
module hop_tb_stream;
    parameter integer N = `HOP_N;
    parameter integer COUNT = `HOP_COUNT;
    parameter integer SEED = 1;
    // in_valid rises when a random draw in [0, 8) is below IN_RATE; likewise out_ready.
    parameter integer IN_RATE = 5;
    parameter integer OUT_RATE = 5;
    parameter integer MAX_CYCLES = 10000000;
    // With RST_RATE > 0, rst pulses on a cycle with probability RST_RATE/1024 during the
    // run: the core must drop in_ready, and an abandoned probe is sent again.
    parameter integer RST_RATE = 0;

    reg clk = 1'b0;
    reg rst = 1'b1;
    reg in_valid = 1'b0;
    wire in_ready;
    reg [N-1:0] in_state = {N{1'b0}};
    wire out_valid;
    reg out_ready = 1'b0;
    wire [N-1:0] out_state;
    wire [15:0] out_sweeps;
    wire [1:0] out_status;

    reg [N-1:0] probes [0:COUNT-1];
    reg [N+17:0] expected [0:COUNT-1];
    integer sent = 0;
    integer received = 0;
    integer errors = 0;
    integer cycles = 0;
    integer seed = SEED;
    reg took_in = 1'b0;          // a probe was taken at the last rising edge
    reg started = 1'b0;          // the initial reset is over
    reg rewound = 1'b0;          // a reset pulse abandoned the probe in flight
    reg seen = 1'b0;             // the current result's out_valid was already seen
    integer accepted_at = 0;
    reg held = 1'b0;             // out_valid was high without a handshake last cycle
    reg [N+17:0] held_word;

    `HOP_DUT dut (
        .clk(clk), .rst(rst),
        .in_valid(in_valid), .in_ready(in_ready), .in_state(in_state),
        .out_valid(out_valid), .out_ready(out_ready),
        .out_state(out_state), .out_sweeps(out_sweeps), .out_status(out_status)
    );

    always #5 clk = ~clk;

    initial begin
`ifdef HOP_EMBEDDED
`include "hop_tb_vectors.vh"
`else
        $readmemh("probes.hex", probes);
        $readmemh("expected.hex", expected);
`endif
        repeat (3) @(posedge clk);
        @(negedge clk) rst = 1'b0;
        started = 1'b1;
    end

    // Handshakes are sampled at the rising edge, before the core's registers change.
    always @(posedge clk) if (started && rst) begin
        cycles = cycles + 1;
        if (in_ready) begin
            $display("FAIL reset: in_ready is high while rst is");
            errors = errors + 1;
        end
        sent = received;
        held = 1'b0;
        seen = 1'b0;
        took_in = 1'b0;
        rewound = 1'b1;
    end else if (!rst) begin
        cycles = cycles + 1;
        if (held && (!out_valid || {out_status, out_sweeps, out_state} !== held_word)) begin
            $display("FAIL handshake: result %0d changed or dropped before out_ready", received);
            errors = errors + 1;
        end
        held = out_valid && !out_ready;
        held_word = {out_status, out_sweeps, out_state};
        took_in = in_valid && in_ready;
        if (took_in) begin
            sent = sent + 1;
            accepted_at = cycles;
        end
        if (out_valid && !seen) $display("LATENCY %0d %0d", received, cycles - accepted_at);
        seen = out_valid && !out_ready;
        if (out_valid && out_ready) begin
            if ({out_status, out_sweeps, out_state} !== expected[received]) begin
                if (errors < 10)
                    $display("FAIL probe %0d: expected state %h sweeps %0d status %0d, got state %h sweeps %0d status %0d",
                        received, expected[received][N-1:0], expected[received][N+15:N],
                        expected[received][N+17:N+16], out_state, out_sweeps, out_status);
                errors = errors + 1;
            end
            received = received + 1;
        end
        if (received == COUNT) begin
            if (errors == 0) $display("PASS %0d probes in %0d cycles", COUNT, cycles);
            else $display("FAIL %0d errors in %0d probes", errors, COUNT);
            $finish;
        end
        if (cycles >= MAX_CYCLES) begin
            $display("FAIL timeout after %0d cycles: %0d sent, %0d received", cycles, sent, received);
            $finish;
        end
    end

    // New stimulus between edges: a probe stays valid until taken (AXI-Stream rule).
    always @(negedge clk) if (started) begin
        rst = (RST_RATE > 0) && (($random(seed) & 1023) < RST_RATE);
        if (took_in || !in_valid || rewound) begin
            rewound = 1'b0;
            in_valid = 1'b0;
            if (sent < COUNT && ($random(seed) & 7) < IN_RATE) begin
                in_valid = 1'b1;
                in_state = probes[sent];
            end
        end
        out_ready = (($random(seed) & 7) < OUT_RATE);
    end
endmodule
`default_nettype wire
