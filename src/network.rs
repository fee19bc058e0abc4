//! Validated, in-memory forms of the input files: a network (weights, thresholds,
//! stored patterns) and a set of patterns.

use crate::state::State;

/// The largest network hopgen accepts; local fields then fit in 32-bit integers
/// for every weight width (16383 · 2^15 < 2^31).
pub const MAX_NEURONS: usize = 16384;

/// A checked Hopfield network with real-valued weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub name: String,
    pub n: usize,
    /// Rows × columns for drawing states as pictures (rows · cols = n).
    pub shape: Option<(usize, usize)>,
    /// Row-major n × n; symmetric with a zero diagonal unless loaded with
    /// `allow_asymmetric`.
    pub weights: Vec<f64>,
    pub thresholds: Vec<f64>,
    /// The stored patterns, if the file names them (probe sources for recall).
    pub patterns: Vec<State>,
    /// One name per stored pattern, or empty.
    pub labels: Vec<String>,
    pub meta: Option<serde_json::Value>,
}

impl Network {
    #[inline]
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        self.weights[i * self.n + j]
    }

    /// The label of stored pattern `p`, or its index.
    pub fn pattern_label(&self, p: usize) -> String {
        self.labels
            .get(p)
            .cloned()
            .unwrap_or_else(|| format!("#{p}"))
    }
}

/// A checked set of ±1 patterns (training data or probes).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSet {
    pub name: Option<String>,
    pub n: usize,
    pub shape: Option<(usize, usize)>,
    pub patterns: Vec<State>,
    pub labels: Vec<String>,
}
