//! RTL tests of generated cores with the real tools: the stream testbench in Icarus
//! Verilog against the bit-exact model (random gaps and back-pressure), Verilator's
//! linter with -Wall, and yosys' structural checks. In CI (CI set) a missing tool
//! fails the test; elsewhere the test is skipped with the reason printed.

mod common;

use hopgen::model::{FixedModel, RunConfig, Status, UpdateMode};
use hopgen::network::Network;
use hopgen::quantize::{quantize, QuantNetwork, QuantSpec};
use hopgen::sim;
use hopgen::state::State;
use hopgen::synth::{self, outdir::write_output_dir, Arch, Generated, SynthOptions};
use hopgen::tools::{IVERILOG, VERILATOR, VVP, YOSYS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::path::Path;

use common::tools_present;

/// A symmetric zero-diagonal network of random integer weights in the W-bit range
/// (F = 0 keeps them exact), with random thresholds: ties, 2-cycles and long runs.
fn random_network(n: usize, weight_bits: u32, seed: u64) -> (Network, QuantNetwork) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half = 1i64 << (weight_bits - 1);
    let mut weights = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let w = rng.gen_range(-half..half) as f64;
            weights[i * n + j] = w;
            weights[j * n + i] = w;
        }
    }
    let thresholds = (0..n).map(|_| rng.gen_range(-half..=half) as f64).collect();
    let net = Network {
        name: format!("rand n{n} w{weight_bits}"),
        n,
        shape: None,
        weights,
        thresholds,
        patterns: vec![],
        labels: vec![],
        meta: None,
    };
    let q = quantize(&net, QuantSpec::new(weight_bits, Some(0)).unwrap());
    assert_eq!(q.report.saturated, 0);
    (net, q)
}

/// Weights of ±3 at W = 16: the accumulator A is then narrower than W, which exercises
/// the library's "cut" branches.
fn narrow_network(n: usize, seed: u64) -> (Network, QuantNetwork) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut weights = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let w = rng.gen_range(-3i64..=3) as f64;
            weights[i * n + j] = w;
            weights[j * n + i] = w;
        }
    }
    let net = Network {
        name: format!("narrow n{n}"),
        n,
        shape: None,
        weights,
        thresholds: (0..n).map(|_| rng.gen_range(-2i64..=2) as f64).collect(),
        patterns: vec![],
        labels: vec![],
        meta: None,
    };
    let q = quantize(&net, QuantSpec::new(16, Some(0)).unwrap());
    assert!(q.acc_bits < 16, "A = {} must be below W = 16", q.acc_bits);
    (net, q)
}

fn random_probes(n: usize, count: usize, seed: u64) -> Vec<State> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            State::from_signs(
                &(0..n)
                    .map(|_| if rng.gen::<bool>() { 1 } else { -1 })
                    .collect::<Vec<i8>>(),
            )
        })
        .collect()
}

fn options(
    arch: Arch,
    mode: UpdateMode,
    lanes: usize,
    max_sweeps: u32,
    pipeline: u32,
) -> SynthOptions {
    SynthOptions {
        arch,
        mode,
        max_sweeps,
        name: None,
        lanes: (arch == Arch::Folded).then_some(lanes),
        target: hopgen::synth::target::Target::Generic,
        pipeline,
        load_weights: false,
        bank_words: None,
    }
}

fn generate_with(net: &Network, q: &QuantNetwork, opts: &SynthOptions, dir: &Path) -> Generated {
    let generated = synth::generate(net, q, opts).unwrap();
    write_output_dir(dir, &generated.files, false).unwrap();
    generated
}

/// (N, W, lanes, max_sweeps) points of the simulation matrix.
type Case = (usize, u32, usize, u32);

/// Neurons that changed in each sweep of a run, from the model.
fn flips_per_sweep(model: &FixedModel, probe: &State, cfg: &RunConfig) -> Vec<usize> {
    let mut previous = probe.clone();
    let mut flips = Vec::new();
    model.run_observed(probe, cfg, |_, s| {
        flips.push(previous.hamming(s));
        previous = s.clone();
    });
    flips
}

/// Runs every case of one architecture and mode through Icarus against the model:
/// results bit-exact, latency exactly as the manifest's timing formula says; returns
/// the statuses seen.
fn simulate_matrix(
    arch: Arch,
    mode: UpdateMode,
    pipeline: u32,
    cases: &[Case],
) -> BTreeSet<Status> {
    simulate_banked_matrix(arch, mode, pipeline, cases, None)
}

/// `simulate_matrix` with the weight memory in banks of `bank_words` words.
fn simulate_banked_matrix(
    arch: Arch,
    mode: UpdateMode,
    pipeline: u32,
    cases: &[Case],
    bank_words: Option<usize>,
) -> BTreeSet<Status> {
    let root = tempfile::tempdir().unwrap();
    let mut statuses = BTreeSet::new();
    for (case, &(n, w, lanes, max_sweeps)) in cases.iter().enumerate() {
        let (net, q) = random_network(n, w, case as u64);
        let dir = root.path().join(format!("core{case}"));
        let opts = SynthOptions {
            bank_words,
            ..options(arch, mode, lanes, max_sweeps, pipeline)
        };
        let generated = generate_with(&net, &q, &opts, &dir);
        let probes = random_probes(n, 40, 100 + case as u64);
        let model = FixedModel::new(&q);
        let cfg = RunConfig::new(mode, max_sweeps).unwrap();
        let outcomes: Vec<_> = probes.iter().map(|p| model.run(p, &cfg)).collect();
        statuses.extend(outcomes.iter().map(|o| o.status));
        let what = format!(
            "{arch:?} {mode:?} N={n} W={w} L={lanes} K={pipeline} max_sweeps={max_sweeps} banks of {bank_words:?}"
        );
        let result = sim::run_stream_iverilog(
            &dir,
            &generated.manifest,
            &probes,
            &outcomes,
            7 + case as u32,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(result.passed, "{what}: {}", result.report);
        let timing = generated.manifest.timing;
        let expected: Vec<u64> = probes
            .iter()
            .map(|p| {
                let plus = p.plus_indices().count();
                timing.latency(plus, &flips_per_sweep(&model, p, &cfg))
            })
            .collect();
        assert_eq!(
            result.latencies, expected,
            "{what}: latency differs from the manifest's timing"
        );
    }
    statuses
}

#[test]
fn parallel_sync_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let cases: Vec<Case> = [
        (1, 2, 100),
        (2, 2, 100),
        (3, 4, 100),
        (5, 4, 100),
        (8, 8, 100),
        (16, 4, 3),
        (16, 8, 100),
        (33, 8, 100),
        (64, 8, 100),
    ]
    .iter()
    .map(|&(n, w, m)| (n, w, n, m))
    .collect();
    let statuses = simulate_matrix(Arch::Parallel, UpdateMode::Sync, 0, &cases);
    assert_eq!(
        statuses,
        Status::ALL.into_iter().collect(),
        "every status must occur"
    );
}

#[test]
fn pipelined_parallel_sync_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let mut statuses = BTreeSet::new();
    for (k, cases) in [
        (1, vec![(2, 2, 100), (5, 4, 100), (16, 4, 3)]),
        (2, vec![(8, 8, 100), (33, 8, 100)]),
        (6, vec![(64, 8, 100)]),
    ] {
        let cases: Vec<Case> = cases.iter().map(|&(n, w, m)| (n, w, n, m)).collect();
        statuses.extend(simulate_matrix(Arch::Parallel, UpdateMode::Sync, k, &cases));
    }
    assert_eq!(
        statuses,
        Status::ALL.into_iter().collect(),
        "every status must occur"
    );
}

#[test]
fn parallel_async_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let cases: Vec<Case> = [
        (1, 2, 100),
        (2, 2, 100),
        (3, 4, 100),
        (5, 4, 100),
        (8, 8, 100),
        (16, 4, 2),
        (16, 8, 100),
        (33, 8, 100),
    ]
    .iter()
    .map(|&(n, w, m)| (n, w, n, m))
    .collect();
    let statuses = simulate_matrix(Arch::Parallel, UpdateMode::Async, 0, &cases);
    assert_eq!(
        statuses,
        [Status::Converged, Status::Limit].into_iter().collect()
    );
}

// L = 5, 16 and 20 put one, one and two registers inside the lane tree.
const FOLDED_CASES: [Case; 11] = [
    (1, 2, 1, 100),
    (2, 4, 1, 100),
    (3, 4, 2, 100),
    (5, 4, 2, 100),
    (8, 8, 3, 100),
    (16, 4, 16, 100),
    (16, 4, 3, 2),
    (17, 8, 4, 100),
    (33, 8, 5, 100),
    (64, 8, 16, 100),
    (40, 4, 20, 100),
];

#[test]
fn folded_sync_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let statuses = simulate_matrix(Arch::Folded, UpdateMode::Sync, 0, &FOLDED_CASES);
    assert_eq!(
        statuses,
        Status::ALL.into_iter().collect(),
        "every status must occur"
    );
}

/// Banked weight memories (`--bank-words`): 2 banks (one multiplexer level), 13 banks
/// (two levels) and 25 (three), with short groups and short last banks; results and
/// cycle counts as the manifest says.
#[test]
fn banked_folded_sync_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let mut statuses = BTreeSet::new();
    for (bank_words, case) in [
        (8, (4, 4, 1, 100)),
        (16, (20, 8, 2, 100)),
        (8, (14, 4, 1, 3)),
    ] {
        let banked =
            simulate_banked_matrix(Arch::Folded, UpdateMode::Sync, 0, &[case], Some(bank_words));
        statuses.extend(banked);
    }
    assert!(statuses.len() >= 2, "more than one outcome: {statuses:?}");
}

/// Banked async cores: every pass waits for the banked weights (M more cycles per
/// pass), results and cycle counts as the manifest says.
#[test]
fn banked_folded_async_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    for (bank_words, case) in [
        (8, (4, 4, 1, 100)),
        (16, (20, 8, 2, 100)),
        (8, (14, 4, 1, 3)),
    ] {
        simulate_banked_matrix(
            Arch::Folded,
            UpdateMode::Async,
            0,
            &[case],
            Some(bank_words),
        );
    }
}

#[test]
fn folded_async_cores_match_the_model_in_icarus() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let statuses = simulate_matrix(Arch::Folded, UpdateMode::Async, 0, &FOLDED_CASES);
    // Async updates never cycle; the tight max_sweeps case must hit the limit.
    assert_eq!(
        statuses,
        [Status::Converged, Status::Limit].into_iter().collect()
    );
}

/// A point of the static checks: architecture, mode, N, W, lanes, pipeline and
/// weight-memory banks.
type StaticPoint = (Arch, UpdateMode, usize, u32, usize, u32, Option<usize>);

/// The static checks' points: every shape of core, banked ones included.
fn static_matrix() -> Vec<StaticPoint> {
    let mut points = Vec::new();
    for mode in [UpdateMode::Sync, UpdateMode::Async] {
        for &(n, w) in &[(1, 2), (2, 4), (5, 8), (16, 16)] {
            points.push((Arch::Parallel, mode, n, w, n, 0, None));
        }
    }
    points.push((Arch::Parallel, UpdateMode::Sync, 5, 4, 5, 1, None));
    points.push((Arch::Parallel, UpdateMode::Sync, 16, 8, 16, 2, None));
    for mode in [UpdateMode::Sync, UpdateMode::Async] {
        for &(n, w, lanes) in &[(1, 2, 1), (2, 4, 2), (5, 8, 2), (16, 16, 5), (40, 4, 8)] {
            points.push((Arch::Folded, mode, n, w, lanes, 0, None));
        }
    }
    // 2 banks; 5 banks with a short last one; 13 banks, two multiplexer levels.
    for mode in [UpdateMode::Sync, UpdateMode::Async] {
        for &(n, lanes, bank_words) in &[(4, 1, 8), (9, 2, 8), (16, 1, 32)] {
            points.push((Arch::Folded, mode, n, 4, lanes, 0, Some(bank_words)));
        }
    }
    points
}

#[test]
fn cores_lint_clean_in_verilator() {
    if !tools_present(&[VERILATOR]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    for (case, point) in static_matrix().into_iter().enumerate() {
        let (arch, mode, n, w, lanes, pipeline, bank_words) = point;
        let (net, q) = random_network(n, w, 50 + case as u64);
        let dir = root.path().join(format!("lint{case}"));
        let opts = SynthOptions {
            bank_words,
            ..options(arch, mode, lanes, 100, pipeline)
        };
        let generated = generate_with(&net, &q, &opts, &dir);
        let what =
            format!("{arch:?} {mode:?} N={n} W={w} L={lanes} K={pipeline} banks of {bank_words:?}");
        let warnings = sim::verilator_lint(&dir, &generated.manifest)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(warnings.trim(), "", "{what}: verilator -Wall warned");
    }
}

#[test]
fn cores_pass_yosys_checks() {
    if !tools_present(&[YOSYS]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    for (case, point) in static_matrix().into_iter().enumerate() {
        let (arch, mode, n, w, lanes, pipeline, bank_words) = point;
        if n > 16 {
            continue;
        }
        let (net, q) = random_network(n, w, 80 + case as u64);
        let dir = root.path().join(format!("yosys{case}"));
        let opts = SynthOptions {
            bank_words,
            ..options(arch, mode, lanes, 100, pipeline)
        };
        let generated = generate_with(&net, &q, &opts, &dir);
        sim::yosys_check(&dir, &generated.manifest).unwrap_or_else(|e| {
            panic!(
                "{arch:?} {mode:?} N={n} W={w} L={lanes} K={pipeline} banks of {bank_words:?}: {e}"
            )
        });
    }
}

#[test]
fn narrow_accumulators_and_single_sweeps() {
    if !tools_present(&[IVERILOG, VVP, VERILATOR]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let points = [
        (Arch::Parallel, UpdateMode::Sync, 9),
        (Arch::Parallel, UpdateMode::Async, 9),
        (Arch::Folded, UpdateMode::Sync, 4),
        (Arch::Folded, UpdateMode::Async, 4),
    ];
    for (case, (arch, mode, lanes)) in points.into_iter().enumerate() {
        let (net, q) = narrow_network(9, case as u64);
        for max_sweeps in [1, 100] {
            let dir = root.path().join(format!("narrow{case}-{max_sweeps}"));
            let generated =
                generate_with(&net, &q, &options(arch, mode, lanes, max_sweeps, 0), &dir);
            let what = format!("{arch:?} {mode:?} A={} max_sweeps={max_sweeps}", q.acc_bits);
            sim::verilator_lint(&dir, &generated.manifest)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let probes = random_probes(9, 30, case as u64);
            let model = FixedModel::new(&q);
            let cfg = RunConfig::new(mode, max_sweeps).unwrap();
            let outcomes: Vec<_> = probes.iter().map(|p| model.run(p, &cfg)).collect();
            let result = sim::run_stream_iverilog(&dir, &generated.manifest, &probes, &outcomes, 3)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(result.passed, "{what}: {}", result.report);
        }
    }
}

/// `hopgen testbench` for every architecture: its script passes in Icarus, and fails
/// when the core is wrong (a mutated tie rule).
#[test]
fn testbench_command_passes_and_catches_a_mutant() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let weights = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny8.json");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hopgen"))
            .args(args)
            .output()
            .unwrap()
    };
    for (arch, mode) in [
        ("parallel", "sync"),
        ("parallel", "async"),
        ("folded", "sync"),
        ("folded", "async"),
    ] {
        let dir = root.path().join(format!("{arch}-{mode}"));
        let dir_str = dir.to_str().unwrap();
        let out = run(&[
            "testbench",
            weights.to_str().unwrap(),
            "--arch",
            arch,
            "--update",
            mode,
            "-W",
            "2",
            "--probes",
            "60",
            "-o",
            dir_str,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = std::process::Command::new("sh")
            .arg(dir.join("run_iverilog.sh"))
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&script.stdout);
        assert!(script.status.success(), "{arch} {mode}: {log}");
        assert!(log.contains("PASS 60 probes"), "{arch} {mode}: {log}");
    }
    // Mutation: in the parallel sync core, a tie flips the neuron instead of keeping it.
    let dir = root.path().join("parallel-sync");
    let core = dir.join("tiny_8.v");
    let text = std::fs::read_to_string(&core).unwrap();
    assert!(text.contains("& state["));
    std::fs::write(&core, text.replace("& state[", "& ~state[")).unwrap();
    let script = std::process::Command::new("sh")
        .arg(dir.join("run_iverilog.sh"))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&script.stdout);
    assert!(!script.status.success(), "the mutant passed: {log}");
    assert!(log.contains("FAIL"), "{log}");
}

/// Reset pulses at random moments of a run: every core drops in_ready while rst is high,
/// and every probe abandoned by a reset gives the model's result when sent again.
#[test]
fn resets_mid_probe_abandon_cleanly() {
    if !tools_present(&[IVERILOG, VVP]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let points = [
        (Arch::Parallel, UpdateMode::Sync, 8),
        (Arch::Parallel, UpdateMode::Async, 8),
        (Arch::Folded, UpdateMode::Sync, 3),
        (Arch::Folded, UpdateMode::Async, 3),
    ];
    for (case, (arch, mode, lanes)) in points.into_iter().enumerate() {
        let (net, q) = random_network(8, 4, 40 + case as u64);
        let dir = root.path().join(format!("rst{case}"));
        let generated = generate_with(&net, &q, &options(arch, mode, lanes, 100, 0), &dir);
        let probes = random_probes(8, 40, case as u64);
        let model = FixedModel::new(&q);
        let cfg = RunConfig::new(mode, 100).unwrap();
        let outcomes: Vec<_> = probes.iter().map(|p| model.run(p, &cfg)).collect();
        let result =
            sim::run_stream_iverilog_with(&dir, &generated.manifest, &probes, &outcomes, 5, 20)
                .unwrap_or_else(|e| panic!("{arch:?} {mode:?}: {e}"));
        assert!(result.passed, "{arch:?} {mode:?}: {}", result.report);
    }
}
