//! The e820 table and the edits both kernels make to it (spec §1.4).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{Attributes, Descriptor, E820Entry, E820Type, MemoryType};

use super::ranges::{Range, partition_point_near};

/// A sanitised e820 table: sorted, non-overlapping, equal neighbours merged.
#[derive(Clone, Debug, Default)]
pub struct E820 {
    /// Shared with the snapshots; an edit copies the table only while a snapshot holds it.
    pub entries: Arc<Vec<E820Entry>>,
    /// Where the last `mapped_all` looked: the walks ask in address order, so the next
    /// answer is searched from there. Only a hint: it never changes an answer.
    near: Cell<usize>,
}

/// Tables are equal when their entries are (the lookup hint is not part of the table).
impl PartialEq for E820 {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Eq for E820 {}

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
        let mut t = Self {
            entries: Arc::new(raw),
            ..Self::default()
        };
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
        let entries = Arc::make_mut(&mut self.entries);
        let mut w = lo;
        for i in lo + 1..hi {
            let e = entries[i];
            if mergeable(&entries[w], &e) {
                entries[w].end = e.end;
            } else {
                w += 1;
                entries[w] = e;
            }
        }
        entries.drain(w + 1..hi);
    }

    /// The table the EFI stub synthesises from the firmware map. An ascending map (the usual
    /// case) is merged as it is read, with no table of one entry per descriptor in between.
    pub fn from_efi<'a>(
        descs: impl Iterator<Item = &'a Descriptor> + Clone,
        soft_reserve: bool,
    ) -> Self {
        let translate = move |d: &Descriptor| {
            let kind = e820_type_for(d, soft_reserve)?;
            let end = d.end()?;
            // Empty entries are dropped either way (sanitising skips them).
            (d.phys < end).then_some(E820Entry {
                start: d.phys,
                end,
                kind,
            })
        };
        let mut merged: Vec<E820Entry> = Vec::new();
        for e in descs.clone().filter_map(translate) {
            match merged.last_mut() {
                Some(last) if e.start < last.end => {
                    // Out of order or overlapping: sanitise the table of one entry per
                    // descriptor. Not the merged one: a PRAM or soft-reserved entry on top is
                    // cut at every boundary underneath, merged or not.
                    let mut raw = Self {
                        entries: Arc::new(descs.filter_map(translate).collect()),
                        ..Self::default()
                    };
                    raw.sanitize();
                    return raw;
                }
                Some(last) if mergeable(last, &e) => last.end = e.end,
                _ => merged.push(e),
            }
        }
        Self {
            entries: Arc::new(merged),
            ..Self::default()
        }
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
        self.entries = Arc::new(out);
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
            Arc::make_mut(&mut self.entries).insert(i, e);
            self.merge_within(i.saturating_sub(1), i + 2);
        } else {
            Arc::make_mut(&mut self.entries).push(e);
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
        Arc::make_mut(&mut self.entries).splice(first..last, out);
        self.merge_within(first.saturating_sub(1), first + n + 1);
    }

    /// `e820__mapped_all`: `r` is covered without a gap by entries of `kind`.
    pub fn mapped_all(&self, r: Range, kind: E820Type) -> bool {
        if r.is_empty() {
            return false;
        }
        let first = partition_point_near(&self.entries, self.near.get(), |e| e.end <= r.start);
        self.near.set(first);
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

    /// An out-of-order map is sanitised as one entry per descriptor, not after merging the
    /// ones read so far: a soft-reserved entry on top is then cut where the RAM underneath
    /// meets, since `e820__update_table` never merges soft-reserved pieces (found by the
    /// property below; ca6486e merged first and gave one entry).
    #[test]
    fn an_overlapped_map_is_sanitised_unmerged() {
        let conventional = |phys, num_pages, attr| Descriptor {
            ty: MemoryType::CONVENTIONAL,
            phys,
            num_pages,
            virt: 0,
            attr: Attributes(attr),
        };
        let map = [
            conventional(0x31000, 3, 0),
            conventional(0x34000, 1, 0),
            conventional(0x31000, 4, Attributes::SP),
        ];
        let soft = |start, end| E820Entry {
            start,
            end,
            kind: E820Type::SOFT_RESERVED,
        };
        assert_eq!(
            *E820::from_efi(map.iter(), true).entries,
            [soft(0x31000, 0x34000), soft(0x34000, 0x35000)]
        );
    }

    /// The fast paths (reading the stub's table merged, inserting a range that overlaps
    /// nothing, editing in place) against the whole-table `sanitize` as the reference, on a
    /// grid of 4 KiB units small enough that entries often touch and overlap.
    mod against_sanitize {
        use proptest::prelude::*;

        use super::super::*;

        const UNIT: u64 = 0x1000;
        /// Units the reference model tracks: every generated range ends below this.
        const UNITS: usize = 96;
        /// Kinds that merge with an equal neighbour.
        const MERGING: [E820Type; 6] = [
            E820Type::USABLE,
            E820Type::RESERVED,
            E820Type::ACPI,
            E820Type::NVS,
            E820Type::UNUSABLE,
            E820Type::PMEM,
        ];

        fn any_kind() -> impl Strategy<Value = E820Type> {
            prop::sample::select(
                [&MERGING[..], &[E820Type::PRAM, E820Type::SOFT_RESERVED]].concat(),
            )
        }

        fn entry(kind: impl Strategy<Value = E820Type>) -> impl Strategy<Value = E820Entry> {
            (0..64u64, 0..8u64, kind).prop_map(|(start, len, kind)| E820Entry {
                start: start * UNIT,
                end: (start + len) * UNIT,
                kind,
            })
        }

        fn range() -> impl Strategy<Value = Range> {
            (0..72u64, 0..24u64)
                .prop_map(|(start, len)| Range::new(start * UNIT, (start + len) * UNIT))
        }

        fn sanitized(raw: Vec<E820Entry>) -> E820 {
            let mut t = E820 {
                entries: Arc::new(raw),
                ..E820::default()
            };
            t.sanitize();
            t
        }

        /// The units of `u` inside `r`.
        fn inside(u: &mut [Option<E820Type>], r: Range) -> &mut [Option<E820Type>] {
            &mut u[(r.start / UNIT) as usize..(r.end / UNIT) as usize]
        }

        /// The kind each unit has in `t`.
        fn units(t: &E820) -> Vec<Option<E820Type>> {
            let mut u = vec![None; UNITS];
            for e in t.entries.iter() {
                inside(&mut u, Range::new(e.start, e.end)).fill(Some(e.kind));
            }
            u
        }

        /// The table of one entry per unit, merged by `sanitize`.
        fn from_units(u: &[Option<E820Type>]) -> E820 {
            let at = |i: usize| i as u64 * UNIT;
            sanitized(
                u.iter()
                    .enumerate()
                    .filter_map(|(i, k)| {
                        k.map(|kind| E820Entry {
                            start: at(i),
                            end: at(i + 1),
                            kind,
                        })
                    })
                    .collect(),
            )
        }

        /// An in-place edit and what it does to each unit.
        #[derive(Clone, Debug)]
        enum Edit {
            Update(Range, E820Type, E820Type),
            Remove(Range, Option<E820Type>),
        }

        fn edit() -> impl Strategy<Value = Edit> {
            let kind = || prop::sample::select(&MERGING[..]);
            prop_oneof![
                (range(), kind(), kind()).prop_map(|(r, from, to)| Edit::Update(r, from, to)),
                (range(), prop::option::of(kind())).prop_map(|(r, only)| Edit::Remove(r, only)),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// The stub's table, read ascending (merged as it goes) or in any order, is the
            /// sanitised table of one entry per translated descriptor; `from_raw` likewise.
            #[test]
            fn from_efi_and_from_raw_equal_sanitising_the_raw_table(
                descs in prop::collection::vec(
                    // Mostly Conventional, so soft-reserved (SP) neighbours are common.
                    (prop_oneof![3 => Just(MemoryType::CONVENTIONAL.0), 1 => 0..17u32],
                     0..3u64, 0..64u64, 0..8u64, any::<bool>()),
                    0..12,
                ),
                ascending in any::<bool>(),
                soft_reserve in any::<bool>(),
            ) {
                let mut next = 0;
                let descs: Vec<Descriptor> = descs
                    .into_iter()
                    .map(|(ty, gap, at, pages, sp)| {
                        // Ascending maps lay descriptors out in order with small gaps (the
                        // merging path); the others land anywhere (the sanitising path).
                        let phys = if ascending { next + gap * UNIT } else { at * UNIT };
                        next = phys + pages * UNIT;
                        Descriptor {
                            ty: MemoryType(ty),
                            phys,
                            num_pages: pages,
                            virt: 0,
                            attr: Attributes(if sp { Attributes::SP } else { 0 }),
                        }
                    })
                    .collect();
                let raw: Vec<E820Entry> = descs
                    .iter()
                    .filter_map(|d| {
                        Some(E820Entry {
                            start: d.phys,
                            end: d.phys + d.num_pages * UNIT,
                            kind: e820_type_for(d, soft_reserve)?,
                        })
                    })
                    .collect();
                let expected = sanitized(raw.clone());
                prop_assert_eq!(&E820::from_efi(descs.iter(), soft_reserve), &expected);
                prop_assert_eq!(&E820::from_raw(raw), &expected);
            }

            /// `add` equals pushing the entry and sanitising the whole table.
            #[test]
            fn add_equals_pushing_and_sanitising(
                raw in prop::collection::vec(entry(any_kind()), 0..8),
                r in range(),
                kind in any_kind(),
            ) {
                let mut got = sanitized(raw);
                let mut expected = got.clone();
                got.add(r, kind);
                Arc::make_mut(&mut expected.entries).push(E820Entry { start: r.start, end: r.end, kind });
                expected.sanitize();
                prop_assert_eq!(got, expected);
            }

            /// Each `update`/`remove`, done in place, leaves the table that retyping or
            /// dropping the units inside the range and sanitising gives.
            #[test]
            fn update_and_remove_equal_editing_units_and_sanitising(
                raw in prop::collection::vec(entry(prop::sample::select(&MERGING[..])), 0..8),
                edits in prop::collection::vec(edit(), 1..6),
            ) {
                let mut got = sanitized(raw);
                let mut u = units(&got);
                for edit in edits {
                    match edit {
                        Edit::Update(r, from, to) => {
                            got.update(r, from, to);
                            for slot in inside(&mut u, r) {
                                if *slot == Some(from) {
                                    *slot = Some(to);
                                }
                            }
                        }
                        Edit::Remove(r, only) => {
                            got.remove(r, only);
                            for slot in inside(&mut u, r) {
                                if only.is_none() || *slot == only {
                                    *slot = None;
                                }
                            }
                        }
                    }
                    prop_assert_eq!(&got, &from_units(&u), "after {:?}", edit);
                }
            }
        }
    }
}
