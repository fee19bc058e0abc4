//! End-to-end behaviour of the binary: exit codes, no partial output on errors,
//! byte-identical output from run to run, and files that read back as written.

use hopgen::validate::{load_weights, LoadOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn hopgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hopgen"))
        .args(args)
        .output()
        .unwrap()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"format": "hopgen-patterns/1", "neurons": 3, "patterns": ["+-x"]}"#,
    )
    .unwrap();
    let out_file = dir.path().join("out/weights.json");
    let out = hopgen(&["train", path_str(&bad), "-o", path_str(&out_file)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains("patterns[0]: character 3 is 'x'"),
        "{stderr}"
    );
    assert!(!out_file.exists());
    assert!(!dir.path().join("out").exists());
}

#[test]
fn missing_file_is_a_clear_error() {
    let out = hopgen(&["recall", "/nonexistent/weights.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: /nonexistent/weights.json: cannot read the file: No such file"),
        "{stderr}"
    );
}

#[test]
fn out_of_range_options_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.json");
    let trained = hopgen(&["train", path_str(&data("letters.json")), "-o", path_str(&w)]);
    assert!(trained.status.success());
    for (args, expected) in [
        (vec!["--weight-bits", "17"], "error: --weight-bits 17 is out of range\n  hint: choose W from 2 to 16\n"),
        (vec!["--max-sweeps", "0"], "error: --max-sweeps 0 is out of range\n  hint: choose 1 to 65535 (the RTL counts sweeps in 16 bits)\n"),
        (vec!["--noise", "1.5"], "error: --noise 1.5 is out of range\n  hint: give the fraction of neurons to flip, from 0 to 1 (e.g. 0.1)\n"),
    ] {
        let mut all = vec!["recall", path_str(&w)];
        all.extend(args);
        let out = hopgen(&all);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8(out.stderr).unwrap(), expected);
    }
}

#[test]
fn probes_of_the_wrong_size_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.json");
    assert!(
        hopgen(&["train", path_str(&data("letters.json")), "-o", path_str(&w)])
            .status
            .success()
    );
    let probes = dir.path().join("p.json");
    std::fs::write(
        &probes,
        r#"{"format": "hopgen-patterns/1", "neurons": 4, "patterns": ["+-+-"]}"#,
    )
    .unwrap();
    let out = hopgen(&["recall", path_str(&w), "--probe", path_str(&probes)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("p.json: neurons: probes have 4 neurons but the network has 25"),
        "{stderr}"
    );
}

#[test]
fn output_is_byte_identical_from_run_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for out in [&a, &b] {
        let run = hopgen(&[
            "train",
            path_str(&data("letters.json")),
            "--rule",
            "storkey",
            "-o",
            path_str(out),
        ]);
        assert!(run.status.success());
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let report = || {
        hopgen(&[
            "recall",
            path_str(&a),
            "--trials",
            "200",
            "--noise",
            "0.2",
            "--seed",
            "9",
            "--json",
        ])
        .stdout
    };
    assert_eq!(report(), report());
    // Only the output files are left: no temporary siblings.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn a_trained_file_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.json");
    assert!(hopgen(&[
        "train",
        path_str(&data("letters.json")),
        "--rule",
        "pinv",
        "-o",
        path_str(&w)
    ])
    .status
    .success());
    let net = load_weights(&w, &LoadOptions::default()).unwrap().value;
    assert_eq!(net.n, 25);
    assert_eq!(net.shape, Some((5, 5)));
    assert_eq!(net.labels, vec!["X", "O", "T", "L"]);
    let rewritten = hopgen::formats::weights::to_json(&net);
    assert_eq!(rewritten, std::fs::read_to_string(&w).unwrap());
}

#[test]
fn random_patterns_are_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let gen = |name: &str, seed: &str| {
        let p = dir.path().join(name);
        assert!(hopgen(&[
            "random-patterns",
            "-n",
            "70",
            "-p",
            "5",
            "--seed",
            seed,
            "-o",
            path_str(&p)
        ])
        .status
        .success());
        std::fs::read_to_string(p).unwrap()
    };
    assert_eq!(gen("a.json", "3"), gen("b.json", "3"));
    assert_ne!(gen("c.json", "3"), gen("d.json", "4"));
    let set = hopgen::validate::load_patterns(&dir.path().join("a.json"))
        .unwrap()
        .value;
    assert_eq!((set.n, set.patterns.len()), (70, 5));
}

#[test]
fn check_summarises_both_formats() {
    let out = hopgen(&["check", path_str(&data("letters.json"))]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.ends_with("ok: hopgen-patterns/1, 25 neurons, 4 patterns, shape 5×5\n"),
        "{stdout}"
    );
    let out = hopgen(&[
        "check",
        path_str(&data("bad-asymmetric.json")),
        "--allow-asymmetric",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("warning: "), "{stderr}");
    assert!(
        stderr.contains("weights are asymmetric in 1 pair"),
        "{stderr}"
    );
}

/// `hopgen synth WEIGHTS --target TARGET EXTRA... -o OUT`.
fn synth_for(weights: &Path, target: &str, extra: &[&str], out: &Path) -> Output {
    let mut args = vec!["synth", path_str(weights), "--target", target];
    args.extend(extra);
    args.extend(["-o", path_str(out)]);
    hopgen(&args)
}

#[test]
fn auto_sizes_cores_for_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("w.json");
    assert!(
        hopgen(&["train", path_str(&data("letters.json")), "-o", path_str(&w)])
            .status
            .success()
    );
    let out_dir = dir.path().join("rtl");
    let out = synth_for(&w, "ice40-up5k", &[], &out_dir);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("arch      parallel (auto for ice40-up5k: parallel needs ~"),
        "{stdout}"
    );

    let p = dir.path().join("p.json");
    let big = dir.path().join("big.json");
    assert!(hopgen(&[
        "random-patterns",
        "-n",
        "256",
        "-p",
        "10",
        "-o",
        path_str(&p)
    ])
    .status
    .success());
    assert!(hopgen(&["train", path_str(&p), "-o", path_str(&big)])
        .status
        .success());
    // Async, W = 8: 512 Kbit of weights go to the SPRAM, 4 lanes of 8 bits a word.
    let spram = dir.path().join("spram");
    let out = synth_for(&big, "ice40-up5k", &["--update", "async"], &spram);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("folded with 4 lanes, ~3524 LUT4; the weights (512 Kbit) go to SPRAM"),
        "{stdout}"
    );
    // W = 16: 1 Mbit, more than the SPRAM holds at any lane count that fits the LUTs.
    let too_big = dir.path().join("too-big");
    let async_w16 = ["--update", "async", "--weight-bits", "16"];
    let out = synth_for(&big, "ice40-up5k", &async_w16, &too_big);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: the network does not fit ice40-up5k"),
        "{stderr}"
    );
    assert!(!too_big.exists());
    let out = synth_for(&big, "ecp5-25k", &[], &too_big);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("arch      folded (auto for ecp5-25k: parallel needs ~"),
        "{stdout}"
    );
}

/// `hopgen synth tiny8.json ARGS...` for each case: exit 2, exactly the expected
/// error and hint, and no output directory.
fn synth_option_errors(cases: &[(Vec<&str>, &str)]) {
    let w = data("tiny8.json");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    for (args, expected) in cases {
        let mut all = vec!["synth", path_str(&w), "-o", path_str(&out)];
        all.extend(args);
        let run = hopgen(&all);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8(run.stderr).unwrap(), *expected);
        assert!(!out.exists());
    }
}

#[test]
fn pipeline_is_checked_against_the_architecture() {
    synth_option_errors(&[
        (
            vec!["--update", "async", "--arch", "parallel", "--pipeline", "1"],
            "error: --pipeline applies to the parallel sync core, not parallel async\n  hint: drop --pipeline, or use --arch parallel --update sync\n",
        ),
        (
            vec!["--arch", "parallel", "--pipeline", "4"],
            "error: --pipeline 4 is more than the 3 adder levels of an N = 8 tree\n  hint: choose K from 0 to ⌈log2 N⌉\n",
        ),
    ]);
}

#[test]
fn lanes_conflicts_are_errors() {
    synth_option_errors(&[
        (
            vec!["--arch", "parallel", "--lanes", "3"],
            "error: --lanes applies to the folded architecture, not parallel\n  hint: drop --lanes, or use --arch folded\n",
        ),
        (
            vec!["--target", "ice40-up5k", "--lanes", "2"],
            "error: --lanes fixes what --target ice40-up5k would choose\n  hint: leave out --lanes to let the target decide, or use --arch folded --lanes L\n",
        ),
    ]);
}

#[test]
fn bank_words_are_checked_and_split_the_weights() {
    synth_option_errors(&[
        (
            vec!["--arch", "parallel", "--bank-words", "4"],
            "error: --bank-words applies to folded cores, not parallel\n  hint: drop --bank-words, or use --arch folded\n",
        ),
        (
            vec!["--arch", "folded", "--lanes", "2", "--bank-words", "6"],
            "error: --bank-words 6 does not split a weight memory of 32 words\n  hint: choose a power of two from 2 to below the memory's words (N * ceil(N / lanes))\n",
        ),
        (
            vec!["--arch", "folded", "--lanes", "2", "--bank-words", "32"],
            "error: --bank-words 32 does not split a weight memory of 32 words\n  hint: choose a power of two from 2 to below the memory's words (N * ceil(N / lanes))\n",
        ),
    ]);
    let w = data("tiny8.json");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    // 32 words in banks of 8: four files, each a quarter of weights.mem, in order.
    let banked = ["--arch", "folded", "--lanes", "2", "--bank-words", "8"];
    let mut all = vec!["synth", path_str(&w), "-o", path_str(&out)];
    all.extend(banked);
    assert!(hopgen(&all).status.success());
    let whole = std::fs::read_to_string(out.join("weights.mem")).unwrap();
    let parts: Vec<String> = (0..4)
        .map(|k| std::fs::read_to_string(out.join(format!("weights.b{k}.mem"))).unwrap())
        .collect();
    assert_eq!(parts.concat(), whole);
    assert!(parts.iter().all(|p| p.lines().count() == 8));
    let core = std::fs::read_to_string(out.join("tiny_8.v")).unwrap();
    assert!(core.contains("--bank-words 8"), "the Made-by line says how");
    assert_eq!(core.matches("$readmemh(\"weights.b").count(), 4);
    // Weights written at run time: banks with no initial contents, and no bank files.
    for update in ["sync", "async"] {
        let loaded = dir.path().join(format!("loaded-{update}"));
        let mut all = vec!["synth", path_str(&w), "-o", path_str(&loaded)];
        all.extend(banked);
        all.extend(["--load-weights", "--update", update]);
        assert!(hopgen(&all).status.success());
        let core = std::fs::read_to_string(loaded.join("tiny_8.v")).unwrap();
        assert!(!core.contains("$readmemh(\"weights.b"), "{update}: {core}");
        assert!(!loaded.join("weights.b0.mem").exists());
    }
}
