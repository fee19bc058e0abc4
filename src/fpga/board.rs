//! The boards and parts `hopgen build` knows: which FPGA, its package and capacity,
//! the board clock, and every pin the board top uses with the board resource it
//! connects to. This table is the one source of the constraint files in
//! `constraints/` and of the board tops' port lists.

use crate::synth::target::Target;
use serde::Serialize;

/// FPGA family: decides the yosys, nextpnr and packer commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ice40,
    Ecp5,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Ice40 => "ice40",
            Family::Ecp5 => "ecp5",
        }
    }
}

/// A device in a package, with the capacity the report compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// iCE40UP5K-SG48 (iCEBreaker): 5280 LC, 30 EBR, 4 SPRAM, 8 DSP.
    #[value(name = "ice40-up5k-sg48")]
    Up5kSg48,
    /// iCE40HX8K-CT256 (HX8K breakout): 7680 LC, 32 EBR.
    #[value(name = "ice40-hx8k-ct256")]
    Hx8kCt256,
    /// LFE5U-25F-6BG381C (ULX3S 25F): 24288 LUT4, 56 DP16KD, 28 MULT18.
    #[value(name = "ecp5-25k-cabga381")]
    Ecp5_25kBg381,
    /// LFE5U-85F-6BG381C (ULX3S 85F): 83640 LUT4, 208 DP16KD, 156 MULT18.
    #[value(name = "ecp5-85k-cabga381")]
    Ecp5_85kBg381,
}

/// Capacities of a part (what nextpnr reports as available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capacity {
    pub luts: u64,
    pub ffs: u64,
    /// Block RAMs: 4 Kbit EBR on iCE40, 18 Kbit DP16KD on ECP5.
    pub brams: u64,
    /// 256 Kbit single-port RAMs (iCE40 UP5K only).
    pub sprams: u64,
    pub dsps: u64,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Up5kSg48 => "ice40-up5k-sg48",
            Part::Hx8kCt256 => "ice40-hx8k-ct256",
            Part::Ecp5_25kBg381 => "ecp5-25k-cabga381",
            Part::Ecp5_85kBg381 => "ecp5-85k-cabga381",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Part::Up5kSg48 | Part::Hx8kCt256 => Family::Ice40,
            Part::Ecp5_25kBg381 | Part::Ecp5_85kBg381 => Family::Ecp5,
        }
    }

    /// The synth target whose cost model sizes cores for this part.
    pub fn target(self) -> Target {
        match self {
            Part::Up5kSg48 => Target::Ice40Up5k,
            Part::Hx8kCt256 => Target::Ice40Hx8k,
            Part::Ecp5_25kBg381 => Target::Ecp5_25k,
            Part::Ecp5_85kBg381 => Target::Ecp5_85k,
        }
    }

    /// nextpnr's device flag and package name.
    pub fn nextpnr_device(self) -> (&'static str, &'static str) {
        match self {
            Part::Up5kSg48 => ("--up5k", "sg48"),
            Part::Hx8kCt256 => ("--hx8k", "ct256"),
            Part::Ecp5_25kBg381 => ("--25k", "CABGA381"),
            Part::Ecp5_85kBg381 => ("--85k", "CABGA381"),
        }
    }

    /// `synth_ice40 -device`: the timing model yosys maps the logic with (hx, lp or
    /// u; the UltraPlus parts are slower than the HX ones). Only iCE40 parts have one.
    pub fn ice40_device(self) -> &'static str {
        match self {
            Part::Up5kSg48 => "u",
            Part::Hx8kCt256 => "hx",
            Part::Ecp5_25kBg381 | Part::Ecp5_85kBg381 => "",
        }
    }

    pub fn capacity(self) -> Capacity {
        match self {
            Part::Up5kSg48 => Capacity {
                luts: 5280,
                ffs: 5280,
                brams: 30,
                sprams: 4,
                dsps: 8,
            },
            Part::Hx8kCt256 => Capacity {
                luts: 7680,
                ffs: 7680,
                brams: 32,
                sprams: 0,
                dsps: 0,
            },
            Part::Ecp5_25kBg381 => Capacity {
                luts: 24288,
                ffs: 24288,
                brams: 56,
                sprams: 0,
                dsps: 28,
            },
            Part::Ecp5_85kBg381 => Capacity {
                luts: 83640,
                ffs: 83640,
                brams: 208,
                sprams: 0,
                dsps: 156,
            },
        }
    }

    /// What the block RAM primitive is called in reports.
    pub fn bram_kind(self) -> &'static str {
        match self.family() {
            Family::Ice40 => "EBR (4 Kbit)",
            Family::Ecp5 => "DP16KD (18 Kbit)",
        }
    }
}

/// What a board pin does in the board top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The board oscillator.
    Clock,
    /// FPGA receives from the USB-serial bridge.
    UartRx,
    /// FPGA transmits to the USB-serial bridge.
    UartTx,
    /// A user button that resets the design while pressed (active low).
    ResetButtonN,
    /// An LED showing a bridge signal.
    Led { shows: LedSignal, active_low: bool },
    /// An output held high (e.g. the ULX3S ESP32 GPIO0, which would otherwise reset
    /// the board).
    TieHigh,
}

/// What an LED shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedSignal {
    /// A probe is queued or running, or its result is being sent.
    Busy,
    /// The last result's status was `converged`.
    Converged,
    /// A bad frame was received since reset.
    Error,
}

impl LedSignal {
    pub fn describe(self) -> &'static str {
        match self {
            LedSignal::Busy => "busy",
            LedSignal::Converged => "last result converged",
            LedSignal::Error => "bad frame seen since reset",
        }
    }
}

/// One pin of a board: the top-level port, the package site, and the board resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    pub port: &'static str,
    pub site: &'static str,
    pub role: Role,
    /// The board resource, as the board's schematic names it.
    pub resource: &'static str,
}

/// A development board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Board {
    pub name: &'static str,
    pub title: &'static str,
    pub part: Part,
    pub clock_hz: u64,
    pub pins: &'static [Pin],
    /// File name of the constraint file in `constraints/`.
    pub constraints: &'static str,
    /// The serial port its USB-serial bridge usually appears as on Linux.
    pub default_port: &'static str,
    /// openFPGALoader's `--board` name.
    pub openfpgaloader_board: &'static str,
}

const fn pin(port: &'static str, site: &'static str, role: Role, resource: &'static str) -> Pin {
    Pin {
        port,
        site,
        role,
        resource,
    }
}

const fn led(
    port: &'static str,
    site: &'static str,
    shows: LedSignal,
    active_low: bool,
    resource: &'static str,
) -> Pin {
    pin(port, site, Role::Led { shows, active_low }, resource)
}

const ICEBREAKER_PINS: &[Pin] = &[
    pin("clk", "35", Role::Clock, "12 MHz oscillator"),
    pin("uart_rx", "6", Role::UartRx, "FTDI FT2232H channel B TXD"),
    pin("uart_tx", "9", Role::UartTx, "FTDI FT2232H channel B RXD"),
    pin("btn_n", "10", Role::ResetButtonN, "user button BTN_N"),
    led("led_red_n", "11", LedSignal::Error, true, "red LED LEDR_N"),
    led(
        "led_green_n",
        "37",
        LedSignal::Converged,
        true,
        "green LED LEDG_N",
    ),
];

const HX8K_BREAKOUT_PINS: &[Pin] = &[
    pin("clk", "J3", Role::Clock, "12 MHz oscillator"),
    pin("uart_rx", "B10", Role::UartRx, "FTDI FT2232H channel B TXD"),
    pin("uart_tx", "B12", Role::UartTx, "FTDI FT2232H channel B RXD"),
    led("led_busy", "B5", LedSignal::Busy, false, "LED D2"),
    led("led_converged", "B4", LedSignal::Converged, false, "LED D3"),
    led("led_error", "A2", LedSignal::Error, false, "LED D4"),
];

const ULX3S_PINS: &[Pin] = &[
    pin("clk", "G2", Role::Clock, "25 MHz oscillator clk_25mhz"),
    pin("uart_rx", "M1", Role::UartRx, "FTDI FT231X TXD (ftdi_txd)"),
    pin("uart_tx", "L4", Role::UartTx, "FTDI FT231X RXD (ftdi_rxd)"),
    pin("btn_n", "D6", Role::ResetButtonN, "button PWR btn[0]"),
    led("led_busy", "B2", LedSignal::Busy, false, "LED D0 led[0]"),
    led(
        "led_converged",
        "C2",
        LedSignal::Converged,
        false,
        "LED D1 led[1]",
    ),
    led("led_error", "C1", LedSignal::Error, false, "LED D2 led[2]"),
    pin(
        "wifi_gpio0",
        "L2",
        Role::TieHigh,
        "ESP32 GPIO0 (high keeps the ESP32 from resetting the board)",
    ),
];

/// Every board `--board` accepts.
pub const BOARDS: &[Board] = &[
    Board {
        name: "icebreaker",
        title: "1BitSquared iCEBreaker (iCE40UP5K-SG48)",
        part: Part::Up5kSg48,
        clock_hz: 12_000_000,
        pins: ICEBREAKER_PINS,
        constraints: "icebreaker.pcf",
        default_port: "/dev/ttyUSB1",
        openfpgaloader_board: "icebreaker",
    },
    Board {
        name: "ice40-hx8k-breakout",
        title: "Lattice iCE40-HX8K breakout board (iCE40HX8K-CT256)",
        part: Part::Hx8kCt256,
        clock_hz: 12_000_000,
        pins: HX8K_BREAKOUT_PINS,
        constraints: "ice40-hx8k-breakout.pcf",
        default_port: "/dev/ttyUSB1",
        openfpgaloader_board: "ice40_generic",
    },
    Board {
        name: "ulx3s-25f",
        title: "Radiona ULX3S with LFE5U-25F (CABGA381)",
        part: Part::Ecp5_25kBg381,
        clock_hz: 25_000_000,
        pins: ULX3S_PINS,
        constraints: "ulx3s.lpf",
        default_port: "/dev/ttyUSB0",
        openfpgaloader_board: "ulx3s",
    },
    Board {
        name: "ulx3s-85f",
        title: "Radiona ULX3S with LFE5U-85F (CABGA381)",
        part: Part::Ecp5_85kBg381,
        clock_hz: 25_000_000,
        pins: ULX3S_PINS,
        constraints: "ulx3s.lpf",
        default_port: "/dev/ttyUSB0",
        openfpgaloader_board: "ulx3s",
    },
];

/// The pins of a part-only build: left for the placer to put anywhere.
pub const PART_PINS: &[Pin] = &[
    pin("clk", "", Role::Clock, "clock"),
    pin("uart_rx", "", Role::UartRx, "serial in"),
    pin("uart_tx", "", Role::UartTx, "serial out"),
    led("led_busy", "", LedSignal::Busy, false, "busy"),
    led(
        "led_converged",
        "",
        LedSignal::Converged,
        false,
        "converged",
    ),
    led("led_error", "", LedSignal::Error, false, "error"),
];

/// Looks a board up by name (case-insensitive; `ulx3s` means the 85F).
pub fn find_board(name: &str) -> Option<&'static Board> {
    let name = name.to_ascii_lowercase();
    let name = match name.as_str() {
        "ulx3s" => "ulx3s-85f",
        "hx8k" | "ice40-hx8k" => "ice40-hx8k-breakout",
        other => other,
    };
    BOARDS.iter().find(|b| b.name == name)
}

/// Board names, for messages.
pub fn board_names() -> String {
    BOARDS.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_has_one_clock_and_a_uart() {
        for board in BOARDS {
            for role in [Role::Clock, Role::UartRx, Role::UartTx] {
                let count = board.pins.iter().filter(|p| p.role == role).count();
                assert_eq!(count, 1, "{} has {count} pins with {role:?}", board.name);
            }
            let ports: std::collections::BTreeSet<_> = board.pins.iter().map(|p| p.port).collect();
            assert_eq!(
                ports.len(),
                board.pins.len(),
                "{}: duplicate port",
                board.name
            );
            let sites: std::collections::BTreeSet<_> = board.pins.iter().map(|p| p.site).collect();
            assert_eq!(
                sites.len(),
                board.pins.len(),
                "{}: duplicate site",
                board.name
            );
        }
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(find_board("ULX3S").unwrap().name, "ulx3s-85f");
        assert_eq!(find_board("hx8k").unwrap().name, "ice40-hx8k-breakout");
        assert!(find_board("de10-nano").is_none());
    }
}
