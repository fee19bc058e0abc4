//! The FPGA flow for real: `hopgen build` runs yosys, nextpnr and the packer on small
//! cores for each family (iCE40 and ECP5) and writes a bitstream and a report whose
//! fields are checked; a rebuild comes from the step cache; a core that cannot fit is
//! reported with its numbers and exit code 7; `flash --dry-run` prints the loader
//! command. In CI (CI set) missing flow tools fail; elsewhere the tests skip.

mod common;

use hopgen::tools::{ECPPACK, FLOW_YOSYS, ICEPACK, NEXTPNR_ECP5, NEXTPNR_ICE40};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn flow_tools_present() -> bool {
    common::tools_present(&[FLOW_YOSYS, NEXTPNR_ICE40, NEXTPNR_ECP5, ICEPACK, ECPPACK])
}

fn hopgen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hopgen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A trained weights file with N neurons in `dir`.
fn weights(dir: &Path, n: usize) -> PathBuf {
    let n_text = n.to_string();
    ok(&hopgen(
        &["random-patterns", "-n", &n_text, "-p", "2", "-o", "p.json"],
        dir,
    ));
    ok(&hopgen(&["train", "p.json", "-o", "w.json"], dir));
    dir.join("w.json")
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn resource<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().starts_with(name))
        .unwrap_or_else(|| panic!("no resource {name}"))
}

/// Checks what every successful board build's report must say.
fn check_board_report(r: &Value, board: &str, bitstream: &Path, magic: &[u8]) {
    assert_eq!(r["format"], "hopgen-build-report/1");
    assert_eq!(r["status"], "ok");
    assert_eq!(r["board"], board);
    let luts = resource(r, "LUT4");
    let used = luts["used"].as_u64().unwrap();
    assert!(
        used > 50 && used < luts["available"].as_u64().unwrap(),
        "{luts}"
    );
    assert!(resource(r, "FF")["used"].as_u64().unwrap() > 20);
    let fmax = r["timing"]["fmax_mhz"].as_f64().unwrap();
    assert!(
        fmax >= r["timing"]["target_mhz"].as_f64().unwrap(),
        "{fmax}"
    );
    assert_eq!(r["timing"]["met"], true);
    let perf = &r["performance"];
    assert!(perf["cycles_per_probe_max"].as_u64().unwrap() > 0);
    assert!(perf["core_probes_per_s_at_fmax"].as_f64().unwrap() > 0.0);
    let steps: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["yosys", "nextpnr", "pack"]);
    assert!(r["tools"]["yosys"].as_str().unwrap().contains("0."));
    let bits = std::fs::read(bitstream).unwrap();
    assert!(
        bits.windows(magic.len()).any(|w| w == magic),
        "{} has no bitstream preamble",
        bitstream.display()
    );
}

#[test]
fn builds_bitstreams_for_ice40_and_ecp5_and_reuses_cached_steps() {
    if !flow_tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let w = weights(tmp.path(), 12);
    let w = w.to_str().unwrap();
    let cases = [
        // iCE40 bitstreams carry the sync word 7EAA997E; ECP5 ones the preamble FFFFBDB3.
        (
            "icebreaker",
            "folded",
            "ice",
            &[0x7E, 0xAA, 0x99, 0x7E][..],
            "p.bin",
        ),
        (
            "ulx3s-25f",
            "parallel",
            "ecp",
            &[0xFF, 0xFF, 0xBD, 0xB3][..],
            "p.bit",
        ),
    ];
    for (board, arch, out, magic, bit) in cases {
        let built = hopgen(
            &[
                "build", w, "--board", board, "--arch", arch, "--update", "async", "-W", "4",
                "--name", "p", "-o", out,
            ],
            tmp.path(),
        );
        let text = ok(&built);
        assert!(text.contains("status    ok"), "{text}");
        let dir = tmp.path().join(out);
        check_board_report(&report(&dir), board, &dir.join(bit), magic);
        assert!(dir.join("nextpnr.log").exists() && dir.join("yosys.log").exists());
    }
    // The same build again: every step comes from the cache, same bitstream.
    let first = std::fs::read(tmp.path().join("ice/p.bin")).unwrap();
    // (tool seconds, served from the cache) per step.
    let tool_seconds = |r: &Value| -> Vec<(f64, bool)> {
        let steps = r["steps"].as_array().unwrap();
        steps
            .iter()
            .map(|s| (s["tool_seconds"].as_f64().unwrap(), s["cached"] == true))
            .collect()
    };
    let first_times = tool_seconds(&report(&tmp.path().join("ice")));
    let again = hopgen(
        &[
            "build",
            w,
            "--board",
            "icebreaker",
            "--arch",
            "folded",
            "--update",
            "async",
            "-W",
            "4",
            "--name",
            "p",
            "-o",
            "ice",
        ],
        tmp.path(),
    );
    ok(&again);
    let r = report(&tmp.path().join("ice"));
    assert!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["cached"] == true),
        "{r}"
    );
    // Cached steps report the tool time of the run that filled the cache (here the
    // first build, unless the shared step cache already had it).
    let again_times = tool_seconds(&r);
    assert_eq!(again_times.len(), first_times.len());
    for ((again, _), (first, was_cached)) in again_times.iter().zip(&first_times) {
        assert!(
            *was_cached || (again - first).abs() < 0.002,
            "{again_times:?} vs {first_times:?}"
        );
    }
    assert!(ok(&again).contains("(cached; "), "the table says so too");
    assert_eq!(std::fs::read(tmp.path().join("ice/p.bin")).unwrap(), first);
}

/// Weights written at run time go to the UP5K's SPRAM (yosys is told `ram_style =
/// "huge"`): four SPRAMs side by side make the 64-bit words of 16 lanes × 4 bits.
#[test]
fn weights_written_at_run_time_go_to_spram_on_an_up5k() {
    if !flow_tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let w = weights(tmp.path(), 64);
    let text = ok(&hopgen(
        &[
            "build",
            w.to_str().unwrap(),
            "--board",
            "icebreaker",
            "--arch",
            "folded",
            "--load-weights",
            "-W",
            "4",
            "-o",
            "lw",
        ],
        tmp.path(),
    ));
    let r = report(&tmp.path().join("lw"));
    let spram = resource(&r, "SPRAM");
    assert_eq!(spram["used"], 4, "{text}");
    assert!(r["weights_in"].as_str().unwrap().contains("SPRAM"), "{r}");
    let script = std::fs::read_to_string(tmp.path().join("lw/synth.ys")).unwrap();
    assert!(
        script.contains("setattr -set ram_style \"huge\" p/m:wmem"),
        "{script}"
    );
    assert!(tmp
        .path()
        .join("lw")
        .join(r["bitstream"].as_str().unwrap())
        .is_file());
}

#[test]
fn a_core_too_big_for_the_part_is_reported_with_exit_7() {
    if !flow_tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let w = weights(tmp.path(), 256);
    // 256 × 256 × 8 bits = 512 Kbit of weights: 128 EBRs, on a part that has 32.
    let out = hopgen(
        &[
            "build",
            w.to_str().unwrap(),
            "--part",
            "ice40-hx8k-ct256",
            "--arch",
            "folded",
            "-W",
            "8",
            "-o",
            "big",
        ],
        tmp.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not fit ice40-hx8k-ct256"), "{stderr}");
    let r = report(&tmp.path().join("big"));
    assert_eq!(r["status"], "does-not-fit");
    assert!(r["bitstream"].is_null());
    let ebr = resource(&r, "EBR");
    assert!(ebr["used"].as_u64().unwrap() > 32, "{ebr}");
    assert!(r["problem"].as_str().unwrap().contains("EBR"), "{r}");
}

/// `--seeds K`: nextpnr runs with seeds 1, 2, … until one meets the target; when none
/// does, the fastest placement is the one left in the directory (its report and
/// bitstream), and every seed's log is kept.
#[test]
fn seeds_are_tried_until_one_meets_the_target_and_the_fastest_is_kept() {
    if !flow_tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let w = weights(tmp.path(), 16);
    let build = |freq: &str, out: &str| {
        let args = [
            "build",
            w.to_str().unwrap(),
            "--part",
            "ice40-hx8k-ct256",
            "--arch",
            "folded",
            "--freq",
            freq,
            "--seeds",
            "3",
            "--allow-timing-fail",
            "-o",
            out,
        ];
        let text = ok(&hopgen(&args, tmp.path()));
        (text, report(&tmp.path().join(out)))
    };
    // 900 MHz: no seed meets it, so all three run and the fastest is kept.
    let (text, r) = build("900", "fast");
    let tried: Vec<(u64, f64)> = r["timing"]["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["seed"].as_u64().unwrap(), s["fmax_mhz"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        tried.iter().map(|t| t.0).collect::<Vec<_>>(),
        [1, 2, 3],
        "{r}"
    );
    let best = tried.iter().map(|t| t.1).fold(0.0, f64::max);
    let kept = tried.iter().find(|t| t.1 == best).unwrap().0;
    assert_eq!(r["timing"]["seed"], kept, "{r}");
    assert_eq!(r["timing"]["fmax_mhz"].as_f64().unwrap(), best);
    assert_eq!(r["status"], "timing-failed");
    assert!(
        r["problem"]
            .as_str()
            .unwrap()
            .ends_with("target (the best of 3 nextpnr seeds)"),
        "{r}"
    );
    let dir = tmp.path().join("fast");
    let placed: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("nextpnr-report.json")).unwrap())
            .unwrap();
    let placed_fmax = hopgen::fpga::report::PnrReport::parse(&placed.to_string())
        .unwrap()
        .fmax_mhz;
    assert_eq!(
        placed_fmax,
        Some(best),
        "the kept seed's files are in place"
    );
    let logs: Vec<String> = (1..=3)
        .map(|seed| std::fs::read_to_string(dir.join(format!("nextpnr-seed{seed}.log"))).unwrap())
        .collect();
    assert!(logs.iter().all(|log| log.contains("Max frequency")));
    assert!(logs[0] != logs[1] && logs[1] != logs[2], "three placements");
    assert!(text.contains("kept seed"), "{text}");
    assert!(text.contains("nextpnr (seed 3)"), "{text}");
    // 10 MHz: seed 1 meets it, so no other seed runs.
    let (_, r) = build("10", "slow");
    assert_eq!(r["timing"]["seeds"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["timing"]["seed"], 1);
    assert_eq!(r["status"], "ok");
}

#[test]
fn a_pll_clocks_the_core_when_the_board_clock_differs() {
    if !flow_tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let w = weights(tmp.path(), 8);
    let w = w.to_str().unwrap();
    for (board, freq, achieved, primitive) in [
        ("icebreaker", "30", 30_000_000, "SB_PLL40_PAD"),
        ("ulx3s-25f", "50", 50_000_000, "EHXPLLL"),
    ] {
        let out = format!("pll-{board}");
        let text = ok(&hopgen(
            &[
                "build", w, "--board", board, "--freq", freq, "--arch", "folded", "-o", &out,
            ],
            tmp.path(),
        ));
        assert!(text.contains("(PLL: "), "{text}");
        let dir = tmp.path().join(&out);
        let r = report(&dir);
        assert_eq!(r["status"], "ok", "{r}");
        assert_eq!(r["timing"]["core_clock_hz"], achieved);
        let pll = std::fs::read_to_string(dir.join("hop_pll.v")).unwrap();
        assert!(pll.contains(primitive), "{pll}");
        let top = std::fs::read_to_string(dir.join("hop_board.v")).unwrap();
        assert!(top.contains("hop_pll pll ("), "{top}");
        assert!(top.contains(&format!(
            "parameter integer CLKS_PER_BIT = {}",
            (achieved + 57_600) / 115_200
        )));
    }
}

#[test]
fn flash_dry_run_prints_the_loader_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("report.json"),
        r#"{"board": "icebreaker", "bitstream": "net.bin"}"#,
    )
    .unwrap();
    std::fs::write(dir.join("net.bin"), [0u8; 4]).unwrap();
    let out = hopgen(&["flash", "b", "--dry-run"], tmp.path());
    let text = ok(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.ends_with("--board icebreaker b/net.bin") || first.ends_with("-S b/net.bin"),
        "{text}"
    );
    let out = hopgen(
        &["flash", "b", "--dry-run", "--persist", "--board", "ulx3s"],
        tmp.path(),
    );
    let text = ok(&out);
    assert!(
        text.contains("--board ulx3s --write-flash b/net.bin")
            || text.contains("ecpprog b/net.bin"),
        "{text}"
    );
    let out = hopgen(&["flash", "missing", "--dry-run"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn build_option_errors_are_precise() {
    let tmp = tempfile::tempdir().unwrap();
    let w = weights(tmp.path(), 8);
    let w = w.to_str().unwrap();
    let out = hopgen(&["build", w, "--board", "de10-nano"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown board \"de10-nano\""), "{stderr}");
    assert!(
        stderr.contains("icebreaker, ice40-hx8k-breakout"),
        "{stderr}"
    );
    let out = hopgen(
        &["build", w, "--board", "icebreaker", "--baud", "3000000"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--baud 3000000"));
    let out = hopgen(
        &["build", w, "--board", "icebreaker", "--freq", "900"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no PLL setting gives 900 MHz"), "{stderr}");
    assert!(
        stderr.contains("outside range 16 MHz - 275 MHz"),
        "{stderr}"
    );
    assert!(
        !tmp.path().join("build").exists(),
        "an error left output behind"
    );
}
