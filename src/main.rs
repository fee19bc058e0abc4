//! The `hopgen` binary: parse arguments, run the subcommand, report errors.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hopgen::cmd::Cli::parse();
    match hopgen::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            let code = err
                .downcast_ref::<hopgen::Error>()
                .map_or(1, hopgen::Error::exit_code);
            ExitCode::from(code)
        }
    }
}
