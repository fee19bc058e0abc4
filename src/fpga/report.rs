//! The build report: resources used against the part's capacity, where the weights
//! went, Fmax against the target, the core's cycle counts and what they mean in
//! probes/s, tool versions and step times. Read from yosys' `stat -json` and
//! nextpnr's `--report` JSON; printed as a table and written as `report.json`.

use super::board::{Capacity, Family, Part};
use super::flow::StepRun;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

pub const REPORT_FORMAT: &str = "hopgen-build-report/1";
pub const REPORT_FILE: &str = "report.json";

/// How the build ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildStatus {
    /// Placed, routed, timing met, bitstream written.
    Ok,
    /// Placed and routed, bitstream written, but Fmax is below the target clock.
    TimingFailed,
    /// The design needs more of some resource than the part has.
    DoesNotFit,
}

impl BuildStatus {
    pub fn describe(self) -> &'static str {
        match self {
            BuildStatus::Ok => "ok",
            BuildStatus::TimingFailed => "TIMING FAILED",
            BuildStatus::DoesNotFit => "DOES NOT FIT",
        }
    }
}

/// One resource: used, and available on the part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    pub name: String,
    pub used: u64,
    pub available: Option<u64>,
}

/// Cell counts from yosys' `stat -json` (the `design` section).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellCounts {
    pub by_type: BTreeMap<String, u64>,
}

impl CellCounts {
    pub fn parse(stat_json: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(stat_json).map_err(|e| e.to_string())?;
        let cells = v
            .pointer("/design/num_cells_by_type")
            .and_then(Value::as_object)
            .ok_or("stat.json has no design.num_cells_by_type")?;
        let by_type = cells
            .iter()
            .filter(|(name, _)| !name.starts_with('$'))
            .map(|(name, n)| (name.clone(), n.as_u64().unwrap_or(0)))
            .collect();
        Ok(CellCounts { by_type })
    }

    fn sum(&self, pred: impl Fn(&str) -> bool) -> u64 {
        self.by_type
            .iter()
            .filter(|(name, _)| pred(name))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn luts(&self) -> u64 {
        self.sum(|t| t == "SB_LUT4" || t == "LUT4")
    }
    pub fn ffs(&self) -> u64 {
        self.sum(|t| t.starts_with("SB_DFF") || t == "TRELLIS_FF")
    }
    pub fn carries(&self) -> u64 {
        self.sum(|t| t == "SB_CARRY" || t == "CCU2C")
    }
    pub fn brams(&self) -> u64 {
        self.sum(|t| t.starts_with("SB_RAM40") || t == "DP16KD")
    }
    pub fn sprams(&self) -> u64 {
        self.sum(|t| t == "SB_SPRAM256KA")
    }
    pub fn lutrams(&self) -> u64 {
        self.sum(|t| t == "TRELLIS_DPR16X4")
    }
    pub fn dsps(&self) -> u64 {
        self.sum(|t| t == "SB_MAC16" || t.starts_with("MULT18X18"))
    }

    /// Where memories were mapped (the weights are the design's big memory).
    pub fn weights_in(&self, family: Family) -> String {
        let mut places = vec![];
        if self.sprams() > 0 {
            places.push(format!("SPRAM ×{}", self.sprams()));
        }
        if self.brams() > 0 {
            let kind = match family {
                Family::Ice40 => "EBR",
                Family::Ecp5 => "DP16KD",
            };
            places.push(format!("{kind} ×{}", self.brams()));
        }
        if self.lutrams() > 0 {
            places.push(format!("LUT RAM ×{}", self.lutrams()));
        }
        if places.is_empty() {
            "logic (constants folded into LUTs)".into()
        } else {
            places.join(" + ")
        }
    }
}

/// What nextpnr reported: the slowest clock's Fmax and per-cell-type utilisation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PnrReport {
    pub fmax_mhz: Option<f64>,
    pub utilization: BTreeMap<String, (u64, u64)>,
}

impl PnrReport {
    /// Parses nextpnr's `--report` JSON. The Fmax table is keyed by clock net (the key
    /// names vary between versions and families); the minimum `achieved` counts.
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let fmax_mhz = v
            .get("fmax")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|clocks| clocks.values())
            .filter_map(|c| c.get("achieved").and_then(Value::as_f64))
            .min_by(f64::total_cmp);
        let utilization = v
            .get("utilization")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|u| u.iter())
            .map(|(name, e)| {
                let get = |k| e.get(k).and_then(Value::as_u64).unwrap_or(0);
                (name.clone(), (get("used"), get("available")))
            })
            .collect();
        Ok(PnrReport {
            fmax_mhz,
            utilization,
        })
    }
}

/// The design facts the report repeats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignSummary {
    pub name: String,
    pub top: String,
    pub neurons: usize,
    pub weight_bits: u32,
    pub frac_bits: i32,
    pub arch: String,
    pub update: String,
    pub lanes: usize,
    pub max_sweeps: u32,
    pub design_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimingSummary {
    pub target_mhz: f64,
    /// The clock the core runs at (board oscillator, PLL output, or the part target).
    pub core_clock_hz: u64,
    /// The frequency asked of the PLL, when the board top has one.
    pub pll_requested_mhz: Option<f64>,
    pub fmax_mhz: Option<f64>,
    pub met: Option<bool>,
    /// The nextpnr seed of the placement in the build directory.
    pub seed: Option<u32>,
    /// Every seed tried, in order (one, unless `--seeds` asked for more).
    pub seeds: Vec<SeedTry>,
}

/// One nextpnr seed and the Fmax its placement reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedTry {
    pub seed: u32,
    pub fmax_mhz: Option<f64>,
}

/// Speed: the core's exact cycle counts, and probes/s at Fmax and over the UART.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Performance {
    pub cycles_per_sweep: u64,
    pub cycles_per_probe_max: u64,
    /// Worst-case probes/s of the core alone at the achieved Fmax.
    pub core_probes_per_s_at_fmax: Option<f64>,
    /// Worst-case probes/s of the core alone at the target clock.
    pub core_probes_per_s_at_target: f64,
    pub uart_baud: u32,
    /// Probes/s the UART allows: probe and result frames, 10 bit times per byte.
    pub uart_probes_per_s: f64,
}

/// `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format: &'static str,
    pub generator: String,
    pub status: BuildStatus,
    pub problem: Option<String>,
    pub board: Option<String>,
    pub part: String,
    pub family: Family,
    pub design: DesignSummary,
    pub resources: Vec<Resource>,
    pub weights_in: String,
    pub timing: TimingSummary,
    pub performance: Performance,
    pub tools: BTreeMap<String, String>,
    pub steps: Vec<StepRun>,
    pub bitstream: Option<String>,
}

/// The resource lines of a report, from yosys' cells and (when P&R ran) nextpnr's
/// utilisation, against the part's capacity.
pub fn resources(part: Part, cells: &CellCounts, pnr: Option<&PnrReport>) -> Vec<Resource> {
    let cap: Capacity = part.capacity();
    let mut out = vec![
        res("LUT4", cells.luts(), Some(cap.luts)),
        res("FF", cells.ffs(), Some(cap.ffs)),
        res("carry", cells.carries(), None),
        res(part.bram_kind(), cells.brams(), Some(cap.brams)),
    ];
    if cap.sprams > 0 {
        out.push(res("SPRAM (256 Kbit)", cells.sprams(), Some(cap.sprams)));
    }
    if part.family() == Family::Ecp5 {
        out.push(res("LUT RAM (DPR16X4)", cells.lutrams(), None));
    }
    out.push(res("DSP", cells.dsps(), Some(cap.dsps)));
    if let Some(pnr) = pnr {
        let logic_cell = match part.family() {
            Family::Ice40 => "ICESTORM_LC",
            Family::Ecp5 => "TRELLIS_COMB",
        };
        if let Some(&(used, available)) = pnr.utilization.get(logic_cell) {
            out.insert(
                0,
                res(
                    &format!("logic cells ({logic_cell})"),
                    used,
                    Some(available),
                ),
            );
        }
    }
    out
}

fn res(name: &str, used: u64, available: Option<u64>) -> Resource {
    Resource {
        name: name.into(),
        used,
        available,
    }
}

/// Every resource that exceeds its capacity, as one sentence.
pub fn over_capacity(resources: &[Resource]) -> Option<String> {
    let over: Vec<String> = resources
        .iter()
        .filter_map(|r| {
            let available = r.available?;
            (r.used > available)
                .then(|| format!("{} {} (the part has {available})", r.used, r.name))
        })
        .collect();
    (!over.is_empty()).then(|| format!("needs {}", over.join(" and ")))
}

/// Probes/s at `hz` when each probe takes `cycles` clock cycles.
pub fn per_second(hz: f64, cycles: u64) -> f64 {
    hz / cycles.max(1) as f64
}

/// Probes/s a UART allows: one probe frame in and one result frame out per probe
/// (full duplex, so the longer frame counts), 10 bit times per byte.
pub fn uart_probes_per_s(baud: u32, neurons: usize) -> f64 {
    let bytes = neurons.div_ceil(8) + 3 + 5;
    f64::from(baud) / (10.0 * bytes as f64)
}

/// A rate for people: 1.23M, 45.6k, 7.8.
pub fn fmt_rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2}M", per_s / 1e6)
    } else if per_s >= 1e3 {
        format!("{:.1}k", per_s / 1e3)
    } else {
        format!("{per_s:.1}")
    }
}

impl Report {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("report serialises");
        text.push('\n');
        text
    }

    /// The table `hopgen build` prints.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let d = &self.design;
        let target = self.board.as_deref().unwrap_or("(part only)");
        let _ = writeln!(out, "build     {} on {target} ({})", d.top, self.part);
        let _ = writeln!(
            out,
            "design    N = {}, W = {} F = {}, {} {}, {} lanes, max {} sweeps, id {}",
            d.neurons,
            d.weight_bits,
            d.frac_bits,
            d.arch,
            d.update,
            d.lanes,
            d.max_sweeps,
            d.design_id
        );
        let _ = writeln!(out, "status    {}", self.status.describe());
        if let Some(problem) = &self.problem {
            let _ = writeln!(out, "problem   {problem}");
        }
        let _ = writeln!(
            out,
            "\n{:<26} {:>8} {:>10} {:>6}",
            "resource", "used", "available", "%"
        );
        for r in &self.resources {
            let (avail, pct) = match r.available {
                Some(a) if a > 0 => (
                    a.to_string(),
                    format!("{:.0}", 100.0 * r.used as f64 / a as f64),
                ),
                Some(a) => (a.to_string(), "-".into()),
                None => ("-".into(), "-".into()),
            };
            let _ = writeln!(out, "{:<26} {:>8} {:>10} {:>6}", r.name, r.used, avail, pct);
        }
        let _ = writeln!(out, "weights   {}", self.weights_in);
        let t = &self.timing;
        let fmax = t
            .fmax_mhz
            .map_or("not placed".into(), |f| format!("{f:.1} MHz"));
        let pll = t.pll_requested_mhz.map_or(String::new(), |r| {
            format!(
                " (PLL: {:.3} MHz for {r} requested)",
                t.core_clock_hz as f64 / 1e6
            )
        });
        let _ = writeln!(
            out,
            "clock     target {:.1} MHz, Fmax {fmax}{pll}",
            t.target_mhz
        );
        if t.seeds.len() > 1 {
            let tried: Vec<String> = t
                .seeds
                .iter()
                .map(|s| match s.fmax_mhz {
                    Some(f) => format!("{} → {f:.1}", s.seed),
                    None => format!("{} → -", s.seed),
                })
                .collect();
            let _ = writeln!(
                out,
                "seeds     {} MHz; kept seed {}",
                tried.join(", "),
                t.seed.map_or("-".into(), |s| s.to_string())
            );
        }
        let p = &self.performance;
        let _ = writeln!(
            out,
            "cycles    {} per sweep (worst case), {} per probe (worst case)",
            p.cycles_per_sweep, p.cycles_per_probe_max
        );
        let at_fmax = p
            .core_probes_per_s_at_fmax
            .map_or("-".into(), |r| format!("{}/s at Fmax", fmt_rate(r)));
        let _ = writeln!(
            out,
            "probes    core {}/s at target, {at_fmax}; UART {} baud: {}/s",
            fmt_rate(p.core_probes_per_s_at_target),
            p.uart_baud,
            fmt_rate(p.uart_probes_per_s)
        );
        for step in &self.steps {
            let cached = if step.cached {
                format!(" (cached; {:.2} s when run)", step.tool_seconds)
            } else {
                String::new()
            };
            let name = match &step.note {
                Some(note) => format!("{} ({note})", step.step),
                None => step.step.to_string(),
            };
            let _ = writeln!(
                out,
                "step      {name:<8} {:>7.2} s{cached}  ({})",
                step.seconds, step.tool
            );
        }
        if let Some(bit) = &self.bitstream {
            let _ = writeln!(out, "bitstream {bit}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yosys_stat() {
        let stat = r#"{"design": {"num_cells_by_type": {"SB_LUT4": 35, "SB_DFFE": 16,
            "SB_DFF": 4, "SB_CARRY": 6, "SB_RAM40_4K": 2, "$scopeinfo": 3}}}"#;
        let c = CellCounts::parse(stat).unwrap();
        assert_eq!((c.luts(), c.ffs(), c.carries(), c.brams()), (35, 20, 6, 2));
        assert!(!c.by_type.contains_key("$scopeinfo"));
        assert_eq!(c.weights_in(Family::Ice40), "EBR ×2");
        assert!(CellCounts::parse("{}").is_err());
    }

    #[test]
    fn parses_nextpnr_report_taking_the_slowest_clock() {
        let text = r#"{"fmax": {"clk_a": {"achieved": 61.5, "constraint": 12.0},
            "clk_b": {"achieved": 48.25, "constraint": 12.0}},
            "utilization": {"ICESTORM_LC": {"available": 5280, "used": 812}}}"#;
        let r = PnrReport::parse(text).unwrap();
        assert_eq!(r.fmax_mhz, Some(48.25));
        assert_eq!(r.utilization["ICESTORM_LC"], (812, 5280));
    }

    #[test]
    fn over_capacity_names_the_resource() {
        let r = vec![
            res("LUT4", 6000, Some(5280)),
            res("carry", 10, None),
            res("EBR (4 Kbit)", 258, Some(30)),
        ];
        assert_eq!(
            over_capacity(&r).unwrap(),
            "needs 6000 LUT4 (the part has 5280) and 258 EBR (4 Kbit) (the part has 30)"
        );
        assert!(over_capacity(&r[1..2]).is_none());
    }

    #[test]
    fn uart_rate_counts_the_longer_frame() {
        // N = 256: 32 state bytes + 3 + 5 framing = 40 bytes = 400 bit times.
        assert_eq!(uart_probes_per_s(115_200, 256), 288.0);
    }
}
