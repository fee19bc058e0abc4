//! `manifest.json`: the description of a generated core that other tools read
//! (co-simulation, the FPGA flow, users' own scripts). Fields in a fixed order.

use serde::Serialize;

pub const MANIFEST_FORMAT: &str = "hopgen-manifest/1";
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub generator: String,
    pub name: String,
    pub top: String,
    /// Verilog sources relative to the output directory, in compile order.
    pub sources: Vec<String>,
    /// Memory-initialisation files, relative to the output directory.
    pub memory_files: Vec<String>,
    pub neurons: usize,
    pub arch: &'static str,
    /// Weights consumed per cycle (N for parallel).
    pub lanes: usize,
    pub update: &'static str,
    pub max_sweeps: u32,
    pub weight_bits: u32,
    pub frac_bits: i32,
    pub acc_bits: u32,
    pub field_bound: i64,
    /// Cycles one sweep takes (the architecture's formula, see docs/ARCHITECTURES.md).
    pub cycles_per_sweep: u64,
    /// Worst-case cycles from a probe's handshake to its result being valid.
    pub cycles_per_probe_max: u64,
    pub weights_q: Vec<Vec<i32>>,
    pub thresholds_q: Vec<i32>,
}

impl Manifest {
    /// Pretty JSON, one matrix row per line, fields in declaration order.
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).expect("manifest serialises");
        crate::formats::to_pretty_compact(&value)
    }
}
