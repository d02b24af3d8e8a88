//! Kernel EFI memory-map lines of every generation: `memNN: type=…, attr=…` (exclusive end),
//! bracket layouts with any type padding and any number of flag columns, `attr=0x…` and
//! `type=N` fallbacks, `(invalid)` entries, and `efi: memattr:` lines.

use super::scan::{FastTrim, take_dec, take_hex, take_hex64};
use crate::model::{Attributes, Descriptor, EFI_PAGE_SIZE, MemattrEntry, MemoryType};

/// One `memNN:` line, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemLine {
    pub index: usize,
    pub desc: Descriptor,
    /// Printed with `(invalid)` instead of `(NMB)`.
    pub invalid: bool,
    /// Things that were odd but did not stop the line from being used.
    pub warnings: Vec<String>,
}

/// Long (3.19–5.8) and current type names, and a few spellings seen in hand-written mail.
const TYPE_SYNONYMS: [(&str, u32); 14] = [
    ("Conventional Memory", 7),
    ("Boot Services Code", 3),
    ("Boot Services Data", 4),
    ("Runtime Services Code", 5),
    ("Runtime Services Data", 6),
    ("ACPI Reclaim Memory", 9),
    ("ACPI Memory NVS", 10),
    ("ACPI NVS", 10),
    ("Memory Mapped I/O", 11),
    ("MMIO Port Space", 12),
    ("Memory Mapped I/O Port Space", 12),
    ("Unusable Memory", 8),
    ("Persistent Memory", 14),
    ("Unaccepted Memory", 15),
];

/// The type from a bracket's first field: a short or long name, or `type=N`.
pub fn type_from_name(name: &str) -> Option<MemoryType> {
    let name = name.trim_fast();
    if let Some(num) = name.strip_prefix("type=") {
        return num.trim_fast().parse().ok().map(MemoryType);
    }
    if let Some(ty) = MemoryType::from_short_name(name) {
        return Some(ty);
    }
    // The long names as the kernel spelt them, before the case-insensitive searches.
    if let Some(&(_, ty)) = TYPE_SYNONYMS.iter().find(|(n, _)| *n == name) {
        return Some(MemoryType(ty));
    }
    (0..16)
        .map(MemoryType)
        .find(|ty| {
            ty.short_name()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .or_else(|| {
            TYPE_SYNONYMS
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|&(_, t)| MemoryType(t))
        })
}

/// A column token packed into an integer, so matching a token is one integer compare.
const fn token_key(t: &[u8]) -> u32 {
    let mut key = 0;
    let mut i = 0;
    while i < t.len() {
        key = key << 8 | t[i] as u32;
        i += 1;
    }
    key
}

/// Every column token of every kernel generation with its bit (`RT` is the 4.3-era runtime flag).
const TOKENS: [(u32, u64); 16] = {
    let mut table = [(token_key(b"RT"), Attributes::RUNTIME); 16];
    let mut i = 0;
    while i < Attributes::COLUMNS.len() {
        let (bit, name, _) = Attributes::COLUMNS[i];
        table[i + 1] = (token_key(name.as_bytes()), bit);
        i += 1;
    }
    table
};

/// An attribute column token (`RUN`, `WB`, …, and the 4.3-era `RT`) as its bit.
pub fn attr_token(token: &[u8]) -> Option<u64> {
    if !(2..=3).contains(&token.len()) {
        return None;
    }
    let key = token_key(token);
    TOKENS.iter().find(|(k, _)| *k == key).map(|&(_, bit)| bit)
}

/// Reads `[<type>|<flags…>]` (or `[<type>|attr=0x…]`) at the start of `s`; returns the rest.
pub fn parse_typeattr(s: &str) -> Result<(MemoryType, Attributes, &str), String> {
    if let Some(read) = kernel_bracket(s) {
        return Ok(read);
    }
    let body = s
        .strip_prefix('[')
        .ok_or("expected `[` before the type name")?;
    let close = memchr::memchr(b']', body.as_bytes())
        .ok_or("the type/attribute bracket is not closed with `]`")?;
    let inside = &body[..close];
    // `|` is ASCII, so the name ends on a char boundary and needs no UTF-8 check.
    let (name, flags) = match memchr::memchr(b'|', inside.as_bytes()) {
        Some(bar) => (&inside[..bar], &inside[bar + 1..]),
        None => (inside, ""),
    };
    let ty = type_from_name(name)
        .ok_or_else(|| format!("unknown memory type name `{}`", name.trim_fast()))?;
    let mut attr = 0u64;
    for token in flag_tokens(flags.as_bytes()) {
        let shown = || String::from_utf8_lossy(token).into_owned();
        if let Some(raw) = token.strip_prefix(b"attr=") {
            let value = std::str::from_utf8(raw)
                .ok()
                .and_then(super::scan::hex64)
                .ok_or_else(|| format!("bad raw attribute `{}`", shown()))?;
            attr |= value;
        } else {
            attr |= attr_token(token)
                .ok_or_else(|| format!("unknown attribute token `{}`", shown()))?;
        }
    }
    Ok((ty, Attributes(attr), &body[close + 1..]))
}

/// The bracket as kernels print it, `[<name>|<cell>|…|<cell>]` with every cell 2 or 3 characters
/// wide and either blank or one attribute token, read cell by cell without searching. `None` for
/// anything else (`attr=0x…`, odd padding, a broken line), which the general reader then takes
/// and explains.
fn kernel_bracket(s: &str) -> Option<(MemoryType, Attributes, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    // Names are at most 28 characters (`Memory Mapped I/O Port Space`).
    let bar = 1 + b.iter().skip(1).take(30).position(|&c| c == b'|')?;
    let ty = type_from_name(&s[1..bar])?;
    let mut attr = 0;
    let mut at = bar + 1;
    loop {
        let ends_cell = |i: usize| matches!(b.get(i), Some(b'|' | b']'));
        let width = if ends_cell(at + 2) {
            2
        } else if ends_cell(at + 3) {
            3
        } else {
            return None;
        };
        let cell = &b[at..at + width];
        if cell.iter().any(|&c| c != b' ') {
            attr |= attr_token(cell)?;
        }
        at += width;
        if b[at] == b']' {
            // `]` is ASCII, so `at + 1` is a char boundary.
            return Some((ty, Attributes(attr), &s[at + 1..]));
        }
        at += 1;
    }
}

/// The non-empty, trimmed `|`-separated fields of a flag list. One pass over the bytes: most
/// of the 10–16 columns of a kernel line are blank, and a split-then-trim per column cost
/// several times as much.
fn flag_tokens(flags: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < flags.len() {
            // Skip the blanks and bars before a token, then take it up to the next bar.
            if flags[at] == b'|' || flags[at].is_ascii_whitespace() {
                at += 1;
                continue;
            }
            let start = at;
            while at < flags.len() && flags[at] != b'|' {
                at += 1;
            }
            return Some(flags[start..at].trim_ascii_end());
        }
        None
    })
}

/// Parses the text after `memNN:` … given `s` starting at `mem`. Returns `Ok(None)` when `s`
/// is not a memory-map entry at all (e.g. `memblock_reserve:`).
pub fn parse_mem_line(s: &str) -> Option<Result<MemLine, String>> {
    match super::mem_columns::read(s.as_bytes()) {
        Some(line) => Some(Ok(line)),
        None => parse_any_mem_line(s),
    }
}

/// [`parse_mem_line`] for every layout, without the fixed-column fast path.
pub(super) fn parse_any_mem_line(s: &str) -> Option<Result<MemLine, String>> {
    let after = s.strip_prefix("mem")?;
    let (index, rest) = take_dec(after)?;
    let rest = rest.strip_prefix(':')?;
    let index = usize::try_from(index).ok()?;
    Some(
        parse_entry(rest.trim_start_fast()).map(|(desc, invalid, warnings)| MemLine {
            index,
            desc,
            invalid,
            warnings,
        }),
    )
}

type Entry = (Descriptor, bool, Vec<String>);

fn parse_entry(s: &str) -> Result<Entry, String> {
    let (ty, attr, rest) = if let Some(numeric) = s.strip_prefix("type=") {
        parse_numeric_typeattr(numeric)?
    } else if s.starts_with('[') {
        parse_typeattr(s)?
    } else {
        return Err(
            "expected `type=N, attr=0x…,` or a `[type|flags]` bracket after `memNN:`".into(),
        );
    };
    let rest = rest.trim_start_fast();
    let rest = rest
        .strip_prefix("range=[")
        .ok_or("expected `range=[0x…-0x…]` after the type and attributes")?;
    let (start, rest) = take_hex(rest).ok_or("expected a hex start address in range=[…]")?;
    let rest = rest
        .strip_prefix('-')
        .ok_or("expected `-` between start and end")?;
    let (end, rest) = take_hex(rest).ok_or("expected a hex end address in range=[…]")?;
    let (inclusive, rest) = match rest.as_bytes().first() {
        Some(b']') => (true, &rest[1..]),
        Some(b')') => (false, &rest[1..]),
        _ => return Err("range=[…] must end with `]` (inclusive) or `)` (exclusive)".into()),
    };
    let phys = u64::try_from(start).map_err(|_| "start address wider than 64 bits".to_owned())?;
    let (size_field, invalid, mut warnings) = parse_tail(rest.trim_start_fast());
    let num_pages = pages(start, end, inclusive, invalid, &mut warnings)?;
    let desc = Descriptor {
        ty,
        phys,
        num_pages,
        virt: 0,
        attr,
    };
    if let Some(mb) = size_field {
        if mb != num_pages >> 8 {
            warnings.push(format!(
                "printed size {mb}MB does not match the range ({}MB)",
                num_pages >> 8
            ));
        }
    }
    Ok((desc, invalid, warnings))
}

/// `7, attr=0xf, ` of the old numeric layout.
fn parse_numeric_typeattr(s: &str) -> Result<(MemoryType, Attributes, &str), String> {
    let (ty, rest) = take_dec(s).ok_or("expected a decimal type after `type=`")?;
    let ty = u32::try_from(ty).map_err(|_| "type number wider than 32 bits".to_owned())?;
    let rest = rest
        .strip_prefix(',')
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix("attr="))
        .ok_or("expected `, attr=0x…` after the type")?;
    let (attr, rest) = take_hex64(rest).ok_or("expected a hex attribute after `attr=`")?;
    let rest = rest
        .strip_prefix(',')
        .ok_or("expected `,` after the attribute")?;
    Ok((MemoryType(ty), Attributes(attr), rest))
}

/// The text after the range: `(NMB)`, `(invalid)`, nothing, or hand-written notes.
fn parse_tail(s: &str) -> (Option<u64>, bool, Vec<String>) {
    let mut warnings = Vec::new();
    if let Some(rest) = s.strip_prefix("(invalid)") {
        if !rest.trim_fast().is_empty() {
            warnings.push(format!("ignored trailing text `{}`", rest.trim_fast()));
        }
        return (None, true, warnings);
    }
    let mut size = None;
    let mut rest = s;
    if let Some(body) = s.strip_prefix('(') {
        if let Some((mb, after)) = take_dec(body) {
            if let Some(after) = after.strip_prefix("MB)") {
                size = Some(mb);
                rest = after.trim_start_fast();
            }
        }
    }
    if rest.is_empty() && size.is_none() {
        warnings.push("no `(NMB)` size after the range (hand-shortened line?)".into());
    } else if !rest.is_empty() {
        warnings.push(format!("ignored trailing text `{rest}`"));
    }
    (size, false, warnings)
}

/// Page count from the printed range. Invalid entries print a zero end for empty ranges and may
/// print ends beyond 2^64, which is why the arithmetic is 128-bit.
fn pages(
    start: u128,
    end: u128,
    inclusive: bool,
    invalid: bool,
    warnings: &mut Vec<String>,
) -> Result<u64, String> {
    // An empty invalid entry prints its end as plain zero, whatever its start.
    if invalid && end == 0 {
        return Ok(0);
    }
    let end_excl = if inclusive {
        end.saturating_add(1)
    } else {
        end
    };
    if end_excl <= start {
        if invalid || end_excl == start {
            return Ok(0);
        }
        return Err(format!(
            "range end 0x{end:x} is below its start 0x{start:x}"
        ));
    }
    let size = end_excl - start;
    let page = u128::from(EFI_PAGE_SIZE);
    let mut count = size / page;
    if size % page != 0 {
        // A broken entry is kept (flagged) rather than lost; a normal one cannot be represented.
        if !invalid {
            return Err(format!(
                "range size 0x{size:x} is not a whole number of 4 KiB pages"
            ));
        }
        warnings.push(format!(
            "invalid entry's size 0x{size:x} is not whole pages; rounded up"
        ));
        count += 1;
    }
    u64::try_from(count).map_err(|_| "page count wider than 64 bits".to_owned())
}

/// `  0x%012llx-0x%012llx [<typeattr>]` of `efi: memattr:` (and the arm64 map layout), end inclusive.
pub fn parse_range_typeattr(s: &str) -> Result<(MemattrEntry, &str), String> {
    let (start, rest) =
        take_hex64(s.trim_start_fast()).ok_or("expected `0x<start>-0x<end> [type|flags]`")?;
    let rest = rest
        .strip_prefix('-')
        .ok_or("expected `-` between start and end")?;
    let (last, rest) = take_hex64(rest).ok_or("expected a hex end address")?;
    let (ty, attr, rest) = parse_typeattr(rest.trim_start_fast())?;
    if last < start {
        return Err("end below start".into());
    }
    let end = last.checked_add(1).ok_or("range ends at 2^64")?;
    Ok((
        MemattrEntry {
            start,
            end,
            ty,
            attr,
        },
        rest,
    ))
}
