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

type BatchResult = Result<Vec<RtlResult>, ToolError>;

/// Probes per simulator process: small enough to show progress, large enough that
/// process start-up does not matter.
const BATCH: usize = 500;

/// Runs the probes through the simulator: batches of probes, each in its own process
/// with its own pacing seed (so results do not depend on scheduling), `jobs` processes
/// at a time; `progress(n)` is called as batches of n probes finish. Results come back
/// in probe order.
pub fn run_rtl(
    build: &Build,
    core_dir: &Path,
    manifest: &Manifest,
    probes: &[State],
    pacing: &Pacing,
    jobs: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Run, ToolError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let started = Instant::now();
    let batches: Vec<&[State]> = probes.chunks(BATCH).collect();
    let slots: Vec<Mutex<Option<BatchResult>>> = batches.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, batches.len().max(1)) {
            scope.spawn(|| loop {
                let b = next.fetch_add(1, Ordering::SeqCst);
                let Some(batch) = batches.get(b) else { break };
                let batch_pacing = Pacing {
                    seed: pacing.seed.wrapping_add(b as u64),
                    ..*pacing
                };
                let result =
                    verilator::run(build, core_dir, manifest.neurons, batch, &batch_pacing);
                progress(batch.len() as u64);
                *slots[b].lock().expect("slot lock") = Some(result);
            });
        }
    });
    let mut results = Vec::with_capacity(probes.len());
    for slot in slots {
        results.extend(
            slot.into_inner()
                .expect("slot lock")
                .expect("every batch ran")?,
        );
    }
    let busy_cycles = results.iter().map(|r| r.latency).sum();
    Ok(Run {
        results,
        seconds: started.elapsed().as_secs_f64(),
        busy_cycles,
    })
}

/// Files written next to the core when the RTL and the model disagree.
pub const REPRO_FILE: &str = "mismatch-probe.json";
pub const MODEL_TRACE_FILE: &str = "mismatch-model.json";
pub const MODEL_VCD_FILE: &str = "mismatch-model.vcd";
pub const RTL_VCD_FILE: &str = "mismatch-rtl.vcd";

/// One step of the model's trace: after sweep k (k = 0 is the probe), the state and
/// 2·E_q.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStep {
    pub sweep: u32,
    pub state: State,
    pub energy2: i64,
}

/// The model's per-sweep trace of one probe.
pub fn model_trace(
    q: &crate::quantize::QuantNetwork,
    cfg: &RunConfig,
    probe: &State,
) -> Vec<TraceStep> {
    let energy = |s: &State| crate::model::energy2(q, s);
    let mut trace = vec![TraceStep {
        sweep: 0,
        state: probe.clone(),
        energy2: energy(probe),
    }];
    FixedModel::new(q).run_observed(probe, cfg, |k, s| {
        trace.push(TraceStep {
            sweep: k,
            state: s.clone(),
            energy2: energy(s),
        })
    });
    trace
}

/// A `hopgen-patterns/1` file holding the failing probe, which `--probe FILE` replays;
/// the model's result and the RTL's are under "meta".
pub fn repro_json(
    n: usize,
    probe: &State,
    mismatch: &Mismatch,
    expected: &Expected,
    got: &RtlResult,
) -> String {
    let value = serde_json::json!({
        "format": crate::formats::PATTERNS_FORMAT,
        "name": format!("mismatch at probe {}", mismatch.probe),
        "neurons": n,
        "patterns": [probe.to_pm_string()],
        "meta": {
            "probe_index": mismatch.probe,
            "field": mismatch.field,
            "model": {
                "state": expected.outcome.state.to_hex(),
                "sweeps": expected.outcome.sweeps,
                "status": expected.outcome.status as u32,
                "cycles": expected.latency,
            },
            "rtl": {
                "state": got.state.to_hex(),
                "sweeps": got.sweeps,
                "status": got.status,
                "cycles": got.latency,
            },
        },
    });
    crate::formats::to_pretty_compact(&value)
}

/// The trace as JSON: one entry per sweep with the state (hex and ±) and 2·E_q.
pub fn trace_json(trace: &[TraceStep]) -> String {
    let steps: Vec<serde_json::Value> = trace
        .iter()
        .map(|t| {
            serde_json::json!({
                "sweep": t.sweep,
                "state_hex": t.state.to_hex(),
                "state": t.state.to_pm_string(),
                "energy2": t.energy2,
            })
        })
        .collect();
    crate::formats::to_pretty_compact(
        &serde_json::json!({ "format": "hopgen-model-trace/1", "steps": steps }),
    )
}

/// The trace as a VCD with the core's signal names (`state`, `sweeps`), plus `energy2`
/// (64-bit two's complement), one timestamp per sweep, to open beside the RTL's VCD.
pub fn trace_vcd(top: &str, trace: &[TraceStep]) -> std::io::Result<Vec<u8>> {
    use vcd::{TimescaleUnit, Value};
    let n = trace.first().map_or(1, |t| t.state.len()) as u32;
    let mut writer = vcd::Writer::new(Vec::new());
    writer.timescale(1, TimescaleUnit::NS)?;
    writer.add_module(top)?;
    let state_id = writer.add_wire(n, "state")?;
    let sweeps_id = writer.add_wire(16, "sweeps")?;
    let energy_id = writer.add_wire(64, "energy2")?;
    writer.upscope()?;
    writer.enddefinitions()?;
    let bits = |value: u64, width: u32| {
        (0..width).rev().map(move |b| {
            if (value >> b) & 1 == 1 {
                Value::V1
            } else {
                Value::V0
            }
        })
    };
    for step in trace {
        writer.timestamp(u64::from(step.sweep))?;
        let state = (0..n as usize).rev().map(|i| {
            if step.state.get(i) {
                Value::V1
            } else {
                Value::V0
            }
        });
        writer.change_vector(state_id, state)?;
        writer.change_vector(sweeps_id, bits(u64::from(step.sweep), 16))?;
        writer.change_vector(energy_id, bits(step.energy2 as u64, 64))?;
    }
    Ok(writer.writer().clone())
}

/// Writes, next to the core in `dir`: the repro (`--probe FILE` replays it), the model's
/// per-sweep trace as JSON and VCD, and with a traced build the RTL's VCD of the failing
/// probe replayed alone. Returns the paths written.
/// What a mismatch report needs to know about the failing probe.
pub struct Failure<'a> {
    pub probe: &'a State,
    pub mismatch: &'a Mismatch,
    pub expected: &'a Expected,
    pub got: &'a RtlResult,
}

pub fn write_mismatch_artifacts(
    dir: &Path,
    manifest: &Manifest,
    q: &crate::quantize::QuantNetwork,
    cfg: &RunConfig,
    failure: &Failure,
    traced: Option<&Build>,
) -> Result<Vec<std::path::PathBuf>, crate::Error> {
    let (probe, mismatch) = (failure.probe, failure.mismatch);
    let write = |name: &str, bytes: &[u8]| -> Result<std::path::PathBuf, crate::Error> {
        let path = dir.join(name);
        crate::fsutil::write_atomic(&path, bytes)?;
        Ok(path)
    };
    let trace = model_trace(q, cfg, probe);
    let vcd =
        trace_vcd(&manifest.top, &trace).map_err(|e| crate::Error::Internal(e.to_string()))?;
    let mut written = vec![
        write(
            REPRO_FILE,
            repro_json(q.n, probe, mismatch, failure.expected, failure.got).as_bytes(),
        )?,
        write(MODEL_TRACE_FILE, trace_json(&trace).as_bytes())?,
        write(MODEL_VCD_FILE, &vcd)?,
    ];
    if let Some(build) = traced {
        let pacing = Pacing {
            seed: 1,
            in_rate: 8,
            out_rate: 8,
            max_cycles: manifest.cycles_per_probe_max.saturating_mul(4),
        };
        verilator::run(
            build,
            dir,
            manifest.neurons,
            std::slice::from_ref(probe),
            &pacing,
        )?;
        let to = dir.join(RTL_VCD_FILE);
        std::fs::rename(dir.join("rtl.vcd"), &to).map_err(|source| crate::Error::Output {
            path: to.display().to_string(),
            source,
        })?;
        written.push(to);
    }
    Ok(written)
}
