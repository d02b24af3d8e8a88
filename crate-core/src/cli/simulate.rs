//! `efiviz simulate` and `efiviz diff`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::sim::{self, Kernel, Phase, SimInput, Simulation, Status, output};

use super::input::load;
use crate::share::KernelChoice;

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// Input file (any format the parser accepts), or `-` for standard input.
    pub file: PathBuf,
    /// Which kernel to simulate.
    #[arg(long, value_enum, default_value = "both")]
    pub kernel: KernelChoice,
    /// Print JSON (`{old, new}` in the scenarios.json shape, plus per-phase snapshots).
    #[arg(long)]
    pub json: bool,
    /// FILE is a scenario: `{config, descs}` as in scenarios.json.
    #[arg(long)]
    pub scenario: bool,
    /// Override a knob: `KEY=VALUE` with scenarios.json config key names (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// Input file (any format the parser accepts), or `-` for standard input.
    pub file: PathBuf,
    /// FILE is a scenario: `{config, descs}` as in scenarios.json.
    #[arg(long)]
    pub scenario: bool,
    /// Override a knob: `KEY=VALUE` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.write_all(b"\n");
}

/// The simulator input alone, or the message to print.
fn load_input(file: &Path, scenario: bool, set: &[String]) -> Result<SimInput, String> {
    load(file, scenario, set).map(|loaded| loaded.input)
}

fn fmt_entries(entries: &[sim::Entry]) -> String {
    let mut out = String::new();
    for e in entries.iter().take(64) {
        out.push_str(&format!(
            "    {:<8} {:<12} [{:#014x},{:#014x}) {:>8} pg attr={:#x}{}{}\n",
            e.id,
            e.desc.ty.display_name(),
            e.desc.phys,
            e.range().end,
            e.desc.num_pages,
            e.desc.attr.0,
            if e.kernel_tagged { " (kernel tag)" } else { "" },
            if e.desc.virt != 0 {
                format!(" virt={:#x}", e.desc.virt)
            } else {
                String::new()
            }
        ));
    }
    if entries.len() > 64 {
        out.push_str(&format!("    … {} more\n", entries.len() - 64));
    }
    out
}

fn print_text(out: &mut String, s: &Simulation) {
    let _ = writeln!(out, "==== {} kernel ====", s.kernel.name().to_uppercase());
    for snap in &s.phases {
        let _ = writeln!(out, "-- {} ({}) --", snap.phase.name(), snap.performed_by);
        for ev in s.events.iter().filter(|e| e.phase == snap.phase) {
            let patch = ev.patch.map(|p| format!(", {p}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  * {} [{}{}]: {}",
                ev.function, ev.rule, patch, ev.message
            );
        }
        if matches!(
            snap.phase,
            Phase::Firmware | Phase::Reserve | Phase::Svam | Phase::Compact
        ) {
            let _ = writeln!(out, "  efi.memmap: {} entries", snap.memmap.entries.len());
            let _ = write!(out, "{}", fmt_entries(&snap.memmap.entries));
        }
        for i in snap
            .invariants
            .iter()
            .filter(|i| matches!(i.status, Status::Fails | Status::FailsByDesign))
        {
            let _ = writeln!(out, "  ! {} {:?}: {}", i.id, i.status, i.detail);
        }
    }
    if let Some(m) = &s.free_message {
        let _ = writeln!(out, "message: {m}");
    }
    for h in &s.hazards {
        let _ = writeln!(out, "hazard: {h}");
    }
    let _ = writeln!(out,);
}

pub fn run_simulate(args: &SimulateArgs) -> ExitCode {
    let input = match load_input(&args.file, args.scenario, &args.set) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // One kernel at a time: simulate, write, drop, so only one simulation is ever in memory.
    let sims = args
        .kernel
        .kernels()
        .iter()
        .map(|&k| sim::simulate(&input, k));
    if args.json {
        // Streamed: a 1M-descriptor document is gigabytes; an error here is a closed pipe.
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let _ = output::write_document(&mut out, sims)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
    } else {
        let mut stdout = std::io::stdout().lock();
        for s in sims {
            let mut text = String::new();
            print_text(&mut text, &s);
            let _ = stdout.write_all(text.as_bytes());
        }
        let _ = stdout.write_all(b"\n");
    }
    ExitCode::SUCCESS
}

pub fn run_diff(args: &DiffArgs) -> ExitCode {
    let input = match load_input(&args.file, args.scenario, &args.set) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let old = sim::simulate(&input, Kernel::Old);
    let new = sim::simulate(&input, Kernel::New);
    let cmp = sim::compare(&old, &new);
    let failed = cmp.any_invariant_failed(&old, &new);
    if args.json {
        emit(&serde_json::to_string_pretty(&cmp).unwrap_or_default());
    } else {
        let mut out = String::new();
        let out = &mut out;
        if cmp.differences.is_empty() {
            let _ = writeln!(out, "No OLD/NEW differences on this input.");
        }
        for d in &cmp.differences {
            let _ = writeln!(out, "{} — {}\n    {}\n", d.id, d.title, d.explanation);
        }
        let _ = writeln!(out, "Invariants (end of boot; OLD / NEW):");
        for (a, b) in old.invariants().iter().zip(new.invariants()) {
            let _ = writeln!(
                out,
                "  {:<5} {:?} / {:?}  {}",
                a.id, a.status, b.status, a.statement
            );
        }
        for i in &cmp.invariants {
            let _ = writeln!(
                out,
                "  {:<5} {:?}  {} {}",
                i.id, i.status, i.statement, i.detail
            );
        }
        emit(out);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
