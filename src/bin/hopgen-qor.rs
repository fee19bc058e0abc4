//! `make qor`: the largest core that fits each part (src/qor.rs), by real yosys and
//! nextpnr runs; saves each search under bench/qor/ and writes docs/QOR.md.
//! `--only A,B` keeps the cases whose key (part-arch-update-wW) contains A or B;
//! `--jobs J` runs J searches at once (default 2);
//! `--render` only rewrites docs/QOR.md from the saved searches;
//! `--at N` builds that one size of each kept case, prints it and saves nothing
//! (`--seeds K` lets it try K nextpnr seeds, as `hopgen build --seeds`);
//! `--goals` builds only the goal sizes (which a full run builds last).

use hopgen::qor::{self, Outcome};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

const USAGE: &str = "usage: hopgen-qor [--only KEY,KEY] [--jobs J] [--at N] [--goals] [--render]
  --only KEY,KEY  keep the cases whose key (part-arch-update-wW) contains one of them
  --jobs J        searches run at once (default 2)
  --at N          build only size N of each kept case, print it, save nothing
  --seeds K       with --at: try up to K nextpnr seeds (default 1)
  --goals         build only the goal sizes (of the kept cases), save them, render
  --render        only rewrite docs/QOR.md from bench/qor/";

/// The command line: flags with a value, and `--render`.
struct Args {
    only: Option<String>,
    jobs: usize,
    at: Option<usize>,
    seeds: u32,
    goals_only: bool,
    render: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        only: None,
        jobs: 2,
        at: None,
        seeds: 1,
        goals_only: false,
        render: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--only" => args.only = Some(value()?),
            "--jobs" => args.jobs = value()?.parse()?,
            "--at" => args.at = Some(value()?.parse()?),
            "--seeds" => args.seeds = value()?.parse::<u32>()?.max(1),
            "--render" => args.render = true,
            "--goals" => args.goals_only = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => anyhow::bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    Ok(args)
}

/// `--at N`: one build per kept case, printed as a report table.
fn build_at(cases: &[qor::Case], n: usize, seeds: u32) {
    let cache = hopgen::sim::verilator::cache_root();
    for case in cases {
        let a = qor::attempt(case, n, seeds, &PathBuf::from("build/qor-at"), &cache);
        println!(
            "== {} N={n}: fits {} in {:.0} s",
            case.key(),
            a.fits,
            a.seconds
        );
        if let Some(report) = &a.report {
            println!("{}", report.table());
        }
        if let Some(problem) = &a.problem {
            println!("{problem}");
        }
    }
}

/// Runs `work` on every item, `jobs` items at once, and returns the results in the
/// items' order.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let result = work(item);
                results.lock().expect("results")[i] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .expect("results")
        .into_iter()
        .flatten()
        .collect()
}

/// Builds the goal sizes, `jobs` at once, saving each.
fn run_goals(goals: &[qor::Goal], work: &Path, cache: &Path, saved: &Path, jobs: usize) {
    in_parallel(goals, jobs, |goal| {
        match qor::run_goal(goal, work, cache, saved) {
            Ok(a) => eprintln!(
                "goal {}: {}",
                goal.key(),
                qor::goal_row(goal, &a).trim_end()
            ),
            Err(e) => eprintln!("cannot save {}: {e}", goal.key()),
        }
    });
}

fn tool_versions() -> String {
    [
        hopgen::tools::FLOW_YOSYS,
        hopgen::tools::NEXTPNR_ICE40,
        hopgen::tools::NEXTPNR_ECP5,
    ]
    .iter()
    .map(hopgen::fpga::flow::tool_version)
    .collect::<Vec<_>>()
    .join(", ")
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if args.render {
        let tools = tool_versions();
        std::fs::write(
            "docs/QOR.md",
            qor::markdown(std::path::Path::new("bench/qor"), &tools),
        )?;
        return Ok(());
    }
    let (only, jobs) = (args.only, args.jobs);
    let kept = |key: &str| {
        only.as_ref()
            .is_none_or(|o| o.split(',').any(|part| key.contains(part)))
    };
    let cases: Vec<qor::Case> = qor::default_cases()
        .into_iter()
        .filter(|c| kept(&c.key()))
        .filter(|_| !args.goals_only)
        .collect();
    if let Some(n) = args.at {
        build_at(&cases, n, args.seeds);
        return Ok(());
    }
    let work = PathBuf::from("build/qor");
    let saved = PathBuf::from("bench/qor");
    let cache = hopgen::sim::verilator::cache_root();
    let started = Instant::now();
    let goals: Vec<qor::Goal> = qor::goals()
        .into_iter()
        .filter(|g| kept(&g.key()))
        .collect();
    let outcomes: Vec<Outcome> = in_parallel(&cases, jobs, |case| {
        let log = |a: &qor::Attempt| {
            eprintln!(
                "{} {} {} W={} N={}: {} in {:.0} s{}",
                case.part.name(),
                case.arch.name(),
                hopgen::synth::mode_name(case.update),
                case.weight_bits,
                a.neurons,
                if a.fits { "fits" } else { "does not fit" },
                a.seconds,
                a.report
                    .as_ref()
                    .and_then(|r| r.timing.fmax_mhz)
                    .map_or(String::new(), |f| format!(", Fmax {f:.1} MHz"))
            )
        };
        let outcome = qor::search(case, &work, &cache, &log);
        if let Err(e) = qor::save(&outcome, &saved) {
            eprintln!("cannot save {}: {e}", case.key());
        }
        outcome
    });
    run_goals(&goals, &work, &cache, &saved, jobs);
    let tools = tool_versions();
    let md = qor::markdown(&saved, &tools);
    std::fs::write("docs/QOR.md", &md)?;
    print!("{md}");
    eprintln!(
        "{} searches in {:.0} min",
        outcomes.len(),
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}
