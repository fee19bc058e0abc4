//! `hopgen train`: patterns file → weights file with the chosen learning rule.

use super::load_pattern_set;
use crate::formats::weights::to_json;
use crate::fsutil::write_atomic;
use crate::learn::{self, Rule};
use crate::quantize::{quantize, QuantSpec};
use crate::recall::{fixed_points_fixed, fixed_points_float};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// A hopgen-patterns/1 file.
    pub patterns: PathBuf,
    /// Learning rule.
    #[arg(long, value_enum, default_value_t = Rule::Hebbian)]
    pub rule: Rule,
    /// Where to write the hopgen-weights/1 file.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Network name (default: the patterns file's name, else its file name).
    #[arg(long)]
    pub name: Option<String>,
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let set = load_pattern_set(&args.patterns)?;
    let name = args
        .name
        .clone()
        .or_else(|| set.name.clone())
        .unwrap_or_else(|| stem(&args.patterns));
    let net = learn::train(&set, args.rule, name);
    write_atomic(&args.output, to_json(&net).as_bytes())?;
    let p = net.patterns.len();
    println!(
        "trained {:?}: {} neurons, {p} patterns (load P/N = {:.3}), rule {} → {}",
        net.name,
        net.n,
        p as f64 / net.n as f64,
        args.rule.name(),
        args.output.display()
    );
    let q = quantize(&net, QuantSpec::default());
    println!(
        "stored patterns that are fixed points: {}/{p} in float, {}/{p} at W={} F={}",
        fixed_points_float(&net),
        fixed_points_fixed(&q, &net.patterns),
        q.weight_bits,
        q.frac_bits
    );
    Ok(())
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "hopfield".into())
}
