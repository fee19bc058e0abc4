// hop_uart_bridge: hopgen's framed UART protocol (docs/PROTOCOL.md) in front of a core.
// Part of hopgen's Verilog library (hdl/).
//
// Host → device frames: A5, type, length (2 bytes, little-endian), payload, check.
// Device → host frames: 5A, type, length, payload, check. The check byte is CRC-8
// (polynomial 0x07, initial value 0, no reflection) over type, length and payload.
//   type 01 PROBE   payload: ceil(N/8) state bytes, neuron 8k+j in bit j of byte k
//   type 02 INFO    payload: none
//   type 03 WEIGHTS payload: start word (4 bytes), BLOCK words of WB bytes (WORDS > 0)
//   type 81 RESULT  payload: state bytes, sweeps (2 bytes), status (1 byte)
//   type 82 INFO    payload: INFO_BYTES bytes of INFO (byte k in INFO[8k +: 8]), with
//                   bit LOADED_BIT set while the weights are loaded
//   type 83 WRITTEN payload: words loaded in order from word 0 (4 bytes)
//   type E0 ERROR   payload: code, the type byte it concerns
// Error codes: 1 check byte wrong, 2 length wrong for the type, 3 unknown type,
// 4 frame incomplete after TIMEOUT idle clocks, 5 probe or weights arrived while the
// core was not idle (a probe pending or running, or its result being sent), 6 a byte
// inside a frame had a bad stop
// bit, 7 probe before the weights are loaded.
// Weights (WORDS > 0): each word of a WEIGHTS frame is written to the core as soon as
// it is complete (words past WORDS are dropped). The weights count as loaded once good
// frames starting at word 0, each starting where the last ended, have covered every
// word; any WEIGHTS frame that fails clears that until a good one ends it again.
// After a bad header the rest of the frame is discarded until the line has been idle
// for TIMEOUT clocks, so payload bytes are never taken for a frame start.
`default_nettype none
module hop_uart_bridge #(
    parameter integer N = 8,
    parameter integer TIMEOUT = 10000,
    parameter integer INFO_BYTES = 1,
    parameter [8*INFO_BYTES-1:0] INFO = 0,
    // The core's weight write port: WORDS words (0: none) of WORD_BITS bits.
    parameter integer WORDS = 0,
    parameter integer WORD_BITS = 8,
    parameter integer ADDR_BITS = 1,
    parameter integer BLOCK = 32,
    parameter integer LOADED_BIT = 0
) (
    input  wire         clk,
    input  wire         rst,
    // bytes from hop_uart_rx
    input  wire [7:0]   rx_data,
    input  wire         rx_valid,
    input  wire         rx_error,
    // bytes to hop_uart_tx
    output wire [7:0]   tx_data,
    output wire         tx_valid,
    input  wire         tx_ready,
    // the core's ports (docs/CORE.md)
    output reg          core_in_valid,
    input  wire         core_in_ready,
    output wire [N-1:0] core_in_state,
    input  wire         core_out_valid,
    output wire         core_out_ready,
    input  wire [N-1:0] core_out_state,
    input  wire [15:0]  core_out_sweeps,
    input  wire [1:0]   core_out_status,
    output reg                  core_wr_en,
    output reg  [ADDR_BITS-1:0] core_wr_addr,
    output reg  [WORD_BITS-1:0] core_wr_data,
    // for LEDs
    output reg          busy,
    output reg          converged,
    output reg          error_seen
);
    localparam integer NB = (N + 7) / 8;
    /* verilator lint_off WIDTH */
    localparam [15:0] PROBE_LEN = NB;
    localparam [15:0] RESULT_LEN = NB + 3;
    localparam [15:0] INFO_LEN = INFO_BYTES;
    localparam integer WB = (WORD_BITS + 7) / 8;
    localparam [15:0] WEIGHTS_LEN = 4 + BLOCK * WB;
    localparam [7:0] T_PROBE = 8'h01, T_INFO = 8'h02, T_WEIGHTS = 8'h03;
    localparam [7:0] T_RESULT = 8'h81, T_INFO_REPLY = 8'h82, T_WRITTEN = 8'h83,
                     T_ERROR = 8'hE0;
    localparam [7:0] E_CHECK = 8'd1, E_LENGTH = 8'd2, E_TYPE = 8'd3, E_TIMEOUT = 8'd4,
                     E_BUSY = 8'd5, E_FRAMING = 8'd6, E_NOT_LOADED = 8'd7;
    localparam [31:0] WORDS_32 = WORDS;
    localparam [31:0] BLOCK_32 = BLOCK;
    localparam integer IW = $clog2(TIMEOUT + 1);
    localparam [IW-1:0] IDLE_LIMIT = TIMEOUT;
    /* verilator lint_on WIDTH */

    function [7:0] crc8;
        input [7:0] crc;
        input [7:0] data;
        integer i;
        reg [7:0] c;
        begin
            c = crc ^ data;
            for (i = 0; i < 8; i = i + 1)
                c = c[7] ? ({c[6:0], 1'b0} ^ 8'h07) : {c[6:0], 1'b0};
            crc8 = c;
        end
    endfunction

    // ------------------------------------------------------- transmit (state)
    localparam [2:0] K_NONE = 3'd0, K_RESULT = 3'd1, K_INFO = 3'd2, K_ERROR = 3'd3,
                     K_WRITTEN = 3'd4;
    // The payload of the frame being sent waits in a shift register and moves down a
    // byte per byte sent, so no wide multiplexer picks payload bytes: a RESULT in r_buf
    // (the probe buffer, free while the core is not idle), the others in t_shift.
    localparam integer TB = (INFO_BYTES > 4) ? INFO_BYTES : 4;
    reg  [2:0]  t_kind;
    reg  [15:0] t_index;      // byte of the frame being offered
    reg  [15:0] t_len;
    reg  [15:0] t_end;        // t_len + 3: the index of the byte before the check byte
    reg         t_last;       // the check byte is offered: t_index == t_len + 4
    reg  [7:0]  t_crc;
    reg  [8*TB-1:0] t_shift;  // payload bytes not yet sent, the next one lowest
    wire [2:0]  t_kind_next = core_out_valid ? K_RESULT : info_pending ? K_INFO :
                              ack_pending ? K_WRITTEN : err_pending ? K_ERROR : K_NONE;
    // The choice of the next frame is registered (t_pick) and acted on a cycle later
    // (t_start), so the wide loads below hang off a register.
    reg  [2:0]  t_pick;
    reg         t_start;
    reg         t_load_result; // t_start with t_pick == K_RESULT: load r_buf
    reg         t_result;      // t_kind == K_RESULT, a cycle late (header bytes go first)
    reg         t_header;     // t_index < 4: a header byte is offered
    wire [15:0] t_len_next = (t_pick == K_RESULT) ? RESULT_LEN :
                             (t_pick == K_INFO) ? INFO_LEN :
                             (t_pick == K_WRITTEN) ? 16'd4 : 16'd2;
    wire [8*TB-1:0] t_payload_next;
    wire [8*NB-1:0] state_bytes;
    generate
        if (8 * NB == N) begin : whole
            assign state_bytes = core_out_state;
        end else begin : padded
            assign state_bytes = {{(8*NB-N){1'b0}}, core_out_state};
        end
    endgenerate
    /* verilator lint_off WIDTH */
    assign t_payload_next =
        (t_pick == K_INFO) ? (INFO | (loaded << LOADED_BIT)) :
        (t_pick == K_WRITTEN) ? w_progress : {err_type, err_code};
    /* verilator lint_on WIDTH */
    reg  [7:0]  t_byte;

    // ---------------------------------------------------------------- receive
    localparam [2:0] R_HUNT = 3'd0, R_TYPE = 3'd1, R_LEN0 = 3'd2, R_LEN1 = 3'd3,
                     R_PAYLOAD = 3'd4, R_CHECK = 3'd5, R_DRAIN = 3'd6;
    reg [2:0]      r_state;
    // States of r_state for the error and timeout paths, a cycle late: it changes only
    // when a byte, a framing error or a timeout arrives, and these are a byte time apart.
    reg            at_hunt, at_payload, at_check, at_drain;
    reg [7:0]      r_type;
    reg [7:0]      r_len0;
    reg [15:0]     r_left;
    reg [7:0]      r_crc;
    reg [IW-1:0]   r_idle;
    reg            idle_hit;  // r_idle == IDLE_LIMIT
    /* verilator lint_off UNUSEDSIGNAL */
    // A PROBE's payload: byte k ends in r_buf[8k+24 +: 8]. While a RESULT is sent, its
    // payload, lowest byte next.
    reg [8*NB+23:0] r_buf;
    /* verilator lint_on UNUSEDSIGNAL */
    reg            info_pending;
    reg            ack_pending;  // a WRITTEN reply is due
    reg            err_pending;
    reg [7:0]      err_code;
    reg [7:0]      err_type;

    // A received byte is registered together with its comparisons (b_*); the frame
    // state machine works from these registers one cycle later, so no comparison of
    // a fresh byte sits in front of its decisions. Bytes are 10 bit times apart.
    reg            b_valid;
    reg            b_error;
    reg [7:0]      b_data;
    reg            b_start;      // A5
    reg            b_check_ok;   // equals the CRC of the bytes before it
    reg            b_t_probe;    // as a type: PROBE
    reg            b_t_info;     // as a type: INFO
    reg            b_zero;
    reg            b_probe_lo;   // PROBE_LEN[7:0]
    reg            b_probe_hi;   // PROBE_LEN[15:8]
    reg            b_t_weights;  // as a type: WEIGHTS, when the core takes them
    reg            b_weights_lo; // WEIGHTS_LEN[7:0]
    reg            b_weights_hi; // WEIGHTS_LEN[15:8]
    // What the header said, kept as flags.
    reg            f_probe;
    reg            f_info;
    reg            f_known;      // PROBE, INFO or (taken) WEIGHTS
    reg            f_len0_probe;   // a PROBE whose length's low byte is right
    reg            f_len0_zero;    // an INFO whose length's low byte is 0
    reg            f_weights;
    reg            f_len0_weights; // a WEIGHTS whose length's low byte is right
    // Weights: the frame's start word, the next word's address, the word being built.
    localparam integer BW = (WB > 1) ? $clog2(WB) : 1;
    /* verilator lint_off WIDTH */
    localparam [BW-1:0] LAST_BYTE = WB - 1;
    /* verilator lint_on WIDTH */
    reg            loaded;       // the weights are loaded (always, without WORDS)
    reg [31:0]     w_progress;   // words loaded in order from word 0
    reg [31:0]     w_progress1;  // w_progress + BLOCK, registered (it moves once a frame)
    reg [31:0]     w_start;
    reg [31:0]     w_next;
    reg [31:0]     w_next1;      // w_next + 1, registered (w_next moves once a word)
    reg [2:0]      w_head;       // start-word bytes still to come
    reg [BW-1:0]   w_byte;       // bytes of the current word so far
    /* verilator lint_off UNUSEDSIGNAL */
    reg [8*WB+7:0] w_word;       // its bytes, the latest on top (in [8*WB+7:8])
    reg            w_in_range;   // w_next < WORDS
    reg            w_seq;        // w_start == w_progress
    reg            w_zero;       // w_start == 0
    reg            w_settle;     // w_progress has moved: recompute `loaded`
    reg            w_fail;       // a WEIGHTS frame failed after its header
    reg            w_good;       // a WEIGHTS frame ended well: move w_progress
    reg            w_below;      // w_start < w_progress
    reg            wn_hi_lt, wn_hi_eq, wn_lo_lt, ws_hi_lt, ws_hi_eq, ws_lo_lt, ws_lo_eq;
    reg            wz_hi, wz_lo;
    // What the next byte of a WEIGHTS payload is, registered: their inputs change only
    // when a byte arrives, a byte time before the next one.
    reg            w_head_byte;  // a start-word byte
    reg            w_word_byte;  // a weight word's byte
    reg            w_last_byte;  // ... its last one
    reg            r_probe_byte; // the next byte is a PROBE payload byte
    wire           w_writing = f_weights && (at_payload || at_check);
    wire [8*WB+7:0] w_shifted = {b_data, w_word[8*WB+7:8]};
    wire [8*WB-1:0] w_complete = w_shifted[8*WB+7:8];
    /* verilator lint_on UNUSEDSIGNAL */
    reg            r_last;       // r_left == 1 (registered: r_left moves once a byte)
    // The core is idle: no probe pending or running, no result waiting or being sent.
    // Registered (a cycle late): it only changes on a frame's last byte or a result's.
    reg            core_idle;

    assign core_in_state = r_buf[24 +: N];

    // An error is noted by the state machine (e_raise) and recorded a cycle later; the
    // type byte it concerns cannot change before the next byte. Its code (e_code) is
    // worked out every cycle, with no enable, as the code of whichever error the state
    // machine could raise now: a framing error or time-out without a byte; with a
    // byte, a bad check in R_CHECK, else the R_LEN1 verdicts. `raise` names the code
    // the state machine means; simulations stop if e_code_now disagrees.
    reg            e_raise;
    reg [7:0]      e_code;
    wire [7:0]     e_code_now;

    task raise;
        input [7:0] code;
        begin
            e_raise <= 1'b1;
`ifndef SYNTHESIS
            if (code != e_code_now) begin
                $display("FAIL hop_uart_bridge: raised error %0d, e_code_now is %0d",
                         code, e_code_now);
                $finish;
            end
`endif
        end
    endtask

    always @(posedge clk) begin
        core_idle <= core_in_ready && !core_in_valid && !core_out_valid && t_kind != K_RESULT;
        b_valid <= rx_valid;
        b_error <= rx_error;
        b_data <= rx_data;
        b_start <= (rx_data == 8'hA5);
        b_check_ok <= (rx_data == r_crc);
        b_t_probe <= (rx_data == T_PROBE);
        b_t_info <= (rx_data == T_INFO);
        b_zero <= (rx_data == 8'h00);
        b_probe_lo <= (rx_data == PROBE_LEN[7:0]);
        b_probe_hi <= (rx_data == PROBE_LEN[15:8]);
        b_t_weights <= (rx_data == T_WEIGHTS) && (WORDS > 0);
        b_weights_lo <= (rx_data == WEIGHTS_LEN[7:0]);
        b_weights_hi <= (rx_data == WEIGHTS_LEN[15:8]);
        // 32-bit comparisons in two registered steps (halves, then the result); their
        // inputs hold still for a byte time before they are used.
        /* verilator lint_off UNSIGNED */
        wn_hi_lt <= (w_next[31:16] < WORDS_32[31:16]);
        wn_lo_lt <= (w_next[15:0] < WORDS_32[15:0]);
        /* verilator lint_on UNSIGNED */
        wn_hi_eq <= (w_next[31:16] == WORDS_32[31:16]);
        ws_hi_lt <= (w_start[31:16] < w_progress[31:16]);
        ws_lo_lt <= (w_start[15:0] < w_progress[15:0]);
        ws_hi_eq <= (w_start[31:16] == w_progress[31:16]);
        ws_lo_eq <= (w_start[15:0] == w_progress[15:0]);
        wz_hi <= (w_start[31:16] == 16'd0);
        wz_lo <= (w_start[15:0] == 16'd0);
        w_in_range <= wn_hi_lt || (wn_hi_eq && wn_lo_lt);
        w_seq <= ws_hi_eq && ws_lo_eq;
        w_zero <= wz_hi && wz_lo;
        w_below <= ws_hi_lt || (ws_hi_eq && ws_lo_lt);
        w_head_byte <= f_weights && r_state == R_PAYLOAD && w_head != 3'd0;
        w_word_byte <= f_weights && r_state == R_PAYLOAD && w_head == 3'd0;
        w_last_byte <= (w_byte == LAST_BYTE);
        w_next1 <= w_next + 32'd1;
        w_progress1 <= w_progress + BLOCK_32;
        r_probe_byte <= f_probe && r_state == R_PAYLOAD;
        r_last <= (r_left == 16'd1);
        at_hunt <= rst || r_state == R_HUNT;
        at_payload <= !rst && r_state == R_PAYLOAD;
        at_check <= !rst && r_state == R_CHECK;
        at_drain <= !rst && r_state == R_DRAIN;
        e_code <= e_code_now;
    end

    assign e_code_now = !b_valid ? (b_error ? E_FRAMING : E_TIMEOUT)
                      : at_check ? E_CHECK
                      : (f_len0_probe && b_probe_hi) ? (core_idle ? E_NOT_LOADED : E_BUSY)
                      : (f_len0_weights && b_weights_hi) ? E_BUSY
                      : f_known ? E_LENGTH : E_TYPE;

    always @(posedge clk) begin
        if (core_in_valid && core_in_ready) core_in_valid <= 1'b0;
        if (t_start && t_pick == K_INFO) info_pending <= 1'b0;
        if (t_start && t_pick == K_WRITTEN) ack_pending <= 1'b0;
        core_wr_en <= 1'b0;
        w_settle <= 1'b0;
        w_fail <= 1'b0;
        w_good <= 1'b0;
        // A good frame moves the in-order count (a cycle after its check byte; the
        // WRITTEN reply that reports it starts two cycles later).
        if (w_good) begin
            w_settle <= 1'b1;
            if (w_zero) w_progress <= BLOCK_32;
            else if (w_seq) w_progress <= w_progress1;
        end
        // Words from a failed frame's start on may be damaged: the in-order count
        // goes back to that start, so a retry of the frame continues the load.
        if (w_fail && w_below) w_progress <= w_start;
        /* verilator lint_off UNSIGNED */
        if (w_settle) loaded <= (w_progress >= WORDS_32);
        /* verilator lint_on UNSIGNED */
        if (t_start && t_pick == K_ERROR) err_pending <= 1'b0;
        e_raise <= 1'b0;
        if (e_raise) begin
            err_pending <= 1'b1;
            err_code <= e_code;
            err_type <= r_type;
            error_seen <= 1'b1;
        end
        if (at_hunt || rx_valid || rx_error) begin
            r_idle <= {IW{1'b0}};
            idle_hit <= 1'b0;
        end else if (!idle_hit) begin
            r_idle <= r_idle + 1'b1;
            idle_hit <= (r_idle == IDLE_LIMIT - 1'b1);
        end
        if (b_valid) begin
            r_crc <= crc8(r_crc, b_data);
            // PROBE and WEIGHTS payload bytes (the state machine below is in R_PAYLOAD).
            if (r_probe_byte) r_buf <= {b_data, r_buf[8*NB+23:8]};
            if (w_head_byte) begin
                w_start <= {b_data, w_start[31:8]};
                w_next <= {b_data, w_start[31:8]};
                w_head <= w_head - 3'd1;
                w_byte <= {BW{1'b0}};
            end
            if (w_word_byte) begin
                w_word <= w_shifted;
                if (w_last_byte) begin
                    w_byte <= {BW{1'b0}};
                    core_wr_en <= w_in_range;
                    core_wr_addr <= w_next[ADDR_BITS-1:0];
                    core_wr_data <= w_complete[WORD_BITS-1:0];
                    w_next <= w_next1;
                end else begin
                    w_byte <= w_byte + 1'b1;
                end
            end
            case (r_state)
                R_HUNT: if (b_start) begin
                    r_state <= R_TYPE;
                    r_crc <= 8'h00;
                end
                R_TYPE: begin
                    r_type <= b_data;
                    f_probe <= b_t_probe;
                    f_info <= b_t_info;
                    f_weights <= b_t_weights;
                    f_known <= b_t_probe || b_t_info || b_t_weights;
                    r_state <= R_LEN0;
                end
                R_LEN0: begin
                    r_len0 <= b_data;
                    f_len0_probe <= f_probe && b_probe_lo;
                    f_len0_zero <= f_info && b_zero;
                    f_len0_weights <= f_weights && b_weights_lo;
                    r_state <= R_LEN1;
                end
                R_LEN1: begin
                    r_left <= {b_data, r_len0};
                    if (f_len0_probe && b_probe_hi) begin
                        if (!core_idle) begin
                            raise(E_BUSY);
                            r_state <= R_DRAIN;
                        end else if (!loaded) begin
                            raise(E_NOT_LOADED);
                            r_state <= R_DRAIN;
                        end else begin
                            r_state <= R_PAYLOAD;
                        end
                    end else if (f_len0_zero && b_zero) begin
                        r_state <= R_CHECK;
                    end else if (f_len0_weights && b_weights_hi) begin
                        if (!core_idle) begin
                            raise(E_BUSY);
                            r_state <= R_DRAIN;
                        end else begin
                            // Until this frame ends well, the weights are not whole.
                            loaded <= 1'b0;
                            w_head <= 3'd4;
                            r_state <= R_PAYLOAD;
                        end
                    end else begin
                        raise(f_known ? E_LENGTH : E_TYPE);
                        r_state <= R_DRAIN;
                    end
                end
                R_PAYLOAD: begin
                    r_left <= r_left - 1'b1;
                    if (r_last) r_state <= R_CHECK;
                end
                R_CHECK: begin
                    r_state <= R_HUNT;
                    if (!b_check_ok) begin
                        raise(E_CHECK);
                        w_fail <= f_weights;
                    end else if (f_probe) core_in_valid <= 1'b1;
                    else if (f_weights) begin
                        ack_pending <= 1'b1;
                        w_good <= 1'b1;
                    end else info_pending <= 1'b1;
                end
                default: ;  // R_DRAIN: discard
            endcase
        end else if (b_error && !at_hunt) begin
            if (!at_drain) raise(E_FRAMING);
            w_fail <= w_writing;
            r_state <= R_DRAIN;
        end else if (idle_hit && !at_hunt) begin
            if (!at_drain) raise(E_TIMEOUT);
            w_fail <= w_writing;
            r_state <= R_HUNT;
        end
        if (t_load_result)
            r_buf <= {6'd0, core_out_status, core_out_sweeps, state_bytes};
        else if (t_result && tx_valid && tx_ready && !t_header)
            r_buf <= r_buf >> 8;
        if (rst) begin
            r_state <= R_HUNT;
            r_idle <= {IW{1'b0}};
            idle_hit <= 1'b0;
            e_raise <= 1'b0;
            core_in_valid <= 1'b0;
            info_pending <= 1'b0;
            ack_pending <= 1'b0;
            core_wr_en <= 1'b0;
            w_settle <= 1'b0;
            w_fail <= 1'b0;
            w_good <= 1'b0;
            w_progress <= 32'd0;
            loaded <= (WORDS == 0);
            err_pending <= 1'b0;
            error_seen <= 1'b0;
        end
    end


    always @(*) begin
        if (t_header) begin
            case (t_index[1:0])
                2'd0: t_byte = 8'h5A;
                2'd1: t_byte = (t_kind == K_RESULT) ? T_RESULT :
                               (t_kind == K_INFO) ? T_INFO_REPLY :
                               (t_kind == K_WRITTEN) ? T_WRITTEN : T_ERROR;
                2'd2: t_byte = t_len[7:0];
                default: t_byte = t_len[15:8];
            endcase
        end else if (t_last) t_byte = t_crc;
        else t_byte = (t_kind == K_RESULT) ? r_buf[7:0] : t_shift[7:0];
    end

    // --------------------------------------------------------------- transmit
    // The offered byte is registered: it is valid one cycle after t_index moves (the
    // UART takes a byte every 10 bit times, so the cycle costs nothing), which keeps
    // the byte multiplexer and the CRC update on separate paths.
    reg [7:0] t_byte_r;
    reg       t_fresh;
    reg       t_sent;   // a byte of this frame has gone (t_index != 0), as a register
    assign tx_data = t_byte_r;
    // t_fresh is only ever set while a frame is being sent (t_kind != K_NONE), and is
    // cleared on the clock that ends one, so it is the valid bit by itself.
    assign tx_valid = t_fresh;
    // The result is taken from the core when it is copied into r_buf (t_load_result,
    // a register); the core is then free, but the bridge refuses probes until the
    // RESULT frame has gone (core_idle), so the copy cannot be overwritten.
    assign core_out_ready = t_load_result;

    always @(posedge clk) begin
        t_byte_r <= t_byte;
        busy <= core_in_valid || !core_in_ready || core_out_valid;  // for an LED: registered
        t_fresh <= (t_kind != K_NONE) && !(tx_valid && tx_ready) && !rst;
        t_pick <= t_kind_next;
        t_start <= (t_kind == K_NONE) && (t_kind_next != K_NONE) && !t_start && !rst;
        t_load_result <= (t_kind == K_NONE) && (t_kind_next == K_RESULT) && !t_start && !rst;
        t_result <= (t_kind == K_RESULT);
        if (rst) begin
            t_kind <= K_NONE;
            t_start <= 1'b0;
            converged <= 1'b0;
        end else if (t_start) begin
            if (t_load_result) converged <= (core_out_status == 2'd0);
            t_kind <= t_pick;
            t_index <= 16'd0;
            t_crc <= 8'h00;
            t_sent <= 1'b0;
            t_len <= t_len_next;
            t_end <= t_len_next + 16'd3;
            t_last <= 1'b0;
            t_header <= 1'b1;
            t_shift <= t_payload_next;
        end else if (tx_valid && tx_ready) begin
            if (t_sent) t_crc <= crc8(t_crc, t_byte_r);
            t_sent <= 1'b1;
            if (!t_header) t_shift <= t_shift >> 8;
            t_index <= t_index + 1'b1;
            t_last <= (t_index == t_end);
            t_header <= (t_index < 16'd3);
            if (t_last) t_kind <= K_NONE;
        end
    end
endmodule
`default_nettype wire
