//! The e820 table and the edits both kernels make to it (spec §1.4).

use std::collections::BTreeMap;

use crate::model::{Attributes, Descriptor, E820Entry, E820Type, MemoryType};

use super::ranges::Range;

/// A sanitised e820 table: sorted, non-overlapping, equal neighbours merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct E820 {
    pub entries: Vec<E820Entry>,
}

/// The EFI stub's `setup_e820` translation; `None` for types it skips (a hole).
pub fn e820_type_for(d: &Descriptor, soft_reserve: bool) -> Option<E820Type> {
    Some(match d.ty {
        MemoryType::RESERVED
        | MemoryType::RUNTIME_SERVICES_CODE
        | MemoryType::RUNTIME_SERVICES_DATA
        | MemoryType::MMIO
        | MemoryType::MMIO_PORT_SPACE
        | MemoryType::PAL_CODE => E820Type::RESERVED,
        MemoryType::UNUSABLE => E820Type::UNUSABLE,
        MemoryType::ACPI_RECLAIM => E820Type::ACPI,
        MemoryType::ACPI_NVS => E820Type::NVS,
        MemoryType::PERSISTENT => E820Type::PMEM,
        MemoryType::CONVENTIONAL if soft_reserve && d.attr.contains(Attributes::SP) => {
            E820Type::SOFT_RESERVED
        }
        MemoryType::LOADER_CODE
        | MemoryType::LOADER_DATA
        | MemoryType::BOOT_SERVICES_CODE
        | MemoryType::BOOT_SERVICES_DATA
        | MemoryType::CONVENTIONAL => E820Type::USABLE,
        _ => return None,
    })
}

/// Touching entries of one type merge, except PRAM and soft-reserved.
fn mergeable(last: &E820Entry, e: &E820Entry) -> bool {
    last.end == e.start
        && last.kind == e.kind
        && e.kind != E820Type::PRAM
        && e.kind != E820Type::SOFT_RESERVED
}

impl E820 {
    /// Builds a sanitised table from raw (possibly overlapping, unsorted) entries.
    pub fn from_raw(raw: Vec<E820Entry>) -> Self {
        let mut t = Self { entries: raw };
        let ordered = t.entries.windows(2).all(|w| w[0].end <= w[1].start)
            && t.entries.iter().all(|e| e.start < e.end);
        if ordered {
            // The usual firmware table: sorted and disjoint, so a linear merge suffices.
            t.merge_adjacent();
        } else {
            t.sanitize();
        }
        t
    }

    /// Merges touching entries of equal type (not PRAM or soft-reserved) in a sorted,
    /// disjoint table: the last step of `e820__update_table`.
    fn merge_adjacent(&mut self) {
        self.merge_within(0, self.entries.len());
    }

    /// `merge_adjacent` for `entries[lo..hi]` only, in place: after an edit, only the edited
    /// entries and their neighbours can have become mergeable.
    fn merge_within(&mut self, lo: usize, hi: usize) {
        let hi = hi.min(self.entries.len());
        if lo >= hi {
            return;
        }
        let mut w = lo;
        for i in lo + 1..hi {
            let e = self.entries[i];
            if mergeable(&self.entries[w], &e) {
                self.entries[w].end = e.end;
            } else {
                w += 1;
                self.entries[w] = e;
            }
        }
        self.entries.drain(w + 1..hi);
    }

    /// The table the EFI stub synthesises from the firmware map. An ascending map (the usual
    /// case) is merged as it is read, with no table of one entry per descriptor in between.
    pub fn from_efi<'a>(
        descs: impl IntoIterator<Item = &'a Descriptor>,
        soft_reserve: bool,
    ) -> Self {
        let mut raw = descs.into_iter().filter_map(|d| {
            let kind = e820_type_for(d, soft_reserve)?;
            let end = d.end()?;
            // Empty entries are dropped either way (sanitising skips them).
            (d.phys < end).then_some(E820Entry {
                start: d.phys,
                end,
                kind,
            })
        });
        let mut t = Self::default();
        while let Some(e) = raw.next() {
            match t.entries.last_mut() {
                Some(last) if e.start < last.end => {
                    // Out of order or overlapping: sanitise everything. Merged entries stand
                    // for their parts (same type, no gap), so the result is the same.
                    t.entries.push(e);
                    t.entries.extend(raw);
                    t.sanitize();
                    return t;
                }
                Some(last) if mergeable(last, &e) => last.end = e.end,
                _ => t.entries.push(e),
            }
        }
        t
    }

    /// `e820__update_table`: overlaps resolved (higher type wins), equal neighbours merged
    /// except PRAM and soft-reserved.
    pub fn sanitize(&mut self) {
        let mut points: Vec<(u64, bool, u32)> = Vec::with_capacity(self.entries.len() * 2);
        for e in self.entries.iter().filter(|e| e.end > e.start) {
            points.push((e.start, true, e.kind.0));
            points.push((e.end, false, e.kind.0));
        }
        points.sort_unstable_by_key(|p| p.0);
        let mut active: BTreeMap<u32, u32> = BTreeMap::new();
        let mut out: Vec<E820Entry> = Vec::new();
        let mut i = 0;
        while i < points.len() {
            let at = points[i].0;
            while i < points.len() && points[i].0 == at {
                let (_, open, kind) = points[i];
                if open {
                    *active.entry(kind).or_insert(0) += 1;
                } else if let Some(c) = active.get_mut(&kind) {
                    *c -= 1;
                    if *c == 0 {
                        active.remove(&kind);
                    }
                }
                i += 1;
            }
            let (Some(&(next, _, _)), Some((&kind, _))) =
                (points.get(i), active.iter().next_back())
            else {
                continue;
            };
            let e = E820Entry {
                start: at,
                end: next,
                kind: E820Type(kind),
            };
            match out.last_mut() {
                Some(last) if mergeable(last, &e) => last.end = e.end,
                _ => out.push(e),
            }
        }
        self.entries = out;
    }

    /// `e820__range_update(start, size, from, to)` then `e820__update_table`: byte-exact.
    pub fn update(&mut self, r: Range, from: E820Type, to: E820Type) {
        self.rewrite(r, |k| (k == from).then_some(Some(to)));
    }

    /// `e820__range_remove`: drops the part of matching entries (any type when `only` is `None`).
    pub fn remove(&mut self, r: Range, only: Option<E820Type>) {
        self.rewrite(r, |k| only.is_none_or(|o| o == k).then_some(None));
    }

    /// `e820__range_add` plus sanitising.
    pub fn add(&mut self, r: Range, kind: E820Type) {
        if r.is_empty() {
            return;
        }
        let e = E820Entry {
            start: r.start,
            end: r.end,
            kind,
        };
        let i = self.entries.partition_point(|x| x.end <= r.start);
        if self.entries.get(i).is_none_or(|x| x.start >= r.end) {
            // No overlap (the kernel image once its range was removed): sanitising reduces
            // to inserting in order and merging with the neighbours.
            self.entries.insert(i, e);
            self.merge_within(i.saturating_sub(1), i + 2);
        } else {
            self.entries.push(e);
            self.sanitize();
        }
    }

    /// Rewrites the part of each entry inside `r`: `f` returns `None` to leave it,
    /// `Some(None)` to drop it, `Some(Some(t))` to retype it.
    fn rewrite(&mut self, r: Range, f: impl Fn(E820Type) -> Option<Option<E820Type>>) {
        if r.is_empty() {
            return;
        }
        // The table is sorted and disjoint: only entries[first..last] overlap `r`.
        let first = self.entries.partition_point(|e| e.end <= r.start);
        let last = first + self.entries[first..].partition_point(|e| e.start < r.end);
        let mut out = Vec::with_capacity(last - first + 2);
        for e in &self.entries[first..last] {
            let er = Range::new(e.start, e.end);
            let inner = er.intersect(r);
            let action = if inner.is_empty() { None } else { f(e.kind) };
            let Some(new_kind) = action else {
                out.push(*e);
                continue;
            };
            if e.start < inner.start {
                out.push(E820Entry {
                    end: inner.start,
                    ..*e
                });
            }
            if let Some(kind) = new_kind {
                out.push(E820Entry {
                    start: inner.start,
                    end: inner.end,
                    kind,
                });
            }
            if inner.end < e.end {
                out.push(E820Entry {
                    start: inner.end,
                    ..*e
                });
            }
        }
        // Splitting and retyping inside a sanitised table keeps it sorted and disjoint, and
        // only the new pieces and their neighbours can merge.
        let n = out.len();
        self.entries.splice(first..last, out);
        self.merge_within(first.saturating_sub(1), first + n + 1);
    }

    /// `e820__mapped_all`: `r` is covered without a gap by entries of `kind`.
    pub fn mapped_all(&self, r: Range, kind: E820Type) -> bool {
        if r.is_empty() {
            return false;
        }
        let first = self.entries.partition_point(|e| e.end <= r.start);
        let mut cur = r.start;
        for e in &self.entries[first..] {
            if e.start > cur || e.kind != kind {
                return false;
            }
            cur = e.end;
            if cur >= r.end {
                return true;
            }
        }
        false
    }

    /// RAM ranges (`E820_TYPE_RAM`), for `e820__memblock_setup`.
    pub fn ram(&self) -> impl Iterator<Item = Range> + '_ {
        self.entries
            .iter()
            .filter(|e| e.kind == E820Type::USABLE)
            .map(|e| Range::new(e.start, e.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(entries: &[(u64, u64, u32)]) -> E820 {
        E820::from_raw(
            entries
                .iter()
                .map(|&(start, end, k)| E820Entry {
                    start,
                    end,
                    kind: E820Type(k),
                })
                .collect(),
        )
    }

    #[test]
    fn sanitize_merges_and_higher_type_wins() {
        let e = t(&[(0, 0x1000, 1), (0x1000, 0x2000, 1), (0x1800, 0x3000, 2)]);
        assert_eq!(e, t(&[(0, 0x1800, 1), (0x1800, 0x3000, 2)]));
    }

    #[test]
    fn update_is_byte_exact_and_only_touches_the_old_type() {
        let mut e = t(&[(0x100000, 0x80000000, 1)]);
        e.update(
            Range::new(0x40004f98, 0x40004fd0),
            E820Type::USABLE,
            E820Type::RESERVED,
        );
        assert!(e.mapped_all(Range::new(0x40000000, 0x40004f98), E820Type::USABLE));
        assert!(!e.mapped_all(Range::new(0x40004000, 0x40005000), E820Type::USABLE));
        assert!(e.mapped_all(Range::new(0x40004f98, 0x40004fd0), E820Type::RESERVED));
        let before = e.clone();
        e.update(
            Range::new(0x40004f98, 0x40004fd0),
            E820Type::ACPI,
            E820Type::USABLE,
        );
        assert_eq!(e, before);
    }

    #[test]
    fn remove_respects_the_type_filter() {
        let mut e = t(&[(0, 0x9f000, 1), (0x9f000, 0x100000, 2)]);
        e.remove(Range::new(0xa0000, 0x100000), Some(E820Type::USABLE));
        assert_eq!(e, t(&[(0, 0x9f000, 1), (0x9f000, 0x100000, 2)]));
        e.remove(Range::new(0x9f000, 0x100000), None);
        assert_eq!(e, t(&[(0, 0x9f000, 1)]));
    }
}
