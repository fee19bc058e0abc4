//! Pin constraint files from the board table: `.pcf` for iCE40 (nextpnr-ice40) and
//! `.lpf` for ECP5 (nextpnr-ecp5), every pin commented with the board resource it
//! connects to. `constraints/` holds these files for every board; a golden test keeps
//! them equal to what this module writes.

use super::board::{Board, Family, Role};
use std::fmt::Write;

/// The constraint file of a board, in its family's format.
pub fn constraints_text(board: &Board) -> String {
    match board.part.family() {
        Family::Ice40 => pcf(board),
        Family::Ecp5 => lpf(board),
    }
}

fn header(board: &Board, comment: &str) -> String {
    let mut out = String::new();
    let boards: Vec<&str> = super::board::BOARDS
        .iter()
        .filter(|b| b.constraints == board.constraints)
        .map(|b| b.title)
        .collect();
    for line in [
        format!(
            "{}: pins of the hopgen board top (module hop_board).",
            board.constraints
        ),
        format!(
            "For: {}; clock {} MHz.",
            boards.join("; "),
            mhz(board.clock_hz)
        ),
        "Generated from src/fpga/board.rs by hopgen; `make golden` refreshes constraints/.".into(),
    ] {
        let _ = writeln!(out, "{comment} {line}");
    }
    out.push('\n');
    out
}

fn mhz(hz: u64) -> String {
    let mhz = hz as f64 / 1e6;
    if mhz.fract() == 0.0 {
        format!("{mhz:.0}")
    } else {
        format!("{mhz}")
    }
}

fn pcf(board: &Board) -> String {
    let mut out = header(board, "#");
    let width = board.pins.iter().map(|p| p.port.len()).max().unwrap_or(0);
    for pin in board.pins {
        let _ = writeln!(
            out,
            "set_io -nowarn {:<width$} {:<4} # {}",
            pin.port, pin.site, pin.resource
        );
    }
    out
}

fn lpf(board: &Board) -> String {
    let mut out = header(board, "#");
    for pin in board.pins {
        let _ = writeln!(out, "# {}: {}", pin.port, pin.resource);
        let _ = writeln!(out, "LOCATE COMP \"{}\" SITE \"{}\";", pin.port, pin.site);
        let attrs = match pin.role {
            Role::Clock => "PULLMODE=NONE IO_TYPE=LVCMOS33",
            Role::UartRx | Role::ResetButtonN => "PULLMODE=UP IO_TYPE=LVCMOS33",
            Role::UartTx | Role::Led { .. } | Role::TieHigh => "IO_TYPE=LVCMOS33 DRIVE=4",
        };
        let _ = writeln!(out, "IOBUF PORT \"{}\" {attrs};", pin.port);
        if pin.role == Role::Clock {
            let _ = writeln!(
                out,
                "FREQUENCY PORT \"{}\" {} MHZ;",
                pin.port,
                mhz(board.clock_hz)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fpga::board::find_board;

    #[test]
    fn pcf_lines_name_port_site_and_resource() {
        let text = constraints_text(find_board("icebreaker").unwrap());
        assert!(text.contains("set_io -nowarn clk         35   # 12 MHz oscillator\n"));
        assert!(text.contains("uart_tx"));
    }

    #[test]
    fn lpf_has_frequency_and_io_types() {
        let text = constraints_text(find_board("ulx3s-85f").unwrap());
        assert!(text.contains("LOCATE COMP \"clk\" SITE \"G2\";"));
        assert!(text.contains("FREQUENCY PORT \"clk\" 25 MHZ;"));
        assert!(text.contains("IOBUF PORT \"uart_rx\" PULLMODE=UP IO_TYPE=LVCMOS33;"));
    }
}
