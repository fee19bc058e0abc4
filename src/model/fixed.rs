//! The fast bit-exact integer model: bit-packed states, local fields kept in
//! registers and updated incrementally, so only flips cost additions.
//!
//! h = 2·Σ_{k: s_k=+1} W[:,k] − R with R_i = Σ_k w_ik is formed once per probe;
//! after that a flip of neuron k adds ±2·W[:,k] to every field.

use super::{decide, stop_check, Outcome, RunConfig, UpdateMode};
use crate::quantize::QuantNetwork;
use crate::state::State;

/// A quantised network laid out for fast runs.
#[derive(Debug, Clone)]
pub struct FixedModel {
    n: usize,
    /// Column-major: `columns[k*n + i]` = w_q[i][k].
    columns: Vec<i16>,
    row_sums: Vec<i32>,
    thresholds: Vec<i32>,
}

impl FixedModel {
    pub fn new(q: &QuantNetwork) -> Self {
        let n = q.n;
        let mut columns = vec![0i16; n * n];
        for i in 0..n {
            for k in 0..n {
                columns[k * n + i] = q.weight(i, k) as i16;
            }
        }
        let row_sums = (0..n)
            .map(|i| q.weights[i * n..(i + 1) * n].iter().sum())
            .collect();
        FixedModel {
            n,
            columns,
            row_sums,
            thresholds: q.thresholds.clone(),
        }
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Local fields h_i = Σ_j w_q[i][j] s_j for every neuron.
    pub fn local_fields(&self, state: &State) -> Vec<i32> {
        let mut sum = vec![0i32; self.n];
        for k in state.plus_indices() {
            add_column(&mut sum, self.column(k), 1);
        }
        sum.iter()
            .zip(&self.row_sums)
            .map(|(s, r)| 2 * s - r)
            .collect()
    }

    #[inline]
    fn column(&self, k: usize) -> &[i16] {
        &self.columns[k * self.n..(k + 1) * self.n]
    }

    /// Runs one probe to its result.
    pub fn run(&self, probe: &State, cfg: &RunConfig) -> Outcome {
        self.run_observed(probe, cfg, |_, _| {})
    }

    /// Runs one probe, calling `on_sweep(k, s(k))` after every sweep.
    pub fn run_observed(
        &self,
        probe: &State,
        cfg: &RunConfig,
        mut on_sweep: impl FnMut(u32, &State),
    ) -> Outcome {
        assert_eq!(probe.len(), self.n, "probe size differs from the network");
        let mut state = probe.clone();
        let mut fields = self.local_fields(&state);
        let mut previous: Option<State> = None;
        let mut sweep = 0;
        loop {
            sweep += 1;
            let before = (cfg.mode == UpdateMode::Sync).then(|| state.clone());
            let changed = match cfg.mode {
                UpdateMode::Async => self.async_sweep(&mut state, &mut fields),
                UpdateMode::Sync => self.sync_sweep(&mut state, &mut fields),
            };
            on_sweep(sweep, &state);
            if let Some(status) =
                stop_check(changed, &state, previous.as_ref(), sweep, cfg.max_sweeps)
            {
                return Outcome {
                    state,
                    sweeps: sweep,
                    status,
                };
            }
            previous = before;
        }
    }

    fn async_sweep(&self, state: &mut State, fields: &mut [i32]) -> bool {
        let mut changed = false;
        for i in 0..self.n {
            let current = state.get(i);
            let next = decide(fields[i], self.thresholds[i], current);
            if next != current {
                state.set(i, next);
                add_column(fields, self.column(i), if next { 2 } else { -2 });
                changed = true;
            }
        }
        changed
    }

    fn sync_sweep(&self, state: &mut State, fields: &mut [i32]) -> bool {
        let flips: Vec<(usize, bool)> = (0..self.n)
            .filter_map(|i| {
                let current = state.get(i);
                let next = decide(fields[i], self.thresholds[i], current);
                (next != current).then_some((i, next))
            })
            .collect();
        for &(k, next) in &flips {
            state.set(k, next);
            add_column(fields, self.column(k), if next { 2 } else { -2 });
        }
        !flips.is_empty()
    }
}

/// fields += factor · column, element-wise (vectorises).
#[inline]
fn add_column(fields: &mut [i32], column: &[i16], factor: i32) {
    for (f, &w) in fields.iter_mut().zip(column) {
        *f += factor * i32::from(w);
    }
}
