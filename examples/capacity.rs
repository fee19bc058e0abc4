//! Storage capacity of each learning rule (hebbian, storkey, pinv) at N = 256,
//! measured with hopgen's own learning rules, quantiser and models.
//!
//! For every load P in a fixed grid and several independent sets of random ±1
//! patterns per P (fixed seeds, the same sets for every rule), it measures
//!
//! - the fraction of stored patterns that are fixed points (one async sweep
//!   changes nothing) of the f64 model and of the bit-exact model at W = 8 with
//!   F chosen automatically, and
//! - the exact-recall rate from noisy probes: each probe is a stored pattern with
//!   round(0.1 · N) = 26 distinct neurons flipped, run with async updates for at
//!   most 100 sweeps; a probe counts when the final state equals its pattern.
//!   Every pattern of a set is probed equally often (about 100 probes per set).
//!
//! It prints one table row per (rule, P) and then, per rule, the largest load
//! at which exact recall is still ≥ 0.95 and the largest P at which every stored
//! pattern is still a fixed point of the f64 model.
//!
//! Run: `cargo run --release --example capacity` (full grid, 10 sets per P,
//! about 10 s in release mode) or `cargo run --release --example capacity --
//! --quick` (fewer P values, sets and probes). `--sets K` overrides the number of
//! pattern sets per P; with few sets the results near the capacity edge vary
//! from set to set by several percent.

use anyhow::{bail, Result};
use hopgen::cmd::random::random_patterns;
use hopgen::learn::{weights_for, Rule};
use hopgen::model::{NaiveModel, RunConfig, UpdateMode};
use hopgen::network::Network;
use hopgen::quantize::{quantize, QuantSpec};
use hopgen::recall::{self, flips_for, ProbeSource};
use std::io::Write;
use std::time::Instant;

const N: usize = 256;
const NOISE: f64 = 0.1;
const MAX_SWEEPS: u32 = 100;
const WEIGHT_BITS: u32 = 8;
/// Exact-recall rate that counts as "still recalls".
const RECALL_TARGET: f64 = 0.95;
const RULES: [Rule; 3] = [Rule::Hebbian, Rule::Storkey, Rule::Pinv];

const FULL_LOADS: [usize; 16] = [
    4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 80, 96, 128,
];
const QUICK_LOADS: [usize; 7] = [8, 16, 24, 32, 48, 64, 96];

struct Settings {
    loads: &'static [usize],
    /// Independent random pattern sets per P.
    sets: u64,
    /// Approximate probes per set (rounded up to a multiple of P).
    probes: usize,
}

/// Totals over all pattern sets of one (rule, P).
#[derive(Default)]
struct Row {
    p: usize,
    stored: usize,
    fixed_points_float: usize,
    fixed_points_w8: usize,
    probes: usize,
    recalled_float: usize,
    recalled_w8: usize,
    frac_bits: Vec<i32>,
}

impl Row {
    fn load(&self) -> f64 {
        self.p as f64 / N as f64
    }
    fn fp_float(&self) -> f64 {
        self.fixed_points_float as f64 / self.stored as f64
    }
    fn fp_w8(&self) -> f64 {
        self.fixed_points_w8 as f64 / self.stored as f64
    }
    fn recall_float(&self) -> f64 {
        self.recalled_float as f64 / self.probes as f64
    }
    fn recall_w8(&self) -> f64 {
        self.recalled_w8 as f64 / self.probes as f64
    }
}

/// Seeds are fixed functions of (P, set), so every rule sees the same patterns and probes.
fn pattern_seed(p: usize, set: u64) -> u64 {
    1_000_000 + 1_000 * p as u64 + set
}

fn probe_seed(p: usize, set: u64) -> u64 {
    2_000_000 + 1_000 * p as u64 + set
}

fn measure(rule: Rule, p: usize, settings: &Settings) -> Result<Row> {
    let cfg = RunConfig::new(UpdateMode::Async, MAX_SWEEPS)?;
    let spec = QuantSpec::new(WEIGHT_BITS, None)?;
    // Every pattern probed equally often: the smallest multiple of P ≥ the target.
    let trials = settings.probes.div_ceil(p) * p;
    let mut row = Row {
        p,
        ..Row::default()
    };
    for set in 0..settings.sets {
        let patterns = random_patterns(N, p, pattern_seed(p, set));
        let signs: Vec<Vec<i8>> = patterns.iter().map(|s| s.to_signs()).collect();
        let net = Network {
            name: format!("{}-p{p}-set{set}", rule.name()),
            n: N,
            shape: None,
            weights: weights_for(rule, N, &signs),
            thresholds: vec![0.0; N],
            patterns,
            labels: vec![],
            meta: None,
        };
        let q = quantize(&net, spec);
        let float = NaiveModel::from_network(&net);
        let source = ProbeSource::Noisy {
            noise: NOISE,
            trials,
            seed: probe_seed(p, set),
        };
        let probes = recall::make_probes(&net, &source)?;
        let results = recall::run_trials(&q, Some(&float), probes, &cfg, &|| {});
        let (w8, float_summary, _) = recall::summarize_both(&net.patterns, &results);
        let Some(float_summary) = float_summary else {
            bail!("run_trials returned no float outcomes");
        };

        row.stored += p;
        row.fixed_points_float += recall::fixed_points_float(&net);
        row.fixed_points_w8 += recall::fixed_points_fixed(&q, &net.patterns);
        row.probes += w8.probes;
        row.recalled_w8 += w8.exact_recalls.unwrap_or(0);
        row.recalled_float += float_summary.exact_recalls.unwrap_or(0);
        row.frac_bits.push(q.frac_bits);
    }
    Ok(row)
}

fn frac_bits_range(row: &Row) -> String {
    let lo = row.frac_bits.iter().min().copied().unwrap_or(0);
    let hi = row.frac_bits.iter().max().copied().unwrap_or(0);
    if lo == hi {
        format!("{lo}")
    } else {
        format!("{lo}..{hi}")
    }
}

/// The largest grid P up to which `ok` holds at every grid point (so "still" holds),
/// whether it holds at the end of the grid, and any larger P where it holds again.
fn still_holds(rows: &[Row], ok: impl Fn(&Row) -> bool) -> (Option<usize>, bool, Vec<usize>) {
    let first_fail = rows.iter().position(|r| !ok(r));
    match first_fail {
        None => (rows.last().map(|r| r.p), true, vec![]),
        Some(k) => {
            let last = k.checked_sub(1).map(|i| rows[i].p);
            let again = rows[k..].iter().filter(|r| ok(r)).map(|r| r.p).collect();
            (last, false, again)
        }
    }
}

fn describe(rows: &[Row], ok: impl Fn(&Row) -> bool) -> String {
    let (last, whole_grid, again) = still_holds(rows, &ok);
    let mut text = match last {
        None => format!("none (fails already at P = {})", rows[0].p),
        Some(p) => {
            let bound = if whole_grid { " (whole grid; ≥)" } else { "" };
            format!("P = {p}, P/N = {:.3}{bound}", p as f64 / N as f64)
        }
    };
    if !whole_grid {
        if let Some(fail) = rows.iter().find(|r| !ok(r)) {
            text.push_str(&format!(
                "; first failing P = {} (P/N = {:.3})",
                fail.p,
                fail.load()
            ));
        }
    }
    if !again.is_empty() {
        text.push_str(&format!("; holds again at P = {again:?}"));
    }
    text
}

fn main() -> Result<()> {
    let mut quick = false;
    let mut sets: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--sets" => {
                let value = args.next().unwrap_or_default();
                match value.parse::<u64>() {
                    Ok(k) if (1..1000).contains(&k) => sets = Some(k),
                    _ => bail!("--sets needs a count from 1 to 999, got {value:?}"),
                }
            }
            "-h" | "--help" => {
                println!("usage: cargo run --release --example capacity -- [--quick] [--sets K]");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}; the options are --quick and --sets K"),
        }
    }
    let mut settings = if quick {
        Settings {
            loads: &QUICK_LOADS,
            sets: 2,
            probes: 40,
        }
    } else {
        Settings {
            loads: &FULL_LOADS,
            sets: 10,
            probes: 100,
        }
    };
    if let Some(k) = sets {
        settings.sets = k;
    }
    let start = Instant::now();
    println!(
        "hopgen capacity: N = {N}, {} random pattern sets per P, ~{} probes per set{}",
        settings.sets,
        settings.probes,
        if quick { " (--quick)" } else { "" }
    );
    println!(
        "probes: {} flipped neurons ({}% noise), async, max {MAX_SWEEPS} sweeps; \
         fixed point = one async sweep changes nothing; W{WEIGHT_BITS} = bit-exact model, automatic F",
        flips_for(NOISE, N),
        NOISE * 100.0
    );
    println!();
    println!(
        "{:<8} {:>4} {:>6}  {:>9} {:>9}  {:>9} {:>9}  {:>6} {:>6}",
        "rule", "P", "P/N", "fp float", "fp W8", "rec float", "rec W8", "probes", "F(W8)"
    );
    let mut all: Vec<(Rule, Vec<Row>)> = Vec::new();
    for rule in RULES {
        let mut rows = Vec::new();
        for &p in settings.loads {
            let row = measure(rule, p, &settings)?;
            println!(
                "{:<8} {:>4} {:>6.3}  {:>9.3} {:>9.3}  {:>9.3} {:>9.3}  {:>6} {:>6}",
                rule.name(),
                row.p,
                row.load(),
                row.fp_float(),
                row.fp_w8(),
                row.recall_float(),
                row.recall_w8(),
                row.probes,
                frac_bits_range(&row)
            );
            std::io::stdout().flush()?;
            rows.push(row);
        }
        all.push((rule, rows));
    }

    println!();
    println!(
        "capacity = largest grid load with exact recall from {}% noise still >= {RECALL_TARGET} \
         (at that P and every smaller grid P)",
        NOISE * 100.0
    );
    for (rule, rows) in &all {
        println!("{}:", rule.name());
        println!(
            "  recall >= {RECALL_TARGET}, float: {}",
            describe(rows, |r| r.recall_float() >= RECALL_TARGET)
        );
        println!(
            "  recall >= {RECALL_TARGET}, W{WEIGHT_BITS}:    {}",
            describe(rows, |r| r.recall_w8() >= RECALL_TARGET)
        );
        println!(
            "  all stored patterns fixed points (float, all {} sets): {}",
            settings.sets,
            describe(rows, |r| r.fixed_points_float == r.stored)
        );
    }
    println!();
    println!(
        "for comparison: Hebbian textbook capacity 0.138 N = {:.1} at N = {N}; that value is \
         for ~1% bit errors in the recalled state (large N), not exact recall, so exact recall \
         is expected to fail at lower P",
        0.138 * N as f64
    );
    println!("wall time: {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
