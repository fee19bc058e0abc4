//! Quantisation to the fixed-point contract of docs/ARITHMETIC.md: weights to
//! W-bit integers with F fractional bits, thresholds at accumulator width.

use crate::error::{InputError, InputErrorKind};
use crate::network::Network;
use serde::Serialize;
use std::ops::RangeInclusive;

pub const WEIGHT_BITS_RANGE: RangeInclusive<u32> = 2..=16;
pub const DEFAULT_WEIGHT_BITS: u32 = 8;
/// Fractional bits F may be negative (large integer weights) or large (tiny weights).
pub const FRAC_BITS_RANGE: RangeInclusive<i32> = -64..=64;

/// What the user asked for: W, and F or "choose the largest F that fits".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantSpec {
    pub weight_bits: u32,
    pub frac_bits: Option<i32>,
}

impl Default for QuantSpec {
    fn default() -> Self {
        QuantSpec {
            weight_bits: DEFAULT_WEIGHT_BITS,
            frac_bits: None,
        }
    }
}

impl QuantSpec {
    pub fn new(weight_bits: u32, frac_bits: Option<i32>) -> Result<Self, InputError> {
        if !WEIGHT_BITS_RANGE.contains(&weight_bits) {
            return Err(InputError::new(
                InputErrorKind::Option,
                format!("--weight-bits {weight_bits} is out of range"),
                format!(
                    "choose W from {} to {}",
                    WEIGHT_BITS_RANGE.start(),
                    WEIGHT_BITS_RANGE.end()
                ),
            ));
        }
        if let Some(f) = frac_bits.filter(|f| !FRAC_BITS_RANGE.contains(f)) {
            return Err(InputError::new(
                InputErrorKind::Option,
                format!("--frac-bits {f} is out of range"),
                format!(
                    "choose F from {} to {}, or leave it out to pick the largest F that fits",
                    FRAC_BITS_RANGE.start(),
                    FRAC_BITS_RANGE.end()
                ),
            ));
        }
        Ok(QuantSpec {
            weight_bits,
            frac_bits,
        })
    }
}

/// How much the quantisation changed the network.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuantReport {
    /// True when F was chosen by hopgen (largest F with no saturation).
    pub frac_bits_automatic: bool,
    /// Weights clamped to the W-bit range.
    pub saturated: usize,
    /// max |w − w_q · 2^−F| over all weights.
    pub max_abs_error: f64,
    /// Root-mean-square of the same error over all weights.
    pub rms_error: f64,
    /// Weights that are non-zero but quantise to zero.
    pub flushed_to_zero: usize,
    /// Thresholds clipped to ±(B+1); this never changes a decision.
    pub thresholds_clipped: usize,
}

/// The integer network the bit-exact model and the RTL implement.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantNetwork {
    pub n: usize,
    pub weight_bits: u32,
    pub frac_bits: i32,
    /// Accumulator width A: every local field and threshold fits in A-bit two's complement.
    pub acc_bits: u32,
    /// B = max_i Σ_j |w_q[i][j]|, the bound on every |h_i| and partial sum.
    pub field_bound: i64,
    /// Row-major n × n, each in [−2^(W−1), 2^(W−1) − 1].
    pub weights: Vec<i32>,
    /// Each in [−(B+1), B+1].
    pub thresholds: Vec<i32>,
    pub report: QuantReport,
}

impl QuantNetwork {
    #[inline]
    pub fn weight(&self, i: usize, j: usize) -> i32 {
        self.weights[i * self.n + j]
    }

    /// R_i = Σ_j w_q[i][j].
    pub fn row_sum(&self, i: usize) -> i64 {
        self.weights[i * self.n..(i + 1) * self.n]
            .iter()
            .map(|&w| i64::from(w))
            .sum()
    }
}

fn weight_limits(weight_bits: u32) -> (f64, f64) {
    let half = (1i64 << (weight_bits - 1)) as f64;
    (-half, half - 1.0)
}

/// round_half_to_even(x · 2^F), computed exactly (scaling by a power of two is exact).
fn scaled_round(x: f64, frac_bits: i32) -> f64 {
    (x * 2f64.powi(frac_bits)).round_ties_even()
}

/// The largest F in [`FRAC_BITS_RANGE`] for which no weight saturates; `None` if even
/// the smallest F saturates. All-zero weights give F = 0.
pub fn choose_frac_bits(weights: &[f64], weight_bits: u32) -> Option<i32> {
    let (lo, hi) = weight_limits(weight_bits);
    let w_max = weights.iter().cloned().fold(0.0f64, f64::max);
    let w_min = weights.iter().cloned().fold(0.0f64, f64::min);
    if w_max == 0.0 && w_min == 0.0 {
        return Some(0);
    }
    // Rounding is monotone, so only the extreme weights can saturate.
    FRAC_BITS_RANGE
        .rev()
        .find(|&f| scaled_round(w_max, f) <= hi && scaled_round(w_min, f) >= lo)
}

/// Quantises a network per docs/ARITHMETIC.md.
pub fn quantize(net: &Network, spec: QuantSpec) -> QuantNetwork {
    let w_bits = spec.weight_bits;
    let (frac_bits, automatic) = match spec.frac_bits {
        Some(f) => (f, false),
        None => (
            choose_frac_bits(&net.weights, w_bits).unwrap_or(*FRAC_BITS_RANGE.start()),
            true,
        ),
    };
    let (lo, hi) = weight_limits(w_bits);
    let scale = 2f64.powi(-frac_bits);
    let mut report = QuantReport {
        frac_bits_automatic: automatic,
        saturated: 0,
        max_abs_error: 0.0,
        rms_error: 0.0,
        flushed_to_zero: 0,
        thresholds_clipped: 0,
    };
    let mut sum_sq = 0.0;
    let weights: Vec<i32> = net
        .weights
        .iter()
        .map(|&w| {
            let rounded = scaled_round(w, frac_bits);
            let q = rounded.clamp(lo, hi);
            report.saturated += usize::from(q != rounded);
            report.flushed_to_zero += usize::from(q == 0.0 && w != 0.0);
            let err = (w - q * scale).abs();
            report.max_abs_error = report.max_abs_error.max(err);
            sum_sq += err * err;
            q as i32
        })
        .collect();
    report.rms_error = (sum_sq / net.weights.len().max(1) as f64).sqrt();
    let n = net.n;
    let field_bound = (0..n)
        .map(|i| {
            weights[i * n..(i + 1) * n]
                .iter()
                .map(|w| i64::from(w.abs()))
                .sum::<i64>()
        })
        .max()
        .unwrap_or(0);
    let limit = (field_bound + 1) as f64;
    let thresholds = net
        .thresholds
        .iter()
        .map(|&t| {
            let rounded = scaled_round(t, frac_bits);
            let q = rounded.clamp(-limit, limit);
            report.thresholds_clipped += usize::from(q != rounded);
            q as i32
        })
        .collect();
    QuantNetwork {
        n,
        weight_bits: w_bits,
        frac_bits,
        acc_bits: accumulator_bits(field_bound),
        field_bound,
        weights,
        thresholds,
        report,
    }
}

/// Smallest A ≥ 2 with [−(B+1), B+1] ⊆ [−2^(A−1), 2^(A−1) − 1], i.e. 2^(A−1) ≥ B + 2.
pub fn accumulator_bits(field_bound: i64) -> u32 {
    let need = field_bound + 2;
    let mut a = 2;
    while (1i64 << (a - 1)) < need {
        a += 1;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(weights: Vec<f64>, thresholds: Vec<f64>) -> Network {
        let n = thresholds.len();
        Network {
            name: "t".into(),
            n,
            shape: None,
            weights,
            thresholds,
            patterns: vec![],
            labels: vec![],
            meta: None,
        }
    }

    #[test]
    fn rounds_half_to_even() {
        for (x, want) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, 0.0),
            (-1.5, -2.0),
            (-2.5, -2.0),
            (0.49, 0.0),
        ] {
            assert_eq!(scaled_round(x, 0), want, "round({x})");
        }
        // 0.625 · 2^2 = 2.5 → 2
        assert_eq!(scaled_round(0.625, 2), 2.0);
    }

    #[test]
    fn saturates_to_the_w_bit_range_and_counts() {
        let q = quantize(
            &net(vec![0.0, 3.0, 3.0, 0.0], vec![0.0, 0.0]),
            QuantSpec::new(2, Some(0)).unwrap(),
        );
        // W = 2 → range [−2, 1]
        assert_eq!(q.weights, vec![0, 1, 1, 0]);
        assert_eq!(q.report.saturated, 2);
        let q = quantize(
            &net(vec![0.0, -3.0, -3.0, 0.0], vec![0.0, 0.0]),
            QuantSpec::new(2, Some(0)).unwrap(),
        );
        assert_eq!(q.weights, vec![0, -2, -2, 0]);
    }

    #[test]
    fn most_negative_value_is_reachable_without_saturation() {
        // −1 at W = 8, F = 7 is −128: fits; +1 would not.
        assert_eq!(choose_frac_bits(&[-1.0, 0.0], 8), Some(7));
        assert_eq!(choose_frac_bits(&[1.0, 0.0], 8), Some(6));
        // 127/128 fits at F = 7 exactly.
        assert_eq!(choose_frac_bits(&[127.0 / 128.0], 8), Some(7));
    }

    #[test]
    fn automatic_frac_bits_accounts_for_rounding_up() {
        // 0.998 · 2^7 = 127.74 → 128 saturates, so F = 6.
        assert_eq!(choose_frac_bits(&[0.998], 8), Some(6));
        // Large integer weights need negative F: 1000 · 2^−3 = 125.
        assert_eq!(choose_frac_bits(&[1000.0], 8), Some(-3));
        assert_eq!(choose_frac_bits(&[0.0, 0.0], 8), Some(0));
    }

    #[test]
    fn thresholds_clip_to_field_bound_plus_one() {
        let q = quantize(
            &net(vec![0.0, 0.5, 0.5, 0.0], vec![100.0, -0.25]),
            QuantSpec::new(4, Some(2)).unwrap(),
        );
        // w_q = 2, B = 2 → θ clipped to 3; −0.25 · 4 = −1.
        assert_eq!(q.weights, vec![0, 2, 2, 0]);
        assert_eq!(q.field_bound, 2);
        assert_eq!(q.thresholds, vec![3, -1]);
        assert_eq!(q.report.thresholds_clipped, 1);
        // 2^(A−1) ≥ B + 2 = 4 → A = 3
        assert_eq!(q.acc_bits, 3);
    }

    #[test]
    fn accumulator_width_edges() {
        assert_eq!(accumulator_bits(0), 2);
        assert_eq!(accumulator_bits(2), 3);
        assert_eq!(accumulator_bits(3), 4);
        assert_eq!(accumulator_bits(6), 4);
        assert_eq!(accumulator_bits(7), 5);
    }

    #[test]
    fn rejects_out_of_range_options() {
        assert!(QuantSpec::new(1, None).is_err());
        assert!(QuantSpec::new(17, None).is_err());
        assert!(QuantSpec::new(8, Some(65)).is_err());
        assert!(QuantSpec::new(16, Some(-64)).is_ok());
    }
}
