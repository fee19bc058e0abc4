//! Wrappers for the external EDA tools: one `Tool` each, its executable overridable
//! by an environment variable, run in a given directory, with stdout and stderr
//! captured into the error when it fails.

use std::fmt;
use std::path::Path;
use std::process::Command;

/// An external program hopgen runs.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub name: &'static str,
    /// Environment variable that overrides the executable.
    pub env: &'static str,
    pub default_exe: &'static str,
}

pub const IVERILOG: Tool = Tool {
    name: "iverilog",
    env: "HOPGEN_IVERILOG",
    default_exe: "iverilog",
};
pub const VVP: Tool = Tool {
    name: "vvp",
    env: "HOPGEN_VVP",
    default_exe: "vvp",
};
pub const VERILATOR: Tool = Tool {
    name: "verilator",
    env: "HOPGEN_VERILATOR",
    default_exe: "verilator",
};
pub const YOSYS: Tool = Tool {
    name: "yosys",
    env: "HOPGEN_YOSYS",
    default_exe: "yosys",
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

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Tool {
    /// The executable to run: `$ENV` if set, else the default name on PATH.
    pub fn exe(&self) -> String {
        std::env::var(self.env).unwrap_or_else(|_| self.default_exe.to_string())
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
