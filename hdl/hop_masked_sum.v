// hop_masked_sum: sum = Σ_{j: s[j] = 1} w_j over constant weights, as a balanced
// binary adder tree. Part of hopgen's Verilog library (hdl/), copied into every
// generated core that uses it.
//
// The weights are a constant parameter (W bits each, two's complement, w_j at
// WEIGHTS[j*W +: W]), so synthesis turns each term into an AND-gated constant and
// removes zero weights. A bounds every partial sum (docs/ARITHMETIC.md), so sums
// never overflow; a single weight always fits in A bits, even when A < W.
//
// Pipelining: with PIPE_STEP = S > 0, a node of height h (leaves 0, a node over N
// leaves $clog2(N)) registers its sum when h is a multiple of S and h / S <= PIPE_MAX.
// No path then crosses more than PIPE_MAX registers, so with `s` held stable the sum
// is exact PIPE_MAX cycles later. PIPE_STEP = 0 builds a purely combinational tree.
`default_nettype none
module hop_masked_sum #(
    parameter integer N = 1,
    parameter integer W = 8,
    parameter integer A = 16,
    parameter [N*W-1:0] WEIGHTS = {N*W{1'b0}},
    parameter integer PIPE_STEP = 0,
    parameter integer PIPE_MAX = 0
) (
    input  wire                clk,
    input  wire [N-1:0]        s,
    output wire signed [A-1:0] sum
);
    localparam integer HEIGHT = $clog2(N);
    localparam integer STEP = (PIPE_STEP > 0) ? PIPE_STEP : 1;
    localparam [0:0] CUT = (PIPE_STEP > 0) && (HEIGHT > 0) && (HEIGHT % STEP == 0)
                           && (HEIGHT / STEP <= PIPE_MAX);
    generate
        if (N == 1) begin : leaf
            wire [W-1:0] w = WEIGHTS[W-1:0];
            wire signed [A-1:0] term;
            wire unused_clk = clk;
            if (A > W) begin : extend
                assign term = {{(A-W){w[W-1]}}, w};
            end else if (A == W) begin : same
                assign term = w;
            end else begin : cut
                // The weight fits in A bits, so its high bits are sign copies.
                wire unused_high = ^w[W-1:A];
                assign term = w[A-1:0];
            end
            assign sum = s[0] ? term : {A{1'b0}};
        end else begin : node
            localparam integer H = N / 2;
            wire signed [A-1:0] lo_sum;
            wire signed [A-1:0] hi_sum;
            hop_masked_sum #(.N(H), .W(W), .A(A), .WEIGHTS(WEIGHTS[H*W-1:0]),
                             .PIPE_STEP(PIPE_STEP), .PIPE_MAX(PIPE_MAX)) lo (
                .clk(clk), .s(s[H-1:0]), .sum(lo_sum));
            hop_masked_sum #(.N(N-H), .W(W), .A(A), .WEIGHTS(WEIGHTS[N*W-1:H*W]),
                             .PIPE_STEP(PIPE_STEP), .PIPE_MAX(PIPE_MAX)) hi (
                .clk(clk), .s(s[N-1:H]), .sum(hi_sum));
            if (CUT) begin : registered
                reg signed [A-1:0] sum_r;
                always @(posedge clk) sum_r <= lo_sum + hi_sum;
                assign sum = sum_r;
            end else begin : direct
                assign sum = lo_sum + hi_sum;
            end
        end
    endgenerate
endmodule
`default_nettype wire
