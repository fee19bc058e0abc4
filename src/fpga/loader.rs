//! Programming a board (`hopgen flash`): the command line for whichever loader is
//! installed — openFPGALoader, iceprog (iCE40) or ecpprog (ECP5) — into the FPGA's
//! configuration RAM by default, or its SPI flash with `--persist`.

use super::board::{Board, Family};
use crate::tools::{self, Tool};

/// A loader command: the tool and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderCommand {
    pub tool: Tool,
    pub args: Vec<String>,
}

impl LoaderCommand {
    /// The command as a shell line (arguments with spaces quoted).
    pub fn display(&self) -> String {
        std::iter::once(self.tool.exe())
            .chain(self.args.iter().map(|a| {
                if a.contains(char::is_whitespace) {
                    format!("'{a}'")
                } else {
                    a.clone()
                }
            }))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The loaders that can program a board, most capable first.
pub fn loaders_for(board: &Board) -> Vec<Tool> {
    match board.part.family() {
        Family::Ice40 => vec![tools::OPENFPGALOADER, tools::ICEPROG],
        Family::Ecp5 => vec![tools::OPENFPGALOADER, tools::ECPPROG],
    }
}

/// The command `tool` needs to load `bitstream` onto `board`.
pub fn command(tool: Tool, board: &Board, bitstream: &str, persist: bool) -> LoaderCommand {
    let mut args: Vec<String> = vec![];
    match tool.name {
        "openFPGALoader" => {
            args.extend(["--board".into(), board.openfpgaloader_board.into()]);
            if persist {
                args.push("--write-flash".into());
            }
        }
        // iceprog and ecpprog write the SPI flash unless -S (SRAM) is given.
        _ => {
            if !persist {
                args.push("-S".into());
            }
        }
    }
    args.push(bitstream.into());
    LoaderCommand { tool, args }
}

/// The command for the first installed loader, or for the preferred one when none is
/// installed (the bool says whether it is installed).
pub fn choose(board: &Board, bitstream: &str, persist: bool) -> (LoaderCommand, bool) {
    let loaders = loaders_for(board);
    let installed = loaders.iter().find(|t| t.installed());
    let tool = *installed.unwrap_or(&loaders[0]);
    (
        command(tool, board, bitstream, persist),
        installed.is_some(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fpga::board::find_board;

    #[test]
    fn openfpgaloader_lines() {
        let b = find_board("icebreaker").unwrap();
        let c = command(tools::OPENFPGALOADER, b, "net.bin", false);
        assert_eq!(c.args, ["--board", "icebreaker", "net.bin"]);
        let c = command(
            tools::OPENFPGALOADER,
            find_board("ulx3s").unwrap(),
            "n.bit",
            true,
        );
        assert_eq!(c.args, ["--board", "ulx3s", "--write-flash", "n.bit"]);
    }

    #[test]
    fn iceprog_and_ecpprog_use_sram_unless_persisting() {
        let b = find_board("icebreaker").unwrap();
        assert_eq!(
            command(tools::ICEPROG, b, "a.bin", false).args,
            ["-S", "a.bin"]
        );
        assert_eq!(command(tools::ICEPROG, b, "a.bin", true).args, ["a.bin"]);
        let u = find_board("ulx3s-25f").unwrap();
        assert_eq!(loaders_for(u)[1].name, "ecpprog");
    }
}
