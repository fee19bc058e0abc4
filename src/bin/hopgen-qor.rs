//! `make qor`: the largest core that fits each part (src/qor.rs), by real yosys and
//! nextpnr runs; saves each search under bench/qor/ and writes docs/QOR.md.
//! `--only A,B` keeps the cases whose key (part-arch-update-wW) contains A or B;
//! `--jobs J` runs J searches at once (default 2);
//! `--render` only rewrites docs/QOR.md from the saved searches.

use hopgen::qor::{self, Outcome};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
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
    if std::env::args().any(|a| a == "--render") {
        let tools = tool_versions();
        std::fs::write(
            "docs/QOR.md",
            qor::markdown(std::path::Path::new("bench/qor"), &tools),
        )?;
        return Ok(());
    }
    let only = arg("--only");
    let jobs: usize = arg("--jobs").map_or(Ok(2), |j| j.parse())?;
    let cases: Vec<qor::Case> = qor::default_cases()
        .into_iter()
        .filter(|c| {
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|part| c.key().contains(part)))
        })
        .collect();
    let work = PathBuf::from("build/qor");
    let saved = PathBuf::from("bench/qor");
    let cache = hopgen::sim::verilator::cache_root();
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; cases.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
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
                results.lock().expect("results")[i] = Some(outcome);
            });
        }
    });
    let outcomes: Vec<Outcome> = results
        .into_inner()
        .expect("results")
        .into_iter()
        .flatten()
        .collect();
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
