// Sum of the weights selected by the +1 bits of s: sum = Σ_{j: s[j]=1} w_j, as a
// balanced binary adder tree. The weights are a constant parameter (W bits each,
// two's complement, w_j at WEIGHTS[j*W +: W]), so synthesis turns each term into an
// AND-gated constant and removes zero weights. A bounds every partial sum.
`default_nettype none
module hop_masked_sum #(
    parameter integer N = 1,
    parameter integer W = 8,
    parameter integer A = 16,
    parameter [N*W-1:0] WEIGHTS = {N*W{1'b0}}
) (
    input  wire [N-1:0]         s,
    output wire signed [A-1:0]  sum
);
    generate
        if (N == 1) begin : leaf
            wire signed [W-1:0] w = WEIGHTS[W-1:0];
            assign sum = s[0] ? {{(A-W){w[W-1]}}, w} : {A{1'b0}};
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
