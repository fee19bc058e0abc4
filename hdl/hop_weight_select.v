// hop_weight_select: value = VALUES[index], one of N constant weights chosen at run
// time and sign-extended (or, when it fits, cut) to OW bits. Part of hopgen's Verilog
// library (hdl/): the parallel async core uses one per neuron to read w_ik for the
// neuron k being updated.
`default_nettype none
module hop_weight_select #(
    parameter integer N = 1,
    parameter integer W = 8,
    parameter integer OW = 9,
    parameter integer IW = 1,
    parameter [N*W-1:0] VALUES = {N*W{1'b0}}
) (
    input  wire [IW-1:0]        index,
    output wire signed [OW-1:0] value
);
    wire [W-1:0] table_ [0:N-1];
    genvar i;
    generate
        for (i = 0; i < N; i = i + 1) begin : entry
            assign table_[i] = VALUES[i*W +: W];
        end
    endgenerate
    wire [W-1:0] w = table_[index];
    generate
        if (OW > W) begin : extend
            assign value = {{(OW-W){w[W-1]}}, w};
        end else if (OW == W) begin : same
            assign value = w;
        end else begin : cut
            // The weight fits in OW bits, so its high bits are sign copies.
            wire unused_high = ^w[W-1:OW];
            assign value = w[OW-1:0];
        end
    endgenerate
endmodule
`default_nettype wire
