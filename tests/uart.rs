//! The board top in Verilator with its UART pins driven bit by bit
//! (`sim/hop_uart_harness.cpp`), talked to by the same protocol code `hopgen run` uses:
//! INFO, probes bit-exact with the model (N not a multiple of 8, sync and async
//! cores), and every bad-frame rule of docs/PROTOCOL.md. In CI (CI set) a missing
//! Verilator fails; elsewhere the tests skip.

mod common;

use hopgen::fpga::board::{find_board, Board};
use hopgen::fpga::top::{design_id, PROTOCOL_VERSION};
use hopgen::fpga::{build_files, BuildOptions, DEFAULT_BAUD};
use hopgen::model::{FixedModel, RunConfig, UpdateMode};
use hopgen::network::Network;
use hopgen::protocol::{self, DeviceError, Reply, HOST_SYNC, T_INFO, T_PROBE};
use hopgen::quantize::{quantize, QuantSpec};
use hopgen::sim::uart::{self, SimBoard, SimUart};
use hopgen::sim::verilator;
use hopgen::state::State;
use hopgen::synth::{self, target::Target, Arch, Generated, SynthOptions};
use hopgen::tools::VERILATOR;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

fn verilator_present() -> bool {
    common::tools_present(&[VERILATOR])
}

fn network(n: usize, seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut weights = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let w = rng.gen_range(-8i32..8) as f64;
            weights[i * n + j] = w;
            weights[j * n + i] = w;
        }
    }
    Network {
        name: format!("uart_n{n}"),
        n,
        shape: None,
        weights,
        thresholds: (0..n).map(|_| rng.gen_range(-2..=2) as f64).collect(),
        patterns: vec![],
        labels: vec![],
        meta: None,
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    board: SimBoard,
    generated: Generated,
    model: FixedModel,
    cfg: RunConfig,
}

/// Generates a core and its board top, builds them in Verilator and starts them.
fn start(n: usize, arch: Arch, mode: UpdateMode, board: &'static Board) -> Setup {
    start_with(n, arch, mode, board, false, None, &|_, text| text.to_vec())
}

/// `start`, with every generated file passed through `edit` (for mutation checks).
fn start_with(
    n: usize,
    arch: Arch,
    mode: UpdateMode,
    board: &'static Board,
    load_weights: bool,
    bank_words: Option<usize>,
    edit: &dyn Fn(&str, &[u8]) -> Vec<u8>,
) -> Setup {
    let net = network(n, n as u64);
    let q = quantize(&net, QuantSpec::new(4, Some(0)).unwrap());
    let opts = SynthOptions {
        arch,
        mode,
        max_sweeps: 20,
        name: None,
        lanes: None,
        target: Target::Generic,
        pipeline: 0,
        load_weights,
        bank_words,
    };
    let generated = synth::generate(&net, &q, &opts).unwrap();
    let build_opts = BuildOptions {
        board: Some(board),
        part: board.part,
        baud: DEFAULT_BAUD,
        freq_mhz: board.clock_hz as f64 / 1e6,
        seed: 1,
        seed_tries: 1,
        allow_timing_fail: false,
        spram: false,
        pll: None,
    };
    let (files, sources) = build_files(&generated, &build_opts);
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), edit(name, text)).unwrap();
    }
    // The board top passes verilator -Wall.
    let mut lint = vec![
        "--lint-only".to_string(),
        "-Wall".into(),
        "--top-module".into(),
        "hop_board".into(),
    ];
    lint.extend(sources.iter().cloned());
    VERILATOR
        .run(&lint, dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let sim = SimUart::default();
    let built = uart::build(
        dir.path(),
        &sources,
        board.pins,
        sim,
        &verilator::cache_root(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let idle = generated.manifest.cycles_per_probe_max + 4 * sim.timeout;
    let board = SimBoard::start(&built, dir.path(), sim, idle, Duration::from_secs(20)).unwrap();
    Setup {
        _dir: dir,
        board,
        generated,
        model: FixedModel::new(&q),
        cfg: RunConfig::new(mode, 20).unwrap(),
    }
}

fn random_states(n: usize, count: usize, seed: u64) -> Vec<State> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let signs: Vec<i8> = (0..n).map(|_| if rng.gen() { 1 } else { -1 }).collect();
            State::from_signs(&signs)
        })
        .collect()
}

fn check_probes(s: &mut Setup, count: usize) {
    let n = s.generated.manifest.neurons;
    for (k, probe) in random_states(n, count, 7).iter().enumerate() {
        let got = s
            .board
            .link
            .recall(probe)
            .unwrap_or_else(|e| panic!("probe {k}: {e}"));
        let want = s.model.run(probe, &s.cfg);
        assert_eq!(
            (&got.state, got.sweeps, got.status),
            (&want.state, want.sweeps, want.status),
            "probe {k}"
        );
    }
}

fn expect_error(s: &mut Setup, error: DeviceError) {
    match s.board.link.receive().unwrap() {
        Reply::Error { error: got, .. } => assert_eq!(got, error),
        other => panic!("expected {error:?}, got {other:?}"),
    }
}

/// Waits until the bridge has drained a bad frame (the line idle for its timeout) and
/// checks nothing else was replied: the host rule after an error reply.
fn settle(s: &mut Setup) {
    s.board.link.timeout = Duration::from_millis(400);
    let extra = s.board.link.receive();
    assert!(extra.is_err(), "a drained payload made a frame: {extra:?}");
    s.board.link.timeout = Duration::from_secs(20);
}

#[test]
fn info_and_probes_are_bit_exact_through_the_uart() {
    if !verilator_present() {
        return;
    }
    for (n, arch, mode, board) in [
        (10, Arch::Folded, UpdateMode::Async, "icebreaker"),
        (16, Arch::Parallel, UpdateMode::Sync, "ulx3s-85f"),
        (21, Arch::Folded, UpdateMode::Sync, "ice40-hx8k-breakout"),
    ] {
        let mut s = start(n, arch, mode, find_board(board).unwrap());
        let info = s.board.link.info().unwrap();
        assert_eq!(info.version, PROTOCOL_VERSION);
        assert_eq!(info.neurons, n);
        assert_eq!(info.weight_bits, 4);
        assert_eq!(info.max_sweeps, 20);
        assert_eq!(info.async_update, mode == UpdateMode::Async);
        assert_eq!(info.folded, arch == Arch::Folded);
        assert_eq!(info.design_id, design_id(&s.generated.manifest));
        assert_eq!(
            u64::from(info.clock_hz),
            find_board(board).unwrap().clock_hz
        );
        check_probes(&mut s, 12);
    }
}

/// The build's weight words, as `hopgen run` reads them.
fn weight_words(s: &Setup) -> (Vec<Vec<u8>>, usize) {
    let port = s
        .generated
        .manifest
        .weight_port
        .clone()
        .expect("a weight port");
    let bytes = (port.word_bits as usize).div_ceil(8);
    let text = String::from_utf8(s.generated.files[&port.file].clone()).unwrap();
    let words = protocol::memory_words(&text, bytes).unwrap();
    assert_eq!(words.len(), port.words);
    (words, bytes)
}

/// A probe is refused with error 7 (weights not loaded); then the drain is waited out.
fn expect_not_loaded(s: &mut Setup, probe: &State, when: &str) {
    match s.board.link.recall(probe) {
        Err(protocol::LinkError::Device(DeviceError::NotLoaded)) => {}
        other => panic!("a probe {when}: {other:?}"),
    }
    settle(s);
}

/// A core whose weights are written at run time (as in a UP5K's SPRAM): probes are
/// refused until the weights are loaded, WEIGHTS frames load them (the last one padded
/// past the memory's end), a damaged frame unloads them until they are sent again,
/// and results are then bit-exact with the model.
#[test]
fn weights_written_at_run_time_load_over_the_uart() {
    if !verilator_present() {
        return;
    }
    let mut s = start_with(
        21,
        Arch::Folded,
        UpdateMode::Sync,
        find_board("icebreaker").unwrap(),
        true,
        None,
        &|_, text| text.to_vec(),
    );
    let (words, bytes) = weight_words(&s);
    assert_eq!(
        (words.len(), bytes),
        (21 * 2, 8),
        "N·C words of 16 lanes × 4 bits"
    );
    let info = s.board.link.info().unwrap();
    assert!(info.loadable && !info.loaded, "{info:?}");
    let probe = random_states(21, 1, 5).pop().unwrap();
    expect_not_loaded(&mut s, &probe, "before the weights");

    let loaded = s.board.link.load_weights(&words, bytes, &|_| {}).unwrap();
    assert_eq!(loaded, 64, "two frames of 32 words");
    assert!(s.board.link.info().unwrap().loaded);
    check_probes(&mut s, 8);

    // A damaged frame (payload byte changed, check byte kept) unloads the weights.
    let mut bad = protocol::weights_frame(0, &words[..32], bytes);
    bad[10] ^= 0x01;
    s.board.link.send(&bad).unwrap();
    expect_error(&mut s, DeviceError::Check);
    assert!(!s.board.link.info().unwrap().loaded);
    expect_not_loaded(&mut s, &probe, "after a damaged WEIGHTS frame");
    // A frame out of order is written but does not complete the load.
    let second = protocol::weights_frame(32, &words[32..], bytes);
    s.board.link.send(&second).unwrap();
    match s.board.link.receive().unwrap() {
        Reply::Written { progress } => assert_eq!(progress, 0),
        other => panic!("expected WRITTEN, got {other:?}"),
    }
    assert!(!s.board.link.info().unwrap().loaded);
    s.board.link.load_weights(&words, bytes, &|_| {}).unwrap();
    assert!(s.board.link.info().unwrap().loaded);
    check_probes(&mut s, 8);
}

/// A banked weight memory (6 banks of 8 words, two multiplexer levels) written over
/// the UART, sync and async: each word lands in its bank, and results are bit-exact.
#[test]
fn banked_weights_load_over_the_uart() {
    if !verilator_present() {
        return;
    }
    for mode in [UpdateMode::Sync, UpdateMode::Async] {
        let mut s = start_with(
            21,
            Arch::Folded,
            mode,
            find_board("icebreaker").unwrap(),
            true,
            Some(8),
            &|_, text| text.to_vec(),
        );
        let (words, bytes) = weight_words(&s);
        assert_eq!((words.len(), bytes), (21 * 2, 8));
        let info = s.board.link.info().unwrap();
        assert!(info.loadable && !info.loaded, "{info:?}");
        let probe = random_states(21, 1, 6).pop().unwrap();
        expect_not_loaded(&mut s, &probe, "before the weights");
        s.board.link.load_weights(&words, bytes, &|_| {}).unwrap();
        check_probes(&mut s, 8);
    }
}

#[test]
fn async_cores_take_their_weights_over_the_uart_too() {
    if !verilator_present() {
        return;
    }
    let mut s = start_with(
        19,
        Arch::Folded,
        UpdateMode::Async,
        find_board("icebreaker").unwrap(),
        true,
        None,
        &|_, text| text.to_vec(),
    );
    // Column-major words: 19 columns of 2 words of 16 lanes.
    let (words, bytes) = weight_words(&s);
    assert_eq!((words.len(), bytes), (19 * 2, 8));
    let info = s.board.link.info().unwrap();
    assert!(info.loadable && !info.loaded, "{info:?}");
    let probe = random_states(19, 1, 9).pop().unwrap();
    expect_not_loaded(&mut s, &probe, "before the weights");
    let loaded = s.board.link.load_weights(&words, bytes, &|_| {}).unwrap();
    assert_eq!(loaded, 64, "two frames of 32 words");
    check_probes(&mut s, 8);
}

#[test]
fn bad_frames_get_error_replies_and_the_bridge_recovers() {
    if !verilator_present() {
        return;
    }
    let mut s = start(
        12,
        Arch::Folded,
        UpdateMode::Sync,
        find_board("icebreaker").unwrap(),
    );
    let n = 12;
    let probe = random_states(n, 1, 3).pop().unwrap();
    let link = &mut s.board.link;
    link.decoder.neurons = Some(n);

    // A wrong check byte.
    let mut bad = protocol::probe_frame(&probe);
    *bad.last_mut().unwrap() ^= 0x55;
    link.send(&bad).unwrap();
    expect_error(&mut s, DeviceError::Check);

    // A probe with the wrong length: the payload is drained, not parsed as frames,
    // even when it contains the sync byte.
    let link = &mut s.board.link;
    link.send(&protocol::frame(
        HOST_SYNC,
        T_PROBE,
        &[HOST_SYNC, T_INFO, 0, 0, 0],
    ))
    .unwrap();
    expect_error(&mut s, DeviceError::Length);
    settle(&mut s);

    // An unknown frame type, then noise outside frames (ignored).
    let link = &mut s.board.link;
    link.send(&protocol::frame(HOST_SYNC, 0x33, &[])).unwrap();
    expect_error(&mut s, DeviceError::UnknownType);
    settle(&mut s);
    s.board.link.send(&[0x00, 0xFF, 0x12]).unwrap();

    // A frame cut short: the bridge times out.
    let frame = protocol::probe_frame(&probe);
    s.board.link.send(&frame[..3]).unwrap();
    expect_error(&mut s, DeviceError::Timeout);

    // A second probe right behind the first: its header arrives while the first's
    // result is being sent, so the bridge answers it with BUSY after that result.
    settle(&mut s);
    let frame = protocol::probe_frame(&probe);
    s.board.link.send(&[frame.clone(), frame].concat()).unwrap();
    match s.board.link.receive().unwrap() {
        Reply::Result { .. } => {}
        other => panic!("expected the first probe's result, got {other:?}"),
    }
    expect_error(&mut s, DeviceError::Busy);
    settle(&mut s);

    // After all that, probes still work.
    check_probes(&mut s, 4);
}

#[test]
fn run_sim_talks_to_a_sources_only_build() {
    if !verilator_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hopgen = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hopgen"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    hopgen(&["random-patterns", "-n", "16", "-p", "2", "-o", "p.json"]);
    hopgen(&["train", "p.json", "-o", "w.json"]);
    hopgen(&[
        "build",
        "w.json",
        "--board",
        "ulx3s-25f",
        "--sources-only",
        "-o",
        "b",
    ]);
    let text = hopgen(&[
        "run",
        "--sim",
        "--build",
        "b",
        "--weights",
        "w.json",
        "--trials",
        "6",
    ]);
    assert!(text.contains("device    N = 16, W = 8"), "{text}");
    assert!(text.contains("clock 25.0 MHz"), "{text}");
    assert!(
        text.contains("board and model agree on all 6 probes"),
        "{text}"
    );
    // Weights written at run time: `run` loads them before the first probe.
    hopgen(&[
        "build",
        "w.json",
        "--board",
        "icebreaker",
        "--arch",
        "folded",
        "--load-weights",
        "--sources-only",
        "-o",
        "lw",
    ]);
    let text = hopgen(&[
        "run",
        "--sim",
        "--build",
        "lw",
        "--weights",
        "w.json",
        "--trials",
        "4",
    ]);
    assert!(
        text.contains("loaded 16 weight words (256 bytes)"),
        "{text}"
    );
    assert!(
        text.contains("board and model agree on all 4 probes"),
        "{text}"
    );
}

#[test]
fn a_bridge_with_the_wrong_crc_polynomial_is_caught() {
    if !verilator_present() {
        return;
    }
    let mutate = |name: &str, text: &[u8]| {
        let text = String::from_utf8(text.to_vec()).unwrap();
        if name == "hop_uart_bridge.v" {
            assert!(text.contains("8'h07"));
            text.replace("8'h07", "8'h1D").into_bytes()
        } else {
            text.into_bytes()
        }
    };
    let mut s = start_with(
        8,
        Arch::Folded,
        UpdateMode::Sync,
        find_board("icebreaker").unwrap(),
        false,
        None,
        &mutate,
    );
    s.board.link.timeout = Duration::from_secs(2);
    // The device rejects the host's check byte, and the host would reject the device's.
    match s.board.link.info() {
        Err(protocol::LinkError::Device(DeviceError::Check)) => {}
        Err(protocol::LinkError::Timeout(_)) => {}
        other => panic!("a wrong CRC went unnoticed: {other:?}"),
    }
}

/// `hopgen run --port` through a real serial device: a pseudo-terminal whose other end
/// is bridged to the board top in Verilator, so the whole host path (serial port
/// settings, reads with timeouts, the protocol, the model check) meets the RTL.
#[test]
fn run_talks_to_the_rtl_through_a_serial_port() {
    use hopgen::synth::manifest::CoreModel;
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    if !verilator_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hopgen = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hopgen"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    assert!(
        hopgen(&["random-patterns", "-n", "16", "-p", "2", "-o", "p.json"])
            .status
            .success()
    );
    assert!(hopgen(&["train", "p.json", "-o", "w.json"])
        .status
        .success());
    let built = hopgen(&[
        "build",
        "w.json",
        "--board",
        "icebreaker",
        "--sources-only",
        "-o",
        "b",
    ]);
    assert!(built.status.success());
    let dir = tmp.path().join("b");
    let core = CoreModel::read(&dir.join("manifest.json")).unwrap();
    let sources = hopgen::fpga::sim_sources(&dir, &core.sources);
    let sim = SimUart::default();
    let board_pins = find_board("icebreaker").unwrap().pins;
    let exe = uart::build(&dir, &sources, board_pins, sim, &verilator::cache_root()).unwrap();
    let idle = core.cycles_per_probe_max + 4 * sim.timeout;
    let mut board = SimBoard::start(&exe, &dir, sim, idle, Duration::from_secs(5)).unwrap();

    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    let port = serialport::SerialPort::name(&slave).unwrap();
    serialport::SerialPort::set_timeout(&mut master, Duration::from_millis(20)).unwrap();
    let mut master_in = master.try_clone_native().unwrap();
    let done = AtomicBool::new(false);
    let link = &mut board.link;
    let (to_board, from_board) = (&mut link.writer, &mut link.reader);
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            let mut buf = [0u8; 256];
            while !done.load(Ordering::SeqCst) {
                if let Ok(k @ 1..) = master_in.read(&mut buf) {
                    to_board.write_all(&buf[..k]).unwrap();
                    to_board.flush().unwrap();
                }
            }
        });
        s.spawn(|| {
            let mut buf = [0u8; 256];
            while !done.load(Ordering::SeqCst) {
                if let Ok(k @ 1..) = from_board.read(&mut buf) {
                    master.write_all(&buf[..k]).unwrap();
                }
            }
        });
        let out = hopgen(&[
            "run",
            "--port",
            &port,
            "--build",
            "b",
            "--weights",
            "w.json",
            "--trials",
            "4",
        ]);
        done.store(true, Ordering::SeqCst);
        out
    });
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("clock 12.0 MHz"), "{text}");
    assert!(
        text.contains("board and model agree on all 4 probes"),
        "{text}"
    );
    drop(slave);
}
