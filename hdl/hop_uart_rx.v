// hop_uart_rx: 8N1 UART receiver. Part of hopgen's Verilog library (hdl/).
//
// The line is synchronised by two flip-flops; a start bit is confirmed at its middle,
// then the 8 data bits (LSB first) and the stop bit are sampled at their middles.
// A byte is delivered as a one-cycle `valid` pulse with `data`; a byte whose stop bit
// is 0 is dropped and reported by a one-cycle `frame_error` pulse instead.
// CLKS_PER_BIT = round(clock / baud), at least 4.
`default_nettype none
module hop_uart_rx #(
    parameter integer CLKS_PER_BIT = 104
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx,
    output reg  [7:0] data,
    output reg        valid,
    output reg        frame_error
);
    localparam integer CW = $clog2(CLKS_PER_BIT + 1);
    /* verilator lint_off WIDTH */
    localparam [CW-1:0] FULL = CLKS_PER_BIT - 1;
    localparam [CW-1:0] ONE = 1;
    localparam [CW-1:0] HALF = CLKS_PER_BIT / 2 - 1;
    /* verilator lint_on WIDTH */
    localparam [1:0] IDLE = 2'd0, START = 2'd1, BITS = 2'd2, STOP = 2'd3;

    reg [1:0]    sync;
    reg [1:0]    phase;
    reg [CW-1:0] count;
    reg          count_zero;  // count == 0, registered: the counter is not on the bit path
    reg [2:0]    bit_index;
    reg [7:0]    shift;
    wire         line = sync[1];

    always @(posedge clk) begin
        sync  <= {sync[0], rx};
        valid <= 1'b0;
        frame_error <= 1'b0;
        if (rst) begin
            sync  <= 2'b11;
            phase <= IDLE;
            count <= {CW{1'b0}};
            count_zero <= 1'b1;
            bit_index <= 3'd0;
        end else if (phase == IDLE) begin
            if (!line) begin
                phase <= START;
                count <= HALF;
                count_zero <= (HALF == {CW{1'b0}});
            end
        end else if (!count_zero) begin
            count <= count - 1'b1;
            count_zero <= (count == ONE);
        end else begin
            count <= FULL;
            count_zero <= (FULL == {CW{1'b0}});
            case (phase)
                START: begin
                    phase <= line ? IDLE : BITS;
                    bit_index <= 3'd0;
                end
                BITS: begin
                    shift <= {line, shift[7:1]};
                    bit_index <= bit_index + 1'b1;
                    if (bit_index == 3'd7) phase <= STOP;
                end
                default: begin
                    phase <= IDLE;
                    if (line) begin
                        data  <= shift;
                        valid <= 1'b1;
                    end else begin
                        frame_error <= 1'b1;
                    end
                end
            endcase
        end
    end
endmodule
`default_nettype wire
