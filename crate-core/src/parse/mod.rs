//! Parsers: every memory-map format people paste, into one [`BootLog`] plus a line-numbered [`Report`].
//!
//! Entry point: [`parse`]. Text inputs go through [`wrappers`] (quoted-printable, mail quotes,
//! timestamps, syslog prefixes, JSON string arrays, BBCode, …) and then through one line
//! recogniser per family (kernel EFI lines, e820, UEFI shell, sysfs runtime-map). Binary
//! descriptor arrays and efiviz JSON have their own readers. Nothing here panics on bad input.

pub mod binary;
mod blocks;
mod detect;
mod dmesg_efi;
mod e820;
mod e820_columns;
#[cfg(test)]
mod edits;
mod gate;
pub mod json;
mod kernel_misc;
mod mem_columns;
mod memblock_columns;
pub mod print;
mod report;
mod runtime_map;
mod scan;
mod text;
mod uefi_shell;
mod wrappers;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::BootLog;

pub use report::{Confidence, Diagnostic, MAX_INFO, MAX_TEXT, MapFlags, Report, Severity};

/// Input formats; `parse(…, None)` detects one, `Some(f)` forces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Kernel log text (dmesg, journalctl -k, kern.log, serial capture), any generation, any wrapper.
    Dmesg,
    /// UEFI shell `memmap` output (EDK2 v2, OpenShell, EFI Shell 1.x) or a GetMemoryMap tutorial dump.
    UefiShell,
    /// `grep . /sys/firmware/efi/runtime-map/*/*`.
    RuntimeMap,
    /// A raw little-endian `EFI_MEMORY_DESCRIPTOR` array.
    Binary,
    /// efiviz's own JSON (see `docs/json-schema.md`).
    Json,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Self::Dmesg,
        Self::UefiShell,
        Self::RuntimeMap,
        Self::Binary,
        Self::Json,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Dmesg => "dmesg",
            Self::UefiShell => "uefi-shell",
            Self::RuntimeMap => "runtime-map",
            Self::Binary => "binary",
            Self::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Accepts the canonical names and a few aliases (`kernel`, `journalctl`, `memmap`, `shell`, `sysfs`, `bin`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dmesg" | "kernel" | "journalctl" | "kern.log" | "serial" => Ok(Self::Dmesg),
            "uefi-shell" | "shell" | "memmap" => Ok(Self::UefiShell),
            "runtime-map" | "sysfs" => Ok(Self::RuntimeMap),
            "binary" | "bin" | "raw" => Ok(Self::Binary),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown format `{other}` (expected one of: dmesg, uefi-shell, runtime-map, binary, json)"
            )),
        }
    }
}

/// The result of parsing one input: the model and the report explaining it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    pub log: BootLog,
    pub report: Report,
}

impl Parsed {
    /// True when the input held a boot map or a runtime map.
    pub fn found_map(&self) -> bool {
        self.log.map.is_some() || self.log.runtime_map.is_some()
    }
}

/// Parses any supported input. `format` forces a format; `None` detects it.
/// Never panics; runs in time linear in the input.
pub fn parse(input: &[u8], format: Option<Format>) -> Parsed {
    if format != Some(Format::Binary) {
        if let Some((utf8, name)) = wrappers::utf16_to_utf8(input) {
            let mut parsed = parse(&utf8, format);
            parsed.report.wrappers.insert(0, name.to_owned());
            return parsed;
        }
    }
    let (log, mut report) = match format.unwrap_or_else(|| detect::detect(input)) {
        Format::Binary => binary::parse(input, None),
        Format::Json => json::parse(input),
        Format::Dmesg | Format::UefiShell | Format::RuntimeMap => text::parse(input, format),
    };
    if let Some(runtime) = &log.runtime_map {
        report.runtime_map_flags = MapFlags::of(&runtime.descriptors);
    }
    if input.trim_ascii().is_empty() && report.diagnostics.is_empty() {
        report.add(
            0,
            "",
            Severity::Error,
            "the input is empty or only whitespace",
        );
    }
    Parsed { log, report }
}

/// Parses a raw descriptor array with a known stride (`None` detects it).
pub fn parse_binary(input: &[u8], desc_size: Option<u32>) -> Parsed {
    let (log, report) = binary::parse(input, desc_size);
    Parsed { log, report }
}
