//! Bit-packed network states: bit i = 1 means s_i = +1, as in every bit vector
//! hopgen reads or writes (files, RTL ports).

use std::fmt;

/// A state vector s ∈ {−1,+1}^N packed 64 neurons per word; unused high bits are 0.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct State {
    n: usize,
    words: Vec<u64>,
}

impl State {
    /// All neurons at −1.
    pub fn all_minus(n: usize) -> Self {
        State {
            n,
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// From signs: entry > 0 means +1, anything else −1.
    pub fn from_signs(signs: &[i8]) -> Self {
        let mut state = State::all_minus(signs.len());
        for (i, &s) in signs.iter().enumerate() {
            state.set(i, s > 0);
        }
        state
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// True when s_i = +1.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        (self.words[i / 64] >> (i % 64)) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, i: usize, plus: bool) {
        let mask = 1u64 << (i % 64);
        if plus {
            self.words[i / 64] |= mask;
        } else {
            self.words[i / 64] &= !mask;
        }
    }

    #[inline]
    pub fn flip(&mut self, i: usize) {
        self.words[i / 64] ^= 1u64 << (i % 64);
    }

    /// s_i as −1 or +1.
    #[inline]
    pub fn sign(&self, i: usize) -> i8 {
        if self.get(i) {
            1
        } else {
            -1
        }
    }

    pub fn to_signs(&self) -> Vec<i8> {
        (0..self.n).map(|i| self.sign(i)).collect()
    }

    /// Indices of the neurons at +1, ascending.
    pub fn plus_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * 64 + bit)
            })
        })
    }

    /// Number of neurons whose states differ.
    pub fn hamming(&self, other: &State) -> usize {
        assert_eq!(self.n, other.n, "states of different sizes");
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a ^ b).count_ones() as usize)
            .sum()
    }

    /// Overlap m = (1/N) Σ_i a_i b_i, in [−1, 1].
    pub fn overlap(&self, other: &State) -> f64 {
        if self.n == 0 {
            return 1.0;
        }
        let differ = self.hamming(other) as f64;
        (self.n as f64 - 2.0 * differ) / self.n as f64
    }

    /// Text form: character i is `+` when s_i = +1, `-` otherwise.
    pub fn to_pm_string(&self) -> String {
        (0..self.n)
            .map(|i| if self.get(i) { '+' } else { '-' })
            .collect()
    }

    /// Hexadecimal of the bit vector, most significant nibble first (Verilog order).
    pub fn to_hex(&self) -> String {
        let bits: Vec<bool> = (0..self.n).map(|i| self.get(i)).collect();
        hex_msb_first(&bits)
    }
}

/// Hex digits of a bit vector given least significant bit first, most significant
/// digit first (as in Verilog literals and $readmemh files); at least one digit.
pub fn hex_msb_first(bits: &[bool]) -> String {
    let digits = bits.len().div_ceil(4).max(1);
    (0..digits)
        .rev()
        .map(|d| {
            let nibble = (0..4)
                .filter(|b| bits.get(d * 4 + b).copied().unwrap_or(false))
                .fold(0u32, |acc, b| acc | (1 << b));
            char::from_digit(nibble, 16).expect("nibble < 16")
        })
        .collect()
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "State({})", self.to_pm_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_round_trip_across_word_boundaries() {
        let signs: Vec<i8> = (0..130).map(|i| if i % 3 == 0 { 1 } else { -1 }).collect();
        let state = State::from_signs(&signs);
        assert_eq!(state.to_signs(), signs);
        let plus: Vec<usize> = state.plus_indices().collect();
        let expected: Vec<usize> = (0..130).filter(|i| i % 3 == 0).collect();
        assert_eq!(plus, expected);
    }

    #[test]
    fn hamming_and_overlap() {
        let a = State::from_signs(&[1, 1, -1, -1]);
        let b = State::from_signs(&[1, -1, -1, 1]);
        assert_eq!(a.hamming(&b), 2);
        assert_eq!(a.overlap(&b), 0.0);
        assert_eq!(a.overlap(&a), 1.0);
    }

    #[test]
    fn hex_is_verilog_ordered() {
        // s_0 = +1, s_4 = +1 → bits 0 and 4 set → 0x11; N = 6 → two nibbles.
        let state = State::from_signs(&[1, -1, -1, -1, 1, -1]);
        assert_eq!(state.to_hex(), "11");
        assert_eq!(state.to_pm_string(), "+---+-");
    }
}
