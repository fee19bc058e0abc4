//! Verilator co-simulation tests: every architecture and update mode, built by the real
//! Verilator with the C++ harness, bit- and cycle-exact against the model under random
//! gaps and back-pressure; and mutation checks showing the comparison fails when the
//! RTL is wrong. In CI (CI set) a missing Verilator fails; elsewhere the tests skip.

mod common;

use hopgen::cosim;
use hopgen::learn::{self, Rule};
use hopgen::model::{FixedModel, RunConfig, Status, UpdateMode};
use hopgen::network::Network;
use hopgen::quantize::{quantize, QuantNetwork, QuantSpec};
use hopgen::sim::verilator::{self, Pacing};
use hopgen::state::State;
use hopgen::synth::{
    self, outdir::write_output_dir, target::Target, Arch, Generated, SynthOptions,
};
use hopgen::tools::VERILATOR;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

fn verilator_present() -> bool {
    common::tools_present(&[VERILATOR])
}

/// Random symmetric integer weights (ties, 2-cycles) with thresholds.
fn network(n: usize, weight_bits: u32, seed: u64) -> (Network, QuantNetwork) {
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
    let thresholds = (0..n).map(|_| rng.gen_range(-2..=2) as f64).collect();
    let net = Network {
        name: format!("cosim_n{n}"),
        n,
        shape: None,
        weights,
        thresholds,
        patterns: vec![],
        labels: vec![],
        meta: None,
    };
    let q = quantize(&net, QuantSpec::new(weight_bits, Some(0)).unwrap());
    (net, q)
}

fn probes(n: usize, count: usize, seed: u64) -> Vec<State> {
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

fn generate(
    net: &Network,
    q: &QuantNetwork,
    arch: Arch,
    mode: UpdateMode,
    lanes: usize,
    max_sweeps: u32,
    dir: &Path,
) -> Generated {
    let opts = SynthOptions {
        arch,
        mode,
        max_sweeps,
        name: None,
        lanes: (arch == Arch::Folded).then_some(lanes),
        target: Target::Generic,
        pipeline: 0,
        load_weights: false,
        bank_words: None,
    };
    let generated = synth::generate(net, q, &opts).unwrap();
    write_output_dir(dir, &generated.files, true).unwrap();
    generated
}

/// Builds and co-simulates the core in `dir`; returns the statuses seen, or the first
/// disagreement.
fn cosimulate(
    dir: &Path,
    generated: &Generated,
    q: &QuantNetwork,
    mode: UpdateMode,
    max_sweeps: u32,
    cache: &Path,
) -> Result<Vec<Status>, cosim::Mismatch> {
    let manifest = &generated.manifest;
    let build = verilator::build(dir, manifest, cache).unwrap_or_else(|e| panic!("{e}"));
    let probes = probes(q.n, 60, 5);
    let cfg = RunConfig::new(mode, max_sweeps).unwrap();
    let expected = cosim::expected(&FixedModel::new(q), &cfg, &manifest.timing, &probes);
    let pacing = Pacing {
        seed: 11,
        in_rate: 5,
        out_rate: 4,
        max_cycles: 10_000_000,
    };
    let run = cosim::run_rtl(&build, dir, manifest, &probes, &pacing, 2, &|_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    cosim::compare(&probes, &expected, &run.results)?;
    Ok(expected.iter().map(|e| e.outcome.status).collect())
}

/// Where a matrix point's weights come from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Random symmetric integers over the W-bit range (ties, 2-cycles, `limit`).
    Integers,
    Rule(Rule),
}

/// (N, W, weights, non-zero thresholds, max_sweeps, architectures and modes)
type MatrixRow<'a> = (usize, u32, Source, bool, u32, &'a [(Arch, UpdateMode)]);

/// A network of `n` neurons from `source`, thresholds zero or small non-zero.
fn matrix_network(
    n: usize,
    w: u32,
    source: Source,
    thresholds: bool,
    seed: u64,
) -> (Network, QuantNetwork) {
    let (mut net, _) = network(n, w, seed);
    if let Source::Rule(rule) = source {
        let patterns = hopgen::cmd::random::random_patterns(n, (n / 8).max(1), seed);
        let signs: Vec<Vec<i8>> = patterns.iter().map(State::to_signs).collect();
        net.weights = learn::weights_for(rule, n, &signs);
        net.patterns = patterns;
    }
    if !thresholds {
        net.thresholds = vec![0.0; n];
    } else if let Source::Rule(_) = source {
        net.thresholds = net.thresholds.iter().map(|t| t * 0.01).collect();
    }
    let frac = if let Source::Integers = source {
        Some(0)
    } else {
        None
    };
    let q = quantize(&net, QuantSpec::new(w, frac).unwrap());
    (net, q)
}

/// The RTL regression matrix in Verilator: N from 1 to 256, W from 2 to 16, every
/// architecture and update mode, weights from every learning rule and random integers,
/// thresholds zero and non-zero. Every result must agree in state, sweeps, status and
/// cycle count, and every status must occur.
#[test]
fn regression_matrix_agrees_with_the_model_in_verilator() {
    if !verilator_present() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let cache = root.path().join("cache");
    let all = [
        (Arch::Parallel, UpdateMode::Sync),
        (Arch::Parallel, UpdateMode::Async),
        (Arch::Folded, UpdateMode::Sync),
        (Arch::Folded, UpdateMode::Async),
    ];
    let folded = &all[2..];
    let rows: Vec<MatrixRow> = vec![
        (1, 2, Source::Integers, true, 30, &all),
        (2, 4, Source::Rule(Rule::Hebbian), false, 30, &all),
        (3, 8, Source::Rule(Rule::Storkey), true, 30, &all),
        (8, 16, Source::Rule(Rule::Pinv), false, 30, &all),
        (16, 4, Source::Integers, true, 3, &all),
        (16, 2, Source::Integers, false, 30, &all),
        (64, 8, Source::Rule(Rule::Hebbian), true, 30, &all),
        (64, 2, Source::Integers, true, 30, &all[1..]),
        (256, 8, Source::Rule(Rule::Storkey), false, 30, folded),
        (256, 4, Source::Integers, true, 5, folded),
    ];
    let mut statuses = std::collections::BTreeSet::new();
    let mut case = 0;
    for (n, w, source, thresholds, max_sweeps, points) in rows {
        for &(arch, mode) in points {
            case += 1;
            let (net, q) = matrix_network(n, w, source, thresholds, case);
            let dir = root.path().join(format!("core{case}"));
            let lanes = if n >= 64 { 16 } else { (n / 2).max(1) };
            let generated = generate(&net, &q, arch, mode, lanes, max_sweeps, &dir);
            let what = format!("{arch:?} {mode:?} N={n} W={w} {source:?} thresholds={thresholds}");
            let seen = cosimulate(&dir, &generated, &q, mode, max_sweeps, &cache)
                .unwrap_or_else(|m| panic!("{what}: {m}"));
            statuses.extend(seen);
        }
    }
    assert_eq!(
        statuses,
        Status::ALL.into_iter().collect(),
        "every status must occur"
    );
}

#[test]
fn builds_are_cached_by_content() {
    if !verilator_present() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let cache = root.path().join("cache");
    let (net, q) = network(6, 4, 3);
    let dir = root.path().join("core");
    let generated = generate(&net, &q, Arch::Parallel, UpdateMode::Sync, 6, 30, &dir);
    let first = verilator::build(&dir, &generated.manifest, &cache).unwrap();
    let second = verilator::build(&dir, &generated.manifest, &cache).unwrap();
    assert!(!first.cached);
    assert!(second.cached);
    assert_eq!(first.exe, second.exe);
}

#[test]
fn a_wrong_tie_rule_is_caught() {
    if !verilator_present() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let (net, q) = network(10, 2, 7);
    let dir = root.path().join("core");
    let generated = generate(&net, &q, Arch::Parallel, UpdateMode::Sync, 10, 30, &dir);
    let core = dir.join(format!("{}.v", generated.manifest.top));
    let text = std::fs::read_to_string(&core).unwrap();
    assert!(
        text.contains("& state["),
        "the core has tie terms to mutate"
    );
    // Mutation: on a tie, flip the neuron instead of keeping it.
    std::fs::write(&core, text.replace("& state[", "& ~state[")).unwrap();
    let cache = root.path().join("cache");
    let verdict = cosimulate(&dir, &generated, &q, UpdateMode::Sync, 30, &cache);
    let mismatch = verdict.expect_err("a mutated tie rule went unnoticed");
    // The artifacts: a repro that replays, the model's trace, and the RTL's VCD.
    let manifest = &generated.manifest;
    let traced = verilator::build_traced(&dir, manifest, &cache).unwrap_or_else(|e| panic!("{e}"));
    let probe = probes(q.n, 60, 5)[mismatch.probe].clone();
    let cfg = RunConfig::new(UpdateMode::Sync, 30).unwrap();
    let expected = cosim::expected(
        &FixedModel::new(&q),
        &cfg,
        &manifest.timing,
        std::slice::from_ref(&probe),
    );
    let build = verilator::build(&dir, manifest, &cache).unwrap();
    let pacing = Pacing {
        seed: 1,
        in_rate: 8,
        out_rate: 8,
        max_cycles: 1_000_000,
    };
    let got = verilator::run(&build, &dir, q.n, std::slice::from_ref(&probe), &pacing).unwrap();
    let failure = cosim::Failure {
        probe: &probe,
        mismatch: &mismatch,
        expected: &expected[0],
        got: &got[0],
    };
    let written =
        cosim::write_mismatch_artifacts(&dir, manifest, &q, &cfg, &failure, Some(&traced)).unwrap();
    assert_eq!(written.len(), 4);
    let repro = hopgen::validate::load_patterns(&dir.join(cosim::REPRO_FILE))
        .unwrap()
        .value;
    assert_eq!(repro.patterns, vec![probe.clone()]);
    let repro_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(cosim::REPRO_FILE)).unwrap())
            .unwrap();
    assert_eq!(
        repro_json["meta"]["model"]["state"],
        expected[0].outcome.state.to_hex()
    );
    assert_eq!(repro_json["meta"]["rtl"]["state"], got[0].state.to_hex());
    let model_vcd = std::fs::read_to_string(dir.join(cosim::MODEL_VCD_FILE)).unwrap();
    assert!(
        model_vcd.contains("$var wire 10 ") && model_vcd.contains(" state $end"),
        "{model_vcd}"
    );
    let rtl_vcd = std::fs::read_to_string(dir.join(cosim::RTL_VCD_FILE)).unwrap();
    assert!(
        rtl_vcd.contains(" state ") && rtl_vcd.contains("#10"),
        "the RTL VCD has no state signal or time steps"
    );
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(cosim::MODEL_TRACE_FILE)).unwrap())
            .unwrap();
    assert_eq!(trace["steps"][0]["state_hex"], probe.to_hex());
}

#[test]
fn a_dropped_weight_is_caught() {
    if !verilator_present() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let (net, q) = network(20, 4, 9);
    let dir = root.path().join("core");
    let generated = generate(&net, &q, Arch::Folded, UpdateMode::Async, 4, 30, &dir);
    let weights = dir.join("weights.mem");
    let text = std::fs::read_to_string(&weights).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Mutation: zero the weights of one word of column 3.
    let word = 3 * 5 + 1;
    lines[word] = "0".repeat(lines[word].len());
    std::fs::write(&weights, lines.join("\n") + "\n").unwrap();
    let verdict = cosimulate(
        &dir,
        &generated,
        &q,
        UpdateMode::Async,
        30,
        &root.path().join("cache"),
    );
    assert!(verdict.is_err(), "a dropped weight went unnoticed");
}
