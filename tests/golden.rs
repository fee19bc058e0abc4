//! Golden tests: the exact text hopgen writes (weights files, reports, pictures,
//! error messages) for fixed inputs. Refresh after an intended change with
//! `make golden` (UPDATE_GOLDEN=1 cargo test --test golden) and review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compares `actual` with tests/golden/NAME, or rewrites it under UPDATE_GOLDEN=1.
fn check_golden(name: &str, actual: &str) {
    check_golden_file(&root().join("tests/golden").join(name), actual);
}

/// Compares `actual` with the file at `path`, or rewrites it under UPDATE_GOLDEN=1.
fn check_golden_file(path: &Path, actual: &str) {
    let path = path.to_path_buf();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}; run `make golden`", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             if the change is intended, run `make golden` and review the diff",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

/// A scratch directory holding copies of tests/data, so paths in output are relative.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("tests/data")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn hopgen(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_hopgen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let run = hopgen(dir, args);
    assert_eq!(run.code, 0, "hopgen {args:?} failed:\n{}", run.stderr);
    run.stdout
}

#[test]
fn trained_weights_files() {
    let dir = workdir();
    for rule in ["hebbian", "storkey", "pinv"] {
        let out = format!("letters-{rule}.json");
        let stdout = ok(
            dir.path(),
            &["train", "letters.json", "--rule", rule, "-o", &out],
        );
        check_golden(&format!("train-{rule}.stdout"), &stdout);
        let written = std::fs::read_to_string(dir.path().join(&out)).unwrap();
        check_golden(&out, &written);
    }
}

#[test]
fn recall_text_report_with_pictures() {
    let dir = workdir();
    ok(
        dir.path(),
        &["train", "letters.json", "--rule", "pinv", "-o", "w.json"],
    );
    let stdout = ok(
        dir.path(),
        &[
            "recall", "w.json", "--noise", "0.2", "--trials", "40", "--seed", "7", "-W", "4",
            "--show", "2",
        ],
    );
    check_golden("recall-pinv-w4.txt", &stdout);
}

#[test]
fn recall_json_report() {
    let dir = workdir();
    ok(dir.path(), &["train", "letters.json", "-o", "w.json"]);
    let stdout = ok(
        dir.path(),
        &[
            "recall", "w.json", "--noise", "0.12", "--trials", "64", "--update", "sync", "--json",
        ],
    );
    check_golden("recall-hebbian-sync.json", &stdout);
}

#[test]
fn recall_from_a_probe_file() {
    let dir = workdir();
    ok(
        dir.path(),
        &["train", "letters.json", "--rule", "storkey", "-o", "w.json"],
    );
    let stdout = ok(
        dir.path(),
        &["recall", "w.json", "--probe", "probes.json", "--show", "3"],
    );
    check_golden("recall-probe-file.txt", &stdout);
}

#[test]
fn quantize_report_over_all_widths() {
    let dir = workdir();
    ok(
        dir.path(),
        &["train", "letters.json", "--rule", "storkey", "-o", "w.json"],
    );
    let stdout = ok(
        dir.path(),
        &["quantize", "w.json", "--all-widths", "--trials", "40"],
    );
    check_golden("quantize-storkey.txt", &stdout);
}

#[test]
fn error_report_for_asymmetric_weights() {
    let dir = workdir();
    let run = hopgen(dir.path(), &["recall", "bad-asymmetric.json"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    check_golden("error-asymmetric.stderr", &run.stderr);
}

/// Every architecture × update mode for N = 1, 2, 5, 8: the core, the command's
/// report, the manifest and (folded) the memory images.
#[test]
fn synthesised_cores() {
    let dir = workdir();
    for (arch, mode) in [
        ("parallel", "sync"),
        ("parallel", "async"),
        ("folded", "sync"),
        ("folded", "async"),
    ] {
        for n in [1, 2, 5, 8] {
            let input = format!("tiny{n}.json");
            let out = format!("{arch}-{mode}-{n}");
            let lanes = 3.min(n).to_string();
            let mut args = vec![
                "synth",
                &input,
                "--arch",
                arch,
                "--update",
                mode,
                "-W",
                "4",
                "--max-sweeps",
                "20",
                "-o",
                &out,
            ];
            if arch == "folded" {
                args.extend(["--lanes", &lanes]);
            }
            let stdout = ok(dir.path(), &args);
            check_golden(&format!("synth/{out}.stdout"), &stdout);
            let manifest_text =
                std::fs::read_to_string(dir.path().join(&out).join("manifest.json")).unwrap();
            let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
            let mut files = vec![format!("tiny_{n}.v"), "manifest.json".to_string()];
            for memory in manifest["memory_files"].as_array().unwrap() {
                files.push(memory.as_str().unwrap().to_string());
            }
            for file in files {
                let text = std::fs::read_to_string(dir.path().join(&out).join(&file)).unwrap();
                check_golden(&format!("synth/{out}-{file}"), &text);
            }
        }
    }
}

#[test]
fn pipelined_parallel_core() {
    let dir = workdir();
    let stdout = ok(
        dir.path(),
        &[
            "synth",
            "tiny8.json",
            "--arch",
            "parallel",
            "--pipeline",
            "2",
            "-W",
            "4",
            "-o",
            "piped",
        ],
    );
    check_golden("synth/parallel-sync-8-pipeline2.stdout", &stdout);
    let core = std::fs::read_to_string(dir.path().join("piped/tiny_8.v")).unwrap();
    check_golden("synth/parallel-sync-8-pipeline2-tiny_8.v", &core);
}

#[test]
fn testbench_files() {
    let dir = workdir();
    let stdout = ok(
        dir.path(),
        &[
            "testbench",
            "tiny5.json",
            "--arch",
            "folded",
            "--lanes",
            "2",
            "-W",
            "4",
            "--probes",
            "12",
            "-o",
            "tb",
        ],
    );
    check_golden("testbench/tiny5.stdout", &stdout);
    for file in ["hop_tb_vectors.vh", "run_iverilog.sh"] {
        let text = std::fs::read_to_string(dir.path().join("tb").join(file)).unwrap();
        check_golden(&format!("testbench/{file}"), &text);
    }
}

#[test]
fn user_names_never_reach_verilog_unescaped() {
    let dir = workdir();
    let stdout = ok(
        dir.path(),
        &[
            "synth",
            "tiny2.json",
            "--name",
            "module\"; $finish; //",
            "-o",
            "evil",
        ],
    );
    assert!(stdout.contains("module module____finish____,"), "{stdout}");
    let core = std::fs::read_to_string(dir.path().join("evil/module____finish____.v")).unwrap();
    assert!(!core.contains("$finish"));
    assert!(!core.contains('"'));
}

#[test]
fn board_constraint_files_in_constraints_dir() {
    use hopgen::fpga::board::BOARDS;
    use hopgen::fpga::constraints::constraints_text;
    for board in BOARDS {
        check_golden_file(
            &root().join("constraints").join(board.constraints),
            &constraints_text(board),
        );
    }
}

#[test]
fn board_tops() {
    let dir = workdir();
    for (board, arch) in [
        ("icebreaker", "folded"),
        ("ulx3s-85f", "parallel"),
        ("ice40-hx8k-breakout", "folded"),
    ] {
        let out = format!("b-{board}");
        ok(
            dir.path(),
            &[
                "build",
                "tiny5.json",
                "--board",
                board,
                "--arch",
                arch,
                "--sources-only",
                "-o",
                &out,
            ],
        );
        for file in ["hop_board.v", "synth.ys"] {
            let text = std::fs::read_to_string(dir.path().join(&out).join(file)).unwrap();
            check_golden(&format!("board/{board}/{file}"), &text);
        }
    }
}
