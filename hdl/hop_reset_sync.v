// hop_reset_sync: the board-level reset. Part of hopgen's Verilog library (hdl/).
//
// `rst` is high for HOLD + 1 clocks after configuration and after
// `arm_n` returns high (a reset button, active low, and/or a PLL's lock). `arm_n` is
// asynchronous: it passes two synchronising flip-flops first. Flip-flop initial
// values (configuration) start the sequence; no external reset pin is needed.
`default_nettype none
module hop_reset_sync #(
    parameter integer HOLD = 15
) (
    input  wire clk,
    input  wire arm_n,
    output reg  rst = 1'b1
);
    localparam integer CW = $clog2(HOLD + 1);
    /* verilator lint_off WIDTH */
    localparam [CW-1:0] DONE = HOLD;
    /* verilator lint_on WIDTH */

    reg [1:0]    sync = 2'b00;
    reg [CW-1:0] count = {CW{1'b0}};

    // `rst` is a register (it fans out to the whole design): high while the count
    // runs, so one clock longer than the count itself.
    always @(posedge clk) begin
        sync <= {sync[0], arm_n};
        if (!sync[1]) count <= {CW{1'b0}};
        else if (count != DONE) count <= count + 1'b1;
        rst <= !sync[1] || (count != DONE);
    end
endmodule
`default_nettype wire
