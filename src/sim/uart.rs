//! The board top in Verilator, talking UART at the bit level (`sim/hop_uart_harness.cpp`):
//! a `protocol::Link` over the simulator's stdin/stdout, so the host protocol code is
//! tested against the real RTL — and `hopgen run --sim` can try a build without a board.

use super::verilator::{build_spec, Build, BuildSpec};
use crate::fpga::board::{Pin, Role};
use crate::fpga::top::TOP_MODULE;
use crate::protocol::Link;
use crate::tools::ToolError;
use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// The harness source (compiled into the binary).
pub const UART_HARNESS: &str = include_str!("../../sim/hop_uart_harness.cpp");

/// UART timing for simulation: far fewer clocks per bit than a board, so a frame
/// takes thousands of cycles, not hundreds of thousands.
#[derive(Debug, Clone, Copy)]
pub struct SimUart {
    pub clks_per_bit: u64,
    /// The bridge's idle timeout in clocks.
    pub timeout: u64,
}

impl Default for SimUart {
    fn default() -> Self {
        SimUart {
            clks_per_bit: 8,
            timeout: 2000,
        }
    }
}

/// Builds the board top whose sources (in compile order) are in `dir`.
pub fn build(
    dir: &Path,
    sources: &[String],
    pins: &[Pin],
    uart: SimUart,
    cache: &Path,
) -> Result<Build, ToolError> {
    let has_button = pins.iter().any(|p| p.role == Role::ResetButtonN);
    let mut harness =
        format!("#define HOP_HEADER \"V{TOP_MODULE}.h\"\n#define HOP_CLASS V{TOP_MODULE}\n");
    if has_button {
        harness.push_str("#define HOP_HAS_BUTTON 1\n");
    }
    harness.push_str(UART_HARNESS);
    let spec = BuildSpec {
        top: TOP_MODULE.into(),
        sources: sources.to_vec(),
        harness,
        extra_flags: vec![
            format!("-GCLKS_PER_BIT={}", uart.clks_per_bit),
            format!("-GTIMEOUT={}", uart.timeout),
        ],
    };
    build_spec(dir, &spec, cache)
}

/// Bytes from the simulator, read on a thread so a silent simulator makes `Link` time
/// out instead of hanging.
pub struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    pending: Vec<u8>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            match self.rx.recv_timeout(Duration::from_millis(20)) {
                Ok(bytes) => self.pending = bytes,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(std::io::ErrorKind::WouldBlock.into())
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(0),
            }
        }
        let k = buf.len().min(self.pending.len());
        buf[..k].copy_from_slice(&self.pending[..k]);
        self.pending.drain(..k);
        Ok(k)
    }
}

/// A running simulated board.
pub struct SimBoard {
    pub child: Child,
    pub link: Link<ChannelReader, ChildStdin>,
}

impl SimBoard {
    /// Starts the simulator in `dir` (where the memory files are). `idle_cycles` must
    /// exceed the longest probe plus a frame, or the harness would stop the clock while
    /// the core still works.
    pub fn start(
        build: &Build,
        dir: &Path,
        uart: SimUart,
        idle_cycles: u64,
        timeout: Duration,
    ) -> Result<Self, ToolError> {
        let fail = |e: std::io::Error| ToolError {
            tool: "verilator",
            command: build.exe.display().to_string(),
            status: None,
            stdout: String::new(),
            stderr: e.to_string(),
        };
        let mut child = Command::new(&build.exe)
            .args([uart.clks_per_bit.to_string(), idle_cycles.to_string()])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(fail)?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(k) = stdout.read(&mut buf) {
                if k == 0 || tx.send(buf[..k].to_vec()).is_err() {
                    break;
                }
            }
        });
        let reader = ChannelReader {
            rx,
            pending: Vec::new(),
        };
        Ok(SimBoard {
            child,
            link: Link::new(reader, stdin, timeout),
        })
    }
}

impl Drop for SimBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
