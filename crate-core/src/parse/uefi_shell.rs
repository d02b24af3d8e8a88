//! Firmware-side text: UEFI shell `memmap` rows (EDK2 v2, OpenShell, EFI Shell 1.x) with their
//! header and summary, and the two-line `[#NN] Type: Efi…  Attr: …` / `Phys: a-b` tutorial dump.

use super::scan::{FastTrim, RangeError, contains_lit, take_addr, take_dec, take_hex64};
use crate::model::{Attributes, Descriptor, EFI_PAGE_SIZE, MemoryType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellLine {
    /// A `memmap` row: the descriptor, plus a warning when the pages column disagrees with the range.
    Row(Descriptor, Option<String>),
    /// Header, summary, totals, separator: understood, nothing to store.
    Chrome,
    /// `[#NN] Type: …  Attr: …`, waiting for its `Phys:` line.
    TutorialHead {
        index: usize,
        ty: MemoryType,
        attr: Attributes,
    },
    /// `Phys: a-b`: the start and the number of pages the inclusive range spans.
    TutorialPhys(u64, u64),
}

/// Shell names, lowercased (EFI Shell 1.x prints lower/mixed case).
const SHELL_TYPES: [(&str, u32); 18] = [
    ("reserved", 0),
    ("loadercode", 1),
    ("loaderdata", 2),
    ("bs_code", 3),
    ("bs_data", 4),
    ("rt_code", 5),
    ("rt_data", 6),
    ("available", 7),
    ("unusable", 8),
    ("acpi_recl", 9),
    ("acpi_nvs", 10),
    ("mmio", 11),
    ("memmapio", 11),
    ("mmio_port", 12),
    ("memportio", 12),
    ("palcode", 13),
    ("persistent", 14),
    ("unaccepted", 15),
];

/// `EFI_MEMORY_TYPE` enumerator names as UEFI programs print them.
const EFI_TYPES: [&str; 16] = [
    "EfiReservedMemoryType",
    "EfiLoaderCode",
    "EfiLoaderData",
    "EfiBootServicesCode",
    "EfiBootServicesData",
    "EfiRuntimeServicesCode",
    "EfiRuntimeServicesData",
    "EfiConventionalMemory",
    "EfiUnusableMemory",
    "EfiACPIReclaimMemory",
    "EfiACPIMemoryNVS",
    "EfiMemoryMappedIO",
    "EfiMemoryMappedIOPortSpace",
    "EfiPalCode",
    "EfiPersistentMemory",
    "EfiUnacceptedMemoryType",
];

/// Cheap test: first word, spaces, 16 hex digits and `-`; `None` when not a shell line.
pub fn parse(line: &str) -> Option<Result<ShellLine, String>> {
    if let Some(rest) = line.strip_prefix("[#") {
        return Some(parse_tutorial_head(rest));
    }
    if let Some(rest) = line.strip_prefix("Phys:") {
        return Some(
            parse_phys(rest.trim_fast())
                .map(|(start, last)| ShellLine::TutorialPhys(start, pages_spanned(start, last)))
                .map_err(|e| e.reason("expected `Phys: <start>-<end>` in hex")),
        );
    }
    if is_chrome(line) {
        return Some(Ok(ShellLine::Chrome));
    }
    let space = memchr::memchr(b' ', line.as_bytes())?;
    let rest = line[space..].trim_start_fast();
    // The shell prints 16 digits; more are read too, so a 17-digit row is reported, not skipped.
    let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
    let looks_like_row = digits >= 16 && rest.as_bytes().get(digits) == Some(&b'-');
    looks_like_row.then(|| parse_row(&line[..space], rest))
}

fn is_chrome(line: &str) -> bool {
    line.starts_with("Type       Start")
        || line.starts_with("Total Memory:")
        || (line.starts_with("---") && line.bytes().all(|b| b == b'-'))
        || (line.ends_with("Bytes)") && contains_lit(line.as_bytes(), b" Pages ("))
}

fn parse_row(name: &str, rest: &str) -> Result<ShellLine, String> {
    let lower = name.to_ascii_lowercase();
    let ty = SHELL_TYPES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|&(_, t)| MemoryType(t))
        .or_else(|| {
            take_hex64(name)
                .filter(|(_, r)| r.is_empty())
                .and_then(|(v, _)| u32::try_from(v).ok())
                .map(MemoryType)
        })
        .ok_or_else(|| format!("unknown UEFI shell memory type `{name}`"))?;
    let mut fields = rest.split_ascii_whitespace();
    let (start, last) = fields
        .next()
        .ok_or(RangeError::Malformed)
        .and_then(parse_phys)
        .map_err(|e| e.reason("expected `<start>-<end>` in 16-digit hex"))?;
    let pages = fields
        .next()
        .and_then(|f| take_hex64(f).filter(|(_, r)| r.is_empty()))
        .map(|(v, _)| v);
    let attr = fields
        .next()
        .and_then(|f| take_hex64(f).filter(|(_, r)| r.is_empty()))
        .map(|(v, _)| v);
    let (Some(num_pages), Some(attr)) = (pages, attr) else {
        return Err("expected `<pages> <attributes>` in hex after the range".into());
    };
    let from_range = pages_spanned(start, last);
    let warning = (from_range != num_pages).then(|| {
        format!("the # Pages column (0x{num_pages:x}) disagrees with the range (0x{from_range:x} pages); the column is used")
    });
    Ok(ShellLine::Row(
        Descriptor {
            ty,
            phys: start,
            num_pages,
            virt: 0,
            attr: Attributes(attr),
        },
        warning,
    ))
}

/// `0000000000001000-000000000009FFFF` as (start, last), both inclusive.
fn parse_phys(s: &str) -> Result<(u64, u64), RangeError> {
    let (start, rest) = take_addr(s)?;
    let (last, rest) = take_addr(rest.strip_prefix('-').ok_or(RangeError::Malformed)?)?;
    if !rest.is_empty() {
        return Err(RangeError::Malformed);
    }
    if last < start {
        return Err(RangeError::EndBelowStart);
    }
    Ok((start, last))
}

/// Whole pages in the inclusive range `start..=last` (in 128 bits: it may end at 2^64 - 1).
fn pages_spanned(start: u64, last: u64) -> u64 {
    let bytes = u128::from(last) - u128::from(start) + 1;
    // At most 2^64 / 4096, so the cast is exact.
    (bytes / u128::from(EFI_PAGE_SIZE)) as u64
}

/// `00] Type: EfiConventionalMemory  Attr:  UC WC WT WB RUNTIME`.
fn parse_tutorial_head(s: &str) -> Result<ShellLine, String> {
    let err = "expected `[#NN] Type: Efi…  Attr: …`";
    let (index, rest) = take_dec(s).ok_or(err)?;
    let rest = rest.strip_prefix("] Type:").ok_or(err)?;
    let (name, attrs) = rest.split_once("Attr:").ok_or(err)?;
    let name = name.trim_fast();
    let ty = EFI_TYPES
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| format!("unknown EFI memory type `{name}`"))?;
    let mut attr = 0;
    for token in attrs.split_ascii_whitespace() {
        attr |= match token {
            "RUNTIME" => Attributes::RUNTIME,
            "MORE_RELIABLE" => Attributes::MORE_RELIABLE,
            "CPU_CRYPTO" => Attributes::CPU_CRYPTO,
            "HOT_PLUGGABLE" => Attributes::HOT_PLUGGABLE,
            other => super::dmesg_efi::attr_token(other.as_bytes())
                .ok_or_else(|| format!("unknown attribute `{other}`"))?,
        };
    }
    Ok(ShellLine::TutorialHead {
        index: usize::try_from(index).map_err(|_| err.to_owned())?,
        ty: MemoryType(ty as u32),
        attr: Attributes(attr),
    })
}
