//! The state after a phase, as the UI shows it.

use std::sync::Arc;

use serde::Serialize;

use crate::model::E820Entry;

use super::events::Phase;
use super::invariants::InvariantResult;
use super::machine::{Machine, Release};
use super::memblock::Region;
use super::memmap::{Buffer, Entry};
use super::pagetable::Mapping;

/// The `efi.memmap` object at one moment.
#[derive(Clone, Debug, Serialize)]
pub struct MemmapView {
    /// The current buffer (address, size, allocator, fate).
    pub buffer: Buffer,
    /// The valid entries, in map order.
    pub entries: Shared<Entry>,
    /// Slots past the valid entries that still lie inside the mapped extent (NEW).
    pub stale_slots: usize,
    pub mapped_bytes: u64,
    pub late: bool,
    /// Every buffer made so far, with its fate.
    pub history: Vec<Buffer>,
}

/// Everything the spec tracks, after one phase.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseSnapshot {
    pub phase: Phase,
    /// The kernel function that performs this phase under this variant.
    pub performed_by: &'static str,
    pub memmap: MemmapView,
    pub memblock_memory: Shared<Region>,
    pub memblock_reserved: Shared<Region>,
    pub memblock_limit: u64,
    pub e820: Shared<E820Entry>,
    pub page_table: Shared<Mapping>,
    /// The next VA of the EFI VA allocator.
    pub efi_va: u64,
    /// Everything handed to the page allocator so far, with provenance.
    pub released: Shared<Release>,
    pub trampoline: Option<u64>,
    /// I-1..I-13 evaluated on this state.
    pub invariants: Vec<InvariantResult>,
}

/// A read-only list that snapshots share when it did not change between phases: the first
/// `len` items of a vector that the machine or an earlier snapshot may also hold (the machine
/// only changes it through `Arc::make_mut`, which copies it while a snapshot holds it).
/// Derefs to a slice; `for x in &shared` works.
#[derive(Debug)]
pub struct Shared<T> {
    all: Arc<Vec<T>>,
    len: usize,
}

impl<T> Shared<T> {
    /// The first `len` items of `all`, without copying them.
    pub(super) fn prefix(all: &Arc<Vec<T>>, len: usize) -> Self {
        Self {
            all: Arc::clone(all),
            len: len.min(all.len()),
        }
    }

    /// True when both are views of the same vector (so equal if of the same length).
    pub(super) fn same_vec(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.all, &other.all)
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(v: Vec<T>) -> Self {
        let len = v.len();
        Self {
            all: Arc::new(v),
            len,
        }
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self {
            all: Arc::clone(&self.all),
            len: self.len,
        }
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.all[..self.len]
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<'a, T> IntoIterator for &'a Shared<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Self::from(Vec::new())
    }
}

/// An earlier copy equal to `current` when there is one, so phases share unchanged state (a
/// 1M-descriptor boot would otherwise hold seven copies of everything); else a new copy.
pub(super) fn share<T, I>(candidates: &[&Shared<T>], len: usize, current: I) -> Shared<T>
where
    T: Clone + PartialEq,
    I: Iterator + Clone,
    I::Item: std::borrow::Borrow<T>,
{
    use std::borrow::Borrow;
    let same = |p: &Shared<T>| {
        p.len() == len && p.iter().zip(current.clone()).all(|(a, b)| a == b.borrow())
    };
    match candidates.iter().find(|p| same(p)) {
        Some(p) => (*p).clone(),
        None => {
            // Collected into a vector of the exact size, once (an `Arc<[T]>` collected from a
            // B-tree's iterator went through a second, temporary vector).
            let mut v = Vec::with_capacity(len);
            v.extend(current.map(|x| x.borrow().clone()));
            Shared::from(v)
        }
    }
}

impl PhaseSnapshot {
    /// The state of `m` after `phase`; `prev` is the previous phase's snapshot.
    pub fn capture(
        m: &Machine,
        phase: Phase,
        performed_by: &'static str,
        prev: Option<&PhaseSnapshot>,
    ) -> Self {
        let page_table = Shared::prefix(m.pt.mappings(), m.pt.mappings().len());
        // I-9 looks up every boot-services descriptor in the page table: after the unmap it
        // can only change with the table, so an unchanged (shared) table keeps the verdict.
        let unmap_result = prev
            .filter(|p| p.phase >= Phase::Unmap && p.page_table.same_vec(&page_table))
            .and_then(|p| p.invariants.iter().find(|i| i.id == "I-9"));
        let invariants = super::invariants::evaluate(m, phase, unmap_result);
        Self {
            phase,
            performed_by,
            memmap: MemmapView {
                buffer: m.memmap.buffer().clone(),
                entries: Shared::prefix(&m.memmap.entries, m.memmap.valid),
                stale_slots: ((m.memmap.mapped_bytes / m.cfg.desc_size.max(1) as u64) as usize)
                    .saturating_sub(m.memmap.valid),
                mapped_bytes: m.memmap.mapped_bytes,
                late: m.memmap.late,
                history: m.memmap.buffers.clone(),
            },
            memblock_memory: share(
                prev.map(|p| &p.memblock_memory).as_slice(),
                m.memblock.memory.len(),
                m.memblock.memory.iter(),
            ),
            memblock_reserved: share(
                prev.map(|p| &p.memblock_reserved).as_slice(),
                m.memblock.reserved.len(),
                m.memblock.reserved.iter(),
            ),
            memblock_limit: m.memblock.current_limit,
            e820: share(
                prev.map(|p| &p.e820).as_slice(),
                m.e820.entries.len(),
                m.e820.entries.iter(),
            ),
            page_table,
            efi_va: m.pt.efi_va,
            released: Shared::prefix(&m.released, m.released.len()),
            trampoline: m.trampoline,
            invariants,
        }
    }
}
