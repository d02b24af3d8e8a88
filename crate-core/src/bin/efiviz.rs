//! The native `efiviz` command-line tool (feature `cli`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use efiviz_core::cli;

#[derive(Parser)]
#[command(
    name = "efiviz",
    version,
    about = "Parse, simulate and draw EFI memory maps the way x86 Linux boots them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse a memory map in any supported format and print it in the kernel's efi=debug layout or JSON.
    Parse(cli::parse::ParseArgs),
    /// Simulate the boot of a map under the OLD and/or NEW kernel.
    Simulate(cli::simulate::SimulateArgs),
    /// Show where the OLD and NEW kernels differ on a map, and the invariant results.
    Diff(cli::simulate::DiffArgs),
    /// Draw the timeline as a standalone SVG figure (with alt text), as the app shows it.
    Render(cli::render::RenderArgs),
}

fn main() -> ExitCode {
    efiviz_core::heap::keep_freed_memory();
    match Cli::parse().command {
        Command::Parse(args) => cli::parse::run(&args),
        Command::Simulate(args) => cli::simulate::run_simulate(&args),
        Command::Diff(args) => cli::simulate::run_diff(&args),
        Command::Render(args) => cli::render::run(&args),
    }
}
