//! Reference models of the update and stopping rules in docs/ARITHMETIC.md:
//! `fixed` is the fast bit-exact integer model the RTL is checked against,
//! `naive` a straightforward scalar one (test oracle, benchmark baseline, and the
//! f64 model that measures what quantisation costs).

pub mod fixed;
pub mod naive;

pub use fixed::FixedModel;
pub use naive::NaiveModel;

use crate::error::{InputError, InputErrorKind};
use crate::quantize::QuantNetwork;
use crate::state::State;
use serde::Serialize;

/// How neurons are updated within a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UpdateMode {
    /// All neurons at once from the same s(t).
    Sync,
    /// i = 0, 1, …, N−1 in order, each update visible to the next.
    Async,
}

/// Why a run stopped; the numbers are the RTL's `out_status` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Converged = 0,
    Limit = 1,
    Cycle2 = 2,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Converged, Status::Limit, Status::Cycle2];

    pub fn name(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::Limit => "limit",
            Status::Cycle2 => "cycle2",
        }
    }
}

pub const DEFAULT_MAX_SWEEPS: u32 = 100;
pub const MAX_SWEEPS_LIMIT: u32 = 65535;

/// The run parameters of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunConfig {
    pub mode: UpdateMode,
    pub max_sweeps: u32,
}

impl RunConfig {
    pub fn new(mode: UpdateMode, max_sweeps: u32) -> Result<Self, InputError> {
        if !(1..=MAX_SWEEPS_LIMIT).contains(&max_sweeps) {
            return Err(InputError::new(
                InputErrorKind::Option,
                format!("--max-sweeps {max_sweeps} is out of range"),
                format!("choose 1 to {MAX_SWEEPS_LIMIT} (the RTL counts sweeps in 16 bits)"),
            ));
        }
        Ok(RunConfig { mode, max_sweeps })
    }
}

/// The result of one run: (final state, k, status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: State,
    pub sweeps: u32,
    pub status: Status,
}

/// The stopping rule, checked after sweep k (k counts from 1), in contract order.
/// `two_back` is s(k−2) in sync mode (None in async mode or when k < 2).
pub fn stop_check(
    changed: bool,
    current: &State,
    two_back: Option<&State>,
    sweep: u32,
    max_sweeps: u32,
) -> Option<Status> {
    if !changed {
        Some(Status::Converged)
    } else if two_back.is_some_and(|s| s == current) {
        Some(Status::Cycle2)
    } else if sweep == max_sweeps {
        Some(Status::Limit)
    } else {
        None
    }
}

/// 2·E_q = −Σ_ij w_q[i][j] s_i s_j + 2 Σ_i θ_q[i] s_i, exact.
///
/// The threshold term is `+`: with the decision "s_i = +1 when h_i > θ_i" this is
/// the energy that async updates never raise (see docs/ARITHMETIC.md, Energy).
pub fn energy2(q: &QuantNetwork, state: &State) -> i64 {
    let n = q.n;
    let signs = state.to_signs();
    let mut quadratic = 0i64;
    for i in 0..n {
        let row = &q.weights[i * n..(i + 1) * n];
        let h: i64 = row
            .iter()
            .zip(&signs)
            .map(|(&w, &s)| i64::from(w) * i64::from(s))
            .sum();
        quadratic += h * i64::from(signs[i]);
    }
    let linear: i64 = q
        .thresholds
        .iter()
        .zip(&signs)
        .map(|(&t, &s)| i64::from(t) * i64::from(s))
        .sum();
    -quadratic + 2 * linear
}

/// The contract's decision: +1 above the threshold, −1 below, unchanged on a tie.
#[inline]
pub fn decide<T: PartialOrd>(field: T, threshold: T, current: bool) -> bool {
    if field > threshold {
        true
    } else if field < threshold {
        false
    } else {
        current
    }
}
