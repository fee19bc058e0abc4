//! Recall experiments: make probes (noisy copies of the stored patterns, or given
//! ones), run them through the bit-exact model and the float model, and summarise.

use crate::error::{InputError, InputErrorKind};
use crate::model::{FixedModel, NaiveModel, Outcome, RunConfig, Status};
use crate::network::Network;
use crate::quantize::QuantNetwork;
use crate::state::State;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where probes come from.
#[derive(Debug, Clone)]
pub enum ProbeSource {
    /// `trials` noisy copies of the stored patterns (trial t uses pattern t mod P),
    /// each with exactly round(noise · N) distinct neurons flipped.
    Noisy {
        noise: f64,
        trials: usize,
        seed: u64,
    },
    /// Probes given by the user.
    Given(Vec<State>),
    /// `count` uniformly random states (for networks that store no patterns).
    Random { count: usize, seed: u64 },
}

/// One probe and the stored pattern it should recall (if known).
#[derive(Debug, Clone)]
pub struct Probe {
    pub state: State,
    pub target: Option<usize>,
}

/// Number of neurons flipped for a noise level.
pub fn flips_for(noise: f64, n: usize) -> usize {
    (noise * n as f64).round_ties_even() as usize
}

pub fn make_probes(net: &Network, source: &ProbeSource) -> Result<Vec<Probe>, InputError> {
    match source {
        ProbeSource::Noisy {
            noise,
            trials,
            seed,
        } => noisy_probes(net, *noise, *trials, *seed),
        ProbeSource::Random { count, seed } => {
            Ok(crate::cmd::random::random_patterns(net.n, *count, *seed)
                .into_iter()
                .map(|state| Probe {
                    state,
                    target: None,
                })
                .collect())
        }
        ProbeSource::Given(states) => Ok(states
            .iter()
            .map(|s| Probe {
                target: nearest_pattern(&net.patterns, s),
                state: s.clone(),
            })
            .collect()),
    }
}

fn noisy_probes(
    net: &Network,
    noise: f64,
    trials: usize,
    seed: u64,
) -> Result<Vec<Probe>, InputError> {
    if net.patterns.is_empty() {
        return Err(InputError::new(
            InputErrorKind::Option,
            "the weights file stores no patterns to make noisy probes from",
            "add \"patterns\" to the weights file (hopgen train does), or give probes with --probe FILE",
        ));
    }
    if !(0.0..=1.0).contains(&noise) {
        return Err(InputError::new(
            InputErrorKind::Option,
            format!("--noise {noise} is out of range"),
            "give the fraction of neurons to flip, from 0 to 1 (e.g. 0.1)",
        ));
    }
    let flips = flips_for(noise, net.n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..net.n).collect();
    Ok((0..trials)
        .map(|t| {
            let target = t % net.patterns.len();
            let mut state = net.patterns[target].clone();
            // Partial Fisher–Yates: the first `flips` entries become a uniform sample.
            for k in 0..flips {
                let pick = rng.gen_range(k..net.n);
                order.swap(k, pick);
                state.flip(order[k]);
            }
            Probe {
                state,
                target: Some(target),
            }
        })
        .collect())
}

/// The stored pattern closest in Hamming distance (lowest index on ties).
pub fn nearest_pattern(patterns: &[State], probe: &State) -> Option<usize> {
    (0..patterns.len()).min_by_key(|&p| (patterns[p].hamming(probe), p))
}

/// The results of one probe.
#[derive(Debug, Clone)]
pub struct Trial {
    pub probe: Probe,
    pub fixed: Outcome,
    pub float: Option<Outcome>,
}

/// Runs every probe through the fixed model (and the float model when given),
/// in parallel; `tick` is called once per finished probe. Order is preserved.
pub fn run_trials(
    q: &QuantNetwork,
    float: Option<&NaiveModel<f64>>,
    probes: Vec<Probe>,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
) -> Vec<Trial> {
    let fixed = FixedModel::new(q);
    probes
        .into_par_iter()
        .map(|probe| {
            let trial = Trial {
                fixed: fixed.run(&probe.state, cfg),
                float: float.map(|m| m.run(&probe.state, cfg)),
                probe,
            };
            tick();
            trial
        })
        .collect()
}

/// How one model did over all probes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub probes: usize,
    /// Results equal to their target pattern (None without targets).
    pub exact_recalls: Option<usize>,
    pub exact_recall_rate: Option<f64>,
    /// Mean overlap (1/N) Σ ξ_i s_i of each result with its target.
    pub mean_overlap: Option<f64>,
    /// Results equal to a stored pattern other than the target.
    pub other_stored: Option<usize>,
    pub status: BTreeMap<&'static str, usize>,
    pub mean_sweeps: f64,
    pub max_sweeps_seen: u32,
}

pub fn summarize<'a>(
    patterns: &[State],
    trials: impl Iterator<Item = (&'a Probe, &'a Outcome)> + Clone,
) -> Summary {
    let outcomes: Vec<(&Probe, &Outcome)> = trials.collect();
    let count = outcomes.len();
    let mut status: BTreeMap<&'static str, usize> =
        Status::ALL.iter().map(|s| (s.name(), 0)).collect();
    for (_, o) in &outcomes {
        *status
            .get_mut(o.status.name())
            .expect("all statuses present") += 1;
    }
    let targeted: Vec<(&State, &State)> = outcomes
        .iter()
        .filter_map(|(p, o)| p.target.map(|t| (&patterns[t], &o.state)))
        .collect();
    let has_targets = !targeted.is_empty();
    let exact = targeted.iter().filter(|(t, s)| t == s).count();
    let other = outcomes
        .iter()
        .filter(|(p, o)| {
            p.target.is_some()
                && patterns
                    .iter()
                    .enumerate()
                    .any(|(i, pat)| Some(i) != p.target && *pat == o.state)
        })
        .count();
    let overlap_sum: f64 = targeted.iter().map(|(t, s)| t.overlap(s)).sum();
    let sweeps: Vec<u32> = outcomes.iter().map(|(_, o)| o.sweeps).collect();
    Summary {
        probes: count,
        exact_recalls: has_targets.then_some(exact),
        exact_recall_rate: has_targets.then(|| exact as f64 / targeted.len() as f64),
        mean_overlap: has_targets.then(|| overlap_sum / targeted.len() as f64),
        other_stored: has_targets.then_some(other),
        status,
        mean_sweeps: sweeps.iter().map(|&s| f64::from(s)).sum::<f64>() / count.max(1) as f64,
        max_sweeps_seen: sweeps.iter().copied().max().unwrap_or(0),
    }
}

/// Fixed-model summary, float-model summary, and how often the two agree.
pub fn summarize_both(
    patterns: &[State],
    trials: &[Trial],
) -> (Summary, Option<Summary>, Option<f64>) {
    let fixed = summarize(patterns, trials.iter().map(|t| (&t.probe, &t.fixed)));
    let with_float: Vec<(&Probe, &Outcome, &Outcome)> = trials
        .iter()
        .filter_map(|t| t.float.as_ref().map(|f| (&t.probe, &t.fixed, f)))
        .collect();
    if with_float.is_empty() {
        return (fixed, None, None);
    }
    let float = summarize(patterns, with_float.iter().map(|(p, _, f)| (*p, *f)));
    let agree = with_float
        .iter()
        .filter(|(_, x, f)| x.state == f.state)
        .count();
    (
        fixed,
        Some(float),
        Some(agree as f64 / with_float.len() as f64),
    )
}

/// How many stored patterns are fixed points of the bit-exact model.
pub fn fixed_points_fixed(q: &QuantNetwork, patterns: &[State]) -> usize {
    let model = FixedModel::new(q);
    let cfg = one_sweep();
    patterns
        .iter()
        .filter(|p| model.run(p, &cfg).status == Status::Converged)
        .count()
}

/// How many stored patterns are fixed points of the float model.
pub fn fixed_points_float(net: &Network) -> usize {
    let model = NaiveModel::from_network(net);
    let cfg = one_sweep();
    net.patterns
        .iter()
        .filter(|p| model.run(p, &cfg).status == Status::Converged)
        .count()
}

/// A state is a fixed point exactly when one sweep changes nothing (either mode).
fn one_sweep() -> RunConfig {
    RunConfig {
        mode: crate::model::UpdateMode::Async,
        max_sweeps: 1,
    }
}
