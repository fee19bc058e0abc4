//! The board top (`hop_board`): the generated glue that puts a core behind the UART
//! protocol of docs/PROTOCOL.md. Reset synchroniser, UART receiver and transmitter,
//! protocol bridge and LEDs come from `hdl/`; this module wires them to the board's
//! pins, built through the Verilog AST like every generated file.

use super::board::{LedSignal, Pin, Role};
use crate::synth::manifest::Manifest;
use crate::verilog::ast::*;
use sha2::{Digest, Sha256};

/// The board top's module name (reserved, so no core can take it).
pub const TOP_MODULE: &str = "hop_board";
/// The board top's file name.
pub const TOP_FILE: &str = "hop_board.v";
/// Version of the INFO reply layout (docs/PROTOCOL.md).
pub const PROTOCOL_VERSION: u8 = 1;
/// Bytes in the INFO reply.
pub const INFO_BYTES: usize = 15;

/// What the board top needs beyond the core's manifest.
#[derive(Debug, Clone)]
pub struct TopConfig<'a> {
    pub pins: &'a [Pin],
    /// Clock frequency at the core (the board clock; PLLs are not generated yet).
    pub clock_hz: u64,
    pub baud: u32,
    /// Where the name of the board or part appears in comments.
    pub title: String,
    /// A PLL between the board clock and the core (`hop_pll`), with its port names.
    pub pll: Option<super::pll::PllPorts>,
}

impl TopConfig<'_> {
    /// Clock cycles per UART bit.
    pub fn clks_per_bit(&self) -> u64 {
        (self.clock_hz + u64::from(self.baud) / 2) / u64::from(self.baud)
    }

    /// Idle clocks after which the bridge drops an incomplete frame: 20 ms.
    pub fn timeout_clks(&self) -> u64 {
        self.clock_hz / 50
    }
}

/// The design identifier in the INFO reply: the first 4 bytes of SHA-256 of the
/// core's `manifest.json` (weights, thresholds, arithmetic, architecture), read
/// little-endian.
pub fn design_id(manifest: &Manifest) -> u32 {
    design_id_of(manifest.to_json().as_bytes())
}

/// The design identifier of a `manifest.json` file's bytes.
pub fn design_id_of(manifest_json: &[u8]) -> u32 {
    let digest = Sha256::digest(manifest_json);
    u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// INFO's flags byte and its bits (docs/PROTOCOL.md). The bridge sets
/// `INFO_LOADED_FLAG` itself while the weights are loaded.
pub const INFO_FLAGS_BYTE: usize = 6;
pub const INFO_ASYNC_FLAG: u8 = 1 << 0;
pub const INFO_FOLDED_FLAG: u8 = 1 << 1;
pub const INFO_LOADABLE_FLAG: u8 = 1 << 2;
pub const INFO_LOADED_FLAG: u8 = 1 << 3;

/// Weight words per WEIGHTS frame (docs/PROTOCOL.md).
pub const WEIGHTS_PER_FRAME: usize = 32;

/// The INFO reply payload (docs/PROTOCOL.md): version, N, W, max_sweeps, flags,
/// design id, clock in Hz; multi-byte fields little-endian.
pub fn info_bytes(manifest: &Manifest, clock_hz: u64) -> Vec<u8> {
    let mut out = vec![PROTOCOL_VERSION];
    out.extend((manifest.neurons as u16).to_le_bytes());
    out.push(manifest.weight_bits as u8);
    out.extend((manifest.max_sweeps as u16).to_le_bytes());
    let flag = |set: bool, bit: u8| if set { bit } else { 0 };
    let flags = flag(manifest.update == "async", INFO_ASYNC_FLAG)
        | flag(manifest.arch == "folded", INFO_FOLDED_FLAG)
        | flag(manifest.weight_port.is_some(), INFO_LOADABLE_FLAG);
    debug_assert_eq!(out.len(), INFO_FLAGS_BYTE);
    out.push(flags);
    out.extend(design_id(manifest).to_le_bytes());
    out.extend((clock_hz.min(u64::from(u32::MAX)) as u32).to_le_bytes());
    debug_assert_eq!(out.len(), INFO_BYTES);
    out
}

fn id(name: &str) -> Ident {
    Ident::new(name)
}

fn wire(bits: u32, name: &str, comment: &str) -> Item {
    Item::Decl {
        kind: NetKind::Wire,
        signed: false,
        width: if bits == 1 {
            Width::Scalar
        } else {
            Width::Vector(bits)
        },
        name: id(name),
        comment: (!comment.is_empty()).then(|| comment.to_string()),
    }
}

fn conn(pairs: &[(&str, Expr)]) -> Vec<(Ident, Expr)> {
    pairs.iter().map(|(p, e)| (id(p), e.clone())).collect()
}

fn sig(name: &str) -> Expr {
    Expr::Ident(id(name))
}

fn pin_port(pin: &Pin) -> Port {
    let dir = match pin.role {
        Role::Clock | Role::UartRx | Role::ResetButtonN => Dir::Input,
        Role::UartTx | Role::Led { .. } | Role::TieHigh => Dir::Output,
    };
    Port {
        dir,
        kind: NetKind::Wire,
        signed: false,
        width: Width::Scalar,
        name: id(pin.port),
        comment: Some(pin.resource.to_string()),
    }
}

fn port_named(pins: &[Pin], role: Role) -> Option<&'static str> {
    pins.iter().find(|p| p.role == role).map(|p| p.port)
}

/// The board top module.
pub fn board_top(manifest: &Manifest, cfg: &TopConfig) -> Module {
    let n = manifest.neurons as u32;
    let pin_clk = port_named(cfg.pins, Role::Clock).expect("every pin set has a clock");
    let rx = port_named(cfg.pins, Role::UartRx).expect("every pin set has a UART");
    let tx = port_named(cfg.pins, Role::UartTx).expect("every pin set has a UART");
    let button = port_named(cfg.pins, Role::ResetButtonN).map(sig);
    let (clk, arm, mut items) = match cfg.pll {
        None => (pin_clk, button.unwrap_or(Expr::uint(1, 1)), vec![]),
        Some(ports) => {
            let locked = sig("pll_locked");
            let arm = match button {
                Some(b) => b.binary(BinaryOp::And, locked),
                None => locked,
            };
            let pll = vec![
                wire(1, "core_clk", "the PLL's output: clocks everything below"),
                wire(1, "pll_locked", ""),
                Item::Instance {
                    module: id(super::pll::PLL_MODULE),
                    name: id("pll"),
                    params: vec![],
                    ports: conn(&[
                        (ports.clock_in, sig(pin_clk)),
                        (ports.clock_out, sig("core_clk")),
                        (ports.locked, sig("pll_locked")),
                    ]),
                },
            ];
            ("core_clk", arm, pll)
        }
    };
    let port = bridge_port(manifest);
    let info = info_bytes(manifest, cfg.clock_hz);
    let info_hex: String = info.iter().rev().map(|b| format!("{b:02x}")).collect();
    items.extend([
        wire(
            1,
            "rst",
            "high for HOLD clocks after configuration or the reset button",
        ),
        wire(8, "rx_data", ""),
        wire(1, "rx_valid", ""),
        wire(1, "rx_error", "a byte with a bad stop bit"),
        wire(8, "tx_data", ""),
        wire(1, "tx_valid", ""),
        wire(1, "tx_ready", ""),
        wire(1, "core_in_valid", ""),
        wire(1, "core_in_ready", ""),
        wire(n, "core_in_state", ""),
        wire(1, "core_out_valid", ""),
        wire(1, "core_out_ready", ""),
        wire(n, "core_out_state", ""),
        wire(16, "core_out_sweeps", ""),
        wire(2, "core_out_status", ""),
    ]);
    items.extend(write_port_wires(manifest));
    items.extend(led_signals(cfg.pins));
    items.extend([
        Item::Blank,
        Item::Instance {
            module: id("hop_reset_sync"),
            name: id("reset"),
            params: conn(&[("HOLD", Expr::Num(15))]),
            ports: conn(&[("clk", sig(clk)), ("arm_n", arm), ("rst", sig("rst"))]),
        },
        Item::Instance {
            module: id("hop_uart_rx"),
            name: id("uart_rx_0"),
            params: conn(&[("CLKS_PER_BIT", sig("CLKS_PER_BIT"))]),
            ports: conn(&[
                ("clk", sig(clk)),
                ("rst", sig("rst")),
                ("rx", sig(rx)),
                ("data", sig("rx_data")),
                ("valid", sig("rx_valid")),
                ("frame_error", sig("rx_error")),
            ]),
        },
        Item::Instance {
            module: id("hop_uart_tx"),
            name: id("uart_tx_0"),
            params: conn(&[("CLKS_PER_BIT", sig("CLKS_PER_BIT"))]),
            ports: conn(&[
                ("clk", sig(clk)),
                ("rst", sig("rst")),
                ("in_data", sig("tx_data")),
                ("in_valid", sig("tx_valid")),
                ("in_ready", sig("tx_ready")),
                ("tx", sig(tx)),
            ]),
        },
        Item::Instance {
            module: id("hop_uart_bridge"),
            name: id("bridge"),
            params: conn(&[
                ("N", Expr::Num(i64::from(n))),
                ("TIMEOUT", sig("TIMEOUT")),
                ("INFO_BYTES", Expr::Num(INFO_BYTES as i64)),
                (
                    "INFO",
                    Expr::Hex {
                        width: 8 * INFO_BYTES as u32,
                        hex: info_hex,
                    },
                ),
                ("WORDS", Expr::Num(port.words as i64)),
                ("WORD_BITS", Expr::Num(i64::from(port.word_bits))),
                ("ADDR_BITS", Expr::Num(i64::from(port.addr_bits))),
                ("BLOCK", Expr::Num(WEIGHTS_PER_FRAME as i64)),
                (
                    "LOADED_BIT",
                    Expr::Num(
                        (8 * INFO_FLAGS_BYTE + INFO_LOADED_FLAG.trailing_zeros() as usize) as i64,
                    ),
                ),
            ]),
            ports: conn(&[
                ("clk", sig(clk)),
                ("rst", sig("rst")),
                ("rx_data", sig("rx_data")),
                ("rx_valid", sig("rx_valid")),
                ("rx_error", sig("rx_error")),
                ("tx_data", sig("tx_data")),
                ("tx_valid", sig("tx_valid")),
                ("tx_ready", sig("tx_ready")),
                ("core_in_valid", sig("core_in_valid")),
                ("core_in_ready", sig("core_in_ready")),
                ("core_in_state", sig("core_in_state")),
                ("core_out_valid", sig("core_out_valid")),
                ("core_out_ready", sig("core_out_ready")),
                ("core_out_state", sig("core_out_state")),
                ("core_out_sweeps", sig("core_out_sweeps")),
                ("core_out_status", sig("core_out_status")),
                ("core_wr_en", sig("core_wr_en")),
                ("core_wr_addr", sig("core_wr_addr")),
                ("core_wr_data", sig("core_wr_data")),
                ("busy", sig("busy")),
                ("converged", sig("converged")),
                ("error_seen", sig("error_seen")),
            ]),
        },
        Item::Instance {
            module: id(&manifest.top),
            name: id("core"),
            params: vec![],
            ports: conn(&[
                ("clk", sig(clk)),
                ("rst", sig("rst")),
                ("in_valid", sig("core_in_valid")),
                ("in_ready", sig("core_in_ready")),
                ("in_state", sig("core_in_state")),
                ("out_valid", sig("core_out_valid")),
                ("out_ready", sig("core_out_ready")),
                ("out_state", sig("core_out_state")),
                ("out_sweeps", sig("core_out_sweeps")),
                ("out_status", sig("core_out_status")),
            ])
            .into_iter()
            .chain(core_write_ports(manifest))
            .collect(),
        },
        Item::Blank,
    ]);
    items.extend(cfg.pins.iter().filter_map(output_assign));
    Module {
        name: id(TOP_MODULE),
        doc: doc_lines(manifest, cfg),
        params: vec![
            Param {
                name: id("CLKS_PER_BIT"),
                default: cfg.clks_per_bit() as i64,
                comment: Some(format!("{} Hz / {} baud", cfg.clock_hz, cfg.baud)),
            },
            Param {
                name: id("TIMEOUT"),
                default: cfg.timeout_clks() as i64,
                comment: Some("idle clocks that end an incomplete frame (20 ms)".into()),
            },
        ],
        ports: cfg.pins.iter().map(pin_port).collect(),
        items,
    }
}

/// The weight port the bridge drives: the core's, or none (WORDS = 0, 1-bit buses).
fn bridge_port(manifest: &Manifest) -> crate::synth::manifest::WeightPort {
    manifest
        .weight_port
        .clone()
        .unwrap_or(crate::synth::manifest::WeightPort {
            words: 0,
            word_bits: 1,
            addr_bits: 1,
            file: String::new(),
        })
}

/// The bridge's write-port outputs; unused (inside a lint exception) when the core's
/// weights are initial contents.
fn write_port_wires(manifest: &Manifest) -> Vec<Item> {
    let port = bridge_port(manifest);
    let wires = vec![
        wire(1, "core_wr_en", "a weight word from a WEIGHTS frame"),
        wire(port.addr_bits, "core_wr_addr", ""),
        wire(port.word_bits, "core_wr_data", ""),
    ];
    if manifest.weight_port.is_some() {
        return wires;
    }
    let mut items = vec![Item::Comment(
        vec!["verilator lint_off UNUSEDSIGNAL".into()],
    )];
    items.extend(wires);
    items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
    items
}

/// The core's write port connections, when it has one.
fn core_write_ports(manifest: &Manifest) -> Vec<(Ident, Expr)> {
    if manifest.weight_port.is_none() {
        return vec![];
    }
    conn(&[
        ("wr_en", sig("core_wr_en")),
        ("wr_addr", sig("core_wr_addr")),
        ("wr_data", sig("core_wr_data")),
    ])
}

/// The bridge's LED signals; those this board has no LED for are declared inside a
/// Verilator lint exception (they are unused by design).
fn led_signals(pins: &[Pin]) -> Vec<Item> {
    let shown: Vec<LedSignal> = pins
        .iter()
        .filter_map(|p| match p.role {
            Role::Led { shows, .. } => Some(shows),
            _ => None,
        })
        .collect();
    let mut used = vec![];
    let mut unused = vec![];
    for (signal, name) in [
        (LedSignal::Busy, "busy"),
        (LedSignal::Converged, "converged"),
        (LedSignal::Error, "error_seen"),
    ] {
        let decl = wire(1, name, signal.describe());
        if shown.contains(&signal) {
            used.push(decl);
        } else {
            unused.push(decl);
        }
    }
    if !unused.is_empty() {
        used.push(Item::Comment(
            vec!["verilator lint_off UNUSEDSIGNAL".into()],
        ));
        used.extend(unused);
        used.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
    }
    used
}

fn output_assign(pin: &Pin) -> Option<Item> {
    let value = match pin.role {
        Role::Led { shows, active_low } => {
            let signal = sig(match shows {
                LedSignal::Busy => "busy",
                LedSignal::Converged => "converged",
                LedSignal::Error => "error_seen",
            });
            if active_low {
                Expr::Unary(UnaryOp::Not, Box::new(signal))
            } else {
                signal
            }
        }
        Role::TieHigh => Expr::uint(1, 1),
        _ => return None,
    };
    Some(Item::Assign {
        lhs: sig(pin.port),
        rhs: value,
    })
}

fn doc_lines(manifest: &Manifest, cfg: &TopConfig) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{TOP_MODULE}: core {} behind hopgen's UART protocol (docs/PROTOCOL.md).",
            manifest.top
        ),
        format!("For {}.", cfg.title),
        format!(
            "UART 8N1 at {} baud from a {} Hz {} ({} clocks per bit).",
            cfg.baud,
            cfg.clock_hz,
            if cfg.pll.is_some() {
                "PLL clock"
            } else {
                "clock"
            },
            cfg.clks_per_bit()
        ),
        format!("INFO: design id {:08x}.", design_id(manifest)),
    ];
    for pin in cfg.pins {
        if let Role::Led { shows, active_low } = pin.role {
            lines.push(format!(
                "LED {} ({}): {}.",
                pin.port,
                if active_low {
                    "active low"
                } else {
                    "active high"
                },
                shows.describe()
            ));
        }
    }
    lines
}
