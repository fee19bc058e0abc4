//! A straightforward scalar model: one ±1 byte per neuron, every local field summed
//! in full, j = 0…N−1, at every decision. It shares nothing with `fixed` but the
//! decision and stopping rules, so it serves as an independent oracle, as the
//! benchmark baseline, and (over f64) as the float model.

use super::{decide, stop_check, Outcome, RunConfig, UpdateMode};
use crate::network::Network;
use crate::quantize::QuantNetwork;
use crate::state::State;
use std::ops::{Add, Sub};

/// Numbers the naive model can sum: exact integers or f64.
pub trait Scalar: Copy + PartialOrd + Add<Output = Self> + Sub<Output = Self> + Default {}
impl Scalar for i64 {}
impl Scalar for f64 {}

#[derive(Debug, Clone)]
pub struct NaiveModel<T> {
    n: usize,
    weights: Vec<T>,
    thresholds: Vec<T>,
}

impl NaiveModel<i64> {
    /// The bit-exact integer model, computed the slow way.
    pub fn from_quantized(q: &QuantNetwork) -> Self {
        NaiveModel {
            n: q.n,
            weights: q.weights.iter().map(|&w| i64::from(w)).collect(),
            thresholds: q.thresholds.iter().map(|&t| i64::from(t)).collect(),
        }
    }
}

impl NaiveModel<f64> {
    /// The float model: the network's own f64 weights and thresholds, same rules.
    pub fn from_network(net: &Network) -> Self {
        NaiveModel {
            n: net.n,
            weights: net.weights.clone(),
            thresholds: net.thresholds.clone(),
        }
    }
}

impl<T: Scalar> NaiveModel<T> {
    /// h_i = Σ_j w_ij s_j, summed in order j = 0…N−1.
    pub fn field(&self, signs: &[i8], i: usize) -> T {
        let row = &self.weights[i * self.n..(i + 1) * self.n];
        row.iter().zip(signs).fold(
            T::default(),
            |h, (&w, &s)| {
                if s > 0 {
                    h + w
                } else {
                    h - w
                }
            },
        )
    }

    /// Updates neuron i in place; returns true when it flipped.
    pub fn update_neuron(&self, signs: &mut [i8], i: usize) -> bool {
        let current = signs[i] > 0;
        let next = decide(self.field(signs, i), self.thresholds[i], current);
        signs[i] = if next { 1 } else { -1 };
        next != current
    }

    fn sweep(&self, signs: &mut [i8], mode: UpdateMode) -> bool {
        match mode {
            UpdateMode::Async => {
                let mut changed = false;
                for i in 0..self.n {
                    changed |= self.update_neuron(signs, i);
                }
                changed
            }
            UpdateMode::Sync => {
                let old = signs.to_vec();
                let mut changed = false;
                for i in 0..self.n {
                    let next = decide(self.field(&old, i), self.thresholds[i], old[i] > 0);
                    signs[i] = if next { 1 } else { -1 };
                    changed |= signs[i] != old[i];
                }
                changed
            }
        }
    }

    pub fn run(&self, probe: &State, cfg: &RunConfig) -> Outcome {
        let mut signs = probe.to_signs();
        let mut previous: Option<State> = None;
        let mut current = probe.clone();
        let mut sweep = 0;
        loop {
            sweep += 1;
            let changed = self.sweep(&mut signs, cfg.mode);
            let next = State::from_signs(&signs);
            let two_back = previous.as_ref().filter(|_| cfg.mode == UpdateMode::Sync);
            if let Some(status) = stop_check(changed, &next, two_back, sweep, cfg.max_sweeps) {
                return Outcome {
                    state: next,
                    sweeps: sweep,
                    status,
                };
            }
            previous = Some(std::mem::replace(&mut current, next));
        }
    }
}
