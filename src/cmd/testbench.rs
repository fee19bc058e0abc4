//! `hopgen testbench`: the core plus a self-checking Verilog testbench whose probes and
//! expected results (from the bit-exact model) are embedded, for Icarus Verilog or any
//! other simulator — a second, independent check beside Verilator.

use super::synth::{describe_core, CoreOpts};
use super::ProbeOpts;
use crate::model::FixedModel;
use crate::sim::{self, embedded_vectors};
use crate::synth::outdir::write_output_dir;
use clap::Args;
use std::path::PathBuf;

pub const VECTORS_FILE: &str = "hop_tb_vectors.vh";
pub const RUN_SCRIPT: &str = "run_iverilog.sh";

#[derive(Debug, Clone, Args)]
pub struct TestbenchArgs {
    /// A hopgen-weights/1 file.
    pub weights: PathBuf,
    #[command(flatten)]
    pub core: CoreOpts,
    #[command(flatten)]
    pub probes: ProbeOpts,
}

/// The Icarus command line, as a script that fails unless the testbench passes.
fn run_script(top: &str, n: usize, count: usize, sources: &[String]) -> String {
    format!(
        "#!/bin/sh\n\
         # Runs the self-checking testbench in Icarus Verilog (written by hopgen).\n\
         # Other simulators: compile {tb} and the sources with the same defines.\n\
         set -e\n\
         cd \"$(dirname \"$0\")\"\n\
         iverilog -g2005 -DHOP_EMBEDDED -DHOP_DUT={top} -DHOP_N={n} -DHOP_COUNT={count} -o tb.vvp {tb} {sources}\n\
         vvp -n tb.vvp | tee tb.log\n\
         grep -q '^PASS' tb.log\n",
        tb = sim::STREAM_TB_FILE,
        sources = sources.join(" ")
    )
}

pub fn run(args: &TestbenchArgs) -> anyhow::Result<()> {
    let mut core = args.core.generate_core(&args.weights)?;
    super::synth::require_initial_weights(&core, "testbench")?;
    let (probes, what) = super::hardware_probes(&core.net, &args.probes)?;
    let model = FixedModel::new(&core.q);
    let outcomes: Vec<_> = probes.iter().map(|p| model.run(p, &core.cfg)).collect();
    let m = &core.generated.manifest;
    let script = run_script(&m.top, m.neurons, probes.len(), &m.sources);
    let files = &mut core.generated.files;
    files.insert(
        sim::STREAM_TB_FILE.into(),
        sim::STREAM_TB.as_bytes().to_vec(),
    );
    files.insert(
        VECTORS_FILE.into(),
        embedded_vectors(&probes, &outcomes).into_bytes(),
    );
    files.insert(RUN_SCRIPT.into(), script.into_bytes());
    write_output_dir(&core.dir, &core.generated.files, args.core.force)?;
    print!("{}", describe_core(&core));
    println!(
        "testbench {what}, with the model's results embedded; run: sh {}",
        core.dir.join(RUN_SCRIPT).display()
    );
    Ok(())
}
