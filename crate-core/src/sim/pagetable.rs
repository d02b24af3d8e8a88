//! The EFI page table (`efi_mm.pgd`, 64-bit): 1:1 and high-VA mappings and the VA bump
//! allocator (spec §1.5).

use std::sync::Arc;

use serde::Serialize;

use super::ranges::Range;

/// `EFI_VA_START`: −4 GiB; the allocator runs down from here.
pub const EFI_VA_START: u64 = 0xffff_ffff_0000_0000;
/// `EFI_VA_END`: −68 GiB, the floor.
pub const EFI_VA_END: u64 = 0xffff_ffef_0000_0000;
const PMD_SIZE: u64 = 0x20_0000;

/// What a mapping was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingKind {
    /// VA = PA catch-all for firmware that keeps physical pointers.
    Identity,
    /// A window in `[EFI_VA_END, EFI_VA_START)`.
    HighVa,
}

/// One live mapping; `owner` is the display id of the descriptor or buffer it maps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub owner: Arc<str>,
    pub kind: MappingKind,
    pub phys: Range,
    pub virt: u64,
}

/// A mapping and when it was made (its creation number orders mappings of one start).
#[derive(Clone, Debug)]
struct Made {
    seq: u64,
    mapping: Mapping,
}

/// The EFI page table and its VA allocator.
#[derive(Clone, Debug)]
pub struct PageTable {
    /// `efi_va`: the next VA top.
    pub efi_va: u64,
    /// Mappings by physical start, then creation: a sorted vector (a B-tree cost a heap node
    /// per few mappings and a cache miss per level). `map` appends; `settle` restores the
    /// order before anything reads it.
    mappings: Vec<Made>,
    /// How many mappings at the end of `mappings` `settle` has not ordered yet.
    unsettled: usize,
    /// The creation number of the next mapping.
    made: u64,
}

impl Default for PageTable {
    fn default() -> Self {
        Self {
            efi_va: EFI_VA_START,
            mappings: Vec::new(),
            unsettled: 0,
            made: 0,
        }
    }
}

impl PageTable {
    /// The VA `efi_map_region` gives a region of `size` bytes at `phys`: keeps the offset in
    /// a 2 MiB page; `None` (and the allocator still moved) when it falls below `EFI_VA_END`.
    pub fn next_va(&mut self, phys: u64, size: u64) -> Option<u64> {
        let prev = self.efi_va.wrapping_sub(size);
        let offset = phys % PMD_SIZE;
        let mut va = (prev - prev % PMD_SIZE).wrapping_add(offset);
        if va > prev {
            va = va.wrapping_sub(PMD_SIZE);
        }
        // A wrap below zero also counts as running out of window.
        let wrapped = size > self.efi_va || va > self.efi_va;
        self.efi_va = va;
        (!wrapped && va >= EFI_VA_END).then_some(va)
    }

    pub fn map(&mut self, owner: Arc<str>, kind: MappingKind, phys: Range, virt: u64) {
        self.mappings.push(Made {
            seq: self.made,
            mapping: Mapping {
                owner,
                kind,
                phys,
                virt,
            },
        });
        self.made += 1;
        self.unsettled += 1;
    }

    /// Puts the mappings made since the last call in order. Linear for the usual walks: the
    /// 64-bit one maps descriptors in descending address order, so the new mappings are
    /// reversed first (and each start's own mappings back into creation order); the sort then
    /// finds long ordered runs and only merges them.
    pub fn settle(&mut self) {
        if self.unsettled == 0 {
            return;
        }
        let from = self.mappings.len() - self.unsettled;
        let new = &mut self.mappings[from..];
        let start = |m: &Made| m.mapping.phys.start;
        if new.first().map(start) > new.last().map(start) {
            new.reverse();
            for run in new.chunk_by_mut(|a, b| start(a) == start(b)) {
                run.reverse();
            }
        }
        self.mappings.sort_by_key(|m| (start(m), m.seq));
        self.unsettled = 0;
    }

    /// The live mappings starting at `phys`, in the order they were made.
    fn starting_at(&self, phys: u64) -> impl Iterator<Item = &Mapping> {
        debug_assert_eq!(self.unsettled, 0, "read before settle()");
        let i = self
            .mappings
            .partition_point(|m| m.mapping.phys.start < phys);
        self.mappings[i..]
            .iter()
            .map(|m| &m.mapping)
            .take_while(move |m| m.phys.start == phys)
    }

    /// True when `owner` still has a mapping starting at `phys`.
    pub fn is_mapped(&self, phys: u64, owner: &str) -> bool {
        self.starting_at(phys).any(|m| &*m.owner == owner)
    }

    /// Every live mapping, by physical address.
    pub fn mappings(&self) -> impl ExactSizeIterator<Item = &Mapping> + Clone {
        debug_assert_eq!(self.unsettled, 0, "read before settle()");
        self.mappings.iter().map(|m| &m.mapping)
    }

    /// The number of live mappings.
    pub fn len(&self) -> usize {
        self.mappings.len()
    }

    /// `efi_unmap_pages` for each of `ranges`: drops every mapping (1:1 and VA) of memory
    /// inside one of them, which includes the separate page-0 mapping when a range covers
    /// page 0. One pass over the table whatever the number of ranges (a removal per
    /// descriptor cost a search each and dominated large maps).
    pub fn unmap_all(&mut self, ranges: impl IntoIterator<Item = Range>) {
        self.settle();
        let mut ranges: Vec<Range> = ranges.into_iter().filter(|r| !r.is_empty()).collect();
        ranges.sort_unstable_by_key(|r| r.start);
        // Walking starts upwards: `reach` is the furthest end of the ranges starting at or
        // below the mapping's start. A mapping lies inside some range exactly when it starts
        // below `reach` and ends at or before it.
        let (mut next, mut reach) = (0, 0);
        self.mappings.retain(|made| {
            let m = &made.mapping;
            while next < ranges.len() && ranges[next].start <= m.phys.start {
                reach = reach.max(ranges[next].end);
                next += 1;
            }
            !(m.phys.start < reach && m.phys.end <= reach)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::ranges::PAGE;
    use super::*;

    #[test]
    fn va_allocator_keeps_2m_offsets() {
        // S01: R1, R0, B1, B0 in map order.
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0x7f100000, 0x100000), Some(0xfffffffefff00000));
        assert_eq!(pt.next_va(0x7f000000, 0x100000), Some(0xfffffffeffe00000));
        assert_eq!(pt.next_va(0x40100000, 0x300000), Some(0xfffffffeffb00000));
        assert_eq!(pt.next_va(0x40000000, 0x100000), Some(0xfffffffeffa00000));
        // An offset larger than the room left in the 2 MiB page steps down one more.
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0x1ff000, 0x2000), Some(0xfffffffeffdff000));
    }

    #[test]
    fn unmap_drops_mappings_inside_a_range_only() {
        let mut pt = PageTable::default();
        let at = |s: u64, e: u64| Range::new(s, e);
        pt.map("page 0".into(), MappingKind::Identity, at(0, PAGE), 0);
        pt.map("B0".into(), MappingKind::Identity, at(0, 2 * PAGE), 0);
        pt.map("B0".into(), MappingKind::HighVa, at(0, 2 * PAGE), 0x1000);
        pt.map(
            "R0".into(),
            MappingKind::Identity,
            at(2 * PAGE, 3 * PAGE),
            0,
        );
        // Spans the two unmapped ranges, so lies inside neither.
        pt.map("X".into(), MappingKind::Identity, at(4 * PAGE, 7 * PAGE), 0);
        pt.map(
            "B1".into(),
            MappingKind::Identity,
            at(5 * PAGE, 6 * PAGE),
            0,
        );
        pt.unmap_all([
            at(5 * PAGE, 7 * PAGE),
            at(0, 2 * PAGE),
            at(4 * PAGE, 5 * PAGE),
        ]);
        pt.settle();
        let left: Vec<&str> = pt.mappings().map(|m| &*m.owner).collect();
        assert_eq!(left, ["R0", "X"]);
        assert!(pt.is_mapped(4 * PAGE, "X") && !pt.is_mapped(0, "B0"));
    }

    #[test]
    fn va_overflow_below_the_floor() {
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0, 64 << 30), Some(EFI_VA_END));
        assert_eq!(pt.next_va(0, PAGE), None);
        assert_eq!(pt.next_va(0, u64::MAX), None);
    }
}
