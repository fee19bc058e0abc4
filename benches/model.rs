//! Reference-model throughput: the fast bit-exact model against the straightforward
//! scalar one (the baseline), measured in the same run, sync and async, at
//! N = 64, 256, 1024. Prints probes/s and the speed-up ratio after criterion's report.
//!
//! Run with `make bench` (or `cargo bench --bench model`); `cargo test --benches`
//! runs every case once as a smoke test.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use hopgen::learn::{self, Rule};
use hopgen::model::{FixedModel, NaiveModel, RunConfig, UpdateMode};
use hopgen::network::Network;
use hopgen::quantize::{quantize, QuantNetwork, QuantSpec};
use hopgen::recall::{make_probes, ProbeSource};
use hopgen::state::State;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const SIZES: [usize; 3] = [64, 256, 1024];
const MODES: [UpdateMode; 2] = [UpdateMode::Sync, UpdateMode::Async];
/// Probes per measured iteration.
const BATCH: usize = 16;

/// A Hebbian network at load P/N = 0.05 and BATCH probes with 10 % noise.
fn workload(n: usize) -> (QuantNetwork, Vec<State>) {
    let patterns = hopgen::cmd::random::random_patterns(n, (n / 20).max(1), 42);
    let signs: Vec<Vec<i8>> = patterns.iter().map(State::to_signs).collect();
    let net = Network {
        name: "bench".into(),
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
        trials: BATCH,
        seed: 7,
    };
    let probes = make_probes(&net, &source).unwrap();
    (
        quantize(&net, QuantSpec::default()),
        probes.into_iter().map(|p| p.state).collect(),
    )
}

fn mode_name(mode: UpdateMode) -> &'static str {
    match mode {
        UpdateMode::Sync => "sync",
        UpdateMode::Async => "async",
    }
}

fn bench_models(c: &mut Criterion) {
    for n in SIZES {
        let (q, probes) = workload(n);
        let fast = FixedModel::new(&q);
        let naive = NaiveModel::from_quantized(&q);
        for mode in MODES {
            let cfg = RunConfig::new(mode, 100).unwrap();
            let mut group = c.benchmark_group(format!("recall-{}", mode_name(mode)));
            group.throughput(Throughput::Elements(BATCH as u64));
            group.bench_with_input(BenchmarkId::new("fast", n), &probes, |b, probes| {
                b.iter(|| {
                    for p in probes {
                        black_box(fast.run(p, &cfg));
                    }
                })
            });
            group.bench_with_input(BenchmarkId::new("naive", n), &probes, |b, probes| {
                b.iter(|| {
                    for p in probes {
                        black_box(naive.run(p, &cfg));
                    }
                })
            });
            group.finish();
        }
    }
}

/// Median seconds per iteration from criterion's saved estimates, if present.
fn median_seconds(group: &str, function: &str, n: usize) -> Option<f64> {
    let dir = std::env::var("CRITERION_HOME").unwrap_or_else(|_| "target/criterion".into());
    let path = Path::new(&dir)
        .join(group)
        .join(function)
        .join(n.to_string())
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? * 1e-9)
}

fn print_ratios() {
    println!("\nrecall throughput (median, {BATCH} probes per iteration, Hebbian P/N = 0.05, 10 % noise)");
    println!(
        "{:>6} {:>6} {:>14} {:>14} {:>8}",
        "N", "update", "fast probes/s", "naive probes/s", "ratio"
    );
    for n in SIZES {
        for mode in MODES {
            let group = format!("recall-{}", mode_name(mode));
            let (Some(fast), Some(naive)) = (
                median_seconds(&group, "fast", n),
                median_seconds(&group, "naive", n),
            ) else {
                println!(
                    "{n:>6} {:>6}   (no estimates: run with `cargo bench`)",
                    mode_name(mode)
                );
                continue;
            };
            let rate = |secs: f64| BATCH as f64 / secs;
            println!(
                "{n:>6} {:>6} {:>14.0} {:>14.0} {:>7.1}×",
                mode_name(mode),
                rate(fast),
                rate(naive),
                naive / fast
            );
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench_models
}

fn main() {
    benches();
    let measuring = std::env::args().any(|a| a == "--bench");
    Criterion::default().configure_from_args().final_summary();
    if measuring {
        print_ratios();
    }
}
