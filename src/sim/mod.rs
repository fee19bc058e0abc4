//! Checking generated cores with external tools: the stream testbench in Icarus
//! Verilog against the reference model, Verilator's linter, and yosys' structural
//! checks. (The Verilator co-simulation harness builds on this.)

pub mod uart;
pub mod verilator;

use crate::model::Outcome;
use crate::state::{hex_msb_first, State};
use crate::synth::manifest::Manifest;
use crate::tools::{ToolError, IVERILOG, VERILATOR, VVP, YOSYS};
use std::path::Path;

/// The hand-written stream testbench (`sim/hop_tb_stream.v`).
pub const STREAM_TB: &str = include_str!("../../sim/hop_tb_stream.v");
pub const STREAM_TB_FILE: &str = "hop_tb_stream.v";

/// The expected word of one result: {status[1:0], sweeps[15:0], state[N−1:0]},
/// least significant bit first.
fn expected_bits(o: &Outcome) -> Vec<bool> {
    let mut bits: Vec<bool> = (0..o.state.len()).map(|i| o.state.get(i)).collect();
    bits.extend((0..16).map(|b| (o.sweeps >> b) & 1 == 1));
    let status = o.status as u32;
    bits.extend((0..2).map(|b| (status >> b) & 1 == 1));
    bits
}

/// `probes.hex` and `expected.hex` for the stream testbench: one word per line,
/// expected words packed as {status[1:0], sweeps[15:0], state[N−1:0]}.
pub fn stream_vectors(probes: &[State], outcomes: &[Outcome]) -> (String, String) {
    let probe_lines: Vec<String> = probes.iter().map(State::to_hex).collect();
    let expected_lines: Vec<String> = outcomes
        .iter()
        .map(|o| hex_msb_first(&expected_bits(o)))
        .collect();
    (
        probe_lines.join("\n") + "\n",
        expected_lines.join("\n") + "\n",
    )
}

/// `hop_tb_vectors.vh`: the same vectors as assignments, included into the testbench's
/// `initial` block when it is compiled with HOP_EMBEDDED.
pub fn embedded_vectors(probes: &[State], outcomes: &[Outcome]) -> String {
    use crate::verilog::{print::print_statements, Expr, Ident, Stmt};
    let n = probes.first().map_or(1, State::len) as u32;
    let assign = |memory: &str, i: usize, width: u32, hex: String| {
        Stmt::Blocking(
            Expr::id(&Ident::new(memory)).select(Expr::Num(i as i64)),
            Expr::Hex { width, hex },
        )
    };
    let mut stmts = Vec::with_capacity(2 * probes.len());
    for (i, (p, o)) in probes.iter().zip(outcomes).enumerate() {
        stmts.push(assign("probes", i, n, p.to_hex()));
        stmts.push(assign(
            "expected",
            i,
            n + 18,
            hex_msb_first(&expected_bits(o)),
        ));
    }
    format!(
        "// hop_tb_vectors.vh - probes and the reference model's results, written by hopgen.\n{}",
        print_statements(&stmts, 2)
    )
}

/// What the stream testbench printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamResult {
    pub passed: bool,
    /// The PASS/FAIL lines.
    pub report: String,
    /// Per result, in order: cycles from taking the probe to the result being valid.
    pub latencies: Vec<u64>,
}

/// Runs the stream testbench on the core in `core_dir` in Icarus Verilog; the probe and
/// expected-result files and the compiled testbench are written into `core_dir`, where
/// the core's memory files are.
pub fn run_stream_iverilog(
    core_dir: &Path,
    manifest: &Manifest,
    probes: &[State],
    outcomes: &[Outcome],
    seed: u32,
) -> Result<StreamResult, ToolError> {
    run_stream_iverilog_with(core_dir, manifest, probes, outcomes, seed, 0)
}

/// `run_stream_iverilog` with reset pulses during the run (probability `rst_rate`/1024
/// per cycle); latencies are then not meaningful for re-sent probes.
pub fn run_stream_iverilog_with(
    core_dir: &Path,
    manifest: &Manifest,
    probes: &[State],
    outcomes: &[Outcome],
    seed: u32,
    rst_rate: u32,
) -> Result<StreamResult, ToolError> {
    let (probe_hex, expected_hex) = stream_vectors(probes, outcomes);
    let write = |name: &str, text: &str| {
        std::fs::write(core_dir.join(name), text).map_err(|e| ToolError {
            tool: "iverilog",
            command: format!("write {name}"),
            status: None,
            stdout: String::new(),
            stderr: e.to_string(),
        })
    };
    write("probes.hex", &probe_hex)?;
    write("expected.hex", &expected_hex)?;
    write(STREAM_TB_FILE, STREAM_TB)?;
    let mut args: Vec<String> = vec![
        "-g2005".into(),
        format!("-DHOP_DUT={}", manifest.top),
        format!("-Phop_tb_stream.N={}", manifest.neurons),
        format!("-Phop_tb_stream.COUNT={}", probes.len()),
        format!("-Phop_tb_stream.SEED={seed}"),
        format!("-Phop_tb_stream.RST_RATE={rst_rate}"),
        "-o".into(),
        "tb.vvp".into(),
        STREAM_TB_FILE.into(),
    ];
    args.extend(manifest.sources.iter().cloned());
    IVERILOG.run(&args, core_dir)?;
    let out = VVP.run(&["-n".into(), "tb.vvp".into()], core_dir)?;
    let report: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .collect();
    let latencies = out
        .lines()
        .filter_map(|l| l.strip_prefix("LATENCY "))
        .filter_map(|rest| rest.split_whitespace().nth(1)?.parse().ok())
        .collect();
    Ok(StreamResult {
        passed: report.len() == 1 && report[0].starts_with("PASS"),
        report: report.join("\n"),
        latencies,
    })
}

/// `verilator --lint-only -Wall` on the core. Any warning is an error (Verilator exits
/// non-zero); on success returns whatever else it printed (normally nothing).
pub fn verilator_lint(core_dir: &Path, manifest: &Manifest) -> Result<String, ToolError> {
    let mut args: Vec<String> = vec![
        "--lint-only".into(),
        "-Wall".into(),
        "--top-module".into(),
        manifest.top.clone(),
    ];
    args.extend(manifest.sources.iter().cloned());
    VERILATOR.run(&args, core_dir)
}

/// `yosys synth` on the core, then `check -assert`: no latches, multiple drivers or
/// combinational loops. Fails with yosys' log when a check does not hold.
pub fn yosys_check(core_dir: &Path, manifest: &Manifest) -> Result<(), ToolError> {
    let script = format!(
        "read_verilog {}; synth -top {}; check -assert",
        manifest.sources.join(" "),
        manifest.top
    );
    YOSYS
        .run(&["-q".into(), "-p".into(), script], core_dir)
        .map(|_| ())
}
