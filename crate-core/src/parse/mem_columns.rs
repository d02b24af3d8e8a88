//! The fast reader for the commonest map line: a 5.9+/6.x kernel's own
//! `memNN: [<name:12>|RUN|HP|…|UC] range=[0x<16>-0x<16>] (NMB)`, read at fixed columns with no
//! searching. It answers only for a line in exactly that shape whose fields agree (known name,
//! each cell blank or its own column's token, whole pages, the printed size right); anything
//! else is left to the general reader in [`super::dmesg_efi`], which also explains errors.
//! So when this reader answers, the general one would have answered the same.

use super::dmesg_efi::MemLine;
use super::scan::hex16;
use crate::model::{Attributes, Descriptor, EFI_PAGE_SIZE, MemoryType};

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

/// A bar and the 2- or 3-character cell after it, little-endian (`len` is 3 or 4).
const fn cell_key(b: &[u8], len: usize) -> u32 {
    let last = if len == 4 { b[3] } else { 0 };
    u32::from_le_bytes([b[0], b[1], b[2], last])
}

/// Each column as (key when blank, key showing its token, its bit, length with the bar).
const CELLS: [(u32, u32, u64, usize); 15] = {
    let mut table = [(0, 0, 0, 0); 15];
    let mut i = 0;
    while i < 15 {
        let (bit, token, width) = Attributes::COLUMNS[i];
        let token = token.as_bytes();
        let mut blank = [b'|', b' ', b' ', b' '];
        let mut set = blank;
        let mut j = 0;
        while j < width {
            set[j + 1] = token[j];
            j += 1;
        }
        if width == 2 {
            blank[3] = 0;
            set[3] = 0;
        }
        table[i] = (
            cell_key(&blank, width + 1),
            cell_key(&set, width + 1),
            bit,
            width + 1,
        );
        i += 1;
    }
    table
};

/// Reads `s` (starting at `mem`); `None` unless it is the current layout, clean. Every byte
/// is checked, so a line read here is ASCII.
pub fn read(s: &[u8]) -> Option<MemLine> {
    let b = s.strip_prefix(b"mem")?;
    let digits = b.iter().take(10).take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let index = b[..digits]
        .iter()
        .fold(0, |n, &d| n * 10 + usize::from(d - b'0'));
    let b = b[digits..].strip_prefix(b": [")?;
    let name = name_key(b.get(..12)?.try_into().ok()?);
    let ty = PADDED_NAMES.iter().position(|&n| n == name)?;
    let (attr, b) = flag_cells(&b[12..])?;
    let b = b.strip_prefix(b"] range=[0x")?;
    let phys = hex16(b)?;
    let b = b[16..].strip_prefix(b"-0x")?;
    let last = hex16(b)?;
    let b = b[16..].strip_prefix(b"] (")?;
    let mb_digits = b.iter().take(20).take_while(|c| c.is_ascii_digit()).count();
    if mb_digits == 0 || mb_digits > 19 || &b[mb_digits..] != b"MB)" {
        return None;
    }
    let mb = b[..mb_digits]
        .iter()
        .fold(0, |n, &d| n * 10 + u64::from(d - b'0'));
    if last < phys {
        return None;
    }
    // 128-bit: the range may be the whole 2^64 space.
    let size = u128::from(last - phys) + 1;
    let page = u128::from(EFI_PAGE_SIZE);
    if size % page != 0 {
        return None;
    }
    let num_pages = u64::try_from(size / page).ok()?;
    if mb != num_pages >> 8 {
        return None;
    }
    let desc = Descriptor {
        ty: MemoryType(ty as u32),
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

/// `|RUN|  |…|UC` with every known column in the kernel's order, each blank or its own token:
/// the attribute bits and the rest.
fn flag_cells(mut b: &[u8]) -> Option<(u64, &[u8])> {
    let mut attr = 0;
    for &(blank, set, bit, len) in &CELLS {
        // The 4 bytes are there: a `]` and the range follow the last cell.
        let cell = cell_key(b.get(..4)?, len);
        if cell != blank {
            if cell != set {
                return None;
            }
            attr |= bit;
        }
        b = &b[len..];
    }
    Some((attr, b))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::read;
    use crate::model::{Attributes, Descriptor, MemoryType};
    use crate::parse::dmesg_efi::parse_any_mem_line;
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Wherever the fixed-column reader answers, on printed lines and on lines with a
        /// byte changed, cut or repeated, the general reader gives the very same answer; and it
        /// does answer for every clean line the kernel prints.
        #[test]
        fn agrees_with_the_general_reader(
            d in descriptor(),
            index in 0usize..2000,
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..EDITS.len(), 0u8..4), 0..3),
        ) {
            let printed = print::mem_line(index, &d);
            let line = printed.strip_prefix("efi: ").unwrap_or(&printed);
            let clean = d.is_valid() && d.ty.short_name().is_some() && !d.attr.has_unknown_bits();
            if edits.is_empty() && clean {
                prop_assert!(read(line.as_bytes()).is_some(), "{line}");
            }
            let mut bytes = line.as_bytes().to_vec();
            let edits: Vec<_> = edits.into_iter().map(|(at, with, how)| (at, EDITS[with], how)).collect();
            edits::apply(&mut bytes, &edits);
            let text = String::from_utf8_lossy(&bytes);
            if let Some(fast) = read(text.as_bytes()) {
                prop_assert_eq!(parse_any_mem_line(&text), Some(Ok(fast)), "{}", text);
            }
        }
    }
}
