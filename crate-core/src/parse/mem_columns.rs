//! The fast reader for the commonest map lines: a 5.9+/6.x kernel's own
//! `memNN: [<name:12>|RUN|HP|…|UC] range=[0x<16>-0x<16>] (NMB)`, and the numeric
//! `memNN: type=N, attr=0x…, range=[0x<16>-0x<16>) (NMB)` of 2.6.x-4.x kernels, read at fixed
//! columns with no searching. It answers only for a line in exactly one of those shapes whose
//! fields agree (known name, each cell blank or its own column's token, whole pages, the
//! printed size right); anything else is left to the general reader in [`super::dmesg_efi`], which also explains errors.
//! So when this reader answers, the general one would have answered the same.

use super::dmesg_efi::MemLine;
use super::scan::{decimal, hex_run, hex16};
use crate::model::{Attributes, Descriptor, EFI_PAGE_SIZE, MemattrEntry, MemoryType};

/// The 16 type names padded to the kernel's 12 columns, indexed by type, each read as two
/// little-endian integers so that finding a name costs 16 integer compares.
const PADDED_NAMES: [(u64, u32); 16] = {
    let mut table = [(0, 0); 16];
    let mut ty = 0;
    while ty < 16 {
        let mut padded = [b' '; 12];
        if let Some(name) = MemoryType(ty as u32).short_name() {
            let name = name.as_bytes();
            let mut i = 0;
            while i < name.len() && i < 12 {
                padded[i] = name[i];
                i += 1;
            }
        }
        table[ty] = name_key(&padded);
        ty += 1;
    }
    table
};

const fn name_key(b: &[u8; 12]) -> (u64, u32) {
    let head = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
    let tail = [b[8], b[9], b[10], b[11]];
    (u64::from_le_bytes(head), u32::from_le_bytes(tail))
}

/// The attribute cells and the closing `]` as the 6.x kernel prints them: 15 columns, 48 bytes.
const CELLS_LEN: usize = 48;

/// The cells with every token shown (`true`) or all blank.
const fn cells_layout(shown: bool) -> [u8; CELLS_LEN] {
    let mut out = [b' '; CELLS_LEN];
    let (mut at, mut i) = (0, 0);
    while i < Attributes::COLUMNS.len() {
        let (_, token, width) = Attributes::COLUMNS[i];
        out[at] = b'|';
        let mut j = 0;
        while j < width && shown {
            out[at + 1 + j] = token.as_bytes()[j];
            j += 1;
        }
        at += 1 + width;
        i += 1;
    }
    out[at] = b']';
    out
}

/// A layout as six little-endian words.
const fn words(bytes: [u8; CELLS_LEN]) -> [u64; 6] {
    let mut out = [0; 6];
    let mut i = 0;
    while i < CELLS_LEN {
        out[i / 8] |= (bytes[i] as u64) << (8 * (i % 8));
        i += 1;
    }
    out
}

const SHOWN: [u64; 6] = words(cells_layout(true));
const BLANK: [u64; 6] = words(cells_layout(false));

/// Each column's letter positions (bit i = byte i of the cells) and its attribute bit.
const LETTERS: [(u64, u64); 15] = {
    let (shown, blank) = (cells_layout(true), cells_layout(false));
    let mut out = [(0, 0); 15];
    let (mut at, mut i) = (0, 0);
    while i < 15 {
        let (bit, _, width) = Attributes::COLUMNS[i];
        let mut mask = 0;
        let mut j = at + 1;
        while j <= at + width {
            if shown[j] != blank[j] {
                mask |= 1 << j;
            }
            j += 1;
        }
        out[i] = (mask, bit);
        at += 1 + width;
        i += 1;
    }
    out
};

/// Which of the 48 bytes equal the same byte of `layout` (bit i for byte i). Two layouts are
/// tested on every map line, so x86_64 compares 16 bytes at a time with SSE2.
#[inline]
fn matching_bytes(cells: &[u8; CELLS_LEN], layout: &[u64; 6]) -> u64 {
    // SAFETY: SSE2 is enabled for the whole build (the cfg), so the CPU has it.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return unsafe { matching_bytes_sse2(cells, layout) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return matching_bytes_swar(cells, layout);
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn matching_bytes_sse2(cells: &[u8; CELLS_LEN], layout: &[u64; 6]) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x};
    let word = |at: usize| {
        let word: [u8; 8] = cells[8 * at..8 * at + 8].try_into().unwrap_or([0; 8]);
        i64::from_le_bytes(word)
    };
    (0..3).fold(0, |mask, pair| {
        let (low, high) = (2 * pair, 2 * pair + 1);
        let bytes = _mm_set_epi64x(word(high), word(low));
        let want = _mm_set_epi64x(layout[high] as i64, layout[low] as i64);
        let equal = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, want)) as u16;
        mask | u64::from(equal) << (16 * pair)
    })
}

/// [`matching_bytes`] a word at a time (the portable reading).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn matching_bytes_swar(cells: &[u8; CELLS_LEN], layout: &[u64; 6]) -> u64 {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    // The top bit of each byte of `x` that is zero, exactly (no borrow between bytes).
    let zero_bytes = |x: u64| !(((x & !HIGH_BITS) + !HIGH_BITS) | x) & HIGH_BITS;
    // The top bits of the eight bytes gathered into one byte, byte i into bit i.
    let gather_top_bits = |x: u64| x.wrapping_mul(0x0002_0408_1020_4081) >> 56;
    layout.iter().enumerate().fold(0, |mask, (i, want)| {
        let word = u64::from_le_bytes(cells[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]));
        mask | gather_top_bits(zero_bytes(word ^ want)) << (8 * i)
    })
}

/// Reads `s` (starting at `mem`); `None` unless it is the current layout or the numeric one
/// of 2.6.x-4.x kernels, clean. Every byte is checked, so a line read here is ASCII.
pub fn read(s: &[u8]) -> Option<MemLine> {
    let b = s.strip_prefix(b"mem")?;
    let (index, b) = decimal(b, 9)?;
    let b = b.strip_prefix(b": ")?;
    let (ty, attr, phys, end, b) = match b.strip_prefix(b"type=") {
        Some(numeric) => numeric_fields(numeric)?,
        None => bracket_fields(b)?,
    };
    let (mb, rest) = decimal::<u64>(b.strip_prefix(b" (")?, 19)?;
    // 128-bit: the range may be the whole 2^64 space.
    let size = end.checked_sub(u128::from(phys)).filter(|&n| n > 0)?;
    let page = u128::from(EFI_PAGE_SIZE);
    if rest != b"MB)" || size % page != 0 {
        return None;
    }
    let num_pages = u64::try_from(size / page).ok()?;
    if mb != num_pages >> 8 {
        return None;
    }
    let desc = Descriptor {
        ty: MemoryType(ty),
        phys,
        num_pages,
        virt: 0,
        attr: Attributes(attr),
    };
    Some(MemLine {
        index,
        desc,
        invalid: false,
        warnings: Vec::new(),
    })
}

/// Reads `s` (starting at `memattr:`) in the layout of current kernels,
/// `memattr:  0x<start>-0x<end> [<name:12>|<cells>]` (inclusive end, 1 to 16 digits each);
/// `None` for anything else. Every byte is checked, so a line read here is ASCII.
pub fn read_memattr(s: &[u8]) -> Option<MemattrEntry> {
    let b = s.strip_prefix(b"memattr:")?.trim_ascii_start();
    let (start, b) = hex_run(b.strip_prefix(b"0x")?)?;
    let (last, b) = hex_run(b.strip_prefix(b"-0x")?)?;
    let (ty, attr, b) = type_cells(b.strip_prefix(b" [")?)?;
    (b == b"]" && last >= start && last < u64::MAX).then(|| MemattrEntry {
        start,
        end: last + 1,
        ty: MemoryType(ty),
        attr: Attributes(attr),
    })
}

/// The fields of a clean line: type, attributes, start, exclusive end, and the rest after the
/// range's closing bracket.
type Fields<'a> = (u32, u64, u64, u128, &'a [u8]);

/// `[<name:12>|<cells>] range=[0x<16>-0x<16>]` (inclusive end) of 5.9+ kernels.
fn bracket_fields(b: &[u8]) -> Option<Fields<'_>> {
    let (ty, attr, b) = type_cells(b.strip_prefix(b"[")?)?;
    let (phys, last, b) = range(b.strip_prefix(b"] range=[0x")?)?;
    let b = b.strip_prefix(b"]")?;
    Some((ty, attr, phys, u128::from(last) + 1, b))
}

/// `<name:12>|<cells>` inside the bracket: the type, the attribute bits and the rest from
/// the `]`.
fn type_cells(b: &[u8]) -> Option<(u32, u64, &[u8])> {
    let name = name_key(b.get(..12)?.try_into().ok()?);
    let ty = PADDED_NAMES.iter().position(|&n| n == name)?;
    let (attr, rest) = flag_cells(&b[12..])?;
    Some((ty as u32, attr, rest))
}

/// `N, attr=0x<1-16>, range=[0x<16>-0x<16>)` (exclusive end) after `type=`, the layout of
/// 2.6.x-4.x kernels.
fn numeric_fields(b: &[u8]) -> Option<Fields<'_>> {
    let (ty, b) = decimal::<u32>(b, 9)?;
    let (attr, b) = hex_run(b.strip_prefix(b", attr=0x")?)?;
    let (phys, end, b) = range(b.strip_prefix(b", range=[0x")?)?;
    let b = b.strip_prefix(b")")?;
    Some((ty, attr, phys, u128::from(end), b))
}

/// `<16 hex>-0x<16 hex>`: both addresses and the rest.
fn range(b: &[u8]) -> Option<(u64, u64, &[u8])> {
    let start = hex16(b)?;
    let b = b[16..].strip_prefix(b"-0x")?;
    Some((start, hex16(b)?, &b[16..]))
}

/// `|RUN|  |…|UC]` with every known column in the kernel's order, each blank or its own token:
/// the attribute bits and the rest from the `]`. Every byte must match the
/// blank or the all-shown layout, and each cell must match one of them entirely.
fn flag_cells(b: &[u8]) -> Option<(u64, &[u8])> {
    let cells: &[u8; CELLS_LEN] = b.get(..CELLS_LEN)?.try_into().ok()?;
    let (shown, blank) = (matching_bytes(cells, &SHOWN), matching_bytes(cells, &BLANK));
    if shown | blank != (1 << CELLS_LEN) - 1 {
        return None;
    }
    let letters = shown & !blank;
    let mut attr = 0;
    for &(mask, bit) in &LETTERS {
        match letters & mask {
            0 => {}
            m if m == mask => attr |= bit,
            _ => return None,
        }
    }
    Some((attr, &b[CELLS_LEN - 1..]))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{
        BLANK, CELLS_LEN, SHOWN, cells_layout, matching_bytes, matching_bytes_swar, read,
        read_memattr,
    };
    use crate::model::{Attributes, Descriptor, MemoryType};
    use crate::parse::dmesg_efi::{parse_any_mem_line, parse_range_typeattr};
    use crate::parse::edits::every_byte_everywhere;
    use crate::parse::{edits, print};

    /// Bytes that can turn one field of a line into another, or into nonsense.
    const EDITS: &[u8] = b" |[]()-xX0189aAfFgWBRUNCMHP:=\tMBinvald\xc3";

    fn descriptor() -> impl Strategy<Value = Descriptor> {
        let attr = prop_oneof![
            any::<u64>(),
            any::<u64>().prop_map(|a| a & Attributes::KNOWN_MASK)
        ];
        let pages = prop_oneof![0u64..(1 << 20), any::<u64>(), Just(1 << 52)];
        (0u32..20, any::<u64>(), pages, attr, any::<bool>()).prop_map(
            |(ty, phys, num_pages, attr, aligned)| Descriptor {
                ty: MemoryType(ty),
                phys: if aligned { phys & !0xfff } else { phys },
                num_pages,
                virt: 0,
                attr: Attributes(attr),
            },
        )
    }

    /// The byte comparison (SSE2 where there is one) agrees with the portable one, with every
    /// byte value at every position of both layouts.
    #[test]
    fn matching_bytes_agrees_with_swar() {
        for layout in [cells_layout(true), cells_layout(false)] {
            for cells in every_byte_everywhere(layout) {
                for want in [&SHOWN, &BLANK] {
                    let mask = matching_bytes(&cells, want);
                    assert_eq!(mask, matching_bytes_swar(&cells, want), "{cells:?}");
                    let expected = (0..CELLS_LEN)
                        .filter(|&i| cells[i] == (want[i / 8] >> (8 * (i % 8))) as u8)
                        .fold(0u64, |m, i| m | 1 << i);
                    assert_eq!(mask, expected, "{cells:?}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Wherever the fixed-column reader answers, on printed lines and on lines with a
        /// byte changed, cut or repeated, the general reader gives the very same answer; and it
        /// does answer for every clean line the kernel prints.
        #[test]
        fn agrees_with_the_general_reader(
            d in descriptor(),
            index in 0usize..2000,
            numeric in any::<bool>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..EDITS.len(), 0u8..4), 0..3),
        ) {
            let printed = if numeric {
                print::numeric_mem_line(index, &d)
            } else {
                print::mem_line(index, &d)
            };
            let line = printed.strip_prefix("efi: ").unwrap_or(&printed);
            let clean = d.is_valid()
                && (numeric || d.ty.short_name().is_some() && !d.attr.has_unknown_bits());
            if edits.is_empty() && clean {
                prop_assert!(read(line.as_bytes()).is_some(), "{line}");
            }
            // Every byte of the bracket (of the fields, in the numeric layout) swapped for a
            // blank, a bar or a token letter: cells half shown, shifted or merged.
            let bracket = line.find('[').unwrap_or(0)..line.find(']').unwrap_or(0) + 1;
            let positions = if numeric { 0..line.len() } else { bracket };
            let edits: Vec<_> = edits.into_iter().map(|(at, with, how)| (at, EDITS[with], how)).collect();
            let general = |text: &str| parse_any_mem_line(text).and_then(Result::ok);
            edits::fast_agrees_with_general(line, positions, b" |W,)0f", &edits, read, general)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// The same for `memattr:` lines (12 or 16 address digits): wherever the fast reader
        /// answers, the general one gives the very same entry, and it answers for every clean
        /// line.
        #[test]
        fn memattr_agrees_with_the_general_reader(
            d in descriptor(),
            wide in any::<bool>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..EDITS.len(), 0u8..4), 0..3),
        ) {
            let last = d.last_byte_wide().min(u128::from(u64::MAX));
            let width = if wide { 16 } else { 12 };
            let line = format!(
                "memattr:  0x{:0width$x}-0x{last:0width$x} {}",
                d.phys,
                print::typeattr(&d)
            );
            let general = |text: &str| {
                let rest = text.strip_prefix("memattr:")?.trim_start();
                parse_range_typeattr(rest).ok().map(|(entry, _)| entry)
            };
            let clean = d.is_valid()
                && d.ty.short_name().is_some()
                && !d.attr.has_unknown_bits()
                && last < u128::from(u64::MAX);
            if edits.is_empty() && clean {
                prop_assert!(read_memattr(line.as_bytes()).is_some(), "{line}");
            }
            let edits: Vec<_> = edits.into_iter().map(|(at, with, how)| (at, EDITS[with], how)).collect();
            edits::fast_agrees_with_general(&line, 0..line.len(), b" |W-0]", &edits, read_memattr, general)?;
        }
    }
}
