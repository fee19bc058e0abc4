//! `hopgen synth`: weights → a synthesizable Verilog core, its library files and
//! `manifest.json`, written atomically into an output directory.

use super::{InputOpts, QuantOpts};
use crate::model::{RunConfig, UpdateMode, DEFAULT_MAX_SWEEPS};
use crate::quantize::quantize;
use crate::synth::{self, outdir::write_output_dir, target::Target, Arch, SynthOptions};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// A hopgen-weights/1 file.
    pub weights: PathBuf,
    #[command(flatten)]
    pub input: InputOpts,
    #[command(flatten)]
    pub quant: QuantOpts,
    /// Hardware organisation.
    #[arg(long, value_enum, default_value_t = Arch::Auto)]
    pub arch: Arch,
    /// Weights consumed per cycle by the folded architecture (1..=N; default min(N, 16)).
    #[arg(long)]
    pub lanes: Option<usize>,
    /// Register stages in the parallel sync adder trees (one sweep takes 1 + K cycles).
    #[arg(long, default_value_t = 0)]
    pub pipeline: u32,
    /// Device that `--arch auto` sizes the core for.
    #[arg(long, value_enum, default_value_t = Target::Generic)]
    pub target: Target,
    /// Update order the core implements.
    #[arg(long, value_enum, default_value_t = UpdateMode::Sync)]
    pub update: UpdateMode,
    /// The core stops with status `limit` after this many sweeps (1..=65535).
    #[arg(long, default_value_t = DEFAULT_MAX_SWEEPS)]
    pub max_sweeps: u32,
    /// Module name (default: the network's name), made a legal Verilog identifier.
    #[arg(long)]
    pub name: Option<String>,
    /// Output directory (default: build/<module name>).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Replace the output directory even if hopgen did not write it.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    let net = args.input.load_network(&args.weights)?;
    let cfg = RunConfig::new(args.update, args.max_sweeps).map_err(crate::Error::from)?;
    let q = quantize(&net, args.quant.spec()?);
    let opts = SynthOptions {
        arch: args.arch,
        mode: cfg.mode,
        max_sweeps: cfg.max_sweeps,
        name: args.name.clone(),
        lanes: args.lanes,
        target: args.target,
        pipeline: args.pipeline,
    };
    let generated = synth::generate(&net, &q, &opts).map_err(crate::Error::from)?;
    let m = &generated.manifest;
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("build").join(&m.top));
    write_output_dir(&dir, &generated.files, args.force)?;
    println!(
        "wrote {}: module {}, {}, W={} F={} A={}",
        dir.display(),
        m.top,
        crate::error::counted(m.neurons, "neuron", "neurons"),
        m.weight_bits,
        m.frac_bits,
        m.acc_bits
    );
    println!(
        "arch      {} ({}), {} update",
        m.arch, generated.arch_reason, m.update
    );
    println!(
        "timing    {}; at most {} cycles per probe",
        m.timing.describe(),
        m.cycles_per_probe_max
    );
    println!(
        "files     {}",
        generated
            .files
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if q.report.saturated > 0 {
        eprintln!(
            "warning: {} weights saturated at W={} F={}",
            q.report.saturated, q.weight_bits, q.frac_bits
        );
    }
    Ok(())
}
