//! `hopgen flash`: load a bitstream from `hopgen build` onto its board with whichever
//! loader is installed, printing the command first (`--dry-run` only prints it).

use crate::error::{Error, InputError, InputErrorKind};
use crate::fpga::board::{board_names, find_board, Board};
use crate::fpga::loader;
use crate::fpga::report::REPORT_FILE;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Args)]
pub struct FlashArgs {
    /// A build directory from `hopgen build`, or a bitstream file (.bin / .bit).
    pub build: PathBuf,
    /// The board (default: the one the build was made for).
    #[arg(long)]
    pub board: Option<String>,
    /// Write the board's SPI flash (survives power-off) instead of the FPGA's SRAM.
    #[arg(long)]
    pub persist: bool,
    /// Print the command without running it.
    #[arg(long)]
    pub dry_run: bool,
}

/// What a build directory's report says: its board and bitstream.
fn read_build(dir: &Path) -> Result<(Option<String>, Option<String>), Error> {
    #[derive(serde::Deserialize)]
    struct Head {
        board: Option<String>,
        bitstream: Option<String>,
    }
    let path = dir.join(REPORT_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        InputError::new(
            InputErrorKind::Unreadable,
            format!("cannot read {}: {e}", path.display()),
            "give a directory written by `hopgen build`, or a bitstream file",
        )
    })?;
    let head: Head = serde_json::from_str(&text).map_err(|e| {
        InputError::new(
            InputErrorKind::Schema,
            format!("{} is not a hopgen build report: {e}", path.display()),
            "rebuild with `hopgen build`",
        )
    })?;
    Ok((head.board, head.bitstream))
}

/// The board and bitstream path to flash.
fn resolve(args: &FlashArgs) -> Result<(&'static Board, PathBuf), Error> {
    let (built_for, bitstream) = if args.build.is_dir() {
        let (board, bit) = read_build(&args.build)?;
        let bit = bit.ok_or_else(|| {
            Error::option(
                format!(
                    "{} has no bitstream (the build did not fit)",
                    args.build.display()
                ),
                "see its report.json; build a smaller core or for a larger part",
            )
        })?;
        (board, args.build.join(bit))
    } else {
        (None, args.build.clone())
    };
    if !bitstream.is_file() {
        return Err(Error::option(
            format!("{} does not exist", bitstream.display()),
            "run `hopgen build` first",
        ));
    }
    let name = args.board.clone().or(built_for).ok_or_else(|| {
        Error::option(
            "no board: the build was made for a part, not a board",
            "pass --board",
        )
    })?;
    let board = find_board(&name).ok_or_else(|| {
        Error::option(
            format!("unknown board {name:?}"),
            format!("choose one of {}", board_names()),
        )
    })?;
    Ok((board, bitstream))
}

pub fn run(args: &FlashArgs) -> anyhow::Result<()> {
    let (board, bitstream) = resolve(args)?;
    let (command, installed) =
        loader::choose(board, &bitstream.display().to_string(), args.persist);
    println!("{}", command.display());
    if args.dry_run {
        if !installed {
            println!(
                "note: no loader is installed ({}); `apt install openfpgaloader` provides one",
                loader::loaders_for(board)
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        return Ok(());
    }
    if !installed {
        return Err(Error::Tool(format!(
            "no loader for {} is installed (tried {})\n  hint: `apt install openfpgaloader`, or set HOPGEN_OPENFPGALOADER",
            board.name,
            loader::loaders_for(board)
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    let out = command
        .tool
        .run(&command.args, Path::new("."))
        .map_err(Error::from)?;
    print!("{out}");
    Ok(())
}
