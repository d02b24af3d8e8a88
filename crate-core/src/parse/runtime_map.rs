//! `/sys/firmware/efi/runtime-map` as people share it: `grep . /sys/firmware/efi/runtime-map/*/*`
//! (`…/runtime-map/3/phys_addr:0x…`, in the shell's lexical order), or one `RTMAP idx type phys
//! virt pages attr` line per entry (the truth logs' dump).

use std::collections::BTreeMap;

use super::scan::{FastTrim, decimal, find_lit, hex_run, number64};
use crate::model::{Attributes, Descriptor, MemoryType};

/// One sysfs file value or a whole RTMAP line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RtLine {
    Field {
        index: usize,
        field: Field,
        value: u64,
    },
    Whole {
        index: usize,
        desc: Descriptor,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Type,
    Phys,
    Virt,
    Pages,
    Attr,
}

/// `None` when the line is neither form.
pub fn parse(line: &str) -> Option<Result<RtLine, String>> {
    if let Some(rest) = line.strip_prefix("RTMAP ") {
        return Some(parse_rtmap(rest));
    }
    let at = find_lit(line.as_bytes(), b"runtime-map/")?;
    let rest = &line[at + "runtime-map/".len()..];
    Some(parse_sysfs(rest))
}

fn parse_sysfs(s: &str) -> Result<RtLine, String> {
    let err = || format!("expected `runtime-map/<N>/<field>:<value>`, got `{s}`");
    let (index, rest) = s.split_once('/').ok_or_else(err)?;
    let index = index.parse().map_err(|_| err())?;
    let (name, value) = rest.split_once(':').ok_or_else(err)?;
    let field = match name {
        "type" => Field::Type,
        "phys_addr" => Field::Phys,
        "virt_addr" => Field::Virt,
        "num_pages" => Field::Pages,
        "attribute" => Field::Attr,
        other => return Err(format!("unknown runtime-map field `{other}`")),
    };
    let value =
        number64(value).ok_or_else(|| format!("bad number `{}` for {name}", value.trim_fast()))?;
    Ok(RtLine::Field {
        index,
        field,
        value,
    })
}

fn parse_rtmap(s: &str) -> Result<RtLine, String> {
    // Exactly six numbers, read into a fixed array rather than a Vec per line.
    let mut nums = [0u64; 6];
    let mut words = s.split_ascii_whitespace();
    let six = nums
        .iter_mut()
        .all(|slot| words.next().and_then(number64).map(|v| *slot = v).is_some());
    if !six || words.next().is_some() {
        return Err("expected `RTMAP <idx> <type> <phys> <virt> <pages> <attr>`".into());
    }
    let [index, ty, phys, virt, num_pages, attr] = nums;
    let ty = u32::try_from(ty).map_err(|_| "type wider than 32 bits".to_owned())?;
    let index = usize::try_from(index).map_err(|_| "index too large".to_owned())?;
    Ok(RtLine::Whole {
        index,
        desc: Descriptor {
            ty: MemoryType(ty),
            phys,
            num_pages,
            virt,
            attr: Attributes(attr),
        },
    })
}

/// The truth logs' `RTMAP <idx> 0x<type> 0x<phys> 0x<virt> 0x<pages> 0x<attr>` exactly (1-9
/// index digits, 1-16 hex digits each, the type within 8), read from the bytes: the index and
/// the descriptor. `None` for anything else, which the general reader in [`parse`] takes.
/// Every byte is checked, so a line read here is ASCII and ends in a digit.
pub fn read_rtmap(line: &[u8]) -> Option<(usize, Descriptor)> {
    let (index, mut rest) = decimal::<usize>(line.strip_prefix(b"RTMAP ")?, 9)?;
    let mut nums = [0u64; 5];
    for slot in &mut nums {
        let (value, after) = hex_run(rest.strip_prefix(b" 0x")?)?;
        *slot = value;
        rest = after;
    }
    let [ty, phys, virt, num_pages, attr] = nums;
    let desc = Descriptor {
        ty: MemoryType(u32::try_from(ty).ok()?),
        phys,
        num_pages,
        virt,
        attr: Attributes(attr),
    };
    rest.is_empty().then_some((index, desc))
}

/// Gathers sysfs fields per entry directory; the shell lists `10` before `2`, so entries are
/// ordered by their number at the end.
#[derive(Default)]
pub struct SysfsCollector {
    entries: BTreeMap<usize, (BTreeMap<Field, u64>, usize)>,
}

impl SysfsCollector {
    pub fn add(&mut self, index: usize, field: Field, value: u64, line: usize) {
        let entry = self
            .entries
            .entry(index)
            .or_insert_with(|| (BTreeMap::new(), line));
        entry.0.insert(field, value);
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The descriptors in index order, and for each incomplete entry its first line and index.
    pub fn finish(self) -> (Vec<Descriptor>, Vec<(usize, usize)>) {
        let mut descs = Vec::new();
        let mut incomplete = Vec::new();
        for (index, (fields, line)) in self.entries {
            let get = |f| fields.get(&f).copied();
            match (get(Field::Type), get(Field::Phys), get(Field::Pages)) {
                (Some(ty), Some(phys), Some(num_pages)) => descs.push(Descriptor {
                    ty: MemoryType(u32::try_from(ty).unwrap_or(u32::MAX)),
                    phys,
                    num_pages,
                    virt: get(Field::Virt).unwrap_or(0),
                    attr: Attributes(get(Field::Attr).unwrap_or(0)),
                }),
                _ => incomplete.push((line, index)),
            }
        }
        (descs, incomplete)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{RtLine, parse, read_rtmap};
    use crate::parse::edits;

    /// Bytes that can turn one field of a line into another, or into nonsense.
    const EDITS: &[u8] = b" xX0189aAfFg-+\t\xc3";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Wherever the fixed reader answers, on printed lines and on lines with a byte
        /// changed, inserted, removed or cut, the general reader gives the very same entry;
        /// and it answers for every printed line whose type fits in 32 bits.
        #[test]
        fn rtmap_agrees_with_the_general_reader(
            index in prop_oneof![0usize..200, 0usize..2_000_000_000],
            nums in any::<[u64; 5]>(),
            narrow_type in any::<bool>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..EDITS.len(), 0u8..4), 0..3),
        ) {
            let [ty, phys, virt, pages, attr] = nums;
            let ty = if narrow_type { ty & 0xffff_ffff } else { ty };
            let line = format!("RTMAP {index} {ty:#x} {phys:#x} {virt:#x} {pages:#x} {attr:#x}");
            if edits.is_empty() && narrow_type && index < 1_000_000_000 {
                prop_assert!(read_rtmap(line.as_bytes()).is_some(), "{line}");
            }
            let general = |text: &str| match parse(text) {
                Some(Ok(RtLine::Whole { index, desc })) => Some((index, desc)),
                _ => None,
            };
            let edits: Vec<_> = edits.into_iter().map(|(at, with, how)| (at, EDITS[with], how)).collect();
            edits::fast_agrees_with_general(&line, 0..line.len(), b" x0fg", &edits, read_rtmap, general)?;
        }
    }
}
