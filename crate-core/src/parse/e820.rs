//! e820 lines in both print generations: `BIOS-e820: [mem a-b] type` (inclusive end) and
//! ` BIOS-e820: a - b (type)` (exclusive end), their table headers, and update/remove events.

use super::scan::{FastTrim, inclusive_range, take_addr};
use crate::model::{E820Entry, E820Event, E820Op, E820Type};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum E820Line {
    /// A table row; `firmware` is true for the BIOS-provided table (`BIOS-e820:`), false for
    /// the kernel's derived views (`modified:`, `user:`, `reserve setup_data:`, …).
    Row {
        entry: E820Entry,
        firmware: bool,
    },
    /// A 6.16+ `[gap …]` line or `e820: [mem …] available for PCI devices`: informational only.
    Gap,
    /// The header before the firmware table.
    BiosHeader,
    Event(E820Event),
}

/// Table prefixes the kernel (or a poster) used; the bool says "firmware table".
const WHO: [(&str, bool); 6] = [
    ("BIOS-e820:", true),
    ("BIOS-EFI:", true),
    ("modified:", false),
    ("user:", false),
    ("reserve setup_data:", false),
    ("e820:", false),
];

/// `None` when the line is not an e820 line at all.
pub fn parse(line: &str) -> Option<Result<E820Line, String>> {
    if line.ends_with("BIOS-provided physical RAM map:") {
        return Some(Ok(E820Line::BiosHeader));
    }
    if let Some(rest) = line
        .strip_prefix("e820: update ")
        .or_else(|| line.strip_prefix("e820 update range: "))
    {
        return Some(parse_update(rest));
    }
    if let Some(rest) = line
        .strip_prefix("e820: remove ")
        .or_else(|| line.strip_prefix("e820 remove range: "))
    {
        return Some(parse_remove(rest));
    }
    let (rest, firmware) = WHO
        .iter()
        .find_map(|&(who, fw)| line.strip_prefix(who).map(|r| (r.trim_start_fast(), fw)))?;
    if rest.starts_with("[gap ") || rest.ends_with("available for PCI devices") {
        return Some(Ok(E820Line::Gap));
    }
    // `e820:` also prefixes many unrelated lines (`e820: last_pfn = …`).
    if !rest.starts_with("[mem ") && !rest.starts_with(|c: char| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(parse_range(rest).and_then(|(start, end, tail)| {
        let kind =
            parse_type(tail).ok_or_else(|| format!("unknown e820 type `{}`", tail.trim_fast()))?;
        Ok(E820Line::Row {
            entry: E820Entry { start, end, kind },
            firmware,
        })
    }))
}

/// `[mem 0xS-0xE]` (inclusive) or `S - E` (old, exclusive); returns exclusive bounds and the rest.
fn parse_range(s: &str) -> Result<(u64, u64, &str), String> {
    if let Some(body) = s.strip_prefix("[mem ") {
        let (start, end, rest) =
            inclusive_range(body).map_err(|e| e.reason("expected `[mem 0x<start>-0x<end>]`"))?;
        let rest = rest
            .strip_prefix(']')
            .ok_or("expected `]` after the range")?;
        return Ok((start, end, rest));
    }
    let (start, rest) = take_addr(s).map_err(|e| e.reason("expected a hex start address"))?;
    let rest = rest
        .trim_start_fast()
        .strip_prefix('-')
        .ok_or("expected ` - ` between start and end")?;
    let (end, rest) =
        take_addr(rest.trim_start_fast()).map_err(|e| e.reason("expected a hex end address"))?;
    if end < start {
        return Err("end below start".into());
    }
    Ok((start, end, rest))
}

/// Both spellings of every type, with or without the old parentheses.
pub fn parse_type(s: &str) -> Option<E820Type> {
    let s = s.trim_fast();
    let s = s
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(s);
    let kind = match s {
        "usable" | "System RAM" => E820Type::USABLE,
        "reserved" | "device reserved" => E820Type::RESERVED,
        "ACPI data" => E820Type::ACPI,
        "ACPI NVS" => E820Type::NVS,
        "unusable" => E820Type::UNUSABLE,
        "soft reserved" => E820Type::SOFT_RESERVED,
        _ => {
            let num = s
                .strip_prefix("persistent RAM (type ")
                .or_else(|| s.strip_prefix("persistent (type "))
                .and_then(|n| n.strip_suffix(')'))
                .or_else(|| s.strip_prefix("type "))?;
            E820Type(num.trim_fast().parse().ok()?)
        }
    };
    Some(kind)
}

fn parse_update(s: &str) -> Result<E820Line, String> {
    let (start, end, rest) = parse_range(s)?;
    let (from, to) = rest
        .split_once("==>")
        .ok_or("expected `<old type> ==> <new type>` after the range")?;
    let from =
        parse_type(from).ok_or_else(|| format!("unknown e820 type `{}`", from.trim_fast()))?;
    let to = parse_type(to).ok_or_else(|| format!("unknown e820 type `{}`", to.trim_fast()))?;
    Ok(E820Line::Event(E820Event {
        start,
        end,
        op: E820Op::Update { from, to },
    }))
}

fn parse_remove(s: &str) -> Result<E820Line, String> {
    let (start, end, rest) = parse_range(s)?;
    let kind = if rest.trim_fast().is_empty() {
        None
    } else {
        Some(parse_type(rest).ok_or_else(|| format!("unknown e820 type `{}`", rest.trim_fast()))?)
    };
    Ok(E820Line::Event(E820Event {
        start,
        end,
        op: E820Op::Remove { kind },
    }))
}
