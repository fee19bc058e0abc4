//! `hopgen check`: validate a weights or patterns file and summarise what it holds.

use super::{load_pattern_set, InputOpts};
use crate::formats::{self, PATTERNS_FORMAT};
use crate::quantize::{quantize, QuantSpec};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// A hopgen-weights/1 or hopgen-patterns/1 file.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputOpts,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<()> {
    let text = formats::read_input(&args.file).map_err(crate::Error::from)?;
    if format_tag(&text).as_deref() == Some(PATTERNS_FORMAT) {
        let set = load_pattern_set(&args.file)?;
        println!(
            "{}: ok: {PATTERNS_FORMAT}, {} neurons, {} patterns{}",
            args.file.display(),
            set.n,
            set.patterns.len(),
            set.shape
                .map_or(String::new(), |(r, c)| format!(", shape {r}×{c}"))
        );
        return Ok(());
    }
    let net = args.input.load_network(&args.file)?;
    let q = quantize(&net, QuantSpec::default());
    let nonzero = net.weights.iter().filter(|w| **w != 0.0).count();
    println!(
        "{}: ok: {}, {}, {nonzero} non-zero weights; \
         at W={} the largest F is {}",
        args.file.display(),
        formats::WEIGHTS_FORMAT,
        super::describe_network(&net),
        q.weight_bits,
        q.frac_bits
    );
    Ok(())
}

fn format_tag(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Tag {
        format: Option<String>,
    }
    serde_json::from_str::<Tag>(text).ok()?.format
}
