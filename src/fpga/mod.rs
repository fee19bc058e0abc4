//! `hopgen build`: a generated core → board top → yosys → nextpnr → packer →
//! bitstream and `report.json`, in a build directory written atomically.
//!
//! `board` holds the board and part table, `constraints` the pin files, `top` the
//! generated board top, `flow` the tool steps and their cache, `report` what the tools
//! said, and `loader` the commands that program a board.

pub mod board;
pub mod constraints;
pub mod flow;
pub mod loader;
pub mod pll;
pub mod report;
pub mod top;

use crate::error::Error;
use crate::synth::outdir::{commit_output_dir, stage_output_dir, OutputFiles};
use crate::synth::{library, Generated};
use board::{Board, Family, Part, PART_PINS};
use flow::{names, MemoryMapping, Step, StepFailure, StepRun};
use report::{BuildStatus, CellCounts, PnrReport, Report};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Default UART speed of board tops.
pub const DEFAULT_BAUD: u32 = 115_200;

/// What to build for.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The board, or None for a part-only build (pins left to the placer).
    pub board: Option<&'static Board>,
    pub part: Part,
    pub baud: u32,
    /// nextpnr's target clock in MHz.
    pub freq_mhz: f64,
    /// nextpnr's first placement seed.
    pub seed: u32,
    /// How many seeds to try (`seed`, `seed + 1`, …): place and route stops at the
    /// first that meets the target, or keeps the fastest (at least 1).
    pub seed_tries: u32,
    /// Report a missed clock target but still exit 0.
    pub allow_timing_fail: bool,
    /// Map suitable memories to SPRAM (iCE40 UP5K).
    pub spram: bool,
    /// The PLL that makes the core clock from the board clock, when they differ.
    pub pll: Option<pll::Pll>,
}

impl BuildOptions {
    /// The clock the core runs at: the PLL's output, the board's oscillator, or the
    /// target frequency of a part-only build.
    pub fn clock_hz(&self) -> u64 {
        match (&self.pll, self.board) {
            (Some(pll), _) => pll.achieved_hz,
            (None, Some(b)) => b.clock_hz,
            (None, None) => (self.freq_mhz * 1e6).round() as u64,
        }
    }

    /// The default target frequency: the board clock, or for a part-only build the
    /// family's goal from docs/QOR.md (50 MHz iCE40, 100 MHz ECP5).
    pub fn default_freq_mhz(board: Option<&Board>, part: Part) -> f64 {
        match (board, part.family()) {
            (Some(b), _) => b.clock_hz as f64 / 1e6,
            (None, Family::Ice40) => 50.0,
            (None, Family::Ecp5) => 100.0,
        }
    }

    fn bitstream_name(&self, top: &str) -> String {
        match self.part.family() {
            Family::Ice40 => format!("{top}.bin"),
            Family::Ecp5 => format!("{top}.bit"),
        }
    }
}

/// A finished build (fits or not): where it is and what it measured.
#[derive(Debug)]
pub struct BuildOutcome {
    pub dir: PathBuf,
    pub report: Report,
}

/// Checks the UART can run at `baud` from `clock_hz` within 2 %.
pub fn check_baud(clock_hz: u64, baud: u32) -> Result<(), Error> {
    if baud == 0 || clock_hz / u64::from(baud) < 8 {
        return Err(Error::option(
            format!("--baud {baud} is too fast for a {clock_hz} Hz clock"),
            "choose at most clock/8 (115200 is the default)",
        ));
    }
    let clks = (clock_hz + u64::from(baud) / 2) / u64::from(baud);
    let actual = clock_hz as f64 / clks as f64;
    let error = (actual - f64::from(baud)).abs() / f64::from(baud);
    if error > 0.02 {
        return Err(Error::option(
            format!(
                "--baud {baud} from {clock_hz} Hz is off by {:.1} % ({clks} clocks per bit)",
                error * 100.0
            ),
            "choose a baud rate the clock divides within 2 %, e.g. 115200 or 9600",
        ));
    }
    Ok(())
}

/// What a build directory was made for (`build.json`), read by `hopgen run --sim`.
pub const BUILD_FILE: &str = "build.json";

/// `build.json`: board, part, clock and UART speed of the board top.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BuildDescription {
    pub format: String,
    pub board: Option<String>,
    pub part: String,
    pub clock_hz: u64,
    pub baud: u32,
}

pub const BUILD_FORMAT: &str = "hopgen-build/1";

fn build_description(opts: &BuildOptions) -> String {
    let d = BuildDescription {
        format: BUILD_FORMAT.into(),
        board: opts.board.map(|b| b.name.to_string()),
        part: opts.part.name().into(),
        clock_hz: opts.clock_hz(),
        baud: opts.baud,
    };
    serde_json::to_string_pretty(&d).expect("serialises") + "\n"
}

/// The Verilog sources of a board top, in compile order: the board library, the PLL
/// (`pll_file`: the real one, its simulation stand-in, or none), the core's sources,
/// the board top.
pub fn top_sources(core_sources: &[String], pll_file: Option<&str>) -> Vec<String> {
    let mut sources: Vec<String> = library::BOARD_LIBRARY
        .iter()
        .map(|lib| lib.file.to_string())
        .collect();
    sources.extend(pll_file.map(str::to_string));
    sources.extend(core_sources.iter().cloned());
    sources.push(top::TOP_FILE.into());
    sources
}

/// Sources for simulating a build directory's board top: the PLL, if any, replaced by
/// its stand-in.
pub fn sim_sources(dir: &Path, core_sources: &[String]) -> Vec<String> {
    let pll = dir
        .join(pll::PLL_SIM_FILE)
        .exists()
        .then_some(pll::PLL_SIM_FILE);
    top_sources(core_sources, pll)
}

/// The source files of a build: the core's files, the board library, the board top,
/// the constraint file and the yosys script. Returns them with the Verilog compile order.
pub fn build_files(core: &Generated, opts: &BuildOptions) -> (OutputFiles, Vec<String>) {
    let mut files = core.files.clone();
    let sources = top_sources(
        &core.manifest.sources,
        opts.pll.as_ref().map(|_| pll::PLL_FILE),
    );
    for lib in library::BOARD_LIBRARY {
        files.insert(lib.file.into(), lib.text.as_bytes().to_vec());
    }
    if let Some(p) = &opts.pll {
        files.insert(pll::PLL_FILE.into(), p.text.as_bytes().to_vec());
        files.insert(
            pll::PLL_SIM_FILE.into(),
            pll::sim_model(opts.part.family()).into_bytes(),
        );
    }
    let (pins, title) = match opts.board {
        Some(b) => (b.pins, b.title.to_string()),
        None => (
            PART_PINS,
            format!("part {} (pins placed freely)", opts.part.name()),
        ),
    };
    let cfg = top::TopConfig {
        pins,
        clock_hz: opts.clock_hz(),
        baud: opts.baud,
        title,
        pll: opts.pll.as_ref().map(|p| p.ports),
    };
    let module = top::board_top(&core.manifest, &cfg);
    let text = crate::verilog::print_file(&crate::verilog::File {
        header: vec![format!(
            "{} - generated by hopgen {}; do not edit.",
            top::TOP_FILE,
            env!("CARGO_PKG_VERSION")
        )],
        modules: vec![module],
    });
    files.insert(top::TOP_FILE.into(), text.into_bytes());
    if let Some(b) = opts.board {
        files.insert(
            b.constraints.into(),
            constraints::constraints_text(b).into_bytes(),
        );
    }
    files.insert(BUILD_FILE.into(), build_description(opts).into_bytes());
    let script = flow::yosys_script(
        &sources,
        top::TOP_MODULE,
        opts.part,
        MemoryMapping {
            spram: opts.spram && opts.part.family() == board::Family::Ice40,
            weights_in_spram: core
                .manifest
                .weight_port
                .as_ref()
                .filter(|_| opts.part == board::Part::Up5kSg48)
                .map(|_| core.manifest.top.clone()),
        },
    );
    files.insert(names::YOSYS_SCRIPT.into(), script.into_bytes());
    (files, sources)
}

/// Runs the whole flow into `dir`. A build that does not fit or misses timing still
/// writes its directory and report; the caller turns its status into an exit code.
pub fn build(
    core: &Generated,
    opts: &BuildOptions,
    dir: &Path,
    force: bool,
    cache: &Path,
    progress: &dyn Fn(&str),
) -> Result<BuildOutcome, Error> {
    check_baud(opts.clock_hz(), opts.baud)?;
    let (files, sources) = build_files(core, opts);
    let tmp = stage_output_dir(dir, &files, force)?;
    let result = run_flow(core, opts, &sources, &tmp, cache, progress);
    match result {
        Ok(report) => {
            let text = report.to_json();
            std::fs::write(tmp.join(report::REPORT_FILE), text).map_err(|e| Error::Output {
                path: tmp.join(report::REPORT_FILE).display().to_string(),
                source: e,
            })?;
            commit_output_dir(&tmp, dir)?;
            Ok(BuildOutcome {
                dir: dir.to_path_buf(),
                report,
            })
        }
        Err(failure) => Err(keep_failed(&tmp, dir, failure)),
    }
}

/// A tool failed: the staged directory is kept as `<dir>.failed` for its logs.
fn keep_failed(tmp: &Path, dir: &Path, failure: StepFailure) -> Error {
    let failed = dir.with_file_name(format!(
        "{}.failed",
        dir.file_name()
            .map_or("build".into(), |n| n.to_string_lossy())
    ));
    let _ = std::fs::remove_dir_all(&failed);
    let kept = std::fs::rename(tmp, &failed).is_ok();
    if !kept {
        let _ = std::fs::remove_dir_all(tmp);
    }
    let mut message = format!("build step {} failed: {}", failure.step, failure.error);
    if kept {
        message.push_str(&format!(
            "\nthe build's files and logs are in {}",
            failed.display()
        ));
    }
    Error::Tool(message)
}

fn read(dir: &Path, file: &str) -> Result<String, StepFailure> {
    std::fs::read_to_string(dir.join(file))
        .map_err(|e| own_failure(format!("read {file}"), e.to_string()))
}

fn parse_failure(file: &str, problem: String) -> StepFailure {
    own_failure(format!("parse {file}"), problem)
}

/// A failure of hopgen's own work between the tools (reading, parsing, copying their
/// files): `command` says what it was doing.
fn own_failure(command: String, problem: String) -> StepFailure {
    StepFailure {
        step: "report",
        error: crate::tools::ToolError {
            tool: "hopgen",
            command,
            status: None,
            stdout: String::new(),
            stderr: problem,
        },
        seconds: 0.0,
    }
}

fn run_flow(
    core: &Generated,
    opts: &BuildOptions,
    sources: &[String],
    dir: &Path,
    cache: &Path,
    progress: &dyn Fn(&str),
) -> Result<Report, StepFailure> {
    let mut steps = vec![];
    progress("synthesis (yosys)");
    steps.push(flow::run_step(&flow::yosys_step(sources), dir, cache)?);
    let cells =
        CellCounts::parse(&read(dir, names::STAT)?).map_err(|e| parse_failure(names::STAT, e))?;
    let does_not_fit = |steps, problem| {
        Ok(make_report(
            core,
            opts,
            &cells,
            None,
            steps,
            None,
            Some(problem),
        ))
    };
    let pre = report::resources(opts.part, &cells, None);
    if let Some(problem) = report::over_capacity(&pre) {
        return does_not_fit(steps, problem);
    }
    let placed = match place_and_route(opts, dir, cache, progress, &mut steps)? {
        Placement::Placed(placed) => placed,
        Placement::DoesNotFit(problem) => return does_not_fit(steps, problem),
    };
    progress("bitstream");
    let bitstream = opts.bitstream_name(&core.manifest.top);
    steps.push(flow::run_step(
        &flow::pack_step(opts.part, &bitstream),
        dir,
        cache,
    )?);
    Ok(make_report(
        core,
        opts,
        &cells,
        Some(&placed),
        steps,
        Some(bitstream),
        None,
    ))
}

/// What place and route gave: a placement (the kept seed's files are in the build
/// directory), or the reason the design does not fit.
enum Placement {
    Placed(Placed),
    DoesNotFit(String),
}

/// The kept placement: nextpnr's report, its seed, and every seed tried.
struct Placed {
    pnr: PnrReport,
    seed: u32,
    tries: Vec<report::SeedTry>,
}

/// Runs nextpnr with seeds `opts.seed`, `opts.seed + 1`, … until one meets the target
/// or `opts.seed_tries` have run, and leaves the fastest placement in `dir` (a seed
/// run again to restore its files comes from the step cache). With more than one try,
/// each seed's log is kept as `nextpnr-seed<S>.log`.
fn place_and_route(
    opts: &BuildOptions,
    dir: &Path,
    cache: &Path,
    progress: &dyn Fn(&str),
    steps: &mut Vec<StepRun>,
) -> Result<Placement, StepFailure> {
    let tries = opts.seed_tries.max(1);
    let mut placed: Vec<(u32, PnrReport)> = vec![];
    for seed in (opts.seed..).take(tries as usize) {
        progress(&if tries > 1 {
            format!("place and route (nextpnr, seed {seed})")
        } else {
            "place and route (nextpnr)".into()
        });
        let pnr = match run_nextpnr(opts, seed, dir, cache, steps)? {
            Ok(pnr) => pnr,
            Err(problem) => return Ok(Placement::DoesNotFit(problem)),
        };
        if tries > 1 {
            keep_seed_log(dir, seed, steps)?;
        }
        let met = pnr.fmax_mhz.is_some_and(|f| f >= opts.freq_mhz);
        placed.push((seed, pnr));
        if met {
            break;
        }
    }
    let best = fastest(&placed);
    let seed = placed[best].0;
    if best + 1 != placed.len() {
        progress(&format!("restoring the placement of seed {seed}"));
        let _ = run_nextpnr(opts, seed, dir, cache, steps)?;
        // Served from the cache, the rerun cost nothing and its time is already counted.
        if steps.last().is_some_and(|run| run.cached) {
            steps.pop();
        }
    }
    let tries = placed
        .iter()
        .map(|(seed, pnr)| report::SeedTry {
            seed: *seed,
            fmax_mhz: pnr.fmax_mhz,
        })
        .collect();
    Ok(Placement::Placed(Placed {
        pnr: placed.swap_remove(best).1,
        seed,
        tries,
    }))
}

/// The index of the fastest placement (the earliest of equals).
fn fastest(placed: &[(u32, PnrReport)]) -> usize {
    let fmax = |i: usize| placed[i].1.fmax_mhz.unwrap_or(0.0);
    (0..placed.len())
        .reduce(|best, i| if fmax(i) > fmax(best) { i } else { best })
        .expect("at least one seed ran")
}

/// One nextpnr run with `seed`, its step recorded in `steps`: its report, or (inner
/// error) why the design does not fit the part.
fn run_nextpnr(
    opts: &BuildOptions,
    seed: u32,
    dir: &Path,
    cache: &Path,
    steps: &mut Vec<StepRun>,
) -> Result<Result<PnrReport, String>, StepFailure> {
    let constraints = opts.board.map(|b| b.constraints);
    let step = flow::nextpnr_step(opts.part, constraints, opts.freq_mhz, seed);
    match flow::run_step(&step, dir, cache) {
        Ok(run) => steps.push(run),
        Err(failure) => {
            let log = std::fs::read_to_string(dir.join(step.log_file())).unwrap_or_default();
            let Some(line) = flow::does_not_fit_line(&log) else {
                return Err(failure);
            };
            steps.push(failed_run(&step, &failure));
            return Ok(Err(format!(
                "nextpnr could not place the design on {}: {line}",
                opts.part.name(),
            )));
        }
    }
    let pnr = PnrReport::parse(&read(dir, names::PNR_REPORT)?)
        .map_err(|e| parse_failure(names::PNR_REPORT, e))?;
    Ok(Ok(pnr))
}

/// Copies the last nextpnr run's log to `nextpnr-seed<S>.log` and points its step at it.
fn keep_seed_log(dir: &Path, seed: u32, steps: &mut [StepRun]) -> Result<(), StepFailure> {
    let Some(run) = steps.last_mut() else {
        return Ok(());
    };
    let kept = format!("nextpnr-seed{seed}.log");
    std::fs::copy(dir.join(&run.log), dir.join(&kept))
        .map_err(|e| own_failure(format!("copy {} to {kept}", run.log), e.to_string()))?;
    run.log = kept;
    run.note = Some(format!("seed {seed}"));
    Ok(())
}

fn failed_run(step: &Step, failure: &StepFailure) -> StepRun {
    StepRun {
        step: step.name,
        tool: flow::tool_version(&step.tool),
        seconds: failure.seconds,
        cached: false,
        tool_seconds: failure.seconds,
        log: step.log_file(),
        note: None,
    }
}

fn make_report(
    core: &Generated,
    opts: &BuildOptions,
    cells: &CellCounts,
    placed: Option<&Placed>,
    steps: Vec<StepRun>,
    bitstream: Option<String>,
    problem: Option<String>,
) -> Report {
    let m = &core.manifest;
    let pnr = placed.map(|p| &p.pnr);
    let fmax = pnr.and_then(|p| p.fmax_mhz);
    let met = fmax.map(|f| f >= opts.freq_mhz);
    let status = match (&problem, met) {
        (Some(_), _) => BuildStatus::DoesNotFit,
        (None, Some(false)) => BuildStatus::TimingFailed,
        _ => BuildStatus::Ok,
    };
    let problem = problem.or_else(|| {
        (status == BuildStatus::TimingFailed).then(|| {
            let tried = placed.map_or(0, |p| p.tries.len());
            let best_of = if tried > 1 {
                format!(" (the best of {tried} nextpnr seeds)")
            } else {
                String::new()
            };
            format!(
                "Fmax {:.1} MHz is below the {:.1} MHz target{best_of}",
                fmax.unwrap_or(0.0),
                opts.freq_mhz
            )
        })
    });
    let tools: BTreeMap<String, String> = flow::family_tools(opts.part.family())
        .iter()
        .map(|t| (t.name.to_string(), flow::tool_version(t)))
        .collect();
    Report {
        format: report::REPORT_FORMAT,
        generator: format!("hopgen {}", env!("CARGO_PKG_VERSION")),
        status,
        problem,
        board: opts.board.map(|b| b.name.to_string()),
        part: opts.part.name().into(),
        family: opts.part.family(),
        design: report::DesignSummary {
            name: m.name.clone(),
            top: m.top.clone(),
            neurons: m.neurons,
            weight_bits: m.weight_bits,
            frac_bits: m.frac_bits,
            arch: m.arch.into(),
            update: m.update.into(),
            lanes: m.lanes,
            max_sweeps: m.max_sweeps,
            design_id: format!("{:08x}", top::design_id(m)),
        },
        resources: report::resources(opts.part, cells, pnr),
        weights_in: cells.weights_in(opts.part.family()),
        timing: report::TimingSummary {
            target_mhz: opts.freq_mhz,
            core_clock_hz: opts.clock_hz(),
            pll_requested_mhz: opts.pll.as_ref().map(|p| p.requested_mhz),
            fmax_mhz: fmax,
            met,
            seed: placed.map(|p| p.seed),
            seeds: placed.map_or(vec![], |p| p.tries.clone()),
        },
        performance: report::Performance {
            cycles_per_sweep: m.cycles_per_sweep,
            cycles_per_probe_max: m.cycles_per_probe_max,
            core_probes_per_s_at_fmax: fmax
                .map(|f| report::per_second(f * 1e6, m.cycles_per_probe_max)),
            core_probes_per_s_at_target: report::per_second(
                opts.clock_hz() as f64,
                m.cycles_per_probe_max,
            ),
            uart_baud: opts.baud,
            uart_probes_per_s: report::uart_probes_per_s(opts.baud, m.neurons),
        },
        tools,
        steps,
        bitstream,
    }
}
