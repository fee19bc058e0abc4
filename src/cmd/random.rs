//! `hopgen random-patterns`: uniformly random ±1 patterns from a seed.

use crate::formats::patterns::to_json;
use crate::fsutil::write_atomic;
use crate::network::{PatternSet, MAX_NEURONS};
use crate::state::State;
use crate::{InputError, InputErrorKind};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct RandomArgs {
    /// Number of neurons N.
    #[arg(long, short = 'n')]
    pub neurons: usize,
    /// Number of patterns P.
    #[arg(long, short = 'p')]
    pub count: usize,
    /// Seed; the same seed gives the same patterns.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the hopgen-patterns/1 file.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

/// P patterns of N independent fair ±1 entries.
pub fn random_patterns(n: usize, count: usize, seed: u64) -> Vec<State> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let signs: Vec<i8> = (0..n)
                .map(|_| if rng.gen::<bool>() { 1 } else { -1 })
                .collect();
            State::from_signs(&signs)
        })
        .collect()
}

pub fn run(args: &RandomArgs) -> anyhow::Result<()> {
    if args.neurons == 0 || args.neurons > MAX_NEURONS {
        return Err(crate::Error::from(InputError::new(
            InputErrorKind::Option,
            format!("--neurons {} is out of range", args.neurons),
            format!("choose 1 to {MAX_NEURONS}"),
        ))
        .into());
    }
    let set = PatternSet {
        name: None,
        n: args.neurons,
        shape: None,
        patterns: random_patterns(args.neurons, args.count, args.seed),
        labels: vec![],
    };
    write_atomic(&args.output, to_json(&set).as_bytes())?;
    println!(
        "wrote {} random patterns of {} neurons (seed {}) → {}",
        args.count,
        args.neurons,
        args.seed,
        args.output.display()
    );
    Ok(())
}
