//! `hopgen build`: weights → core → board top → yosys → nextpnr → bitstream, with the
//! report printed as a table and written as `report.json`.

use super::synth::CoreOpts;
use crate::error::Error;
use crate::fpga::board::{board_names, find_board, Board, Part};
use crate::fpga::pll;
use crate::fpga::report::BuildStatus;
use crate::fpga::{self, BuildOptions, DEFAULT_BAUD};
use crate::synth::outdir::write_output_dir;
use crate::synth::target::Target;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// A hopgen-weights/1 file.
    pub weights: PathBuf,
    /// Board to build for: icebreaker, ice40-hx8k-breakout, ulx3s-25f, ulx3s-85f.
    #[arg(long, required_unless_present = "part")]
    pub board: Option<String>,
    /// Part for a build without a board (pins placed freely), for cost and Fmax.
    #[arg(long, value_enum, conflicts_with = "board")]
    pub part: Option<Part>,
    /// UART speed of the board top.
    #[arg(long, default_value_t = DEFAULT_BAUD)]
    pub baud: u32,
    /// Core clock in MHz. For a board, a different value than its oscillator adds a
    /// PLL (icepll / ecppll); for --part, the place-and-route target (default 50 on
    /// iCE40, 100 on ECP5).
    #[arg(long)]
    pub freq: Option<f64>,
    /// nextpnr's placement seed (the first one, with --seeds).
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// Try up to this many nextpnr seeds (--seed, --seed + 1, …), stop at the first
    /// that meets the clock target, and keep the fastest placement.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub seeds: u32,
    /// Exit 0 even when Fmax misses the target (the report still says so).
    #[arg(long)]
    pub allow_timing_fail: bool,
    /// Keep yosys from mapping memories to the UP5K's SPRAM.
    #[arg(long)]
    pub no_spram: bool,
    /// Write the build directory's sources (core, board top, constraints, yosys
    /// script) and stop: for running the tools yourself.
    #[arg(long)]
    pub sources_only: bool,
    #[command(flatten)]
    pub core: CoreOpts,
}

fn resolve_board(args: &BuildArgs) -> Result<(Option<&'static Board>, Part), Error> {
    match (&args.board, args.part) {
        (Some(name), _) => {
            let board = find_board(name).ok_or_else(|| {
                Error::option(
                    format!("unknown board {name:?}"),
                    format!("choose one of {}, or use --part", board_names()),
                )
            })?;
            Ok((Some(board), board.part))
        }
        (None, Some(part)) => Ok((None, part)),
        (None, None) => Err(Error::option(
            "no --board or --part",
            "say what to build for, e.g. --board icebreaker",
        )),
    }
}

/// The build options, with the core's --target set to the part's.
fn options(args: &BuildArgs) -> Result<(BuildOptions, CoreOpts), Error> {
    let (board, part) = resolve_board(args)?;
    let mut core = args.core.clone();
    if core.target == Target::Generic {
        core.target = part.target();
    } else if core.target != part.target() {
        return Err(Error::option(
            format!(
                "--target {} disagrees with the part {}",
                core.target.name(),
                part.name()
            ),
            "leave out --target: hopgen build sizes the core for the part it builds for",
        ));
    }
    let default_freq = BuildOptions::default_freq_mhz(board, part);
    let freq = args.freq.unwrap_or(default_freq);
    if !(freq.is_finite() && freq > 0.0 && freq <= 1000.0) {
        return Err(Error::option(
            format!("--freq {freq} is not a clock frequency in MHz"),
            "give the target clock in MHz, e.g. --freq 48",
        ));
    }
    // A board clocked at another frequency than its oscillator gets a PLL; nextpnr
    // then targets what the PLL achieves.
    let (pll, freq) = match board.filter(|_| (freq - default_freq).abs() > 1e-9) {
        None => (None, freq),
        Some(b) => {
            let pll = pll::generate(b, freq).map_err(|e| {
                if e.status.is_none() {
                    // The calculator could not run at all: a tool problem, not the value.
                    return Error::Tool(e.to_string());
                }
                Error::option(
                    format!(
                        "no PLL setting gives {freq} MHz from the {} MHz clock of {}: {e}",
                        default_freq, b.name
                    ),
                    "choose another --freq (iCE40 PLLs reach 16–275 MHz, ECP5 3.1–400 MHz)",
                )
            })?;
            let achieved = pll.achieved_hz as f64 / 1e6;
            (Some(pll), achieved)
        }
    };
    let opts = BuildOptions {
        board,
        part,
        baud: args.baud,
        freq_mhz: freq,
        seed: args.seed,
        seed_tries: args.seeds,
        allow_timing_fail: args.allow_timing_fail,
        spram: !args.no_spram,
        pll,
    };
    Ok((opts, core))
}

pub fn run(args: &BuildArgs) -> anyhow::Result<()> {
    let (opts, core_opts) = options(args)?;
    let core = core_opts.generate_core(&args.weights)?;
    let place = opts.board.map_or(opts.part.name(), |b| b.name);
    let dir = core_opts.output.clone().unwrap_or_else(|| {
        PathBuf::from("build").join(format!("{}-{place}", core.generated.manifest.top))
    });
    println!(
        "core      {}: {} {}, {}",
        core.generated.manifest.top,
        core.generated.manifest.arch,
        core.generated.manifest.update,
        core.generated.arch_reason
    );
    if args.sources_only {
        fpga::check_baud(opts.clock_hz(), opts.baud)?;
        let (files, _) = fpga::build_files(&core.generated, &opts);
        write_output_dir(&dir, &files, core_opts.force)?;
        println!("wrote     {} (sources only)", dir.display());
        return Ok(());
    }
    let bar = super::spinner("starting");
    let progress = |what: &str| bar.set_message(what.to_string());
    let outcome = fpga::build(
        &core.generated,
        &opts,
        &dir,
        core_opts.force,
        &crate::sim::verilator::cache_root(),
        &progress,
    );
    bar.finish_and_clear();
    let outcome = outcome?;
    print!("{}", outcome.report.table());
    println!("wrote     {}", outcome.dir.display());
    let report = &outcome.report;
    match report.status {
        BuildStatus::Ok => Ok(()),
        BuildStatus::TimingFailed if opts.allow_timing_fail => Ok(()),
        BuildStatus::TimingFailed => Err(Error::Rejected(format!(
            "{} (try more placements with --seeds K, or pass --allow-timing-fail to accept the bitstream anyway)",
            report.problem.as_deref().unwrap_or("timing failed")
        ))
        .into()),
        BuildStatus::DoesNotFit => Err(Error::Rejected(format!(
            "the design does not fit {}: {}",
            report.part,
            report.problem.as_deref().unwrap_or("see report.json")
        ))
        .into()),
    }
}
