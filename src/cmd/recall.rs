//! `hopgen recall`: probes through the bit-exact model and the float model, with a
//! summary table, pictures for small square-ish N, and a JSON report.

use super::{load_pattern_set, percent, InputOpts, ProbeOpts, QuantOpts, RunOpts};
use crate::error::Error;
use crate::model::{NaiveModel, RunConfig};
use crate::network::Network;
use crate::quantize::{quantize, QuantNetwork, QuantReport, QuantSpec};
use crate::recall::{self, flips_for, ProbeSource, Summary, Trial};
use crate::render::{drawing_shape, side_by_side};
use crate::{InputError, InputErrorKind};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct RecallArgs {
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
    /// Skip the float model (faster for large N).
    #[arg(long)]
    pub no_float: bool,
    /// Draw this many trials as pictures (when N has a square-ish shape).
    #[arg(long, default_value_t = 3)]
    pub show: usize,
    /// Print a machine-readable JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The format tag of the JSON report.
pub const RECALL_REPORT_FORMAT: &str = "hopgen-recall-report/1";

/// One recall experiment: the quantised network, the trials and their summaries.
pub struct Experiment {
    pub q: QuantNetwork,
    pub probes: ProbesReport,
    pub trials: Vec<Trial>,
    pub fixed: Summary,
    pub float: Option<Summary>,
    pub agreement: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbesReport {
    pub source: String,
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flips: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuantSummary {
    pub weight_bits: u32,
    pub frac_bits: i32,
    pub acc_bits: u32,
    pub field_bound: i64,
    #[serde(flatten)]
    pub report: QuantReport,
}

impl QuantSummary {
    pub fn of(q: &QuantNetwork) -> Self {
        QuantSummary {
            weight_bits: q.weight_bits,
            frac_bits: q.frac_bits,
            acc_bits: q.acc_bits,
            field_bound: q.field_bound,
            report: q.report.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct RecallReport<'a> {
    format: &'static str,
    network: &'a str,
    neurons: usize,
    stored_patterns: usize,
    update: crate::model::UpdateMode,
    max_sweeps: u32,
    quantization: QuantSummary,
    probes: &'a ProbesReport,
    fixed: &'a Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    float: Option<&'a Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agreement: Option<f64>,
}

/// Builds the probes, runs both models and summarises; shows progress for long runs.
pub fn experiment(
    net: &Network,
    spec: QuantSpec,
    cfg: &RunConfig,
    probes: &ProbeOpts,
    with_float: bool,
) -> Result<Experiment, Error> {
    let (source, report) = probe_source(net, probes)?;
    let q = quantize(net, spec);
    let list = recall::make_probes(net, &source)?;
    let float = with_float.then(|| NaiveModel::from_network(net));
    let bar = progress_bar(list.len());
    let trials = recall::run_trials(&q, float.as_ref(), list, cfg, &|| bar.inc(1));
    bar.finish_and_clear();
    let (fixed, float, agreement) = recall::summarize_both(&net.patterns, &trials);
    Ok(Experiment {
        q,
        probes: report,
        trials,
        fixed,
        float,
        agreement,
    })
}

fn probe_source(net: &Network, opts: &ProbeOpts) -> Result<(ProbeSource, ProbesReport), Error> {
    if let Some(path) = &opts.probe {
        let set = load_pattern_set(path)?;
        if set.n != net.n {
            return Err(InputError::new(
                InputErrorKind::Shape,
                format!(
                    "probes have {} neurons but the network has {}",
                    set.n, net.n
                ),
                "give probes of the network's size",
            )
            .in_file(path)
            .at("neurons")
            .into());
        }
        let report = ProbesReport {
            source: format!("file {}", path.display()),
            count: set.patterns.len(),
            noise: None,
            flips: None,
            seed: None,
        };
        return Ok((ProbeSource::Given(set.patterns), report));
    }
    let report = ProbesReport {
        source: "noisy stored patterns".into(),
        count: opts.trials,
        noise: Some(opts.noise),
        flips: Some(flips_for(opts.noise, net.n)),
        seed: Some(opts.seed),
    };
    let source = ProbeSource::Noisy {
        noise: opts.noise,
        trials: opts.trials,
        seed: opts.seed,
    };
    Ok((source, report))
}

fn progress_bar(len: usize) -> ProgressBar {
    if len < 2000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} recall {pos}/{len} probes [{elapsed}, eta {eta}]")
            .expect("template is valid"),
    );
    bar
}

pub fn run(args: &RecallArgs) -> anyhow::Result<()> {
    let net = args.input.load_network(&args.weights)?;
    let cfg = args.run.config()?;
    let exp = experiment(&net, args.quant.spec()?, &cfg, &args.probes, !args.no_float)?;
    if args.json {
        let report = RecallReport {
            format: RECALL_REPORT_FORMAT,
            network: &net.name,
            neurons: net.n,
            stored_patterns: net.patterns.len(),
            update: cfg.mode,
            max_sweeps: cfg.max_sweeps,
            quantization: QuantSummary::of(&exp.q),
            probes: &exp.probes,
            fixed: &exp.fixed,
            float: exp.float.as_ref(),
            agreement: exp.agreement,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print!("{}", header(&net, &exp, &cfg));
    print!("{}", summary_table(&exp));
    print!("{}", pictures(&net, &exp, args.show));
    Ok(())
}

fn header(net: &Network, exp: &Experiment, cfg: &RunConfig) -> String {
    let q = &exp.q;
    let probes = match (exp.probes.noise, exp.probes.flips, exp.probes.seed) {
        (Some(noise), Some(flips), Some(seed)) => format!(
            "{} noisy copies of the stored patterns, {} noise ({flips} flips each), seed {seed}",
            exp.probes.count,
            percent(noise)
        ),
        _ => format!("{} probes from {}", exp.probes.count, exp.probes.source),
    };
    format!(
        "network   {}\n\
         fixed     W={} F={} A={} (saturated {}, max |error| {:.3e})\n\
         probes    {probes}\n\
         update    {}, at most {} sweeps\n\n",
        super::describe_network(net),
        q.weight_bits,
        q.frac_bits,
        q.acc_bits,
        q.report.saturated,
        q.report.max_abs_error,
        if cfg.mode == crate::model::UpdateMode::Sync {
            "sync"
        } else {
            "async"
        },
        cfg.max_sweeps,
    )
}

/// The table comparing the models: one row per model.
pub fn summary_table(exp: &Experiment) -> String {
    let mut out = format!(
        "{:<12} {:>12} {:>12} {:>10} {:>7} {:>7} {:>11}\n",
        "model", "exact recall", "mean overlap", "converged", "limit", "cycle2", "mean sweeps"
    );
    let fixed_name = format!("fixed W={}", exp.q.weight_bits);
    let rows = std::iter::once((fixed_name, &exp.fixed))
        .chain(exp.float.as_ref().map(|f| ("float".to_string(), f)));
    for (name, s) in rows {
        out.push_str(&format!(
            "{:<12} {:>12} {:>12} {:>10} {:>7} {:>7} {:>11.2}\n",
            name,
            s.exact_recall_rate.map_or("-".into(), percent),
            s.mean_overlap.map_or("-".into(), |m| format!("{m:.4}")),
            s.status["converged"],
            s.status["limit"],
            s.status["cycle2"],
            s.mean_sweeps
        ));
    }
    if let Some(agree) = exp.agreement {
        out.push_str(&format!(
            "fixed and float end in the same state for {} of the probes\n",
            percent(agree)
        ));
    }
    out
}

fn pictures(net: &Network, exp: &Experiment, show: usize) -> String {
    let Some(shape) = drawing_shape(net.n, net.shape) else {
        return String::new();
    };
    let mut out = String::new();
    for (t, trial) in exp.trials.iter().take(show).enumerate() {
        let mut panels = Vec::new();
        if let Some(target) = trial.probe.target {
            panels.push((
                format!("stored {}", net.pattern_label(target)),
                &net.patterns[target],
            ));
        }
        panels.push((format!("probe {t}"), &trial.probe.state));
        let fixed_title = format!(
            "fixed: {} k={}",
            trial.fixed.status.name(),
            trial.fixed.sweeps
        );
        panels.push((fixed_title, &trial.fixed.state));
        let float_title = trial
            .float
            .as_ref()
            .map(|f| format!("float: {} k={}", f.status.name(), f.sweeps));
        if let (Some(title), Some(f)) = (float_title, trial.float.as_ref()) {
            panels.push((title, &f.state));
        }
        out.push('\n');
        out.push_str(&side_by_side(&panels, shape));
    }
    out
}
