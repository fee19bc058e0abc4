//! `hopgen-weights/1`: a trained network (input of `hopgen synth`, output of
//! `hopgen train`), read into raw records and written back as stable text.

use super::patterns::RawPattern;
use crate::network::Network;
use serde::Deserialize;
use std::fmt::Write;

pub const WEIGHTS_FORMAT: &str = "hopgen-weights/1";

/// A weights file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    pub format: String,
    pub name: Option<String>,
    pub neurons: Option<i64>,
    pub shape: Option<Vec<i64>>,
    pub weights: Option<Vec<Vec<f64>>>,
    pub thresholds: Option<Vec<f64>>,
    pub patterns: Option<Vec<RawPattern>>,
    pub labels: Option<Vec<String>>,
    pub meta: Option<serde_json::Value>,
}

/// Renders a network as a `hopgen-weights/1` file: one matrix row per line,
/// patterns as `+`/`-` strings, fields in a fixed order, so output is byte-stable.
pub fn to_json(net: &Network) -> String {
    let n = net.n;
    let mut out = String::new();
    out.push_str("{\n");
    let _ = writeln!(out, "  \"format\": {},", json(WEIGHTS_FORMAT));
    let _ = writeln!(out, "  \"name\": {},", json(&net.name));
    let _ = writeln!(out, "  \"neurons\": {n},");
    if let Some((rows, cols)) = net.shape {
        let _ = writeln!(out, "  \"shape\": [{rows}, {cols}],");
    }
    out.push_str("  \"weights\": [\n");
    for i in 0..n {
        let row = number_list(&net.weights[i * n..(i + 1) * n]);
        let comma = if i + 1 < n { "," } else { "" };
        let _ = writeln!(out, "    [{row}]{comma}");
    }
    out.push_str("  ],\n");
    let _ = write!(out, "  \"thresholds\": [{}]", number_list(&net.thresholds));
    if !net.patterns.is_empty() {
        out.push_str(",\n  \"patterns\": [\n");
        let lines: Vec<String> = net
            .patterns
            .iter()
            .map(|p| format!("    {}", json(&p.to_pm_string())))
            .collect();
        out.push_str(&lines.join(",\n"));
        out.push_str("\n  ]");
    }
    if !net.labels.is_empty() {
        let labels: Vec<String> = net.labels.iter().map(json).collect();
        let _ = write!(out, ",\n  \"labels\": [{}]", labels.join(", "));
    }
    if let Some(meta) = &net.meta {
        let _ = write!(out, ",\n  \"meta\": {}", json(meta));
    }
    out.push_str("\n}\n");
    out
}

fn number_list(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format_number(*v)).collect();
    parts.join(", ")
}

/// Shortest text that reads back as the same f64; integers without a trailing `.0`.
pub fn format_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        serde_json::to_string(&v).expect("finite numbers serialise")
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("in-memory values serialise")
}
