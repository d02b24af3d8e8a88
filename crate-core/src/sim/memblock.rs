//! memblock: the early allocator's `memory` and `reserved` region arrays (spec §1.3).
//!
//! Each array is a map from base to `(end, flags)`, kept sorted, non-overlapping and merged
//! the way `memblock_merge_regions` does, so every operation is O(log n + regions touched).

use std::cell::OnceCell;
use std::collections::BTreeMap;

use serde::Serialize;

use super::ranges::{ONE_MIB, PAGE, Range, page_down, page_up};
use super::snapshot::Shared;

/// `MEMBLOCK_RSRV_KERN`: kernel-owned memory that EFI code never frees (NEW).
pub const RSRV_KERN: u32 = 0x20;

/// One region of a memblock array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    pub start: u64,
    pub end: u64,
    pub flags: u32,
}

impl Region {
    pub fn range(self) -> Range {
        Range::new(self.start, self.end)
    }

    pub fn is_kern(self) -> bool {
        self.flags & RSRV_KERN != 0
    }
}

/// A sorted, merged set of flagged regions (`struct memblock_type`).
#[derive(Clone, Debug, Default)]
pub struct RegionSet {
    map: BTreeMap<u64, (u64, u32)>,
    /// The regions as a list for snapshots, built when first asked for after a change, so
    /// phases that leave the set alone share one list without comparing it.
    listed: OnceCell<Shared<Region>>,
}

impl RegionSet {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Region> + Clone + '_ {
        self.map
            .iter()
            .map(|(&start, &(end, flags))| Region { start, end, flags })
    }

    /// The regions as a shared list (the same one until the set changes).
    pub fn listed(&self) -> Shared<Region> {
        self.listed
            .get_or_init(|| Shared::from(self.iter().collect::<Vec<_>>()))
            .clone()
    }

    /// Every change goes through here first: the listed regions are out of date.
    fn changing(&mut self) -> &mut BTreeMap<u64, (u64, u32)> {
        self.listed.take();
        &mut self.map
    }

    /// Regions overlapping `r`, in address order.
    pub fn overlapping(&self, r: Range) -> impl Iterator<Item = Region> + '_ {
        let first = self
            .map
            .range(..=r.start)
            .next_back()
            .filter(|(_, (end, _))| *end > r.start)
            .map(|(&s, _)| s)
            .unwrap_or(r.start);
        self.map
            .range(first..r.end.max(first))
            .map(|(&start, &(end, flags))| Region { start, end, flags })
            .filter(move |reg| reg.range().overlaps(r))
    }

    /// `memblock_is_region_reserved` / `memblock_overlaps_region`: strict overlap; empty never overlaps.
    pub fn overlaps(&self, r: Range) -> bool {
        if r.is_empty() || self.after_last(r) {
            return false;
        }
        self.overlapping(r).next().is_some()
    }

    /// True when `r` starts at or after the end of the last region: the common case for maps
    /// in ascending order, answered from the B-tree's hot rightmost path.
    fn after_last(&self, r: Range) -> bool {
        self.map
            .last_key_value()
            .is_none_or(|(_, &(end, _))| r.start >= end)
    }

    /// `memblock_add_range`: inserts only the parts not yet covered; covered parts keep their flags.
    pub fn add(&mut self, r: Range, flags: u32) {
        if r.is_empty() {
            return;
        }
        if self.after_last(r) {
            // Append, or extend a touching last region with the same flags.
            if let Some(mut last) = self.changing().last_entry() {
                let (end, f) = *last.get();
                if end == r.start && f == flags {
                    last.get_mut().0 = r.end;
                    return;
                }
            }
            self.changing().insert(r.start, (r.end, flags));
            return;
        }
        let mut gaps = Vec::new();
        let mut cur = r.start;
        for reg in self.overlapping(r) {
            if reg.start > cur {
                gaps.push(Range::new(cur, reg.start));
            }
            cur = cur.max(reg.end);
        }
        if cur < r.end {
            gaps.push(Range::new(cur, r.end));
        }
        for g in gaps {
            self.changing().insert(g.start, (g.end, flags));
        }
        self.merge_around(r);
    }

    /// Sets `flag` on the parts of existing regions inside `r`, splitting at the edges;
    /// gaps stay uncovered (`memblock_setclr_flag` after `memblock_isolate_range`).
    pub fn mark(&mut self, r: Range, flag: u32) {
        if r.is_empty() {
            return;
        }
        let hits: Vec<Region> = self.overlapping(r).collect();
        for reg in hits {
            self.changing().remove(&reg.start);
            let inner = reg.range().intersect(r);
            if reg.start < inner.start {
                self.changing().insert(reg.start, (inner.start, reg.flags));
            }
            self.changing()
                .insert(inner.start, (inner.end, reg.flags | flag));
            if inner.end < reg.end {
                self.changing().insert(inner.end, (reg.end, reg.flags));
            }
        }
        self.merge_around(r);
    }

    /// Removes `r` from the set, splitting regions at its edges (`memblock_remove_range`).
    pub fn remove(&mut self, r: Range) {
        let hits: Vec<Region> = self.overlapping(r).collect();
        for reg in hits {
            self.changing().remove(&reg.start);
            if reg.start < r.start {
                self.changing().insert(reg.start, (r.start, reg.flags));
            }
            if r.end < reg.end {
                self.changing().insert(r.end, (reg.end, reg.flags));
            }
        }
    }

    /// Merges touching regions with equal flags from just before `r` to just after it.
    fn merge_around(&mut self, r: Range) {
        let from = self
            .map
            .range(..r.start)
            .next_back()
            .map(|(&s, _)| s)
            .unwrap_or(r.start);
        let keys: Vec<u64> = self
            .map
            .range(from..=r.end)
            .map(|(&s, _)| s)
            .chain(
                self.map
                    .range(r.end.saturating_add(1)..)
                    .next()
                    .map(|(&s, _)| s),
            )
            .collect();
        let mut prev: Option<u64> = None;
        for k in keys {
            let Some(&(end, flags)) = self.map.get(&k) else {
                continue;
            };
            if let Some(p) = prev {
                if let Some(&(pend, pflags)) = self.map.get(&p) {
                    if pend == k && pflags == flags {
                        self.changing().remove(&k);
                        self.changing().insert(p, (end, flags));
                        continue;
                    }
                }
            }
            prev = Some(k);
        }
    }
}

/// Both memblock arrays plus the allocation limit.
#[derive(Clone, Debug)]
pub struct Memblock {
    pub memory: RegionSet,
    pub reserved: RegionSet,
    /// `memblock.current_limit`: 1 MiB between `e820__memblock_setup` and `init_mem_mapping`.
    pub current_limit: u64,
}

impl Default for Memblock {
    fn default() -> Self {
        Self {
            memory: RegionSet::default(),
            reserved: RegionSet::default(),
            current_limit: ONE_MIB,
        }
    }
}

impl Memblock {
    /// `memblock_add` of each RAM range, trimmed to whole pages (`memblock_trim_memory`).
    pub fn add_memory(&mut self, r: Range) {
        let t = Range::new(page_up(r.start), page_down(r.end));
        if !t.is_empty() {
            self.memory.add(t, 0);
        }
    }

    /// `memblock_reserve` (`flags` 0) or `memblock_reserve_kern` (`RSRV_KERN`).
    pub fn reserve(&mut self, r: Range, flags: u32) {
        self.reserved.add(r, flags);
    }

    /// `memblock_reserved_mark_kern`.
    pub fn mark_kern(&mut self, r: Range) {
        self.reserved.mark(r, RSRV_KERN);
    }

    pub fn is_region_reserved(&self, r: Range) -> bool {
        self.reserved.overlaps(r)
    }

    /// `memblock_phys_alloc_range`: the highest `align`-aligned fit of free memory inside
    /// `[max(lo, PAGE), min(hi, current_limit))`, reserved with `RSRV_KERN`.
    pub fn alloc(&mut self, size: u64, align: u64, lo: u64, hi: u64) -> Option<u64> {
        let align = align.max(1);
        let lo = lo.max(PAGE);
        let hi = hi.min(self.current_limit);
        if size == 0 || hi <= lo {
            return None;
        }
        let window = Range::new(lo, hi);
        let mems: Vec<Region> = self.memory.overlapping(window).collect();
        for mem in mems.into_iter().rev() {
            let m = mem.range().intersect(window);
            // Walk this memory region's free gaps from the top down.
            let mut top = m.end;
            let res: Vec<Region> = self.reserved.overlapping(m).collect();
            for r in res.iter().rev() {
                if let Some(addr) = fit_top(Range::new(r.end.max(m.start), top), size, align) {
                    return Some(self.take(addr, size));
                }
                top = top.min(r.start.max(m.start));
            }
            if let Some(addr) = fit_top(Range::new(m.start, top), size, align) {
                return Some(self.take(addr, size));
            }
        }
        None
    }

    fn take(&mut self, addr: u64, size: u64) -> u64 {
        self.reserve(Range::new(addr, addr + size), RSRV_KERN);
        addr
    }

    /// `memory − reserved`, page-rounded inward per free range, as `memblock_free_all` hands it out.
    pub fn free_ranges(&self) -> Vec<Range> {
        let mut out = Vec::new();
        // The list the Reserve snapshot already made, when nothing changed since.
        let res = self.reserved.listed();
        let mut j = 0;
        for mem in self.memory.iter() {
            let mut cur = mem.start;
            while j < res.len() && res[j].end <= cur {
                j += 1;
            }
            let mut k = j;
            while k < res.len() && res[k].start < mem.end {
                push_pages(&mut out, Range::new(cur, res[k].start.max(cur)));
                cur = cur.max(res[k].end);
                k += 1;
            }
            push_pages(&mut out, Range::new(cur, mem.end));
        }
        out
    }
}

fn push_pages(out: &mut Vec<Range>, r: Range) {
    let p = r.pages_inward();
    if p.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.end == p.start => last.end = p.end,
        _ => out.push(p),
    }
}

/// Highest `align`-aligned start of a `size`-byte block inside `gap`.
fn fit_top(gap: Range, size: u64, align: u64) -> Option<u64> {
    let start = gap.end.checked_sub(size)?;
    let start = start - start % align;
    (start >= gap.start).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(set: &RegionSet) -> Vec<(u64, u64, u32)> {
        set.iter().map(|r| (r.start, r.end, r.flags)).collect()
    }

    #[test]
    fn add_keeps_existing_flags_and_merges_equal_neighbours() {
        let mut s = RegionSet::default();
        s.add(Range::new(0, 0x10000), 0);
        s.add(Range::new(0x99000, 0x9f000), RSRV_KERN);
        s.add(Range::new(0x9f000, 0x100000), 0);
        s.add(Range::new(0, 0x100000), 0);
        assert_eq!(
            list(&s),
            vec![
                (0, 0x99000, 0),
                (0x99000, 0x9f000, RSRV_KERN),
                (0x9f000, 0x100000, 0)
            ]
        );
    }

    #[test]
    fn mark_kern_splits_but_never_fills_gaps() {
        let mut s = RegionSet::default();
        s.add(Range::new(0x40000000, 0x40010000), 0);
        s.mark(Range::new(0x40004000, 0x40007000), RSRV_KERN);
        assert_eq!(
            list(&s),
            vec![
                (0x40000000, 0x40004000, 0),
                (0x40004000, 0x40007000, RSRV_KERN),
                (0x40007000, 0x40010000, 0)
            ]
        );
        let mut g = RegionSet::default();
        g.add(Range::new(0x40006000, 0x40007800), 0);
        g.mark(Range::new(0x40000000, 0x40010000), RSRV_KERN);
        assert_eq!(list(&g), vec![(0x40006000, 0x40007800, RSRV_KERN)]);
    }

    #[test]
    fn overlap_is_strict() {
        let mut s = RegionSet::default();
        s.add(Range::new(0x1000000, 0x2000000), RSRV_KERN);
        assert!(!s.overlaps(Range::new(0x2000000, 0x2010000)));
        assert!(s.overlaps(Range::new(0x1fff000, 0x2010000)));
        assert!(!s.overlaps(Range::new(0x1800000, 0x1800000)));
    }

    #[test]
    fn alloc_is_top_down_below_the_limit() {
        let mut m = Memblock::default();
        m.add_memory(Range::new(0x1000, 0x9f000));
        m.reserve(Range::new(0, 0x10000), 0);
        m.reserve(Range::new(0x9f000, 0x100000), 0);
        assert_eq!(m.alloc(624, 64, 0, u64::MAX), Some(0x9ed80));
        assert_eq!(m.alloc(0x6000, PAGE, 0, ONE_MIB), Some(0x98000));
        assert!(m.reserved.iter().any(|r| r.start == 0x98000 && r.is_kern()));
        assert_eq!(m.alloc(0x100000, PAGE, 0, ONE_MIB), None);
    }

    #[test]
    fn free_ranges_round_each_gap_inward() {
        let mut m = Memblock::default();
        m.add_memory(Range::new(0x40000000, 0x40010000));
        m.reserve(Range::new(0x40004f98, 0x40004fd0), RSRV_KERN);
        assert_eq!(
            m.free_ranges(),
            vec![
                Range::new(0x40000000, 0x40004000),
                Range::new(0x40005000, 0x40010000)
            ]
        );
    }
}
