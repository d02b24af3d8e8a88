//! `efiviz parse FILE [--format F] [--json]`: print the map in the 6.x `efi=debug` layout, or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::parse::{self, Format, Parsed, Severity, json, print};

#[derive(clap::Args)]
pub struct ParseArgs {
    /// Input file, or `-` for standard input.
    pub file: PathBuf,
    /// Force a format instead of detecting it: dmesg, uefi-shell, runtime-map, binary, json.
    #[arg(long, value_parser = clap::builder::ValueParser::new(str::parse::<Format>))]
    pub format: Option<Format>,
    /// Descriptor stride for binary input (detected when omitted).
    #[arg(long)]
    pub desc_size: Option<u32>,
    /// Print efiviz JSON (map, tables, events and the report) instead of kernel lines.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ParseArgs) -> ExitCode {
    let input = match super::input::read_input(&args.file) {
        Ok(bytes) => bytes,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let parsed = match (args.format, args.desc_size) {
        (None | Some(Format::Binary), Some(size)) => parse::parse_binary(&input, Some(size)),
        (format, _) => parse::parse(&input, format),
    };
    if args.json {
        println!("{}", json::to_string(&parsed.log, Some(&parsed.report)));
    } else {
        print!("{}", kernel_text(&parsed));
    }
    eprintln!("{}", summary(&parsed));
    if parsed.found_map() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "efiviz parse: no EFI memory map found in {} (tried: {}); see the diagnostics above",
            args.file.display(),
            parsed.report.format
        );
        ExitCode::from(2)
    }
}

/// The boot map, then the runtime map under the kernel's own header.
fn kernel_text(parsed: &Parsed) -> String {
    let mut out = String::new();
    if let Some(map) = &parsed.log.map {
        out.push_str(&print::map_lines(&map.descriptors));
    }
    if let Some(rt) = &parsed.log.runtime_map {
        out.push_str("efi: EFI runtime memory map:\n");
        out.push_str(&print::map_lines(&rt.descriptors));
    }
    out
}

/// One stderr line per warning or error, then a one-line summary.
fn summary(parsed: &Parsed) -> String {
    let report = &parsed.report;
    let mut out = String::new();
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
    {
        let level = if d.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        out.push_str(&format!("line {}: {level}: {}\n", d.line, d.reason));
        if !d.text.is_empty() {
            out.push_str(&format!("    {}\n", d.text));
        }
    }
    let infos = report.count(Severity::Info) + report.unlisted_info;
    out.push_str(&format!(
        "efiviz parse: format {} (confidence {:?}), {} descriptors, {} runtime, {} e820 rows; {} errors, {} warnings, {} lines not about memory",
        report.format,
        report.confidence,
        parsed.log.map.as_ref().map_or(0, |m| m.descriptors.len()),
        parsed.log.runtime_map.as_ref().map_or(0, |m| m.descriptors.len()),
        parsed.log.e820.len(),
        report.count(Severity::Error),
        report.count(Severity::Warning),
        infos,
    ));
    out
}
