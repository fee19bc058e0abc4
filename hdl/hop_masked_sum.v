// hop_masked_sum: sum = Σ_{j: s[j] = 1} w_j over constant weights, as a balanced
// binary adder tree. Part of hopgen's Verilog library (hdl/), copied into every
// generated core that uses it.
//
// The weights are a constant parameter (W bits each, two's complement, w_j at
// WEIGHTS[j*W +: W]), so synthesis turns each term into an AND-gated constant and
// removes zero weights. A bounds every partial sum (docs/ARITHMETIC.md), so sums
// never overflow; a single weight always fits in A bits, even when A < W.
`default_nettype none
module hop_masked_sum #(
    parameter integer N = 1,
    parameter integer W = 8,
    parameter integer A = 16,
    parameter [N*W-1:0] WEIGHTS = {N*W{1'b0}}
) (
    input  wire [N-1:0]        s,
    output wire signed [A-1:0] sum
);
    generate
        if (N == 1) begin : leaf
            wire [W-1:0] w = WEIGHTS[W-1:0];
            wire signed [A-1:0] term;
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
            hop_masked_sum #(.N(H), .W(W), .A(A), .WEIGHTS(WEIGHTS[H*W-1:0])) lo (
                .s(s[H-1:0]), .sum(lo_sum));
            hop_masked_sum #(.N(N-H), .W(W), .A(A), .WEIGHTS(WEIGHTS[N*W-1:H*W])) hi (
                .s(s[N-1:H]), .sum(hi_sum));
            assign sum = lo_sum + hi_sum;
        end
    endgenerate
endmodule
`default_nettype wire
