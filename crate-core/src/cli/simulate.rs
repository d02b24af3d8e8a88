//! `efiviz simulate` and `efiviz diff` (owned by the simulator work; placeholder until it lands).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// Input file, or `-` for standard input.
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// Input file, or `-` for standard input.
    pub file: PathBuf,
}

pub fn run_simulate(_args: &SimulateArgs) -> ExitCode {
    eprintln!("efiviz simulate: not implemented yet");
    ExitCode::from(2)
}

pub fn run_diff(_args: &DiffArgs) -> ExitCode {
    eprintln!("efiviz diff: not implemented yet");
    ExitCode::from(2)
}
