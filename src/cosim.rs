//! Co-simulation: the generated RTL, built by Verilator, against the bit-exact model,
//! probe by probe — final state, sweeps, status, and the cycle count the core's timing
//! formula promises.

use crate::model::{FixedModel, Outcome, RunConfig};
use crate::sim::verilator::{self, Build, Pacing, RtlResult};
use crate::state::State;
use crate::synth::manifest::Manifest;
use crate::synth::Timing;
use crate::tools::ToolError;
use std::path::Path;
use std::time::Instant;

/// The first disagreement between the RTL and the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub probe: usize,
    pub field: &'static str,
    pub expected: String,
    pub got: String,
    pub probe_hex: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "probe {} (state {}): {} expected {}, got {}",
            self.probe, self.probe_hex, self.field, self.expected, self.got
        )
    }
}

/// Neurons that changed in each sweep of a model run (for the timing formula).
pub fn flips_per_sweep(
    model: &FixedModel,
    probe: &State,
    cfg: &RunConfig,
) -> (Outcome, Vec<usize>) {
    let mut previous = probe.clone();
    let mut flips = Vec::new();
    let outcome = model.run_observed(probe, cfg, |_, s| {
        flips.push(previous.hamming(s));
        previous = s.clone();
    });
    (outcome, flips)
}

/// What the model says about one probe, including the cycles the RTL must take.
#[derive(Debug, Clone)]
pub struct Expected {
    pub outcome: Outcome,
    pub latency: u64,
}

/// Runs the model on every probe (in parallel) and applies the core's timing formula.
pub fn expected(
    model: &FixedModel,
    cfg: &RunConfig,
    timing: &Timing,
    probes: &[State],
) -> Vec<Expected> {
    use rayon::prelude::*;
    probes
        .par_iter()
        .map(|p| {
            let (outcome, flips) = flips_per_sweep(model, p, cfg);
            let latency = timing.latency(p.plus_indices().count(), &flips);
            Expected { outcome, latency }
        })
        .collect()
}

/// Compares the RTL's results with the model's, field by field, in probe order.
pub fn compare(probes: &[State], expected: &[Expected], rtl: &[RtlResult]) -> Result<(), Mismatch> {
    let mismatch = |probe: usize, field, expected: String, got: String| Mismatch {
        probe,
        field,
        expected,
        got,
        probe_hex: probes[probe].to_hex(),
    };
    if rtl.len() != expected.len() {
        return Err(mismatch(
            rtl.len().min(expected.len()),
            "result count",
            expected.len().to_string(),
            rtl.len().to_string(),
        ));
    }
    for (i, (e, r)) in expected.iter().zip(rtl).enumerate() {
        if r.state != e.outcome.state {
            return Err(mismatch(
                i,
                "state",
                e.outcome.state.to_hex(),
                r.state.to_hex(),
            ));
        }
        if r.sweeps != e.outcome.sweeps {
            return Err(mismatch(
                i,
                "sweeps",
                e.outcome.sweeps.to_string(),
                r.sweeps.to_string(),
            ));
        }
        if r.status != e.outcome.status as u32 {
            return Err(mismatch(
                i,
                "status",
                (e.outcome.status as u32).to_string(),
                r.status.to_string(),
            ));
        }
        if r.latency != e.latency {
            return Err(mismatch(
                i,
                "latency (cycles)",
                e.latency.to_string(),
                r.latency.to_string(),
            ));
        }
    }
    Ok(())
}

/// Timings and counts of one co-simulation.
#[derive(Debug, Clone)]
pub struct Run {
    pub results: Vec<RtlResult>,
    pub seconds: f64,
    /// Cycles the core spent on the probes (the sum of their latencies).
    pub busy_cycles: u64,
}

/// Runs the probes through the simulator in `jobs` parallel processes (each with its
/// own pacing seed), results in probe order.
pub fn run_rtl(
    build: &Build,
    core_dir: &Path,
    manifest: &Manifest,
    probes: &[State],
    pacing: &Pacing,
    jobs: usize,
) -> Result<Run, ToolError> {
    let started = Instant::now();
    let chunk = probes.len().div_ceil(jobs.max(1)).max(1);
    let parts: Vec<Result<Vec<RtlResult>, ToolError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = probes
            .chunks(chunk)
            .enumerate()
            .map(|(j, part)| {
                let pacing = Pacing {
                    seed: pacing.seed.wrapping_add(j as u64),
                    ..*pacing
                };
                scope
                    .spawn(move || verilator::run(build, core_dir, manifest.neurons, part, &pacing))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("simulation thread"))
            .collect()
    });
    let mut results = Vec::with_capacity(probes.len());
    for part in parts {
        results.extend(part?);
    }
    let busy_cycles = results.iter().map(|r| r.latency).sum();
    Ok(Run {
        results,
        seconds: started.elapsed().as_secs_f64(),
        busy_cycles,
    })
}
