//! `efiviz parse` (owned by the parser work; placeholder until it lands).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ParseArgs {
    /// Input file, or `-` for standard input.
    pub file: PathBuf,
}

pub fn run(_args: &ParseArgs) -> ExitCode {
    eprintln!("efiviz parse: not implemented yet");
    ExitCode::from(2)
}
