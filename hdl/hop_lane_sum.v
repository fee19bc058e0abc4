// hop_lane_sum: sum = Σ_{l: s[l] = 1} w_l over L weights read at run time (one
// memory word of the folded architecture), as a balanced binary adder tree. Part of
// hopgen's Verilog library (hdl/).
//
// w_l is w[l*W +: W], two's complement. A bounds every partial sum of a weight row
// (docs/ARITHMETIC.md), so sums never overflow; one weight always fits in A bits.
//
// Pipelining: a node at level h (the root at level HT = $clog2(L), its children at
// HT - 1, ..., the lanes at 0) registers its sum when bit h of CUTS is set; a lane
// (level 0) registers its masked W-bit weight, right behind the block RAM that feeds
// `w`. Every lane goes through every level: a subtree with fewer lanes than its level
// holds is continued by single-child nodes, so each path from a lane to `sum` crosses
// exactly one register per set bit of CUTS[HT:0]. With `s` and `w` held, the sum is
// exact popcount(CUTS[HT:0]) cycles later; CUTS = 0 builds a purely combinational tree.
`default_nettype none
module hop_lane_sum #(
    parameter integer L = 1,
    parameter integer W = 8,
    parameter integer A = 16,
    parameter integer CUTS = 0,
    // The node's level; callers leave the default.
    parameter integer HT = $clog2(L)
) (
    input  wire                clk,
    input  wire [L-1:0]        s,
    input  wire [L*W-1:0]      w,
    output wire signed [A-1:0] sum
);
    wire signed [A-1:0] node_sum;
    generate
        if (HT == 0) begin : leaf
            wire [W-1:0] masked;
            wire signed [A-1:0] term;
            if ((CUTS & 1) == 1) begin : registered_lane
                reg [W-1:0] masked_r;
                always @(posedge clk) masked_r <= s[0] ? w : {W{1'b0}};
                assign masked = masked_r;
            end else begin : direct_lane
                assign masked = s[0] ? w : {W{1'b0}};
            end
            if (A > W) begin : extend
                assign term = {{(A-W){masked[W-1]}}, masked};
            end else if (A == W) begin : same
                assign term = masked;
            end else begin : cut
                // The weight fits in A bits, so its high bits are sign copies.
                wire unused_high = ^masked[W-1:A];
                assign term = masked[A-1:0];
            end
            assign node_sum = term;
        end else if (L == 1) begin : pass
            hop_lane_sum #(.L(1), .W(W), .A(A), .CUTS(CUTS), .HT(HT-1)) only (
                .clk(clk), .s(s), .w(w), .sum(node_sum));
        end else begin : node
            localparam integer H = L / 2;
            wire signed [A-1:0] lo_sum;
            wire signed [A-1:0] hi_sum;
            hop_lane_sum #(.L(H), .W(W), .A(A), .CUTS(CUTS), .HT(HT-1)) lo (
                .clk(clk), .s(s[H-1:0]), .w(w[H*W-1:0]), .sum(lo_sum));
            hop_lane_sum #(.L(L-H), .W(W), .A(A), .CUTS(CUTS), .HT(HT-1)) hi (
                .clk(clk), .s(s[L-1:H]), .w(w[L*W-1:H*W]), .sum(hi_sum));
            assign node_sum = lo_sum + hi_sum;
        end
        if (HT > 0 && ((CUTS >> HT) & 1) == 1) begin : registered
            reg signed [A-1:0] sum_r;
            always @(posedge clk) sum_r <= node_sum;
            assign sum = sum_r;
        end else begin : direct
            wire unused_clk = clk;
            assign sum = node_sum;
        end
    endgenerate
endmodule
`default_nettype wire
