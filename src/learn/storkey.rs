//! Storkey (1997) rule, applied pattern by pattern ν = 1…P starting from W = 0:
//!
//! w_ij += (1/N) [ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j]  (i ≠ j; w_ii stays 0),
//! h_ij = Σ_{k≠i,j} w_ik ξ_k, all with the weights before pattern ν.

use super::symmetrize_upper;

pub fn storkey(n: usize, patterns: &[Vec<i8>]) -> Vec<f64> {
    let mut weights = vec![0.0; n * n];
    let inv_n = 1.0 / n as f64;
    for xi in patterns {
        let xi: Vec<f64> = xi.iter().map(|&s| f64::from(s)).collect();
        // H_i = Σ_k w_ik ξ_k (w_ii = 0), so h_ij = H_i − w_ij ξ_j.
        let full: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|k| weights[i * n + k] * xi[k]).sum())
            .collect();
        let mut next = weights.clone();
        for i in 0..n {
            for j in i + 1..n {
                let h_ij = full[i] - weights[i * n + j] * xi[j];
                let h_ji = full[j] - weights[j * n + i] * xi[i];
                next[i * n + j] += inv_n * (xi[i] * xi[j] - xi[i] * h_ji - h_ij * xi[j]);
            }
        }
        symmetrize_upper(&mut next, n);
        weights = next;
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook formula with h_ij summed directly over k ≠ i, j.
    fn storkey_direct(n: usize, patterns: &[Vec<i8>]) -> Vec<f64> {
        let mut w = vec![0.0; n * n];
        for p in patterns {
            let xi: Vec<f64> = p.iter().map(|&s| f64::from(s)).collect();
            let h = |w: &[f64], i: usize, j: usize| -> f64 {
                (0..n)
                    .filter(|&k| k != i && k != j)
                    .map(|k| w[i * n + k] * xi[k])
                    .sum()
            };
            let mut next = w.clone();
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        next[i * n + j] +=
                            (xi[i] * xi[j] - xi[i] * h(&w, j, i) - h(&w, i, j) * xi[j]) / n as f64;
                    }
                }
            }
            w = next;
        }
        w
    }

    #[test]
    fn first_pattern_equals_hebbian() {
        let p = vec![vec![1, -1, 1, 1]];
        assert_eq!(storkey(4, &p), super::super::hebbian(4, &p));
    }

    #[test]
    fn matches_the_direct_formula() {
        let patterns = vec![
            vec![1, -1, 1, 1, -1, 1],
            vec![1, 1, -1, 1, -1, -1],
            vec![-1, 1, 1, 1, 1, -1],
        ];
        let fast = storkey(6, &patterns);
        let direct = storkey_direct(6, &patterns);
        for (a, b) in fast.iter().zip(&direct) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}
