//! The command line: one module per subcommand, plus the option groups they share.

pub mod build;
pub mod check;
pub mod cosim;
pub mod flash;
pub mod quantize;
pub mod random;
pub mod recall;
pub mod run;
pub mod synth;
pub mod testbench;
pub mod train;

use crate::error::{counted, Error};
use crate::model::{RunConfig, UpdateMode, DEFAULT_MAX_SWEEPS};
use crate::network::{Network, PatternSet};
use crate::quantize::{QuantSpec, DEFAULT_WEIGHT_BITS};
use crate::validate::{self, LoadOptions};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "hopgen",
    version,
    about = "Compile trained Hopfield networks into bit-exact fixed-point hardware"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Learn a weights file from a patterns file.
    Train(train::TrainArgs),
    /// Run noisy or given probes through the bit-exact and float models.
    Recall(recall::RecallArgs),
    /// Show how a network quantises to W-bit fixed point and what it costs in recall.
    Quantize(quantize::QuantizeArgs),
    /// Generate a synthesizable Verilog core for a network.
    Synth(synth::SynthArgs),
    /// Co-simulate a generated core in Verilator against the bit-exact model.
    Cosim(cosim::CosimArgs),
    /// Build a bitstream for a board (or a part) with yosys and nextpnr, and report its cost.
    Build(build::BuildArgs),
    /// Program a board with a bitstream from `hopgen build` (openFPGALoader, iceprog, ecpprog).
    Flash(flash::FlashArgs),
    /// Send probes to a programmed board over its serial port and print the results.
    Run(run::RunArgs),
    /// Write a core and a self-checking Verilog testbench (Icarus or any simulator).
    Testbench(testbench::TestbenchArgs),
    /// Check a weights or patterns file and summarise it.
    Check(check::CheckArgs),
    /// Write random ±1 patterns (for experiments and tests).
    RandomPatterns(random::RandomArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => train::run(&args),
        Command::Recall(args) => recall::run(&args),
        Command::Quantize(args) => quantize::run(&args),
        Command::Synth(args) => synth::run(&args),
        Command::Cosim(args) => cosim::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Flash(args) => flash::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Testbench(args) => testbench::run(&args),
        Command::Check(args) => check::run(&args),
        Command::RandomPatterns(args) => random::run(&args),
    }
}

/// How strictly to read a weights file.
#[derive(Debug, Clone, Args)]
pub struct InputOpts {
    /// Accept a weight matrix with w_ij ≠ w_ji (energy descent is then not guaranteed).
    #[arg(long)]
    pub allow_asymmetric: bool,
    /// Set a non-zero diagonal to zero instead of rejecting the file.
    #[arg(long)]
    pub zero_diagonal: bool,
}

/// The fixed-point format.
#[derive(Debug, Clone, Args)]
pub struct QuantOpts {
    /// Weight width W in bits (2..=16).
    #[arg(long, short = 'W', default_value_t = DEFAULT_WEIGHT_BITS)]
    pub weight_bits: u32,
    /// Fractional bits F (default: the largest F for which no weight saturates).
    #[arg(long, short = 'F', allow_hyphen_values = true)]
    pub frac_bits: Option<i32>,
}

/// The update and stopping rules.
#[derive(Debug, Clone, Args)]
pub struct RunOpts {
    /// Update order: all neurons at once, or one at a time in index order.
    #[arg(long, value_enum, default_value_t = UpdateMode::Async)]
    pub update: UpdateMode,
    /// Stop with status `limit` after this many sweeps (1..=65535).
    #[arg(long, default_value_t = DEFAULT_MAX_SWEEPS)]
    pub max_sweeps: u32,
}

/// Where recall probes come from.
#[derive(Debug, Clone, Args)]
pub struct ProbeOpts {
    /// Probes from a hopgen-patterns/1 file instead of noisy stored patterns.
    #[arg(long, value_name = "FILE", alias = "probe-file")]
    pub probe: Option<PathBuf>,
    /// Fraction of neurons flipped in each noisy probe.
    #[arg(long, default_value_t = 0.1)]
    pub noise: f64,
    /// Number of noisy probes (cycling through the stored patterns).
    #[arg(long, default_value_t = 100, alias = "probes")]
    pub trials: usize,
    /// Seed of the probe noise; the same seed gives the same probes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl InputOpts {
    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            allow_asymmetric: self.allow_asymmetric,
            zero_diagonal: self.zero_diagonal,
        }
    }

    /// Loads and checks a weights file, printing its warnings.
    pub fn load_network(&self, path: &Path) -> Result<Network, Error> {
        let loaded = validate::load_weights(path, &self.load_options())?;
        print_warnings(path, &loaded.warnings);
        Ok(loaded.value)
    }
}

impl QuantOpts {
    pub fn spec(&self) -> Result<QuantSpec, Error> {
        Ok(QuantSpec::new(self.weight_bits, self.frac_bits)?)
    }
}

impl RunOpts {
    pub fn config(&self) -> Result<RunConfig, Error> {
        Ok(RunConfig::new(self.update, self.max_sweeps)?)
    }
}

/// Loads and checks a patterns file, printing its warnings.
pub fn load_pattern_set(path: &Path) -> Result<PatternSet, Error> {
    let loaded = validate::load_patterns(path)?;
    print_warnings(path, &loaded.warnings);
    Ok(loaded.value)
}

fn print_warnings(path: &Path, warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
}

/// A spinner with a message and the elapsed time, for long steps.
pub fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .expect("valid template"),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Formats a rate as a percentage with one decimal.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", 100.0 * rate)
}

/// `"name": N neurons, P stored patterns`, the first line of every report.
pub fn describe_network(net: &Network) -> String {
    format!(
        "{:?}: {}, {}",
        net.name,
        counted(net.n, "neuron", "neurons"),
        counted(net.patterns.len(), "stored pattern", "stored patterns")
    )
}

/// Probes for exercising hardware: from --probe FILE, else noisy stored patterns, else
/// (a network that stores none) uniformly random states; with a description.
pub fn hardware_probes(
    net: &Network,
    opts: &ProbeOpts,
) -> Result<(Vec<crate::state::State>, String), Error> {
    use crate::recall::{make_probes, ProbeSource};
    let (source, what) = match &opts.probe {
        Some(path) => (
            ProbeSource::Given(load_pattern_set(path)?.patterns),
            format!("probes from {}", path.display()),
        ),
        None if net.patterns.is_empty() => (
            ProbeSource::Random {
                count: opts.trials,
                seed: opts.seed,
            },
            format!(
                "{} random probes (the network stores no patterns), seed {}",
                opts.trials, opts.seed
            ),
        ),
        None => (
            ProbeSource::Noisy {
                noise: opts.noise,
                trials: opts.trials,
                seed: opts.seed,
            },
            format!(
                "{} noisy copies of the stored patterns, {} noise, seed {}",
                opts.trials,
                percent(opts.noise),
                opts.seed
            ),
        ),
    };
    let probes = make_probes(net, &source)?
        .into_iter()
        .map(|p| p.state)
        .collect();
    Ok((probes, what))
}
