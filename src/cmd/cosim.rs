//! `hopgen cosim`: generate a core, build it with Verilator, stream probes through the
//! real RTL with random gaps and back-pressure, and compare every result — state,
//! sweeps, status and cycle count — with the bit-exact model.

use super::synth::{describe_core, CoreOpts};
use super::{percent, spinner, ProbeOpts};
use crate::cosim::{self, Expected};
use crate::error::Error;
use crate::model::FixedModel;
use crate::recall;
use crate::sim::verilator::{self, Pacing};
use crate::state::State;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Args)]
pub struct CosimArgs {
    /// A hopgen-weights/1 file.
    pub weights: PathBuf,
    #[command(flatten)]
    pub core: CoreOpts,
    #[command(flatten)]
    pub probes: ProbeOpts,
    /// Parallel simulator processes.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// On a mismatch, also build a traced simulator and write the failing probe's VCD.
    #[arg(long)]
    pub trace_on_mismatch: bool,
    /// Draw this many probes and their RTL results as pictures (square-ish N).
    #[arg(long, default_value_t = 2)]
    pub show: usize,
    /// in_valid and out_ready are each high with probability RATE/8 (8: no gaps, no back-pressure).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=8))]
    pub handshake_rate: u32,
}

pub fn run(args: &CosimArgs) -> anyhow::Result<()> {
    let core = args.core.generate_core(&args.weights)?;
    super::synth::require_initial_weights(&core, "cosim")?;
    crate::synth::outdir::write_output_dir(&core.dir, &core.generated.files, args.core.force)?;
    print!("{}", describe_core(&core));
    let (probes, what) = super::hardware_probes(&core.net, &args.probes)?;
    println!("probes    {what}");
    let manifest = &core.generated.manifest;

    let bar = spinner("building the core with Verilator");
    let build =
        verilator::build(&core.dir, manifest, &verilator::cache_root()).map_err(Error::from)?;
    bar.finish_and_clear();
    println!(
        "verilator {} in {:.1} s ({})",
        if build.cached {
            "reused a cached build"
        } else {
            "built the core"
        },
        build.seconds,
        build
            .exe
            .parent()
            .and_then(|p| p.parent())
            .map_or(String::new(), |p| p.display().to_string())
    );

    let model = FixedModel::new(&core.q);
    let started = Instant::now();
    let expected: Vec<Expected> = cosim::expected(&model, &core.cfg, &manifest.timing, &probes);
    let model_seconds = started.elapsed().as_secs_f64();

    let pacing = Pacing {
        seed: args.probes.seed,
        in_rate: args.handshake_rate,
        out_rate: args.handshake_rate,
        max_cycles: manifest
            .cycles_per_probe_max
            .saturating_mul(probes.len() as u64 + 1)
            .saturating_mul(8),
    };
    let bar = ProgressBar::new(probes.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating {pos}/{len} probes [{elapsed}, eta {eta}]",
        )
        .expect("valid template"),
    );
    let rtl = cosim::run_rtl(
        &build,
        &core.dir,
        manifest,
        &probes,
        &pacing,
        args.jobs,
        &|n| bar.inc(n),
    )
    .map_err(Error::from)?;
    bar.finish_and_clear();

    let count = probes.len();
    let rate = |n: usize, s: f64| if s > 0.0 { n as f64 / s } else { f64::INFINITY };
    println!(
        "rtl       {count} probes in {:.2} s: {:.0} probes/s, {} busy cycles ({:.0} cycles/s), {} job(s)",
        rtl.seconds,
        rate(count, rtl.seconds),
        rtl.busy_cycles,
        rtl.busy_cycles as f64 / rtl.seconds.max(1e-9),
        args.jobs
    );
    println!(
        "model     {count} probes in {:.3} s: {:.0} probes/s",
        model_seconds,
        rate(count, model_seconds)
    );
    if let Err(mismatch) = cosim::compare(&probes, &expected, &rtl.results) {
        let i = mismatch.probe;
        let failure = cosim::Failure {
            probe: &probes[i],
            mismatch: &mismatch,
            expected: &expected[i],
            got: &rtl.results[i.min(rtl.results.len().saturating_sub(1))],
        };
        let written = write_mismatch(args, &core, &failure)?;
        return Err(Error::Mismatch(format!("{mismatch}\nwrote {}", written.join(", "))).into());
    }
    let outcomes: Vec<_> = expected.iter().map(|e| e.outcome.clone()).collect();
    print!("{}", summary(&core.net, &probes, &outcomes));
    println!("agree     RTL and model agree on all {count} probes: state, sweeps, status and cycle count");
    print!("{}", pictures(&core.net, &probes, &rtl.results, args.show));
    Ok(())
}

/// Writes the mismatch artifacts next to the core (building the traced simulator when
/// --trace-on-mismatch asks for the RTL's VCD); returns the paths written.
fn write_mismatch(
    args: &CosimArgs,
    core: &super::synth::WrittenCore,
    failure: &cosim::Failure,
) -> Result<Vec<String>, Error> {
    let manifest = &core.generated.manifest;
    let traced = if args.trace_on_mismatch {
        let bar = spinner("building a traced simulator to replay the mismatch");
        let build = verilator::build_traced(&core.dir, manifest, &verilator::cache_root())?;
        bar.finish_and_clear();
        Some(build)
    } else {
        None
    };
    let paths = cosim::write_mismatch_artifacts(
        &core.dir,
        manifest,
        &core.q,
        &core.cfg,
        failure,
        traced.as_ref(),
    )?;
    Ok(paths.iter().map(|p| p.display().to_string()).collect())
}

/// The nearest stored pattern, the probe and the RTL's result, side by side.
fn pictures(
    net: &crate::network::Network,
    probes: &[State],
    rtl: &[verilator::RtlResult],
    show: usize,
) -> String {
    let Some(shape) = crate::render::drawing_shape(net.n, net.shape) else {
        return String::new();
    };
    let mut out = String::new();
    for (t, (probe, result)) in probes.iter().zip(rtl).take(show).enumerate() {
        let mut panels = Vec::new();
        if let Some(p) = recall::nearest_pattern(&net.patterns, probe) {
            panels.push((format!("stored {}", net.pattern_label(p)), &net.patterns[p]));
        }
        panels.push((format!("probe {t}"), probe));
        let title = format!("RTL: k={} {} cycles", result.sweeps, result.latency);
        panels.push((title, &result.state));
        out.push('\n');
        out.push_str(&crate::render::side_by_side(&panels, shape));
    }
    out
}

fn summary(
    net: &crate::network::Network,
    probes: &[State],
    outcomes: &[crate::model::Outcome],
) -> String {
    let with_targets: Vec<recall::Probe> = probes
        .iter()
        .map(|p| recall::Probe {
            state: p.clone(),
            target: recall::nearest_pattern(&net.patterns, p),
        })
        .collect();
    let s = recall::summarize(&net.patterns, with_targets.iter().zip(outcomes));
    let mut out = format!(
        "status    converged {}, limit {}, cycle2 {}; mean sweeps {:.2}\n",
        s.status["converged"], s.status["limit"], s.status["cycle2"], s.mean_sweeps
    );
    if let Some(rate) = s.exact_recall_rate {
        out.push_str(&format!(
            "recall    {} of results equal the stored pattern nearest to their probe\n",
            percent(rate)
        ));
    }
    out
}
