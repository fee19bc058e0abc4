//! A PLL for board tops whose requested clock differs from the board oscillator:
//! `icepll` (iCE40: SB_PLL40_PAD on the UP5K, SB_PLL40_CORE elsewhere) or `ecppll`
//! (ECP5: EHXPLLL) writes the module `hop_pll`; hopgen reads back the frequency it
//! achieved, which then clocks the core and sets the UART divider. For simulation a
//! pass-through model with the same ports stands in (`hop_pll_sim.v`).

use super::board::{Board, Family, Part};
use crate::tools::{self, ToolError};

pub const PLL_MODULE: &str = "hop_pll";
pub const PLL_FILE: &str = "hop_pll.v";
/// The simulation stand-in (clock passed through, always locked).
pub const PLL_SIM_FILE: &str = "hop_pll_sim.v";

/// A generated PLL.
#[derive(Debug, Clone, PartialEq)]
pub struct Pll {
    /// The module text the tool wrote.
    pub text: String,
    pub requested_mhz: f64,
    pub achieved_hz: u64,
    /// The module's input, output and lock port names.
    pub ports: PllPorts,
    /// The tool's report (stdout).
    pub log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PllPorts {
    pub clock_in: &'static str,
    pub clock_out: &'static str,
    pub locked: &'static str,
}

pub fn ports(family: Family) -> PllPorts {
    match family {
        Family::Ice40 => PllPorts {
            clock_in: "clock_in",
            clock_out: "clock_out",
            locked: "locked",
        },
        Family::Ecp5 => PllPorts {
            clock_in: "clkin",
            clock_out: "clkout0",
            locked: "locked",
        },
    }
}

fn mhz(hz: u64) -> String {
    format!("{}", hz as f64 / 1e6)
}

/// Runs icepll or ecppll in a scratch directory and reads back the module and the
/// achieved frequency.
pub fn generate(board: &Board, requested_mhz: f64) -> Result<Pll, ToolError> {
    let scratch = tempfile::tempdir().map_err(|e| scratch_error(&e))?;
    let family = board.part.family();
    let (tool, args) = match family {
        Family::Ice40 => {
            let mut args = vec![
                "-i".to_string(),
                mhz(board.clock_hz),
                "-o".into(),
                format!("{requested_mhz}"),
                "-m".into(),
                "-n".into(),
                PLL_MODULE.into(),
                "-f".into(),
                PLL_FILE.into(),
            ];
            if board.part == Part::Up5kSg48 {
                args.push("-p".into());
            }
            (tools::ICEPLL, args)
        }
        Family::Ecp5 => (
            tools::ECPPLL,
            vec![
                "-n".to_string(),
                PLL_MODULE.into(),
                "-i".into(),
                mhz(board.clock_hz),
                "-o".into(),
                format!("{requested_mhz}"),
                "-f".into(),
                PLL_FILE.into(),
            ],
        ),
    };
    let log = tool.run(&args, scratch.path())?;
    let text =
        std::fs::read_to_string(scratch.path().join(PLL_FILE)).map_err(|e| scratch_error(&e))?;
    let achieved = achieved_mhz(&log).ok_or_else(|| ToolError {
        tool: tool.name,
        command: args.join(" "),
        status: Some(0),
        stdout: log.clone(),
        stderr: "no achieved frequency in the output".into(),
    })?;
    Ok(Pll {
        text,
        requested_mhz,
        achieved_hz: (achieved * 1e6).round() as u64,
        ports: ports(family),
        log,
    })
}

fn scratch_error(e: &std::io::Error) -> ToolError {
    ToolError {
        tool: "pll",
        command: "scratch directory".into(),
        status: None,
        stdout: String::new(),
        stderr: e.to_string(),
    }
}

/// The achieved output frequency in a tool report: icepll's
/// "F_PLLOUT: 50.250 MHz (achieved)" or ecppll's "clkout0 frequency: 46.875 MHz".
pub fn achieved_mhz(log: &str) -> Option<f64> {
    log.lines().find_map(|line| {
        let line = line.trim();
        let value = if line.starts_with("F_PLLOUT:") && line.ends_with("(achieved)") {
            line.trim_start_matches("F_PLLOUT:")
        } else {
            line.strip_prefix("clkout0 frequency:")?
        };
        value.split_whitespace().next()?.parse().ok()
    })
}

/// The simulation stand-in for `hop_pll`: the clock passes through, always locked.
pub fn sim_model(family: Family) -> String {
    let p = ports(family);
    format!(
        "// {PLL_SIM_FILE}: simulation stand-in for {PLL_MODULE} (clock passed through,\n\
         // always locked); written by hopgen for `hopgen run --sim`.\n\
         `default_nettype none\n\
         module {PLL_MODULE} (\n    input  wire {},\n    output wire {},\n    output wire {}\n);\n\
         \x20   assign {} = {};\n    assign {} = 1'b1;\nendmodule\n`default_nettype wire\n",
        p.clock_in, p.clock_out, p.locked, p.clock_out, p.clock_in, p.locked
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_achieved_frequencies() {
        let icepll = "F_PLLOUT:   50.000 MHz (requested)\nF_PLLOUT:   50.250 MHz (achieved)\n";
        assert_eq!(achieved_mhz(icepll), Some(50.25));
        let ecppll = "Pll parameters:\nclkout0 divisor: 13\nclkout0 frequency: 46.875 MHz\n";
        assert_eq!(achieved_mhz(ecppll), Some(46.875));
        assert_eq!(achieved_mhz("nothing"), None);
    }

    #[test]
    fn sim_model_has_the_family_ports() {
        assert!(sim_model(Family::Ecp5).contains("assign clkout0 = clkin;"));
        assert!(sim_model(Family::Ice40).contains("assign clock_out = clock_in;"));
    }
}
