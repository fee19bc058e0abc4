//! Hebbian rule: w_ij = (1/N) Σ_μ ξ^μ_i ξ^μ_j for i ≠ j, w_ii = 0.

/// Σ_μ ξ_i ξ_j = P − 2·(number of patterns where ξ_i ≠ ξ_j), counted exactly with
/// bit-packed columns and popcount, then divided once by N, so every weight is the
/// correctly rounded f64 of the exact rational.
pub fn hebbian(n: usize, patterns: &[Vec<i8>]) -> Vec<f64> {
    let p = patterns.len();
    let words = p.div_ceil(64);
    // bits[i*words + w]: bit μ set when ξ^μ_i = +1
    let mut bits = vec![0u64; n * words];
    for (mu, pattern) in patterns.iter().enumerate() {
        for (i, &s) in pattern.iter().enumerate() {
            if s > 0 {
                bits[i * words + mu / 64] |= 1 << (mu % 64);
            }
        }
    }
    let mut weights = vec![0.0; n * n];
    for i in 0..n {
        let bi = &bits[i * words..(i + 1) * words];
        for j in i + 1..n {
            let bj = &bits[j * words..(j + 1) * words];
            let differ: u32 = bi.iter().zip(bj).map(|(a, b)| (a ^ b).count_ones()).sum();
            let w = (p as i64 - 2 * i64::from(differ)) as f64 / n as f64;
            weights[i * n + j] = w;
            weights[j * n + i] = w;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_formula_on_a_small_case() {
        let patterns = vec![vec![1, -1, 1], vec![1, 1, -1]];
        let w = hebbian(3, &patterns);
        // w_01 = (1·−1 + 1·1)/3 = 0; w_02 = (1 + −1)/3 = 0; w_12 = (−1 + −1)/3
        assert_eq!(
            w,
            vec![0.0, 0.0, 0.0, 0.0, 0.0, -2.0 / 3.0, 0.0, -2.0 / 3.0, 0.0]
        );
    }

    #[test]
    fn matches_the_direct_sum_beyond_one_word_of_patterns() {
        let n = 5;
        let patterns: Vec<Vec<i8>> = (0..70)
            .map(|mu| {
                (0..n)
                    .map(|i| if (mu * 7 + i * 3) % 5 < 2 { 1 } else { -1 })
                    .collect()
            })
            .collect();
        let w = hebbian(n, &patterns);
        for i in 0..n {
            for j in 0..n {
                let direct: i64 = if i == j {
                    0
                } else {
                    patterns.iter().map(|p| i64::from(p[i] * p[j])).sum()
                };
                assert_eq!(w[i * n + j], direct as f64 / n as f64);
            }
        }
    }
}
