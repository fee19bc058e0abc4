//! `make bench`: reproducible measurements against baselines measured in the same run —
//! model throughput (fast model, scalar model, numpy), generator time and memory, and
//! recall quality at fixed point — written as `bench/results.json`, docs/BENCHMARKS.md
//! and SVG plots. Medians and ratios, never assertions: the machines are shared.

use crate::learn::{self, Rule};
use crate::model::{FixedModel, NaiveModel, Outcome, RunConfig, UpdateMode};
use crate::network::Network;
use crate::quantize::{quantize, QuantSpec};
use crate::recall::{self, ProbeSource};
use crate::state::State;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub sizes: &'static [usize],
    pub repeats: usize,
    pub recall_trials: usize,
    pub loads: &'static [f64],
    /// Sizes co-simulated; with `cosim_folded_only` only the folded cores.
    pub cosim_sizes: &'static [usize],
    pub cosim_folded_only: bool,
    pub cosim_probes: usize,
    pub icarus_probes: usize,
}

pub const FULL: Scale = Scale {
    sizes: &[64, 256, 1024, 4096],
    repeats: 5,
    recall_trials: 200,
    loads: &[
        0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.2, 0.25, 0.3,
    ],
    cosim_sizes: &[64, 256],
    cosim_folded_only: false,
    cosim_probes: 2000,
    icarus_probes: 100,
};

pub const QUICK: Scale = Scale {
    sizes: &[64, 256],
    repeats: 2,
    recall_trials: 20,
    loads: &[0.04, 0.14, 0.3],
    cosim_sizes: &[64],
    cosim_folded_only: true,
    cosim_probes: 100,
    icarus_probes: 20,
};

/// min / median / max of repeated measurements.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

pub fn spread(mut values: Vec<f64>) -> Spread {
    values.sort_by(f64::total_cmp);
    Spread {
        min: values[0],
        median: values[values.len() / 2],
        max: values[values.len() - 1],
    }
}

/// A Hebbian network of random patterns at load P/N = 0.05 and noisy probes.
pub fn workload(n: usize, probes: usize) -> (Network, Vec<State>) {
    let patterns = crate::cmd::random::random_patterns(n, (n / 20).max(1), 42);
    let signs: Vec<Vec<i8>> = patterns.iter().map(State::to_signs).collect();
    let net = Network {
        name: format!("bench{n}"),
        n,
        shape: None,
        weights: learn::weights_for(Rule::Hebbian, n, &signs),
        thresholds: vec![0.0; n],
        patterns,
        labels: vec![],
        meta: None,
    };
    let source = ProbeSource::Noisy {
        noise: 0.1,
        trials: probes,
        seed: 7,
    };
    let states = recall::make_probes(&net, &source)
        .expect("stored patterns exist")
        .into_iter()
        .map(|p| p.state)
        .collect();
    (net, states)
}

/// Throughput of one implementation at one size and mode, in probes per second.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub n: usize,
    pub mode: &'static str,
    pub probes: usize,
    pub fast: Spread,
    pub scalar: Option<Spread>,
    pub numpy: Option<Spread>,
    /// fast / scalar and fast / numpy, medians.
    pub vs_scalar: Option<f64>,
    pub vs_numpy: Option<f64>,
}

fn time_runs(repeats: usize, probes: usize, mut run: impl FnMut()) -> Spread {
    spread(
        (0..repeats)
            .map(|_| {
                let t = Instant::now();
                run();
                probes as f64 / t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

/// Runs the numpy baseline on the same job and checks it computes the same results.
fn numpy_run(
    python: &Path,
    script: &Path,
    work: &Path,
    q: &crate::quantize::QuantNetwork,
    mode: UpdateMode,
    probes: &[State],
    expected: &[Outcome],
) -> Result<f64, String> {
    let job = serde_json::json!({
        "weights_q": q.weights.chunks(q.n).collect::<Vec<_>>(),
        "thresholds_q": q.thresholds,
        "mode": if mode == UpdateMode::Sync { "sync" } else { "async" },
        "max_sweeps": 100,
        "probes": probes.iter().map(State::to_pm_string).collect::<Vec<_>>(),
    });
    let path = work.join(format!("numpy-job-{}.json", q.n));
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    std::fs::write(&path, job.to_string()).map_err(|e| e.to_string())?;
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let value: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let results = value["results"].as_array().ok_or("no results")?;
    for (i, (r, e)) in results.iter().zip(expected).enumerate() {
        let same = r[0].as_str() == Some(e.state.to_pm_string().as_str())
            && r[1].as_u64() == Some(u64::from(e.sweeps))
            && r[2].as_u64() == Some(e.status as u64);
        if !same {
            return Err(format!("numpy disagrees with the model at probe {i}"));
        }
    }
    let seconds = value["seconds"].as_f64().ok_or("no seconds")?;
    Ok(probes.len() as f64 / seconds)
}

/// Where the numpy baseline runs, if available.
pub struct Numpy<'a> {
    pub python: &'a Path,
    pub script: &'a Path,
    pub work: &'a Path,
}

/// Model throughput at every size and mode: fast model, scalar model (up to N = 1024),
/// numpy (when given), with ratios.
pub fn throughput(scale: &Scale, numpy: Option<&Numpy>) -> Result<Vec<Throughput>, String> {
    let mut rows = Vec::new();
    for &n in scale.sizes {
        let count = (2_000_000 / (n * n / 16).max(1)).clamp(8, 2000);
        let (net, probes) = workload(n, count);
        let q = quantize(&net, QuantSpec::default());
        let fast = FixedModel::new(&q);
        let scalar = NaiveModel::from_quantized(&q);
        for mode in [UpdateMode::Sync, UpdateMode::Async] {
            let cfg = RunConfig::new(mode, 100).expect("valid");
            let expected: Vec<Outcome> = probes.iter().map(|p| fast.run(p, &cfg)).collect();
            let fast_rate = time_runs(scale.repeats, probes.len(), || {
                probes.iter().for_each(|p| {
                    std::hint::black_box(fast.run(p, &cfg));
                })
            });
            let scalar_rate = (n <= 1024).then(|| {
                let few = &probes[..probes.len().min(64)];
                time_runs(scale.repeats.min(3), few.len(), || {
                    few.iter().for_each(|p| {
                        std::hint::black_box(scalar.run(p, &cfg));
                    })
                })
            });
            let numpy_rate = match numpy {
                Some(np) => {
                    let few = &probes[..probes.len().min(if mode == UpdateMode::Async {
                        32
                    } else {
                        512
                    })];
                    let rates: Result<Vec<f64>, String> = (0..scale.repeats.min(3))
                        .map(|_| numpy_run(np.python, np.script, np.work, &q, mode, few, &expected))
                        .collect();
                    Some(spread(rates?))
                }
                None => None,
            };
            rows.push(Throughput {
                n,
                mode: if mode == UpdateMode::Sync {
                    "sync"
                } else {
                    "async"
                },
                probes: probes.len(),
                vs_scalar: scalar_rate.map(|s| fast_rate.median / s.median),
                vs_numpy: numpy_rate.map(|s| fast_rate.median / s.median),
                fast: fast_rate,
                scalar: scalar_rate,
                numpy: numpy_rate,
            });
        }
    }
    Ok(rows)
}

/// Exact-recall rate at one load, rule and weight width (None = float).
#[derive(Debug, Clone, Serialize)]
pub struct RecallPoint {
    pub rule: &'static str,
    pub weight_bits: Option<u32>,
    pub load: f64,
    pub patterns: usize,
    pub exact_recall: f64,
}

/// Recall quality at N = 256 and 10 % noise against load, per rule and W.
pub fn recall_curves(scale: &Scale) -> Vec<RecallPoint> {
    let n = 256;
    let mut points = Vec::new();
    for rule in [Rule::Hebbian, Rule::Storkey, Rule::Pinv] {
        for &load in scale.loads {
            let p = ((load * n as f64).round() as usize).max(1);
            let patterns = crate::cmd::random::random_patterns(n, p, 1000 + p as u64);
            let signs: Vec<Vec<i8>> = patterns.iter().map(State::to_signs).collect();
            let net = Network {
                name: "recall".into(),
                n,
                shape: None,
                weights: learn::weights_for(rule, n, &signs),
                thresholds: vec![0.0; n],
                patterns,
                labels: vec![],
                meta: None,
            };
            let source = ProbeSource::Noisy {
                noise: 0.1,
                trials: scale.recall_trials,
                seed: 5,
            };
            let probes = recall::make_probes(&net, &source).expect("patterns exist");
            let cfg = RunConfig::new(UpdateMode::Async, 100).expect("valid");
            let float = NaiveModel::from_network(&net);
            let mut widths: Vec<Option<u32>> = [2, 4, 8, 16].into_iter().map(Some).collect();
            widths.push(None);
            for w in widths {
                let q = quantize(&net, QuantSpec::new(w.unwrap_or(16), None).expect("valid"));
                let with_float = w.is_none().then_some(&float);
                let trials = recall::run_trials(&q, with_float, probes.clone(), &cfg, &|| {});
                let (fixed, float_summary, _) = recall::summarize_both(&net.patterns, &trials);
                let summary = if w.is_none() {
                    float_summary.expect("float ran")
                } else {
                    fixed
                };
                points.push(RecallPoint {
                    rule: rule.name(),
                    weight_bits: w,
                    load,
                    patterns: p,
                    exact_recall: summary.exact_recall_rate.unwrap_or(0.0),
                });
            }
        }
    }
    points
}

/// Everything one `make bench` run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub format: &'static str,
    pub quick: bool,
    pub throughput: Vec<Throughput>,
    pub generation: Vec<Generation>,
    pub cosim: Vec<Cosim>,
    pub recall: Vec<RecallPoint>,
}

fn fmt_rate(s: &Option<Spread>) -> String {
    s.map_or("–".into(), |s| format!("{:.0}", s.median))
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.1}×"))
}

/// docs/BENCHMARKS.md from the results (generated; do not edit by hand).
pub fn markdown(results: &Results) -> String {
    let mut out = String::from(
        "# Benchmarks\n\nGenerated by `make bench` (`target/release/hopgen-bench`); \
         do not edit. Medians of repeated runs on one machine, with baselines measured in \
         the same run; the raw numbers are in `bench/results.json`.\n\n\
         ## Reference-model throughput\n\nProbes per second: hopgen's fast bit-exact model, \
         the straightforward scalar model, and a numpy implementation of the same contract \
         (`scripts/baseline_numpy.py`: batched matrix products for sync, incremental fields \
         for async), which is checked to give identical results first. Hebbian networks at \
         load 0.05, W = 8, 10 % noise.\n\n\
         | N | update | fast | scalar | numpy | fast/scalar | fast/numpy |\n|---|---|---|---|---|---|---|\n",
    );
    for t in &results.throughput {
        out.push_str(&format!(
            "| {} | {} | {:.0} | {} | {} | {} | {} |\n",
            t.n,
            t.mode,
            t.fast.median,
            fmt_rate(&t.scalar),
            fmt_rate(&t.numpy),
            fmt_ratio(t.vs_scalar),
            fmt_ratio(t.vs_numpy)
        ));
    }
    out.push_str("\n![throughput](bench-throughput.svg)\n\n## Generator\n\n");
    out.push_str(
        "`hopgen synth` as a whole process (release build, reading the weights JSON included), \
         min / median / max wall time over repeated runs, peak memory (GNU time) and the size of \
         the output directory.\n\n| N | core | min s | median s | max s | peak MB | output MB |\n|---|---|---|---|---|---|---|\n",
    );
    for g in &results.generation {
        out.push_str(&format!(
            "| {} | {} {} | {:.2} | {:.2} | {:.2} | {:.0} | {:.2} |\n",
            g.n,
            g.arch,
            g.update,
            g.seconds.min,
            g.seconds.median,
            g.seconds.max,
            g.peak_mb,
            g.output_mb
        ));
    }
    out.push_str(
        "\n## Co-simulation\n\nVerilator builds with an empty hopgen cache (ccache as the machine \
         has it) and reused; RTL throughput with 2 simulator processes and no handshake \
         stalls; the cycles the timing formula predicts against the cycles counted in \
         simulation (they must agree for every probe); Icarus Verilog running the stream \
         testbench on the first probes (100 in the full run).\n\n\
         | N | core | build cold s | cached s | RTL probes/s | RTL cycles/s | cycles/sweep (incl. load) | cycles exact | Icarus s |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for c in &results.cosim {
        out.push_str(&format!(
            "| {} | {} {} | {:.1} | {:.2} | {:.0} | {:.0} | {:.1} | {}/{} | {:.2} |\n",
            c.n,
            c.arch,
            c.update,
            c.build_cold_s,
            c.build_cached_s,
            c.rtl_probes_per_s,
            c.rtl_cycles_per_s,
            c.mean_cycles_per_sweep,
            c.cycles_exact,
            c.probes,
            c.icarus_s
        ));
    }
    out.push_str("\n![cycles per sweep](bench-cycles.svg)\n\n## Recall quality at fixed point\n\n");
    out.push_str(
        "Exact-recall rate from 10 % noise at N = 256 against the load P/N, per learning \
         rule and weight width (async updates).\n\n| rule | W | ",
    );
    let loads: Vec<f64> = {
        let mut l: Vec<f64> = results.recall.iter().map(|p| p.load).collect();
        l.sort_by(f64::total_cmp);
        l.dedup();
        l
    };
    out.push_str(
        &loads
            .iter()
            .map(|l| format!("{l:.2}"))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    out.push_str(" |\n|---|---|");
    out.push_str(&"---|".repeat(loads.len()));
    out.push('\n');
    let mut keys: Vec<(&str, Option<u32>)> = Vec::new();
    for p in &results.recall {
        if !keys.contains(&(p.rule, p.weight_bits)) {
            keys.push((p.rule, p.weight_bits));
        }
    }
    for (rule, w) in keys {
        let cells: Vec<String> = loads
            .iter()
            .map(|l| {
                results
                    .recall
                    .iter()
                    .find(|p| p.rule == rule && p.weight_bits == w && p.load == *l)
                    .map_or("–".into(), |p| format!("{:.0} %", 100.0 * p.exact_recall))
            })
            .collect();
        out.push_str(&format!(
            "| {rule} | {} | {} |\n",
            w.map_or("float".into(), |w| w.to_string()),
            cells.join(" | ")
        ));
    }
    out.push_str("\n![recall](bench-recall.svg)\n");
    if let Some(knee) = hebbian_knee(&results.recall) {
        out.push_str(&format!(
            "\nThe Hebbian rule in float still recalls at least half of the probes exactly up to \
             P/N = {knee:.2}; the textbook capacity 0.138 N counts a recall with about 1 % wrong bits as \
             a success, so exact recall falls off around the same load and is gone by 0.2.\n"
        ));
    }
    out
}

/// The largest load at which Hebbian float recall is still at least 50 %.
fn hebbian_knee(points: &[RecallPoint]) -> Option<f64> {
    points
        .iter()
        .filter(|p| p.rule == "hebbian" && p.weight_bits.is_none() && p.exact_recall >= 0.5)
        .map(|p| p.load)
        .max_by(f64::total_cmp)
}

/// The throughput plot (log-log) and the recall plot, as SVG files.
pub fn plots(results: &Results, dir: &Path) -> Result<(), String> {
    use plotters::prelude::*;
    let err = |e: &dyn std::fmt::Display| e.to_string();
    {
        let path = dir.join("bench-throughput.svg");
        let root = SVGBackend::new(&path, (720, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let max_n = results.throughput.iter().map(|t| t.n).max().unwrap_or(64) as f64 * 1.5;
        let mut chart = ChartBuilder::on(&root)
            .caption("Model throughput (probes/s)", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((40f64..max_n).log_scale(), (1f64..1e8f64).log_scale())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("N")
            .y_desc("probes/s")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .draw()
            .map_err(|e| err(&e))?;
        let series: [(&str, &str, RGBColor); 6] = [
            ("fast", "sync", RED),
            ("fast", "async", MAGENTA),
            ("scalar", "sync", BLUE),
            ("scalar", "async", CYAN),
            ("numpy", "sync", GREEN),
            ("numpy", "async", BLACK),
        ];
        for (which, mode, color) in series {
            let pts: Vec<(f64, f64)> = results
                .throughput
                .iter()
                .filter(|t| t.mode == mode)
                .filter_map(|t| {
                    let s = match which {
                        "fast" => Some(t.fast),
                        "scalar" => t.scalar,
                        _ => t.numpy,
                    };
                    s.map(|s| (t.n as f64, s.median))
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(pts, color))
                .map_err(|e| err(&e))?
                .label(format!("{which} {mode}"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    {
        let path = dir.join("bench-cycles.svg");
        let root = SVGBackend::new(&path, (720, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Cycles per sweep in simulation (incl. load)",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((40f64..400f64).log_scale(), (0.5f64..1e5f64).log_scale())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("N")
            .y_desc("cycles / sweep")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .draw()
            .map_err(|e| err(&e))?;
        let cores = [
            ("parallel", "sync", RED),
            ("parallel", "async", MAGENTA),
            ("folded", "sync", BLUE),
            ("folded", "async", GREEN),
        ];
        for (arch, update, color) in cores {
            let pts: Vec<(f64, f64)> = results
                .cosim
                .iter()
                .filter(|c| c.arch == arch && c.update == update)
                .map(|c| (c.n as f64, c.mean_cycles_per_sweep))
                .collect();
            if pts.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(format!("{arch} {update}"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
            chart
                .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, color.filled())))
                .map_err(|e| err(&e))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    {
        let path = dir.join("bench-recall.svg");
        let root = SVGBackend::new(&path, (720, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Exact recall at N = 256, 10 % noise", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..0.32f64, 0f64..1.05f64)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("load P/N")
            .y_desc("exact recall")
            .draw()
            .map_err(|e| err(&e))?;
        let colors = [RED, BLUE, GREEN];
        for (r, rule) in ["hebbian", "storkey", "pinv"].iter().enumerate() {
            for w in [Some(4), Some(8), None] {
                let pts: Vec<(f64, f64)> = results
                    .recall
                    .iter()
                    .filter(|p| p.rule == *rule && p.weight_bits == w)
                    .map(|p| (p.load, p.exact_recall))
                    .collect();
                let color = colors[r];
                let style = match w {
                    Some(4) => color.mix(0.4).stroke_width(1),
                    Some(_) => color.mix(0.7).stroke_width(2),
                    None => color.stroke_width(3),
                };
                chart
                    .draw_series(LineSeries::new(pts, style))
                    .map_err(|e| err(&e))?
                    .label(format!(
                        "{rule} {}",
                        w.map_or("float".into(), |w| format!("W={w}"))
                    ))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(())
}

/// `hopgen synth` as a whole process: wall time, peak memory and output size.
#[derive(Debug, Clone, Serialize)]
pub struct Generation {
    pub n: usize,
    pub arch: &'static str,
    pub update: &'static str,
    pub seconds: Spread,
    pub peak_mb: f64,
    pub output_mb: f64,
}

/// The (arch, update) pairs of the generator; parallel only up to N = 256.
fn cores_for(n: usize) -> Vec<(&'static str, &'static str)> {
    let mut cores = vec![("folded", "sync"), ("folded", "async")];
    if n <= crate::synth::PARALLEL_MAX_NEURONS {
        cores.insert(0, ("parallel", "async"));
        cores.insert(0, ("parallel", "sync"));
    }
    cores
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Times `hopgen synth` (the release binary next to this one) under GNU time.
pub fn generation(scale: &Scale, hopgen: &Path, work: &Path) -> Result<Vec<Generation>, String> {
    let mut rows = Vec::new();
    for &n in scale.sizes {
        let (net, _) = workload(n, 1);
        let weights = work.join(format!("bench-w{n}.json"));
        std::fs::write(&weights, crate::formats::weights::to_json(&net))
            .map_err(|e| e.to_string())?;
        for (arch, update) in cores_for(n) {
            let out = work.join(format!("bench-synth-{n}-{arch}-{update}"));
            let mut times = Vec::new();
            let mut peak = 0.0f64;
            for _ in 0..scale.repeats {
                let run = std::process::Command::new("/usr/bin/time")
                    .args(["-f", "%e %M"])
                    .arg(hopgen)
                    .arg("synth")
                    .arg(&weights)
                    .args(["--arch", arch, "--update", update, "--force", "-o"])
                    .arg(&out)
                    .output()
                    .map_err(|e| {
                        format!("cannot run /usr/bin/time (Debian package `time`): {e}")
                    })?;
                if !run.status.success() {
                    return Err(String::from_utf8_lossy(&run.stderr).into_owned());
                }
                let stderr = String::from_utf8_lossy(&run.stderr);
                let last = stderr.lines().last().unwrap_or("");
                let mut fields = last.split_whitespace();
                let secs: f64 = fields
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("no time")?;
                let kb: f64 = fields
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("no memory")?;
                times.push(secs);
                peak = peak.max(kb / 1024.0);
            }
            rows.push(Generation {
                n,
                arch,
                update,
                seconds: spread(times),
                peak_mb: peak,
                output_mb: dir_size(&out) as f64 / (1024.0 * 1024.0),
            });
        }
    }
    Ok(rows)
}

/// One core in co-simulation: Verilator build times, RTL speed, Icarus as a second
/// simulator, and the predicted cycle counts against the counted ones.
#[derive(Debug, Clone, Serialize)]
pub struct Cosim {
    pub n: usize,
    pub arch: &'static str,
    pub update: &'static str,
    pub build_cold_s: f64,
    pub build_cached_s: f64,
    pub probes: usize,
    pub rtl_probes_per_s: f64,
    pub rtl_cycles_per_s: f64,
    pub mean_cycles_per_sweep: f64,
    /// Probes whose counted cycles equal the timing formula's (must be all of them).
    pub cycles_exact: usize,
    pub icarus_probes: usize,
    pub icarus_s: f64,
}

/// Co-simulates each architecture at each size (N ≤ 256) with a fresh build cache.
pub fn cosim(scale: &Scale, work: &Path) -> Result<Vec<Cosim>, String> {
    use crate::synth::{self, outdir::write_output_dir, target::Target, Arch, SynthOptions};
    let mut rows = Vec::new();
    for &n in scale.cosim_sizes {
        let (net, probes) = workload(n, scale.cosim_probes);
        let q = quantize(&net, QuantSpec::default());
        for (arch, update) in cores_for(n) {
            if scale.cosim_folded_only && arch != "folded" {
                continue;
            }
            if arch == "parallel" && update == "sync" && n > 64 {
                continue; // Verilating 65 536 constant terms takes over 15 minutes
            }
            let mode = if update == "sync" {
                UpdateMode::Sync
            } else {
                UpdateMode::Async
            };
            let opts = SynthOptions {
                arch: if arch == "parallel" {
                    Arch::Parallel
                } else {
                    Arch::Folded
                },
                mode,
                max_sweeps: 100,
                name: None,
                lanes: None,
                target: Target::Generic,
                pipeline: 0,
                load_weights: false,
                bank_words: None,
            };
            let generated = synth::generate(&net, &q, &opts).map_err(|e| e.to_string())?;
            let dir = work.join(format!("bench-cosim-{n}-{arch}-{update}"));
            write_output_dir(&dir, &generated.files, true).map_err(|e| e.to_string())?;
            let manifest = &generated.manifest;
            let cache = work.join(format!("bench-cache-{n}-{arch}-{update}"));
            let _ = std::fs::remove_dir_all(&cache);
            let cold =
                crate::sim::verilator::build(&dir, manifest, &cache).map_err(|e| e.to_string())?;
            let cached =
                crate::sim::verilator::build(&dir, manifest, &cache).map_err(|e| e.to_string())?;
            let cfg = RunConfig::new(mode, 100).expect("valid");
            let model = FixedModel::new(&q);
            let expected = crate::cosim::expected(&model, &cfg, &manifest.timing, &probes);
            let pacing = crate::sim::verilator::Pacing {
                seed: 3,
                in_rate: 8,
                out_rate: 8,
                max_cycles: u64::MAX / 4,
            };
            let run = crate::cosim::run_rtl(&cold, &dir, manifest, &probes, &pacing, 2, &|_| {})
                .map_err(|e| e.to_string())?;
            crate::cosim::compare(&probes, &expected, &run.results).map_err(|m| m.to_string())?;
            let cycles_exact = expected
                .iter()
                .zip(&run.results)
                .filter(|(e, r)| e.latency == r.latency)
                .count();
            let sweeps: u64 = expected.iter().map(|e| u64::from(e.outcome.sweeps)).sum();
            let few = &probes[..probes.len().min(scale.icarus_probes)];
            let outcomes: Vec<Outcome> = expected
                .iter()
                .take(few.len())
                .map(|e| e.outcome.clone())
                .collect();
            let t = Instant::now();
            let icarus = crate::sim::run_stream_iverilog(&dir, manifest, few, &outcomes, 3)
                .map_err(|e| e.to_string())?;
            let icarus_s = t.elapsed().as_secs_f64();
            if !icarus.passed {
                return Err(format!("Icarus disagrees: {}", icarus.report));
            }
            rows.push(Cosim {
                n,
                arch,
                update,
                build_cold_s: cold.seconds,
                build_cached_s: cached.seconds,
                probes: probes.len(),
                rtl_probes_per_s: probes.len() as f64 / run.seconds,
                rtl_cycles_per_s: run.busy_cycles as f64 / run.seconds,
                mean_cycles_per_sweep: run.busy_cycles as f64 / sweeps.max(1) as f64,
                cycles_exact,
                icarus_probes: few.len(),
                icarus_s,
            });
        }
    }
    Ok(rows)
}
