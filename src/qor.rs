//! `make qor`: for each part, architecture, update mode and weight width, the largest
//! N that fits, found by real `hopgen build` runs (yosys + nextpnr), with its cost,
//! Fmax and speed. Saves each search in `bench/qor/` and writes `docs/QOR.md`.
//!
//! The search doubles N from a start value until a build does not fit (or N reaches the
//! case's limit), then bisects between the last fit and the first failure down to a
//! step of 32 neurons. "Fits" means placed and routed; a missed clock target still
//! fits, and its Fmax is reported.

use crate::fpga::board::Part;
use crate::fpga::report::{BuildStatus, Report};
use crate::fpga::{self, BuildOptions, DEFAULT_BAUD};
use crate::model::{UpdateMode, DEFAULT_MAX_SWEEPS};
use crate::network::Network;
use crate::quantize::{quantize, QuantSpec};
use crate::synth::target::{estimate, needs_spram, Target, UP5K_SPRAM_WORD_BITS};
use crate::synth::{self, Arch, SynthOptions, DEFAULT_LANES};
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

/// One search: a part, an architecture and update mode, a weight width.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Case {
    #[serde(serialize_with = "part_name")]
    pub part: Part,
    pub arch: Arch,
    #[serde(serialize_with = "mode_name")]
    pub update: UpdateMode,
    pub weight_bits: u32,
    /// First N tried.
    pub start: usize,
    /// Largest N tried.
    pub limit: usize,
}

impl Case {
    /// Lanes of a folded core: 16, or fewer on the UP5K so that a word of L weights
    /// fits the SPRAM's 64 bits (8 lanes at W = 8). None for parallel cores.
    pub fn lanes(&self, n: usize) -> Option<usize> {
        if self.arch == Arch::Parallel {
            return None;
        }
        let spram = self.part.target() == Target::Ice40Up5k;
        let lanes = if spram {
            (UP5K_SPRAM_WORD_BITS / u64::from(self.weight_bits)) as usize
        } else {
            DEFAULT_LANES
        };
        Some(lanes.clamp(1, DEFAULT_LANES).min(n))
    }
}

/// A folded size whose memories exceed the part's block RAM by their bits alone (and
/// do not go to a UP5K's SPRAM) is not built: yosys takes many minutes over a memory
/// of megabits before it reports what is plain from the sizes.
fn memory_overflow(case: &Case, n: usize, acc_bits: u32) -> Option<String> {
    let lanes = case.lanes(n)?;
    let target = case.part.target();
    let res = target.resources()?;
    let cost = estimate(case.arch, case.update, n, lanes, case.weight_bits, acc_bits);
    let spram = needs_spram(target, case.update, n, lanes, case.weight_bits, acc_bits);
    (cost.bram_bits > res.bram_bits && !spram).then(|| {
        format!(
            "needs {} Kbit of block RAM (the part has {}{}); not built",
            cost.bram_bits.div_ceil(1024),
            res.bram_bits / 1024,
            if target == Target::Ice40Up5k {
                ", and the weights do not fit the SPRAM"
            } else {
                ""
            }
        )
    })
}

fn part_name<S: serde::Serializer>(p: &Part, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.name())
}

fn mode_name<S: serde::Serializer>(m: &UpdateMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(synth::mode_name(*m))
}

/// One build of the search.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub neurons: usize,
    pub fits: bool,
    pub seconds: f64,
    pub report: Option<Report>,
    /// Why it failed, when it did.
    pub problem: Option<String>,
}

/// A finished search.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub case: Case,
    pub attempts: Vec<Attempt>,
}

impl Outcome {
    /// The largest N that fitted, with its build.
    pub fn best(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .filter(|a| a.fits)
            .max_by_key(|a| a.neurons)
    }

    /// The smallest N that did not fit.
    pub fn first_failure(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .filter(|a| !a.fits)
            .min_by_key(|a| a.neurons)
    }
}

/// The cases `make qor` runs: folded cores on every part at W = 4 and 8 (the issue's
/// targets), W = 3 on the ECP5-85F, and parallel cores at small N.
pub fn default_cases() -> Vec<Case> {
    let parts = [
        Part::Up5kSg48,
        Part::Hx8kCt256,
        Part::Ecp5_25kBg381,
        Part::Ecp5_85kBg381,
    ];
    let mut cases = vec![];
    for part in parts {
        let big = part.capacity().luts > 20_000;
        for update in [UpdateMode::Sync, UpdateMode::Async] {
            for w in [4, 8] {
                cases.push(Case {
                    part,
                    arch: Arch::Folded,
                    update,
                    weight_bits: w,
                    start: 128,
                    limit: if big { 2048 } else { 1024 },
                });
            }
            cases.push(Case {
                part,
                arch: Arch::Parallel,
                update,
                weight_bits: 4,
                start: 8,
                limit: 32,
            });
        }
    }
    cases.push(Case {
        part: Part::Ecp5_85kBg381,
        arch: Arch::Folded,
        update: UpdateMode::Sync,
        weight_bits: 3,
        start: 512,
        limit: 2048,
    });
    cases
}

/// A size the issue sets a clock goal for: built as it is, its Fmax set against the
/// goal (the searches report the largest N, whose Fmax is often lower).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Goal {
    pub case: Case,
    pub neurons: usize,
    pub mhz: f64,
}

impl Goal {
    /// `bench/qor/<key>.row` of the goal's build.
    pub fn key(&self) -> String {
        format!("goal-{}-n{}", self.case.key(), self.neurons)
    }
}

/// The goals: UP5K folded sync N = 512 and async N = 256 at W = 4 and 50 MHz;
/// ECP5-85F folded sync N = 1024 at W = 3 (in block RAM) and 100 MHz.
pub fn goals() -> Vec<Goal> {
    let folded = |part, update, weight_bits| Case {
        part,
        arch: Arch::Folded,
        update,
        weight_bits,
        start: 0,
        limit: 0,
    };
    vec![
        Goal {
            case: folded(Part::Up5kSg48, UpdateMode::Sync, 4),
            neurons: 512,
            mhz: 50.0,
        },
        Goal {
            case: folded(Part::Up5kSg48, UpdateMode::Async, 4),
            neurons: 256,
            mhz: 50.0,
        },
        Goal {
            case: folded(Part::Ecp5_85kBg381, UpdateMode::Sync, 3),
            neurons: 1024,
            mhz: 100.0,
        },
    ]
}

/// The nextpnr seeds a goal's build may try (`hopgen build --seeds`): it stops at
/// the first that meets the goal.
pub const GOAL_SEEDS: u32 = 4;

/// The goals' table: its header row and separator.
const GOAL_HEAD: &str = "| part | arch | update | W | N | goal MHz | Fmax MHz | met | seeds tried (MHz) | logic cells | BRAM | SPRAM | weights in | build s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

/// One row of the goals' table for a build of the goal's size.
pub fn goal_row(goal: &Goal, a: &Attempt) -> String {
    let head = format!(
        "{}| {} | {} ",
        case_cells(&goal.case),
        goal.neurons,
        goal.mhz
    );
    let Some(r) = a.report.as_ref().filter(|_| a.fits) else {
        let why = a.problem.as_deref().unwrap_or("?").replace('|', "/");
        let why = why.lines().next().unwrap_or("").to_string();
        return format!("{head}| - | no: {why} | | | | | | |\n");
    };
    let fmax = r.timing.fmax_mhz.unwrap_or(0.0);
    format!(
        "{head}| {fmax:.1} | {} | {} | {} | {} | {} | {} | {:.0} |\n",
        if fmax >= goal.mhz { "yes" } else { "no" },
        seeds_tried(r),
        used(r, "logic cells"),
        used(r, bram_kind(&goal.case)),
        used(r, "SPRAM"),
        r.weights_in,
        r.steps.iter().map(|s| s.tool_seconds).sum::<f64>()
    )
}

/// The seeds a build tried and their Fmax, the kept one in bold: `1: 88.1, **2: 102.0**`.
fn seeds_tried(r: &Report) -> String {
    r.timing
        .seeds
        .iter()
        .map(|s| {
            let text = format!("{}: {:.1}", s.seed, s.fmax_mhz.unwrap_or(0.0));
            if Some(s.seed) == r.timing.seed {
                format!("**{text}**")
            } else {
                text
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds a goal's size and saves its row and report as `<dir>/<goal key>.*`.
pub fn run_goal(goal: &Goal, work: &Path, cache: &Path, dir: &Path) -> std::io::Result<Attempt> {
    let a = attempt(&goal.case, goal.neurons, GOAL_SEEDS, work, cache);
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(&a).map_err(std::io::Error::other)? + "\n";
    std::fs::write(dir.join(format!("{}.json", goal.key())), json)?;
    std::fs::write(dir.join(format!("{}.row", goal.key())), goal_row(goal, &a))?;
    Ok(a)
}

/// A network of N neurons whose quantised weights are uniformly random over the whole
/// W-bit range (symmetric, zero diagonal, F = 0): no memory bit is constant, so the
/// sizes do not depend on how compressible some training set's weights happen to be.
fn network(n: usize, weight_bits: u32) -> Network {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
    let half = 1i64 << (weight_bits - 1);
    let mut weights = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let w = rng.gen_range(-half..half) as f64;
            weights[i * n + j] = w;
            weights[j * n + i] = w;
        }
    }
    Network {
        name: format!("qor_n{n}"),
        n,
        shape: None,
        weights,
        thresholds: vec![0.0; n],
        patterns: vec![],
        labels: vec![],
        meta: None,
    }
}

/// Builds one N of a case under `work`.
pub fn attempt(case: &Case, n: usize, seed_tries: u32, work: &Path, cache: &Path) -> Attempt {
    let started = Instant::now();
    let failed = |problem: String| Attempt {
        neurons: n,
        fits: false,
        seconds: started.elapsed().as_secs_f64(),
        report: None,
        problem: Some(problem),
    };
    let net = network(n, case.weight_bits);
    let spec = match QuantSpec::new(case.weight_bits, Some(0)) {
        Ok(spec) => spec,
        Err(e) => return failed(e.to_string()),
    };
    let q = quantize(&net, spec);
    if let Some(problem) = memory_overflow(case, n, q.acc_bits) {
        return failed(problem);
    }
    let opts = SynthOptions {
        arch: case.arch,
        mode: case.update,
        max_sweeps: DEFAULT_MAX_SWEEPS,
        name: None,
        lanes: case.lanes(n),
        target: case.part.target(),
        pipeline: 0,
        load_weights: false,
        bank_words: None,
    };
    let core = match synth::generate(&net, &q, &opts) {
        Ok(core) => core,
        Err(e) => return failed(e.to_string()),
    };
    let build = BuildOptions {
        board: None,
        part: case.part,
        baud: DEFAULT_BAUD,
        freq_mhz: BuildOptions::default_freq_mhz(None, case.part),
        seed: 1,
        seed_tries,
        allow_timing_fail: true,
        spram: true,
        pll: None,
    };
    let dir = work.join(format!(
        "{}-{}-{}-w{}",
        case.part.name(),
        case.arch.name(),
        synth::mode_name(case.update),
        case.weight_bits
    ));
    let dir = dir.join(format!("n{n}"));
    match fpga::build(&core, &build, &dir, true, cache, &|_| {}) {
        Ok(outcome) => {
            let fits = outcome.report.status != BuildStatus::DoesNotFit;
            Attempt {
                neurons: n,
                fits,
                seconds: started.elapsed().as_secs_f64(),
                problem: outcome.report.problem.clone(),
                report: Some(outcome.report),
            }
        }
        Err(e) => failed(e.to_string()),
    }
}

/// Runs one case's search, reporting each attempt to `log`.
pub fn search(case: &Case, work: &Path, cache: &Path, log: &dyn Fn(&Attempt)) -> Outcome {
    search_with(case, &mut |n| {
        let a = attempt(case, n, 1, work, cache);
        log(&a);
        a
    })
}

/// The search itself, over any way of trying an N: double from `start` until a build
/// fails or `limit` is passed (halve instead when `start` fails), then bisect to a step
/// of 32 (4 below N = 64).
pub fn search_with(case: &Case, try_n: &mut dyn FnMut(usize) -> Attempt) -> Outcome {
    let mut attempts: Vec<Attempt> = vec![];
    let mut run = |n: usize| {
        let a = try_n(n);
        let fits = a.fits;
        attempts.push(a);
        fits
    };
    let step = if case.start >= 64 { 32 } else { 4 };
    let (mut good, mut bad) = (None, None);
    let mut n = case.start;
    while n <= case.limit {
        if run(n) {
            good = Some(n);
            n *= 2;
        } else {
            bad = Some(n);
            break;
        }
    }
    // The first size failed: halve until one fits (or the step is reached).
    while good.is_none() && n / 2 >= step {
        n /= 2;
        if run(n) {
            good = Some(n);
        } else {
            bad = Some(n);
        }
    }
    if let (Some(mut lo), Some(mut hi)) = (good, bad) {
        while hi - lo > step {
            let mid = (lo + hi) / 2 / step * step;
            if run(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
    Outcome {
        case: *case,
        attempts,
    }
}

fn used(report: &Report, prefix: &str) -> String {
    report
        .resources
        .iter()
        .find(|r| r.name.starts_with(prefix))
        .map_or("-".into(), |r| match r.available {
            Some(a) => format!("{}/{a}", r.used),
            None => r.used.to_string(),
        })
}

impl Case {
    /// A file-name key for the case (`bench/qor/<key>.json`).
    pub fn key(&self) -> String {
        format!(
            "{}-{}-{}-w{}",
            self.part.name(),
            self.arch.name(),
            synth::mode_name(self.update),
            self.weight_bits
        )
    }
}

/// The table's header row and separator.
const TABLE_HEAD: &str = "| part | arch | update | W | largest N | logic cells | LUT4 | BRAM | SPRAM | weights in | Fmax MHz | cycles/probe (max) | probes/s at Fmax (worst) | build s | first N that fails, and why |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

fn case_cells(c: &Case) -> String {
    format!(
        "| {} | {} | {} | {} ",
        c.part.name(),
        c.arch.name(),
        synth::mode_name(c.update),
        c.weight_bits
    )
}

/// One table row for a finished search.
pub fn row(o: &Outcome) -> String {
    let c = &o.case;
    let fail = o
        .first_failure()
        .map_or("none up to the limit".to_string(), |a| {
            let why = a.problem.as_deref().unwrap_or("?").replace('|', "/");
            format!("{}: {}", a.neurons, why.lines().next().unwrap_or(""))
        });
    let head = case_cells(c);
    let Some((a, r)) = o.best().and_then(|a| a.report.as_ref().map(|r| (a, r))) else {
        return format!("{head}| none | | | | | | | | | | {fail} |\n");
    };
    let bram = bram_kind(c);
    format!(
        "{head}| {} | {} | {} | {} | {} | {} | {:.1} | {} | {} | {:.0} | {fail} |\n",
        a.neurons,
        used(r, "logic cells"),
        used(r, "LUT4"),
        used(r, bram),
        used(r, "SPRAM"),
        r.weights_in,
        r.timing.fmax_mhz.unwrap_or(0.0),
        r.performance.cycles_per_probe_max,
        r.performance
            .core_probes_per_s_at_fmax
            .map_or("-".into(), crate::fpga::report::fmt_rate),
        r.steps.iter().map(|s| s.tool_seconds).sum::<f64>()
    )
}

/// The part's block RAM, as the report names it.
fn bram_kind(c: &Case) -> &'static str {
    match c.part.family() {
        fpga::board::Family::Ice40 => "EBR",
        fpga::board::Family::Ecp5 => "DP16KD",
    }
}

/// Saves a finished search as `<dir>/<key>.json` (every attempt with its report) and
/// `<dir>/<key>.row` (its table row), replacing an earlier run of the same case.
pub fn save(o: &Outcome, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(o).map_err(std::io::Error::other)? + "\n";
    std::fs::write(dir.join(format!("{}.json", o.case.key())), json)?;
    std::fs::write(dir.join(format!("{}.row", o.case.key())), row(o))
}

/// docs/QOR.md: a row for every default case, from the saved searches in `dir`
/// (cases not yet run say so).
pub fn markdown(dir: &Path, tools: &str) -> String {
    let mut out = String::from(
        "# Quality of results\n\n\
         Generated by `make qor` (src/qor.rs) from bench/qor/; do not edit.\n\n\
         For each part, architecture, update mode and weight width W: the largest N that\n\
         `hopgen build --part` places and routes, found by real yosys + nextpnr runs\n\
         (doubling, then bisection to 32 neurons; parallel cores by 4 up to N = 32).\n\
         Weights are uniformly random W-bit integers, so no memory bit is constant; folded\n\
         cores use 16 lanes (on the UP5K at W = 8, 8 lanes, so a word fits the SPRAM's\n\
         64 bits); max 100 sweeps. Part builds include the UART shell\n\
         (docs/DESIGN.md). Targets: 50 MHz on iCE40, 100 MHz on ECP5; Fmax is nextpnr's\n\
         (seed 1). probes/s is the worst case (100 sweeps, every neuron flipping) at Fmax;\n\
         typical probes converge in 2–5 sweeps. \"build s\" is the tools' time for that build\n\
         on a shared 2-core machine (for a step served from the cache, the time of the run\n\
         that filled it). `make qor ONLY=up5k` reruns the cases of one part;\n\
         the other rows keep their last run.\n\n",
    );
    let _ = writeln!(out, "Tools: {tools}.\n");
    out.push_str(&format!(
        "## Goals\n\n\
         The issue's clock goals, each built at its size (`make qor` builds them after the\n\
         searches; `hopgen-qor --goals` builds only them). Each build tries nextpnr seeds\n\
         1, 2, … up to {GOAL_SEEDS} and stops at the first that meets the goal (`hopgen build\n\
         --seeds {GOAL_SEEDS}`); every seed tried is listed, the kept one in bold.\n\n",
    ));
    out.push_str(GOAL_HEAD);
    for goal in goals() {
        match std::fs::read_to_string(dir.join(format!("{}.row", goal.key()))) {
            Ok(row) => out.push_str(&row),
            Err(_) => {
                let _ = writeln!(
                    out,
                    "{}| {} | {} | not run yet | | | | | | | |",
                    case_cells(&goal.case),
                    goal.neurons,
                    goal.mhz
                );
            }
        }
    }
    out.push_str("\n## Largest N per part\n\n");
    out.push_str(TABLE_HEAD);
    for case in default_cases() {
        let saved = std::fs::read_to_string(dir.join(format!("{}.row", case.key())));
        match saved {
            Ok(row) => out.push_str(&row),
            Err(_) => {
                let _ = writeln!(
                    out,
                    "{}| not run yet | | | | | | | | | | |",
                    case_cells(&case)
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(limit: usize) -> impl FnMut(usize) -> Attempt {
        move |n| Attempt {
            neurons: n,
            fits: n <= limit,
            seconds: 0.0,
            report: None,
            problem: (n > limit).then(|| "too big".into()),
        }
    }

    fn case(start: usize, limit: usize) -> Case {
        Case {
            part: Part::Up5kSg48,
            arch: Arch::Folded,
            update: UpdateMode::Sync,
            weight_bits: 4,
            start,
            limit,
        }
    }

    #[test]
    fn sizes_whose_memories_cannot_fit_are_not_built() {
        let up5k = case(128, 2048);
        assert_eq!(up5k.lanes(512), Some(16));
        assert!(memory_overflow(&up5k, 512, 13).is_none(), "SPRAM");
        let too_big = memory_overflow(&up5k, 1024, 14).unwrap();
        assert!(too_big.contains("do not fit the SPRAM"), "{too_big}");
        let w8 = Case {
            weight_bits: 8,
            ..case(64, 1024)
        };
        assert_eq!(w8.lanes(256), Some(8), "64-bit SPRAM words");
        assert!(memory_overflow(&w8, 256, 17).is_none());
        let hx8k = Case {
            part: Part::Hx8kCt256,
            ..case(128, 1024)
        };
        assert!(memory_overflow(&hx8k, 160, 12).is_none());
        assert!(memory_overflow(&hx8k, 256, 13).is_some());
        let parallel = Case {
            arch: Arch::Parallel,
            ..case(8, 32)
        };
        assert_eq!(parallel.lanes(32), None);
        assert!(memory_overflow(&parallel, 32, 10).is_none());
    }

    #[test]
    fn goals_have_their_own_rows() {
        let goals = goals();
        let keys: std::collections::BTreeSet<String> = goals.iter().map(Goal::key).collect();
        assert_eq!(keys.len(), goals.len());
        assert!(keys.contains("goal-ecp5-85k-cabga381-folded-sync-w3-n1024"));
        let failed = fake(100)(goals[0].neurons);
        let row = goal_row(&goals[0], &failed);
        assert!(row.contains("| 512 | 50 | - | no: too big |"), "{row}");
        let md = markdown(Path::new("/nonexistent"), "tools");
        assert!(md.contains("| 1024 | 100 | not run yet |"), "{md}");
    }

    #[test]
    fn doubles_then_bisects_to_32() {
        let o = search_with(&case(128, 2048), &mut fake(700));
        let tried: Vec<usize> = o.attempts.iter().map(|a| a.neurons).collect();
        assert_eq!(tried, [128, 256, 512, 1024, 768, 640, 704, 672]);
        assert_eq!(o.best().unwrap().neurons, 672);
        assert_eq!(o.first_failure().unwrap().neurons, 704);
    }

    #[test]
    fn stops_at_the_limit_or_the_first_failure() {
        let o = search_with(&case(128, 512), &mut fake(10_000));
        assert_eq!(o.attempts.len(), 3);
        assert!(o.first_failure().is_none());
        let o = search_with(&case(128, 512), &mut fake(100));
        let tried: Vec<usize> = o.attempts.iter().map(|a| a.neurons).collect();
        assert_eq!(tried, [128, 64, 96]);
        assert_eq!(o.best().unwrap().neurons, 96);
        let o = search_with(&case(128, 512), &mut fake(10));
        assert_eq!(o.attempts.len(), 3);
        assert!(o.best().is_none());
    }
}
