//! `hopgen run`: send probes to a board programmed by `hopgen build`, over its serial
//! port and hopgen's UART protocol, print the results (as pictures for square-ish N),
//! and with `--build` check each one against the bit-exact model.

use super::ProbeOpts;
use crate::error::Error;
use crate::fpga::board::{board_names, find_board, Board, PART_PINS};
use crate::fpga::top::design_id_of;
use crate::fpga::DEFAULT_BAUD;
use crate::model::{FixedModel, RunConfig};
use crate::protocol::{DeviceInfo, Link};
use crate::render::{drawing_shape, side_by_side};
use crate::sim::uart::{SimBoard, SimUart};
use crate::state::State;
use crate::synth::manifest::CoreModel;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Serial port of the board (default: the board's usual port).
    #[arg(long)]
    pub port: Option<String>,
    /// The board (sets the default port).
    #[arg(long)]
    pub board: Option<String>,
    #[arg(long, default_value_t = DEFAULT_BAUD)]
    pub baud: u32,
    /// The build directory the board was programmed from: checks the design id and
    /// every result against the bit-exact model.
    #[arg(long)]
    pub build: Option<PathBuf>,
    /// The weights file, for noisy copies of its stored patterns as probes.
    #[arg(long)]
    pub weights: Option<PathBuf>,
    #[command(flatten)]
    pub probes: ProbeOpts,
    /// Draw this many probes and results as pictures (square-ish N).
    #[arg(long, default_value_t = 2)]
    pub show: usize,
    /// Seconds to wait for each reply.
    #[arg(long, default_value_t = 2.0)]
    pub timeout: f64,
    /// Talk to the --build directory's board top simulated in Verilator (UART at the
    /// bit level, 8 clocks per bit) instead of a board.
    #[arg(long, requires = "build", conflicts_with = "port")]
    pub sim: bool,
    /// Write the weights again even when the board says they are loaded (cores whose
    /// weights are written at run time, such as a UP5K's SPRAM).
    #[arg(long, requires = "build")]
    pub reload_weights: bool,
}

fn port_name(args: &RunArgs) -> Result<String, Error> {
    if let Some(port) = &args.port {
        return Ok(port.clone());
    }
    let name = args.board.as_deref().ok_or_else(|| {
        Error::option(
            "no --port",
            "pass --port /dev/ttyUSB1 (or --board to use its usual port)",
        )
    })?;
    find_board(name)
        .map(|b| b.default_port.to_string())
        .ok_or_else(|| {
            Error::option(
                format!("unknown board {name:?}"),
                format!("choose one of {}", board_names()),
            )
        })
}

/// The probes: --probe FILE, else noisy stored patterns of --weights, else random.
fn probes(args: &RunArgs, n: usize) -> Result<Vec<State>, Error> {
    if let Some(path) = &args.probes.probe {
        let set = super::load_pattern_set(path)?;
        return Ok(set.patterns);
    }
    if let Some(path) = &args.weights {
        let net = super::InputOpts {
            allow_asymmetric: true,
            zero_diagonal: true,
        }
        .load_network(path)?;
        if net.n != n {
            return Err(Error::option(
                format!(
                    "{} has N = {} but the board runs N = {n}",
                    path.display(),
                    net.n
                ),
                "give the weights file the board was built from",
            ));
        }
        return Ok(super::hardware_probes(&net, &args.probes)?.0);
    }
    Ok(super::random::random_patterns(
        n,
        args.probes.trials,
        args.probes.seed,
    ))
}

/// The build's manifest (`--build`), after checking it is the design the board runs.
fn checked_build(args: &RunArgs, info: &DeviceInfo) -> Result<Option<CoreModel>, Error> {
    let Some(dir) = &args.build else {
        return Ok(None);
    };
    let path = dir.join(crate::synth::manifest::MANIFEST_FILE);
    let core = CoreModel::read(&path)?;
    let bytes = std::fs::read(&path).unwrap_or_default();
    let id = design_id_of(&bytes);
    if id != info.design_id {
        return Err(Error::Device(format!(
            "the board runs design {:08x}, but {} is design {id:08x}\n  hint: flash this build with `hopgen flash {}`",
            info.design_id,
            dir.display(),
            dir.display()
        )));
    }
    Ok(Some(core))
}

/// The bit-exact model of a build, to check the board's results against.
fn model_of(core: &CoreModel) -> Result<(FixedModel, RunConfig), Error> {
    let cfg = RunConfig::new(core.mode(), core.max_sweeps)?;
    Ok((FixedModel::new(&core.quant_network()), cfg))
}

/// Cores whose weights are written at run time: uploads the build's weight words when
/// the board says they are not loaded (or `--reload-weights`), then checks INFO again.
fn ensure_weights<R: std::io::Read, W: std::io::Write>(
    args: &RunArgs,
    build: Option<&CoreModel>,
    link: &mut Link<R, W>,
    info: &DeviceInfo,
    port: &str,
) -> Result<(), Error> {
    if !info.loadable || (info.loaded && !args.reload_weights) {
        return Ok(());
    }
    let (Some(dir), Some(core)) = (&args.build, build) else {
        return Err(Error::Device(format!(
            "{port}: the board's weights are written at run time and are not loaded yet\n  hint: give --build DIR (the build it was flashed from) so hopgen run can load them"
        )));
    };
    let Some(weights) = &core.weight_port else {
        return Err(Error::Device(format!(
            "{port}: the board takes its weights at run time, but {} has no weight port",
            dir.join(crate::synth::manifest::MANIFEST_FILE).display()
        )));
    };
    let path = dir.join(&weights.file);
    let word_bytes = (weights.word_bits as usize).div_ceil(8);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Device(format!(
            "cannot read the weight words {}: {e}",
            path.display()
        ))
    })?;
    let words = crate::protocol::memory_words(&text, word_bytes)
        .map_err(|e| Error::Device(format!("{}: {e}", path.display())))?;
    if words.len() != weights.words {
        return Err(Error::Device(format!(
            "{} has {} words; the manifest says {}",
            path.display(),
            words.len(),
            weights.words
        )));
    }
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(words.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "loading weights {bar:30} {pos}/{len} words [{elapsed}, {eta} left]",
        )
        .expect("valid template"),
    );
    let device = |e: crate::protocol::LinkError| Error::Device(format!("{port}: {e}"));
    link.load_weights(&words, word_bytes, &|done| bar.set_position(done as u64))
        .map_err(device)?;
    bar.finish_and_clear();
    let after = link.info().map_err(device)?;
    if !after.loaded {
        return Err(Error::Device(format!(
            "{port}: every WEIGHTS frame was acknowledged, but INFO still says the weights are not loaded"
        )));
    }
    println!(
        "loaded {} weight words ({} bytes) in {:.1} s",
        words.len(),
        words.len() * word_bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn describe(info: &DeviceInfo) -> String {
    format!(
        "device    N = {}, W = {}, {} {}, max {} sweeps, design {:08x}, clock {:.1} MHz",
        info.neurons,
        info.weight_bits,
        if info.folded { "folded" } else { "parallel" },
        if info.async_update { "async" } else { "sync" },
        info.max_sweeps,
        info.design_id,
        f64::from(info.clock_hz) / 1e6
    )
}

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let timeout = Duration::from_secs_f64(args.timeout.max(0.01));
    if args.sim {
        let mut board = start_sim(args, timeout)?;
        return session(args, &mut board.link, "simulated board");
    }
    let port = port_name(args)?;
    let (reader, writer) = crate::serial::open(&port, args.baud)?;
    let mut link = Link::new(reader, writer, timeout);
    session(args, &mut link, &port)
}

/// The board the build was made for: --board, else the build's `build.json`, else
/// none (a part-only build).
fn build_board(args: &RunArgs, dir: &std::path::Path) -> Result<Option<&'static Board>, Error> {
    let recorded = std::fs::read_to_string(dir.join(crate::fpga::BUILD_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<crate::fpga::BuildDescription>(&t).ok())
        .and_then(|d| d.board);
    match args.board.clone().or(recorded) {
        None => Ok(None),
        Some(name) => find_board(&name).map(Some).ok_or_else(|| {
            Error::option(
                format!("unknown board {name:?}"),
                format!("choose one of {}", board_names()),
            )
        }),
    }
}

/// Builds the build directory's board top in Verilator and starts it.
fn start_sim(args: &RunArgs, timeout: Duration) -> Result<SimBoard, Error> {
    let dir = args
        .build
        .as_ref()
        .expect("clap requires --build with --sim");
    let core = CoreModel::read(&dir.join(crate::synth::manifest::MANIFEST_FILE))?;
    let pins = build_board(args, dir)?.map_or(PART_PINS, |b| b.pins);
    let sources = crate::fpga::sim_sources(dir, &core.sources);
    let uart = SimUart::default();
    let bar = super::spinner("building the board top with Verilator");
    let built = crate::sim::uart::build(
        dir,
        &sources,
        pins,
        uart,
        &crate::sim::verilator::cache_root(),
    );
    bar.finish_and_clear();
    let built = built.map_err(Error::from)?;
    let idle = core.cycles_per_probe_max + 4 * uart.timeout;
    SimBoard::start(&built, dir, uart, idle, timeout).map_err(Error::from)
}

/// INFO, then every probe: printed, drawn, and checked against the model when the
/// build is known.
fn session<R: std::io::Read, W: std::io::Write>(
    args: &RunArgs,
    link: &mut Link<R, W>,
    port: &str,
) -> anyhow::Result<()> {
    let device = |e: crate::protocol::LinkError| Error::Device(format!("{port}: {e}"));
    let info = link.info().map_err(device)?;
    println!("{}", describe(&info));
    let build = checked_build(args, &info)?;
    let model = build.as_ref().map(model_of).transpose()?;
    ensure_weights(args, build.as_ref(), link, &info, port)?;
    // The manifest's weight matrix is no longer needed once the model holds it.
    drop(build);
    let probes = probes(args, info.neurons)?;
    let shape = drawing_shape(info.neurons, None);
    let mut mismatches = 0;
    for (k, probe) in probes.iter().enumerate() {
        if probe.len() != info.neurons {
            return Err(Error::option(
                format!(
                    "probe {k} has {} neurons; the board runs N = {}",
                    probe.len(),
                    info.neurons
                ),
                "give probes of the board's size",
            )
            .into());
        }
        let got = link.recall(probe).map_err(device)?;
        let verdict = match &model {
            Some((m, cfg)) => {
                let want = m.run(probe, cfg);
                let same = want.state == got.state
                    && want.sweeps == got.sweeps
                    && want.status == got.status;
                mismatches += usize::from(!same);
                if same {
                    "  = model"
                } else {
                    "  ≠ MODEL"
                }
            }
            None => "",
        };
        println!(
            "probe {k:>4}: {} after {} sweeps  {}{verdict}",
            got.status.name(),
            got.sweeps,
            got.state.to_hex()
        );
        if let Some(shape) = shape.filter(|_| k < args.show) {
            print!(
                "{}",
                side_by_side(
                    &[("probe".into(), probe), ("board".into(), &got.state)],
                    shape
                )
            );
        }
    }
    if mismatches > 0 {
        return Err(Error::Mismatch(format!(
            "{mismatches} of {} board results differ from the model",
            probes.len()
        ))
        .into());
    }
    if model.is_some() {
        println!("board and model agree on all {} probes", probes.len());
    }
    Ok(())
}
