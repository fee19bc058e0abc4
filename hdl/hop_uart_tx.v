// hop_uart_tx: 8N1 UART transmitter. Part of hopgen's Verilog library (hdl/).
//
// A byte is taken on a rising edge where `in_valid && in_ready` and sent as a start
// bit, 8 data bits LSB first and one stop bit, each CLKS_PER_BIT clocks long. The line
// idles high (also during reset).
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
    /* verilator lint_on WIDTH */

    reg [9:0]    frame;       // stop, data[7:0], start; sent from bit 0
    reg [3:0]    bits_left;   // 0 when idle
    reg [CW-1:0] count;

    assign in_ready = (bits_left == 4'd0) && !rst;
    assign tx = (bits_left == 4'd0) ? 1'b1 : frame[0];

    always @(posedge clk) begin
        if (rst) begin
            bits_left <= 4'd0;
            count <= {CW{1'b0}};
        end else if (bits_left == 4'd0) begin
            if (in_valid) begin
                frame <= {1'b1, in_data, 1'b0};
                bits_left <= 4'd10;
                count <= FULL;
            end
        end else if (count != {CW{1'b0}}) begin
            count <= count - 1'b1;
        end else begin
            frame <= {1'b1, frame[9:1]};
            bits_left <= bits_left - 1'b1;
            count <= FULL;
        end
    end
endmodule
`default_nettype wire
