//! `hopgen quantize`: the chosen W/F, what rounding and saturation did to the
//! weights, and recall of the fixed-point network against the float one.

use super::recall::{experiment, summary_table, QuantSummary};
use super::{percent, InputOpts, ProbeOpts, QuantOpts, RunOpts};
use crate::network::Network;
use crate::quantize::{QuantSpec, WEIGHT_BITS_RANGE};
use crate::recall::Trial;
use crate::state::State;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct QuantizeArgs {
    /// A hopgen-weights/1 file.
    pub weights: PathBuf,
    #[command(flatten)]
    pub input: InputOpts,
    #[command(flatten)]
    pub quant: QuantOpts,
    #[command(flatten)]
    pub run: RunOpts,
    #[command(flatten)]
    pub probes: ProbeOpts,
    /// Also tabulate every weight width from 2 to 16 bits (F chosen automatically).
    #[arg(long)]
    pub all_widths: bool,
    /// Print a machine-readable JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

pub const QUANTIZE_REPORT_FORMAT: &str = "hopgen-quantize-report/1";

#[derive(Debug, Serialize)]
struct WidthRow {
    #[serde(flatten)]
    quantization: QuantSummary,
    exact_recall_rate: Option<f64>,
    agreement_with_float: Option<f64>,
}

pub fn run(args: &QuantizeArgs) -> anyhow::Result<()> {
    let net = args.input.load_network(&args.weights)?;
    let cfg = args.run.config()?;
    let with_float = !net.patterns.is_empty() || args.probes.probe.is_some();
    let exp = experiment(&net, args.quant.spec()?, &cfg, &args.probes, with_float)?;
    let widths = if args.all_widths {
        width_table(&net, args, &exp.trials)?
    } else {
        Vec::new()
    };
    if args.json {
        let report = serde_json::json!({
            "format": QUANTIZE_REPORT_FORMAT,
            "network": net.name,
            "neurons": net.n,
            "quantization": QuantSummary::of(&exp.q),
            "weights_q_range": range(&exp.q.weights),
            "thresholds_q_range": range(&exp.q.thresholds),
            "recall": { "probes": exp.probes, "fixed": exp.fixed, "float": exp.float, "agreement": exp.agreement },
            "widths": widths,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print!("{}", describe(&net, &exp.q));
    println!(
        "\nrecall of {} probes ({}), {} update:",
        exp.probes.count,
        exp.probes.source,
        if cfg.mode == crate::model::UpdateMode::Sync {
            "sync"
        } else {
            "async"
        }
    );
    print!("{}", summary_table(&exp));
    if args.all_widths {
        print!("{}", width_text(&widths));
    }
    Ok(())
}

fn range(values: &[i32]) -> [i32; 2] {
    let lo = values.iter().copied().min().unwrap_or(0);
    let hi = values.iter().copied().max().unwrap_or(0);
    [lo, hi]
}

fn describe(net: &Network, q: &crate::quantize::QuantNetwork) -> String {
    let w_lo = net.weights.iter().cloned().fold(f64::INFINITY, f64::min);
    let w_hi = net
        .weights
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    let [q_lo, q_hi] = range(&q.weights);
    let [t_lo, t_hi] = range(&q.thresholds);
    let how = if q.report.frac_bits_automatic {
        "largest F with no saturation"
    } else {
        "given"
    };
    let r = &q.report;
    format!(
        "network   {}\n\
         weights   from {w_lo} to {w_hi}\n\
         format    W={} F={} ({how}); accumulator A={} bits (|h| ≤ B = {})\n\
         integers  w_q from {q_lo} to {q_hi}; θ_q from {t_lo} to {t_hi}\n\
         error     max |w − w_q·2^−F| = {:.3e}, rms {:.3e}; {} saturated, {} flushed to zero, {} thresholds clipped\n",
        super::describe_network(net),
        q.weight_bits,
        q.frac_bits,
        q.acc_bits,
        q.field_bound,
        r.max_abs_error,
        r.rms_error,
        r.saturated,
        r.flushed_to_zero,
        r.thresholds_clipped,
    )
}

/// Recall at every width, compared with the float results of the main experiment
/// (same probes: the probe options are the same), so the float model runs once.
fn width_table(
    net: &Network,
    args: &QuantizeArgs,
    reference: &[Trial],
) -> anyhow::Result<Vec<WidthRow>> {
    let cfg = args.run.config()?;
    WEIGHT_BITS_RANGE
        .map(|w| {
            let exp = experiment(net, QuantSpec::new(w, None)?, &cfg, &args.probes, false)?;
            let pairs: Vec<(&State, &State)> = exp
                .trials
                .iter()
                .zip(reference)
                .filter_map(|(t, r)| r.float.as_ref().map(|f| (&t.fixed.state, &f.state)))
                .collect();
            let agreement = (!pairs.is_empty())
                .then(|| pairs.iter().filter(|(a, b)| a == b).count() as f64 / pairs.len() as f64);
            Ok(WidthRow {
                quantization: QuantSummary::of(&exp.q),
                exact_recall_rate: exp.fixed.exact_recall_rate,
                agreement_with_float: agreement,
            })
        })
        .collect()
}

fn width_text(rows: &[WidthRow]) -> String {
    let mut out = format!(
        "\n{:>3} {:>4} {:>4} {:>10} {:>10} {:>13} {:>15}\n",
        "W", "F", "A", "saturated", "max error", "exact recall", "same as float"
    );
    for row in rows {
        let q = &row.quantization;
        out.push_str(&format!(
            "{:>3} {:>4} {:>4} {:>10} {:>10.3e} {:>13} {:>15}\n",
            q.weight_bits,
            q.frac_bits,
            q.acc_bits,
            q.report.saturated,
            q.report.max_abs_error,
            row.exact_recall_rate.map_or("-".into(), percent),
            row.agreement_with_float.map_or("-".into(), percent),
        ));
    }
    out
}
