//! The other kernel lines a map needs around it: firmware banner, config tables, command line,
//! ESRT, memblock=debug events, and the boot-services/`Memory:` totals.

use super::memblock_columns;
use super::scan::{FastTrim, contains_lit, inclusive_range, starts, take_dec, take_hex64};
use crate::model::{ConfigTable, FirmwareInfo};

/// Borrows from the line, so a line that is then not stored (a later boot's memblock event)
/// costs no allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MiscLine<'a> {
    /// `Linux version …`: a boot log starts here.
    BootStart,
    Firmware(FirmwareInfo),
    ConfigTables(Vec<ConfigTable>),
    Cmdline(String),
    Esrt(u64, u64),
    BootServicesFreed(u64),
    MemoryAvailable(u64, u64),
    /// A memblock=debug range event; the end is exclusive.
    Memblock {
        op: &'a str,
        start: u64,
        end: u64,
        caller: &'a str,
    },
    /// A line understood but not stored; the text says what it is.
    Context(&'static str),
}

/// Lines recognised as belonging to the memory story but carrying nothing the model stores.
const CONTEXT: [(&str, &str); 10] = [
    (
        "Kernel-defined memdesc doesn't match",
        "old kernels' descriptor-size warning",
    ),
    (
        "efi: Remove mem",
        "EFI MMIO range removed from e820 (the e820 remove line follows)",
    ),
    ("efi: Not removing mem", "EFI MMIO range kept in e820"),
    ("efi: Processing EFI memory map", "map header"),
    (
        "extended physical RAM map:",
        "header of the setup_data view of e820",
    ),
    (
        "modified physical RAM map:",
        "header of the modified e820 view",
    ),
    (
        "user-defined physical RAM map:",
        "header of the user-defined e820 view",
    ),
    ("e820: last_pfn", "e820 page-frame limit"),
    ("efi: Memory:", "mirrored memory summary"),
    ("MEMBLOCK configuration:", "memblock dump header"),
];

/// A memblock=debug line (`memblock…` or `__memblock…`): no other reader's kind of line.
pub fn is_memblock(line: &[u8]) -> bool {
    starts(line, b"memblock") || starts(line, b"__memblock")
}

/// `None` when the line is none of these.
pub fn parse(line: &str) -> Option<Result<MiscLine<'_>, String>> {
    // memblock=debug lines are the most frequent of these, so they are tried first.
    if is_memblock(line.as_bytes()) {
        if let Some(result) = parse_memblock(line) {
            return Some(result);
        }
    }
    if line.starts_with("Linux version ") {
        return Some(Ok(MiscLine::BootStart));
    }
    if let Some(cmd) = line
        .strip_prefix("Command line:")
        .or_else(|| line.strip_prefix("Kernel command line:"))
    {
        return Some(Ok(MiscLine::Cmdline(cmd.trim_fast().to_owned())));
    }
    if let Some(rest) = line.strip_prefix("esrt: Reserving ESRT space from ") {
        return Some(parse_esrt(rest));
    }
    if let Some(rest) = line.strip_prefix("efi: Freeing EFI boot services memory: ") {
        return Some(
            take_dec(rest.trim_fast())
                .filter(|(_, unit)| *unit == "K")
                .map(|(k, _)| MiscLine::BootServicesFreed(k))
                .ok_or_else(|| {
                    "expected `<N>K` after `Freeing EFI boot services memory:`".to_owned()
                }),
        );
    }
    if let Some(rest) = line.strip_prefix("Memory: ") {
        return Some(parse_available(rest));
    }
    if let Some(rest) = banner(line) {
        return Some(parse_banner(rest));
    }
    if let Some(&(_, what)) = CONTEXT.iter().find(|(p, _)| line.starts_with(p)) {
        return Some(Ok(MiscLine::Context(what)));
    }
    if !contains_lit(line.as_bytes(), b"=0x") {
        return None;
    }
    let tables = line
        .strip_prefix("efi:")
        .or_else(|| line.strip_prefix("EFI:"))
        .unwrap_or(line);
    config_tables(tables).map(|t| Ok(MiscLine::ConfigTables(t)))
}

fn banner(line: &str) -> Option<&str> {
    let body = line
        .strip_prefix("efi: ")
        .or_else(|| line.strip_prefix("EFI: "))
        .unwrap_or(line);
    body.strip_prefix("EFI v")
}

/// `2.70 by American Megatrends`.
fn parse_banner(s: &str) -> Result<MiscLine<'static>, String> {
    let (revision, vendor) = s
        .split_once(" by ")
        .ok_or("expected `EFI v<major>.<minor> by <vendor>`")?;
    let (major, minor) = revision
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| format!("bad firmware revision `{revision}`"))?;
    Ok(MiscLine::Firmware(FirmwareInfo {
        vendor: vendor.trim_fast().to_owned(),
        major,
        minor,
        revision: revision.to_owned(),
    }))
}

fn parse_esrt(s: &str) -> Result<MiscLine<'static>, String> {
    let err = "expected `0x<start> to 0x<end>.`";
    let (start, rest) = take_hex64(s).ok_or(err)?;
    let rest = rest.strip_prefix(" to ").ok_or(err)?;
    let (end, _) = take_hex64(rest).ok_or(err)?;
    Ok(MiscLine::Esrt(start, end))
}

/// `851792K/1041972K available (…)`.
fn parse_available(s: &str) -> Result<MiscLine<'static>, String> {
    let err = "expected `Memory: <avail>K/<total>K available`";
    let (avail, rest) = take_dec(s).ok_or(err)?;
    let rest = rest.strip_prefix("K/").ok_or(err)?;
    let (total, rest) = take_dec(rest).ok_or(err)?;
    if !rest.starts_with("K available") {
        return Err(err.into());
    }
    Ok(MiscLine::MemoryAvailable(avail, total))
}

/// `memblock_reserve: [0xS-0xE] caller` and the other `memblock…: [range]` forms, and the
/// range-less requests (`memblock_alloc_try_nid: N bytes …`). The fixed-offset reader first.
fn parse_memblock(line: &str) -> Option<Result<MiscLine<'_>, String>> {
    match memblock_columns::read(line.as_bytes()) {
        Some(read) => Some(Ok(read)),
        None => parse_any_memblock(line),
    }
}

/// [`parse_memblock`] for every spelling, without the fast reader.
pub(super) fn parse_any_memblock(line: &str) -> Option<Result<MiscLine<'_>, String>> {
    // The caller checked that the line starts with `memblock` or `__memblock`.
    let colon = memchr::memchr(b':', line.as_bytes())?;
    let (op, rest) = (&line[..colon], line[colon + 1..].strip_prefix(' ')?);
    // A byte loop: `op` is a short name, too short to repay a `memchr` call.
    if op.bytes().any(|b| b == b' ') {
        return None;
    }
    if !rest.starts_with('[') {
        return Some(Ok(MiscLine::Context(memblock_columns::REQUEST)));
    }
    let expected = || format!("expected `{op}: [0x<start>-0x<end>] <caller>`");
    let (start, end, tail) = match inclusive_range(&rest[1..]) {
        Ok(range) => range,
        Err(e) => return Some(Err(e.reason(&expected()))),
    };
    let parsed = tail.strip_prefix(']').map(|caller| MiscLine::Memblock {
        op,
        start,
        end,
        caller: caller.trim_fast(),
    });
    Some(parsed.ok_or_else(expected))
}

/// `ACPI=0x…  ACPI 2.0=0x…  SMBIOS=0x… ` in any spacing; names may contain spaces, so the
/// line is split on `=0x`. `None` unless the whole line is such items.
pub fn config_tables(s: &str) -> Option<Vec<ConfigTable>> {
    let mut tables = Vec::new();
    let mut rest = s.trim_fast();
    while !rest.is_empty() {
        let eq = rest.find("=0x")?;
        let name = rest[..eq].trim_fast();
        let plausible = (1..=24).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-'));
        if !plausible {
            return None;
        }
        let (addr, after) = take_hex64(&rest[eq + 1..])?;
        if !(after.is_empty() || after.starts_with(' ')) {
            return None;
        }
        tables.push(ConfigTable {
            name: name.to_owned(),
            addr,
        });
        rest = after.trim_start_fast();
    }
    (!tables.is_empty()).then_some(tables)
}
