//! `make bench`: runs hopgen's benchmark suite (src/bench.rs) and writes
//! bench/results.json, docs/BENCHMARKS.md and the plots; `--quick` writes a small run to
//! build/bench-quick/ instead (the smoke test `make test` runs).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick {
        hopgen::bench::QUICK
    } else {
        hopgen::bench::FULL
    };
    let (json_path, docs) = if quick {
        (
            PathBuf::from("build/bench-quick/results.json"),
            PathBuf::from("build/bench-quick"),
        )
    } else {
        (PathBuf::from("bench/results.json"), PathBuf::from("docs"))
    };
    std::fs::create_dir_all(&docs)?;
    std::fs::create_dir_all(json_path.parent().expect("has a parent"))?;
    let python = PathBuf::from(
        std::env::var("HOPGEN_BENCH_PYTHON")
            .unwrap_or_else(|_| "build/bench-venv/bin/python".into()),
    );
    let script = PathBuf::from("scripts/baseline_numpy.py");
    let work = PathBuf::from("build/bench-work");
    std::fs::create_dir_all(&work)?;
    let numpy = python.exists().then(|| hopgen::bench::Numpy {
        python: &python,
        script: &script,
        work: &work,
    });
    if numpy.is_none() {
        eprintln!(
            "numpy baseline skipped: {} not found (make bench sets it up)",
            python.display()
        );
    }
    eprintln!("measuring model throughput…");
    let throughput =
        hopgen::bench::throughput(&scale, numpy.as_ref()).map_err(anyhow::Error::msg)?;
    eprintln!("timing the generator…");
    let hopgen = std::env::current_exe()?.with_file_name("hopgen");
    anyhow::ensure!(
        hopgen.exists(),
        "{} is missing: build both binaries first (cargo build --release --bins)",
        hopgen.display()
    );
    let generation =
        hopgen::bench::generation(&scale, &hopgen, &work).map_err(anyhow::Error::msg)?;
    eprintln!("co-simulating…");
    let cosim = hopgen::bench::cosim(&scale, &work).map_err(anyhow::Error::msg)?;
    eprintln!("measuring recall quality…");
    let recall = hopgen::bench::recall_curves(&scale);
    let results = hopgen::bench::Results {
        format: "hopgen-bench/1",
        quick,
        throughput,
        generation,
        cosim,
        recall,
    };
    std::fs::write(&json_path, serde_json::to_string_pretty(&results)? + "\n")?;
    let markdown = hopgen::bench::markdown(&results);
    std::fs::write(docs.join("BENCHMARKS.md"), &markdown)?;
    hopgen::bench::plots(&results, &docs).map_err(anyhow::Error::msg)?;
    print!("{markdown}");
    Ok(())
}
