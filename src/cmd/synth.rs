//! `hopgen synth`: weights → a synthesizable Verilog core, its library files and
//! `manifest.json`, written atomically into an output directory.

use super::{InputOpts, QuantOpts};
use crate::error::Error;
use crate::model::{RunConfig, UpdateMode, DEFAULT_MAX_SWEEPS};
use crate::network::Network;
use crate::quantize::{quantize, QuantNetwork};
use crate::synth::{self, outdir::write_output_dir, target::Target, Arch, Generated, SynthOptions};
use clap::Args;
use std::path::{Path, PathBuf};

/// The options that shape a core (shared by `synth` and `cosim`).
#[derive(Debug, Clone, Args)]
pub struct CoreOpts {
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
    /// Folded cores: give the weight memory a write port and no initial contents; the
    /// weights are then written at run time (`hopgen run` uploads them). Chosen by
    /// itself when a UP5K's memories only fit with the weights in its SPRAM.
    #[arg(long)]
    pub load_weights: bool,
    /// Folded sync cores: split the weight memory into banks of this many words (a
    /// power of two), each read registered 4 times, then a registered tree of 4:1
    /// multiplexers; a sweep takes 4 + ⌈log4 banks⌉ more cycles. Default: the
    /// target's choice (1024 on ECP5 when the banks fit its DP16KDs, else none).
    #[arg(long)]
    pub bank_words: Option<usize>,
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

/// A core generated and written to its output directory.
pub struct WrittenCore {
    pub net: Network,
    pub q: QuantNetwork,
    pub cfg: RunConfig,
    pub generated: Generated,
    pub dir: PathBuf,
}

/// `cosim` and `testbench` drive a core's probe ports only: a core whose weights are
/// written at run time would run with an empty weight memory.
pub fn require_initial_weights(core: &WrittenCore, command: &str) -> Result<(), Error> {
    if core.generated.manifest.weight_port.is_none() {
        return Ok(());
    }
    Err(Error::option(
        format!(
            "hopgen {command} drives the core's probe ports only, and this core's weights are written at run time (--load-weights, or SPRAM on --target ice40-up5k)"
        ),
        "simulate it behind its UART instead: `hopgen build WEIGHTS --board icebreaker --sources-only -o DIR` then `hopgen run --sim --build DIR`; or drop --load-weights",
    ))
}

impl CoreOpts {
    /// Loads the network and generates the core (nothing written yet).
    pub fn generate_core(&self, weights: &Path) -> Result<WrittenCore, Error> {
        let net = self.input.load_network(weights)?;
        let cfg = RunConfig::new(self.update, self.max_sweeps)?;
        let q = quantize(&net, self.quant.spec()?);
        let opts = SynthOptions {
            arch: self.arch,
            mode: cfg.mode,
            max_sweeps: cfg.max_sweeps,
            name: self.name.clone(),
            lanes: self.lanes,
            target: self.target,
            pipeline: self.pipeline,
            load_weights: self.load_weights,
            bank_words: self.bank_words,
        };
        let generated = synth::generate(&net, &q, &opts)?;
        let dir = self
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from("build").join(&generated.manifest.top));
        if q.report.saturated > 0 {
            eprintln!(
                "warning: {} weights saturated at W={} F={}",
                q.report.saturated, q.weight_bits, q.frac_bits
            );
        }
        Ok(WrittenCore {
            net,
            q,
            cfg,
            generated,
            dir,
        })
    }

    /// Generates the core and writes its directory.
    pub fn write_core(&self, weights: &Path) -> Result<WrittenCore, Error> {
        let core = self.generate_core(weights)?;
        write_output_dir(&core.dir, &core.generated.files, self.force)?;
        Ok(core)
    }
}

#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// A hopgen-weights/1 file.
    pub weights: PathBuf,
    #[command(flatten)]
    pub core: CoreOpts,
}

/// What `synth` prints about a written core.
pub fn describe_core(core: &WrittenCore) -> String {
    let m = &core.generated.manifest;
    format!(
        "wrote {}: module {}, {}, W={} F={} A={}\n\
         arch      {} ({}), {} update\n\
         timing    {}; at most {} cycles per probe\n\
         files     {}\n",
        core.dir.display(),
        m.top,
        crate::error::counted(m.neurons, "neuron", "neurons"),
        m.weight_bits,
        m.frac_bits,
        m.acc_bits,
        m.arch,
        core.generated.arch_reason,
        m.update,
        m.timing.describe(),
        m.cycles_per_probe_max,
        core.generated
            .files
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    let core = args.core.write_core(&args.weights)?;
    print!("{}", describe_core(&core));
    Ok(())
}
