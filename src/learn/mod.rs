//! Learning rules: stored ±1 patterns → a symmetric, zero-diagonal weight matrix.
//! The exact variant of each rule is pinned in docs/LEARNING.md.

mod hebbian;
mod pinv;
mod storkey;

pub use hebbian::hebbian;
pub use pinv::pseudo_inverse;
pub use storkey::storkey;

use crate::network::{Network, PatternSet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// w = (1/N) Σ ξξᵀ, zero diagonal; capacity ≈ 0.138 N for random patterns.
    Hebbian,
    /// Storkey 1997 incremental rule; higher capacity than Hebbian.
    Storkey,
    /// Pseudo-inverse (projection) rule; stores any linearly independent set.
    Pinv,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Hebbian => "hebbian",
            Rule::Storkey => "storkey",
            Rule::Pinv => "pinv",
        }
    }
}

/// Row-major N × N weights for `patterns` (each a ±1 vector of length n).
pub fn weights_for(rule: Rule, n: usize, patterns: &[Vec<i8>]) -> Vec<f64> {
    match rule {
        Rule::Hebbian => hebbian(n, patterns),
        Rule::Storkey => storkey(n, patterns),
        Rule::Pinv => pseudo_inverse(n, patterns),
    }
}

/// Trains a network on a pattern set; the patterns and labels are kept as probe sources.
pub fn train(set: &PatternSet, rule: Rule, name: String) -> Network {
    let signs: Vec<Vec<i8>> = set.patterns.iter().map(|p| p.to_signs()).collect();
    let weights = weights_for(rule, set.n, &signs);
    Network {
        name,
        n: set.n,
        shape: set.shape,
        weights,
        thresholds: vec![0.0; set.n],
        patterns: set.patterns.clone(),
        labels: set.labels.clone(),
        meta: Some(serde_json::json!({
            "rule": rule.name(),
            "patterns": set.patterns.len(),
            "trained_by": concat!("hopgen ", env!("CARGO_PKG_VERSION")),
        })),
    }
}

/// Mirrors the strict upper triangle onto the lower one and zeroes the diagonal,
/// so the result is exactly symmetric whatever the float rounding did.
fn symmetrize_upper(weights: &mut [f64], n: usize) {
    for i in 0..n {
        weights[i * n + i] = 0.0;
        for j in i + 1..n {
            weights[j * n + i] = weights[i * n + j];
        }
    }
}
