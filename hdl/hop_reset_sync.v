// hop_reset_sync: the board-level reset. Part of hopgen's Verilog library (hdl/).
//
// `rst` is high for HOLD clocks after configuration and for HOLD clocks after
// `arm_n` returns high (a reset button, active low, and/or a PLL's lock). `arm_n` is
// asynchronous: it passes two synchronising flip-flops first. Flip-flop initial
// values (configuration) start the sequence; no external reset pin is needed.
`default_nettype none
module hop_reset_sync #(
    parameter integer HOLD = 15
) (
    input  wire clk,
    input  wire arm_n,
    output wire rst
);
    localparam integer CW = $clog2(HOLD + 1);
    /* verilator lint_off WIDTH */
    localparam [CW-1:0] DONE = HOLD;
    /* verilator lint_on WIDTH */

    reg [1:0]    sync = 2'b00;
    reg [CW-1:0] count = {CW{1'b0}};

    always @(posedge clk) begin
        sync <= {sync[0], arm_n};
        if (!sync[1]) count <= {CW{1'b0}};
        else if (count != DONE) count <= count + 1'b1;
    end

    assign rst = (count != DONE);
endmodule
`default_nettype wire
