// hop_lane_sum: sum = Σ_{l: s[l] = 1} w_l over L weights read at run time (one
// memory word of the folded architecture), as a balanced binary adder tree. Part of
// hopgen's Verilog library (hdl/).
//
// w_l is w[l*W +: W], two's complement. A bounds every partial sum of a weight row
// (docs/ARITHMETIC.md), so sums never overflow; one weight always fits in A bits.
`default_nettype none
module hop_lane_sum #(
    parameter integer L = 1,
    parameter integer W = 8,
    parameter integer A = 16
) (
    input  wire [L-1:0]        s,
    input  wire [L*W-1:0]      w,
    output wire signed [A-1:0] sum
);
    generate
        if (L == 1) begin : leaf
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
            localparam integer H = L / 2;
            wire signed [A-1:0] lo_sum;
            wire signed [A-1:0] hi_sum;
            hop_lane_sum #(.L(H), .W(W), .A(A)) lo (
                .s(s[H-1:0]), .w(w[H*W-1:0]), .sum(lo_sum));
            hop_lane_sum #(.L(L-H), .W(W), .A(A)) hi (
                .s(s[L-1:H]), .w(w[L*W-1:H*W]), .sum(hi_sum));
            assign sum = lo_sum + hi_sum;
        end
    endgenerate
endmodule
`default_nettype wire
