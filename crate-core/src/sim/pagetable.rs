//! The EFI page table (`efi_mm.pgd`, 64-bit): 1:1 and high-VA mappings and the VA bump
//! allocator (spec §1.5).

use std::cell::Cell;
use std::sync::Arc;

use serde::Serialize;

use super::ranges::{Range, partition_point_near};

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

/// The EFI page table and its VA allocator.
#[derive(Clone, Debug)]
pub struct PageTable {
    /// `efi_va`: the next VA top.
    pub efi_va: u64,
    /// The live mappings by physical start, then creation (a sorted vector: a B-tree cost a
    /// heap node per few mappings and a cache miss per level). Snapshots share it.
    settled: Arc<Vec<Mapping>>,
    /// Mappings made since the last `settle`, in creation order.
    pending: Vec<Mapping>,
    /// Where the last lookup landed: I-9 asks in map order, so the next answer is searched
    /// from there. Only a hint: it never changes an answer.
    near: Cell<usize>,
}

impl Default for PageTable {
    fn default() -> Self {
        Self {
            efi_va: EFI_VA_START,
            settled: Arc::default(),
            pending: Vec::new(),
            near: Cell::new(0),
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
        self.pending.push(Mapping {
            owner,
            kind,
            phys,
            virt,
        });
    }

    /// Room for `n` more mappings before the next `settle`.
    pub fn reserve(&mut self, n: usize) {
        self.pending.reserve(n);
    }

    /// Files the mappings made since the last call into the ordered table. Linear for the
    /// walks `efi_map_regions` makes: ascending, or (64-bit) descending address order, which
    /// is reversed (keeping each start's mappings in creation order); the few mappings made
    /// after a walk (the memmap buffer, page 0) are then inserted one by one.
    pub fn settle(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut new = std::mem::take(&mut self.pending);
        let start = |m: &Mapping| m.phys.start;
        let run = |up: bool| {
            1 + new
                .windows(2)
                .take_while(|w| {
                    (start(&w[0]) <= start(&w[1])) == up || start(&w[0]) == start(&w[1])
                })
                .count()
        };
        let (up, down) = (run(true), run(false));
        if down > up {
            new[..down].reverse();
            for same_start in new[..down].chunk_by_mut(|a, b| start(a) == start(b)) {
                same_start.reverse();
            }
        }
        let walk = up.max(down);
        let later = new.split_off(walk);
        let table = if self.settled.is_empty() {
            self.settled = Arc::new(new);
            Arc::make_mut(&mut self.settled)
        } else {
            let table = Arc::make_mut(&mut self.settled);
            insert_all(table, new);
            table
        };
        insert_all(table, later);
    }

    /// Readers see only the settled table, so reading with mappings still pending would
    /// silently leave them out: checked in release builds too (it is O(1)).
    fn assert_settled(&self) {
        assert!(
            self.pending.is_empty(),
            "page table read with mappings pending: call settle() first"
        );
    }

    /// The live mappings starting at `phys`, in the order they were made.
    fn starting_at(&self, phys: u64) -> impl Iterator<Item = &Mapping> {
        self.assert_settled();
        let i = partition_point_near(&self.settled, self.near.get(), |m| m.phys.start < phys);
        self.near.set(i);
        self.settled[i..]
            .iter()
            .take_while(move |m| m.phys.start == phys)
    }

    /// True when `owner` still has a mapping starting at `phys`.
    pub fn is_mapped(&self, phys: u64, owner: &str) -> bool {
        self.starting_at(phys).any(|m| &*m.owner == owner)
    }

    /// Every live mapping, by physical address, shared (the table is copied only when it
    /// changes while a snapshot holds it).
    pub fn mappings(&self) -> &Arc<Vec<Mapping>> {
        self.assert_settled();
        &self.settled
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
        let mut keep = |m: &Mapping| {
            while next < ranges.len() && ranges[next].start <= m.phys.start {
                reach = reach.max(ranges[next].end);
                next += 1;
            }
            !(m.phys.start < reach && m.phys.end <= reach)
        };
        match Arc::get_mut(&mut self.settled) {
            Some(table) => table.retain(keep),
            // A snapshot holds the table: copy only the survivors.
            None => {
                let left = self.settled.iter().filter(|m| keep(m)).cloned().collect();
                self.settled = Arc::new(left);
            }
        }
    }
}

/// Inserts `more` (in creation order, all made after `table`'s) into the ordered `table`:
/// after the mappings of the same start already there.
fn insert_all(table: &mut Vec<Mapping>, more: Vec<Mapping>) {
    if more.len() > 16 {
        // Not a walk plus a few: merge and sort. Stable, so creation order holds per start.
        table.extend(more);
        table.sort_by_key(|m| m.phys.start);
        return;
    }
    for m in more {
        let at = table.partition_point(|t| t.phys.start <= m.phys.start);
        table.insert(at, m);
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
        let left: Vec<&str> = pt.mappings().iter().map(|m| &*m.owner).collect();
        assert_eq!(left, ["R0", "X"]);
        assert!(pt.is_mapped(4 * PAGE, "X") && !pt.is_mapped(0, "B0"));
    }

    /// The table orders by start, then by creation, whatever order the mappings came in.
    fn settled_order(made: &[(u64, &str)]) -> Vec<String> {
        let mut pt = PageTable::default();
        for &(start, owner) in made {
            pt.map(
                owner.into(),
                MappingKind::Identity,
                Range::new(start, start + PAGE),
                start,
            );
        }
        pt.settle();
        pt.mappings().iter().map(|m| m.owner.to_string()).collect()
    }

    #[test]
    fn settle_orders_by_start_then_creation() {
        // A 64-bit walk (descending, 1:1 then VA per descriptor), then the buffer and page 0.
        let walk = [
            (0x30000, "C"),
            (0x30000, "C va"),
            (0x20000, "B"),
            (0x20000, "B va"),
            (0, "A"),
            (0, "A va"),
            (0x28000, "buffer"),
            (0, "page 0"),
        ];
        assert_eq!(
            settled_order(&walk),
            ["A", "A va", "page 0", "B", "B va", "buffer", "C", "C va"]
        );
        // Ascending, and an order that is neither a walk nor a walk plus a few.
        let up = [(0, "A"), (0x1000, "B"), (0x1000, "B va"), (0, "page 0")];
        assert_eq!(settled_order(&up), ["A", "page 0", "B", "B va"]);
        let mixed: Vec<(u64, String)> = (0..40u64)
            .map(|i| ((i * 7 % 13) * PAGE, format!("m{i}")))
            .collect();
        let mixed: Vec<(u64, &str)> = mixed.iter().map(|(s, o)| (*s, o.as_str())).collect();
        let mut expected = mixed.clone();
        expected.sort_by_key(|m| m.0);
        assert_eq!(
            settled_order(&mixed),
            expected.iter().map(|m| m.1).collect::<Vec<_>>()
        );
    }

    #[test]
    fn va_overflow_below_the_floor() {
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0, 64 << 30), Some(EFI_VA_END));
        assert_eq!(pt.next_va(0, PAGE), None);
        assert_eq!(pt.next_va(0, u64::MAX), None);
    }
}
