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
    /// The device `--arch auto` sized the core for.
    pub target: &'static str,
    /// Weights consumed per cycle (N for parallel).
    pub lanes: usize,
    pub update: &'static str,
    pub max_sweeps: u32,
    pub weight_bits: u32,
    pub frac_bits: i32,
    pub acc_bits: u32,
    pub field_bound: i64,
    /// The exact cycle formula (docs/CORE.md, Timing).
    pub timing: super::Timing,
    /// Cycles of the slowest sweep (see docs/ARCHITECTURES.md).
    pub cycles_per_sweep: u64,
    /// The weight memory's write port, when its weights are written at run time
    /// (docs/CORE.md); `null` when the weights are initial contents.
    pub weight_port: Option<WeightPort>,
    /// Worst-case cycles from a probe's handshake to its result being valid.
    pub cycles_per_probe_max: u64,
    /// Written by `to_json` row by row, after the other fields.
    #[serde(skip)]
    pub weights_q: Vec<Vec<i32>>,
    pub thresholds_q: Vec<i32>,
}

impl Manifest {
    /// Pretty JSON, one matrix row per line, fields in declaration order. The matrix
    /// is written row by row, never held as a JSON tree (N = 4096 has 16M entries).
    pub fn to_json(&self) -> String {
        let mut head = serde_json::to_value(self).expect("manifest serialises");
        let fields = head.as_object_mut().expect("manifest is an object");
        let thresholds = fields.remove("thresholds_q").unwrap_or_default();
        let text = crate::formats::to_pretty_compact(&head);
        let mut out = text.trim_end().trim_end_matches('}').trim_end().to_string();
        out.push_str(",\n  \"weights_q\": [\n");
        let rows: Vec<String> = self
            .weights_q
            .iter()
            .map(|row| {
                let cells: Vec<String> = row.iter().map(i32::to_string).collect();
                format!("    [{}]", cells.join(", "))
            })
            .collect();
        out.push_str(&rows.join(",\n"));
        out.push_str("\n  ],\n  \"thresholds_q\": ");
        out.push_str(&thresholds.to_string().replace(',', ", "));
        out.push_str("\n}\n");
        out
    }
}

/// A folded sync core's weight write port: `words` words of `word_bits` bits,
/// addressed by `addr_bits` bits, the contents of `file` (hex, one word per line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WeightPort {
    pub words: usize,
    pub word_bits: u32,
    pub addr_bits: u32,
    pub file: String,
}

/// The part of a manifest needed to run the bit-exact model of its core again
/// (`hopgen run` checks a board's results with it).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CoreModel {
    pub format: String,
    pub name: String,
    pub top: String,
    pub sources: Vec<String>,
    pub cycles_per_probe_max: u64,
    pub neurons: usize,
    pub update: String,
    pub max_sweeps: u32,
    pub weight_bits: u32,
    pub frac_bits: i32,
    pub acc_bits: u32,
    pub field_bound: i64,
    #[serde(default)]
    pub weight_port: Option<WeightPort>,
    pub weights_q: Vec<Vec<i32>>,
    pub thresholds_q: Vec<i32>,
}

impl CoreModel {
    /// Reads `manifest.json`; the error says what is wrong with it.
    pub fn read(path: &std::path::Path) -> Result<Self, crate::error::InputError> {
        use crate::error::{InputError, InputErrorKind};
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(
                InputErrorKind::Unreadable,
                format!("cannot read {}: {e}", path.display()),
                "give a directory written by `hopgen synth` or `hopgen build`",
            )
        })?;
        let model: CoreModel = serde_json::from_str(&text).map_err(|e| {
            InputError::new(
                InputErrorKind::Schema,
                e.to_string(),
                "regenerate the core with hopgen",
            )
            .in_file(path)
        })?;
        let square = model.weights_q.len() == model.neurons
            && model.weights_q.iter().all(|r| r.len() == model.neurons)
            && model.thresholds_q.len() == model.neurons;
        if model.format != MANIFEST_FORMAT || !square {
            return Err(InputError::new(
                InputErrorKind::Format,
                format!("not a {MANIFEST_FORMAT} manifest with an N × N weight matrix"),
                "regenerate the core with hopgen",
            )
            .in_file(path));
        }
        Ok(model)
    }

    /// The quantised network the core implements.
    pub fn quant_network(&self) -> crate::quantize::QuantNetwork {
        crate::quantize::QuantNetwork {
            n: self.neurons,
            weight_bits: self.weight_bits,
            frac_bits: self.frac_bits,
            acc_bits: self.acc_bits,
            field_bound: self.field_bound,
            weights: self.weights_q.concat(),
            thresholds: self.thresholds_q.clone(),
            report: crate::quantize::QuantReport::default(),
        }
    }

    pub fn mode(&self) -> crate::model::UpdateMode {
        if self.update == "async" {
            crate::model::UpdateMode::Async
        } else {
            crate::model::UpdateMode::Sync
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_json_reads_back() {
        let m = Manifest {
            format: MANIFEST_FORMAT,
            generator: "hopgen test".into(),
            name: "a \"quoted\" name".into(),
            top: "a__quoted__name".into(),
            sources: vec!["x.v".into()],
            memory_files: vec![],
            neurons: 2,
            arch: "parallel",
            target: "generic",
            lanes: 2,
            update: "sync",
            max_sweeps: 7,
            weight_bits: 4,
            frac_bits: -1,
            acc_bits: 3,
            field_bound: 1,
            timing: crate::synth::Timing::fixed(0, 1),
            cycles_per_sweep: 1,
            weight_port: None,
            cycles_per_probe_max: 8,
            weights_q: vec![vec![0, -1], vec![-1, 0]],
            thresholds_q: vec![2, -2],
        };
        let value: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(value["weights_q"], serde_json::json!([[0, -1], [-1, 0]]));
        assert_eq!(value["thresholds_q"], serde_json::json!([2, -2]));
        assert_eq!(value["name"], "a \"quoted\" name");
        assert_eq!(value["frac_bits"], -1);
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("format"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("thresholds_q"));
    }
}
