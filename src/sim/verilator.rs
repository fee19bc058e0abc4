//! Verilator co-simulation: build a core with the C++ stream harness
//! (`sim/hop_harness.cpp`) into a content-addressed cache, and run probes through it
//! over stdin/stdout as packed binary records.

use crate::model::Status;
use crate::state::State;
use crate::synth::manifest::Manifest;
use crate::tools::{ToolError, VERILATOR};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The harness template; hopgen prepends the core's name and size.
pub const HARNESS: &str = include_str!("../../sim/hop_harness.cpp");

/// Flags every build uses: -O1 compiles as fast as -Os and runs as fast as -O2 here;
/// no --threads (it busy-waits on 2 cores), no --trace (it doubles compile time).
const FLAGS: &[&str] = &["--cc", "--exe", "--build", "-j", "2", "-Wno-fatal", "-O1"];

/// A built simulator.
#[derive(Debug, Clone)]
pub struct Build {
    pub exe: PathBuf,
    /// True when an identical earlier build was reused.
    pub cached: bool,
    pub seconds: f64,
}

/// One result as the RTL produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtlResult {
    pub state: State,
    pub sweeps: u32,
    pub status: u32,
    /// Rising edges from taking the probe to the first edge that sees the result valid.
    pub latency: u64,
}

/// Where builds are cached: `$HOPGEN_CACHE`, else `$XDG_CACHE_HOME/hopgen`, else
/// `~/.cache/hopgen`, else the system temporary directory.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("HOPGEN_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("hopgen")
}

fn harness_for(manifest: &Manifest) -> String {
    format!(
        "#define HOP_N {}\n#define HOP_HEADER \"V{}.h\"\n#define HOP_CLASS V{}\n{HARNESS}",
        manifest.neurons, manifest.top, manifest.top
    )
}

fn io_error(what: &str, e: std::io::Error) -> ToolError {
    ToolError {
        tool: "verilator",
        command: what.to_string(),
        status: None,
        stdout: String::new(),
        stderr: e.to_string(),
    }
}

/// What to build: a top module, its sources (in a directory), a C++ harness and any
/// extra Verilator flags (e.g. `-G` parameter overrides).
#[derive(Debug, Clone)]
pub struct BuildSpec {
    pub top: String,
    pub sources: Vec<String>,
    pub harness: String,
    pub extra_flags: Vec<String>,
}

/// The cache key: the sources, the harness, the flags and the Verilator version.
fn cache_key(dir: &Path, spec: &BuildSpec) -> Result<String, ToolError> {
    let mut hash = Sha256::new();
    let version = VERILATOR.run(&["--version".into()], dir)?;
    hash.update(version.as_bytes());
    hash.update(FLAGS.join(" ").as_bytes());
    hash.update(spec.extra_flags.join(" ").as_bytes());
    hash.update(spec.top.as_bytes());
    for source in &spec.sources {
        let text = std::fs::read(dir.join(source)).map_err(|e| io_error(source, e))?;
        hash.update((source.len() as u64).to_le_bytes());
        hash.update(source.as_bytes());
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(&text);
    }
    hash.update(spec.harness.as_bytes());
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Builds the core in `core_dir` (or reuses an identical build) under `cache`.
/// A file lock per key keeps parallel builds of the same core from clobbering each other.
pub fn build(core_dir: &Path, manifest: &Manifest, cache: &Path) -> Result<Build, ToolError> {
    build_variant(core_dir, manifest, cache, false)
}

/// The traced variant: the harness writes `rtl.vcd` (slower to build; used to replay a
/// mismatch).
pub fn build_traced(
    core_dir: &Path,
    manifest: &Manifest,
    cache: &Path,
) -> Result<Build, ToolError> {
    build_variant(core_dir, manifest, cache, true)
}

fn build_variant(
    core_dir: &Path,
    manifest: &Manifest,
    cache: &Path,
    traced: bool,
) -> Result<Build, ToolError> {
    let mut harness = harness_for(manifest);
    let mut extra_flags = vec![];
    if traced {
        harness.insert_str(0, "#define HOP_TRACE 1\n");
        extra_flags.push("--trace".to_string());
    }
    let spec = BuildSpec {
        top: manifest.top.clone(),
        sources: manifest.sources.clone(),
        harness,
        extra_flags,
    };
    build_spec(core_dir, &spec, cache)
}

/// Builds `spec` from the sources in `dir` (or reuses an identical build) under `cache`.
pub fn build_spec(src_dir: &Path, spec: &BuildSpec, cache: &Path) -> Result<Build, ToolError> {
    let started = Instant::now();
    let key = cache_key(src_dir, spec)?;
    // Absolute, so the simulator can be started from the core's directory.
    let cache =
        &std::path::absolute(cache).map_err(|e| io_error("resolve the cache directory", e))?;
    let dir = cache.join("verilator").join(&key);
    let exe = dir.join("obj").join("hop_sim");
    std::fs::create_dir_all(cache.join("verilator"))
        .map_err(|e| io_error("create the cache", e))?;
    let lock_path = cache.join("verilator").join(format!("{key}.lock"));
    let lock =
        std::fs::File::create(&lock_path).map_err(|e| io_error("create the build lock", e))?;
    lock.lock().map_err(|e| io_error("lock the build", e))?;
    if exe.exists() {
        return Ok(Build {
            exe,
            cached: true,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let tmp = cache
        .join("verilator")
        .join(format!("{key}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| io_error("create the build directory", e))?;
    for source in &spec.sources {
        std::fs::copy(src_dir.join(source), tmp.join(source)).map_err(|e| io_error(source, e))?;
    }
    std::fs::write(tmp.join("hop_harness.cpp"), &spec.harness)
        .map_err(|e| io_error("write the harness", e))?;
    let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
    args.extend(spec.extra_flags.iter().cloned());
    args.extend([
        "--Mdir".into(),
        "obj".into(),
        "--top-module".into(),
        spec.top.clone(),
    ]);
    args.extend(spec.sources.iter().cloned());
    args.extend(["hop_harness.cpp".into(), "-o".into(), "hop_sim".into()]);
    let result = VERILATOR.run_with_env(&args, &tmp, &ccache_env());
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &dir).map_err(|e| io_error("move the build into the cache", e))?;
    Ok(Build {
        exe,
        cached: false,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `OBJCACHE=ccache` when ccache is installed, so Verilator's runtime objects compile once.
fn ccache_env() -> Vec<(String, String)> {
    let found = Command::new("ccache").arg("--version").output().is_ok();
    if found {
        vec![("OBJCACHE".into(), "ccache".into())]
    } else {
        vec![]
    }
}

/// Handshake pacing of a run: in_valid and out_ready are each high with probability
/// rate/8 (8 = always).
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub seed: u64,
    pub in_rate: u32,
    pub out_rate: u32,
    pub max_cycles: u64,
}

/// Runs `probes` through a built simulator in `core_dir` (where its memory files are).
pub fn run(
    build: &Build,
    core_dir: &Path,
    n: usize,
    probes: &[State],
    pacing: &Pacing,
) -> Result<Vec<RtlResult>, ToolError> {
    let words = n.div_ceil(32);
    let mut input = Vec::with_capacity(probes.len() * words * 4);
    for probe in probes {
        for w in 0..words {
            let word = (0..32)
                .filter(|b| w * 32 + b < n && probe.get(w * 32 + b))
                .fold(0u32, |acc, b| acc | (1 << b));
            input.extend_from_slice(&word.to_le_bytes());
        }
    }
    let args = [
        probes.len().to_string(),
        pacing.seed.to_string(),
        pacing.in_rate.to_string(),
        pacing.out_rate.to_string(),
        pacing.max_cycles.to_string(),
    ];
    let command = format!("{} {}", build.exe.display(), args.join(" "));
    let mut child = Command::new(&build.exe)
        .args(&args)
        .current_dir(core_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io_error(&command, e))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|e| io_error(&command, e))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(ToolError {
            tool: "verilator",
            command,
            status: Some(output.status.code().unwrap_or(-1)),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(parse_results(&output.stdout, n))
}

fn parse_results(bytes: &[u8], n: usize) -> Vec<RtlResult> {
    let words = n.div_ceil(32);
    let record = words * 4 + 16;
    bytes
        .chunks_exact(record)
        .map(|r| {
            let u32_at =
                |i: usize| u32::from_le_bytes(r[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
            let signs: Vec<i8> = (0..n)
                .map(|i| {
                    if (u32_at(i / 32) >> (i % 32)) & 1 == 1 {
                        1
                    } else {
                        -1
                    }
                })
                .collect();
            RtlResult {
                state: State::from_signs(&signs),
                sweeps: u32_at(words),
                status: u32_at(words + 1),
                latency: u64::from_le_bytes(
                    r[words * 4 + 8..words * 4 + 16]
                        .try_into()
                        .expect("8 bytes"),
                ),
            }
        })
        .collect()
}

/// The status code of the contract for a model status.
pub fn status_code(status: Status) -> u32 {
    status as u32
}
