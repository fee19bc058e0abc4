//! Pseudo-inverse (projection) rule: W = Ξ (ΞᵀΞ)⁺ Ξᵀ with the diagonal set to zero,
//! Ξ the N × P matrix whose columns are the patterns. (ΞᵀΞ)⁺ is the Moore–Penrose
//! inverse, so linearly dependent pattern sets (duplicates, ±ξ) are handled too.

use super::symmetrize_upper;
use nalgebra::DMatrix;

/// Singular values below this fraction of the largest are treated as zero.
const RANK_TOLERANCE: f64 = 1e-10;

pub fn pseudo_inverse(n: usize, patterns: &[Vec<i8>]) -> Vec<f64> {
    if patterns.is_empty() {
        return vec![0.0; n * n];
    }
    let p = patterns.len();
    let xi = DMatrix::from_fn(n, p, |i, mu| f64::from(patterns[mu][i]));
    let gram = xi.transpose() * &xi;
    let largest = gram.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let gram_pinv = gram
        .pseudo_inverse(RANK_TOLERANCE * largest)
        .expect("tolerance is non-negative");
    let left = &xi * gram_pinv;
    let mut weights = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            weights[i * n + j] = (0..p).map(|mu| left[(i, mu)] * xi[(j, mu)]).sum();
        }
    }
    symmetrize_upper(&mut weights, n);
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthogonal_patterns_give_the_scaled_hebbian_matrix() {
        // For orthogonal patterns ΞᵀΞ = N·I, so W = (1/N) Σ ξξᵀ off the diagonal.
        let patterns = vec![vec![1, 1, 1, 1], vec![1, -1, 1, -1]];
        let w = pseudo_inverse(4, &patterns);
        let h = super::super::hebbian(4, &patterns);
        for (a, b) in w.iter().zip(&h) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn projects_each_pattern_onto_itself() {
        // (Wξ)_i = (1 − P_ii)·ξ_i with P the projector onto the patterns' span; these
        // three patterns in R^8 do not contain any unit vector e_i, so P_ii < 1.
        let patterns = vec![
            vec![1, -1, 1, 1, -1, 1, -1, 1],
            vec![1, 1, -1, 1, 1, -1, -1, -1],
            vec![-1, 1, 1, -1, 1, 1, 1, -1],
        ];
        let w = pseudo_inverse(8, &patterns);
        for p in &patterns {
            for i in 0..8 {
                let h: f64 = (0..8).map(|j| w[i * 8 + j] * f64::from(p[j])).sum();
                assert!(
                    h * f64::from(p[i]) > 0.0,
                    "pattern not a fixed point at {i}"
                );
            }
        }
    }

    #[test]
    fn a_unit_vector_in_the_span_gives_a_tie() {
        // The patterns differ only in neuron 2, so e_2 is in their span, P_22 = 1 and
        // h_2 = 0 for both: a tie, which keeps the neuron's state (docs/LEARNING.md).
        let patterns = vec![vec![1, 1, 1, 1], vec![1, 1, -1, 1]];
        let w = pseudo_inverse(4, &patterns);
        for p in &patterns {
            let h: f64 = (0..4).map(|j| w[2 * 4 + j] * f64::from(p[j])).sum();
            assert!(h.abs() < 1e-12, "h_2 = {h}");
        }
    }

    #[test]
    fn duplicate_patterns_do_not_break_it() {
        let patterns = vec![vec![1, -1, 1, 1], vec![1, -1, 1, 1]];
        let w = pseudo_inverse(4, &patterns);
        assert!(w.iter().all(|v| v.is_finite()));
        let single = pseudo_inverse(4, &patterns[..1]);
        for (a, b) in w.iter().zip(&single) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
