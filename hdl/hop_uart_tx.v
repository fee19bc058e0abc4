// hop_uart_tx: 8N1 UART transmitter. Part of hopgen's Verilog library (hdl/).
//
// A byte is taken on a rising edge where `in_valid && in_ready` and sent as a start
// bit, 8 data bits LSB first and one stop bit, each CLKS_PER_BIT clocks long. The line
// idles high (also during reset). `in_ready` is a register (it feeds wide enables in
// the bridge): it may stay high through the first clock of a reset, where nothing is
// taken, and is high again once the reset ends.
`default_nettype none
module hop_uart_tx #(
    parameter integer CLKS_PER_BIT = 104
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] in_data,
    input  wire       in_valid,
    output wire       in_ready,
    output wire       tx
);
    localparam integer CW = $clog2(CLKS_PER_BIT + 1);
    /* verilator lint_off WIDTH */
    localparam [CW-1:0] FULL = CLKS_PER_BIT - 1;
    localparam [CW-1:0] ONE = 1;
    /* verilator lint_on WIDTH */

    reg [9:0]    frame;       // stop, data[7:0], start; sent from bit 0
    reg [3:0]    bits_left;   // bits still to send
    reg [CW-1:0] count;
    reg          count_zero;  // count == 0, registered: the counter is not on the bit path
    reg          idle = 1'b1; // bits_left == 0

    assign in_ready = idle;
    assign tx = idle ? 1'b1 : frame[0];

    always @(posedge clk) begin
        if (rst) begin
            bits_left <= 4'd0;
            count <= {CW{1'b0}};
            count_zero <= 1'b1;
            idle <= 1'b1;
        end else if (idle) begin
            if (in_valid) begin
                frame <= {1'b1, in_data, 1'b0};
                bits_left <= 4'd10;
                count <= FULL;
                count_zero <= (FULL == {CW{1'b0}});
                idle <= 1'b0;
            end
        end else if (!count_zero) begin
            count <= count - 1'b1;
            count_zero <= (count == ONE);
        end else begin
            frame <= {1'b1, frame[9:1]};
            bits_left <= bits_left - 1'b1;
            count <= FULL;
            count_zero <= (FULL == {CW{1'b0}});
            idle <= (bits_left == 4'd1);
        end
    end
endmodule
`default_nettype wire
