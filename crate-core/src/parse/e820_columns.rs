//! The fast reader for the e820 lines of a current kernel: a firmware table row
//! `BIOS-e820: [mem 0x<16>-0x<16>] <type>` and the events `e820: update [mem …] <type> ==>
//! <type>` and `e820: remove [mem …] [<type>]`, read at fixed columns. It answers only for a
//! line in exactly one of those shapes with a type the kernel prints by name; anything else is
//! left to the general reader in [`super::e820`], which also explains errors. So when this
//! reader answers, the general one would have answered the same.

use super::e820::E820Line;
use super::scan::hex16;
use crate::model::{E820Entry, E820Event, E820Op, E820Type};

/// Reads a whole unwrapped line; `None` unless it is one of the shapes above, clean. Every
/// byte is checked, so a line read here is ASCII.
pub fn read(line: &[u8]) -> Option<E820Line> {
    if let Some(rest) = line.strip_prefix(b"BIOS-e820: [mem 0x") {
        let (start, end, rest) = range(rest)?;
        let kind = type_name(rest.strip_prefix(b" ")?)?;
        let entry = E820Entry { start, end, kind };
        return Some(E820Line::Row {
            entry,
            firmware: true,
        });
    }
    let (start, end, op) = if let Some(rest) = line.strip_prefix(b"e820: update [mem 0x") {
        let (start, end, rest) = range(rest)?;
        let rest = rest.strip_prefix(b" ")?;
        // The first type ends at the arrow, which no type name holds.
        let arrow = rest.windows(5).position(|w| w == b" ==> ")?;
        let from = type_name(&rest[..arrow])?;
        let to = type_name(&rest[arrow + 5..])?;
        (start, end, E820Op::Update { from, to })
    } else {
        let (start, end, rest) = range(line.strip_prefix(b"e820: remove [mem 0x")?)?;
        let kind = match rest {
            [] => None,
            [b' ', name @ ..] => Some(type_name(name)?),
            _ => return None,
        };
        (start, end, E820Op::Remove { kind })
    };
    Some(E820Line::Event(E820Event { start, end, op }))
}

/// `<16 hex>-0x<16 hex>]` (inclusive end): the exclusive bounds and the rest.
fn range(b: &[u8]) -> Option<(u64, u64, &[u8])> {
    let start = hex16(b)?;
    let b = b[16..].strip_prefix(b"-0x")?;
    let last = hex16(b)?;
    let rest = b[16..].strip_prefix(b"]")?;
    // As the general reader: an end at the very last byte is capped (one byte short).
    (last >= start).then(|| (start, last.saturating_add(1), rest))
}

/// The names current kernels print (`e820_print_type`), exactly.
fn type_name(name: &[u8]) -> Option<E820Type> {
    Some(match name {
        b"usable" => E820Type::USABLE,
        b"reserved" => E820Type::RESERVED,
        b"ACPI data" => E820Type::ACPI,
        b"ACPI NVS" => E820Type::NVS,
        b"unusable" => E820Type::UNUSABLE,
        b"soft reserved" => E820Type::SOFT_RESERVED,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::read;
    use crate::parse::e820;
    use crate::parse::edits;

    /// Bytes that can turn one field of a line into another, or into nonsense.
    const EDITS: &[u8] = b" []()-=>xX0189aAfFgusableACPINVS\t\xc3";

    const TYPES: [&str; 8] = [
        "usable",
        "reserved",
        "ACPI data",
        "ACPI NVS",
        "unusable",
        "soft reserved",
        "persistent (type 12)",
        "type 9",
    ];

    /// One e820 line of the current kernel's layouts.
    fn line(shape: usize, start: u64, last: u64, from: usize, to: usize) -> String {
        let range = format!("[mem {start:#018x}-{last:#018x}]");
        let (from, to) = (TYPES[from], TYPES[to]);
        match shape {
            0 => format!("BIOS-e820: {range} {from}"),
            1 => format!("e820: update {range} {from} ==> {to}"),
            2 => format!("e820: remove {range} {from}"),
            _ => format!("e820: remove {range}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Wherever the fixed-column reader answers, on printed lines and on lines with a
        /// byte changed, inserted, removed or cut, the general reader gives the very same
        /// answer; and it does answer for every clean line with a named type.
        #[test]
        fn agrees_with_the_general_reader(
            shape in 0usize..4,
            start in any::<u64>(),
            len in prop_oneof![0u64..(1 << 40), any::<u64>()],
            from in 0usize..TYPES.len(),
            to in 0usize..TYPES.len(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..EDITS.len(), 0u8..4), 0..3),
        ) {
            let last = start.saturating_add(len);
            let printed = line(shape, start, last, from, to);
            let named = |i: usize| i < 6;
            if edits.is_empty() && named(from) && (shape != 1 || named(to)) {
                prop_assert!(read(printed.as_bytes()).is_some(), "{printed}");
            }
            // Every byte swapped for a blank, a bracket or a letter of a type name in turn.
            let edits: Vec<_> = edits.into_iter().map(|(at, with, how)| (at, EDITS[with], how)).collect();
            let general = |text: &str| e820::parse(text).and_then(Result::ok);
            edits::fast_agrees_with_general(&printed, 0..printed.len(), b" ]-xa", &edits, read, general)?;
        }
    }
}
