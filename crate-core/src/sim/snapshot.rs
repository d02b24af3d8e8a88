//! The state after a phase, as the UI shows it.

use std::sync::Arc;

use serde::Serialize;

use crate::model::E820Entry;

use super::events::Phase;
use super::invariants::{InvariantResult, RELEASE_CHECKS, Releases, evaluate};
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

/// A read-only list that snapshots share when it did not change between phases: a vector
/// that the machine or an earlier snapshot may also hold. The machine changes its vectors
/// only through `Arc::make_mut`, which copies one while a snapshot holds it, or replaces
/// them; memblock's B-trees keep the list they last gave out until they change. So a
/// snapshot never compares or copies what its phase left alone.
/// Derefs to a slice; `for x in &shared` works.
#[derive(Debug)]
pub struct Shared<T> {
    all: Arc<Vec<T>>,
}

impl<T> Shared<T> {
    /// `all`, without copying it.
    pub(super) fn whole(all: &Arc<Vec<T>>) -> Self {
        Self {
            all: Arc::clone(all),
        }
    }

    /// True when both are the same vector (so equal).
    pub(super) fn same_vec(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.all, &other.all)
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(v: Vec<T>) -> Self {
        Self { all: Arc::new(v) }
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self::whole(&self.all)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.all
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

impl PhaseSnapshot {
    /// The state of `m` after `phase`; `prev` is the previous phase's snapshot, `released`
    /// the releases so far as the invariants read them.
    pub(super) fn capture(
        m: &Machine,
        phase: Phase,
        performed_by: &'static str,
        prev: Option<&PhaseSnapshot>,
        released: &Releases,
    ) -> Self {
        let page_table = Shared::whole(m.pt.mappings());
        let entries = Shared::whole(&m.memmap.entries);
        let memblock_reserved = m.memblock.reserved.listed();
        let e820 = Shared::whole(&m.e820.entries);
        // I-9 looks up every boot-services descriptor in the page table: after the unmap it
        // can only change with the table, so an unchanged (shared) table keeps the verdict.
        let unmap_result = prev
            .filter(|p| p.phase >= Phase::Unmap && p.page_table.same_vec(&page_table))
            .and_then(|p| p.invariants.iter().find(|i| i.id == "I-9"));
        // I-1..I-6 read the releases (only ever appended), e820, the protected memory (OLD:
        // the map; NEW: memblock.reserved) and the boot-services ranges at SVAM (fixed from
        // then on): when none of them changed, the verdicts stand.
        let release_checks = prev
            .filter(|p| {
                p.phase >= Phase::Svam
                    && p.released.len() == m.released.len()
                    && p.e820.same_vec(&e820)
                    && p.memblock_reserved.same_vec(&memblock_reserved)
                    && p.memmap.entries.same_vec(&entries)
            })
            .map(|p| &p.invariants[..RELEASE_CHECKS]);
        let invariants = evaluate(m, phase, released, release_checks, unmap_result);
        Self {
            phase,
            performed_by,
            memmap: MemmapView {
                buffer: m.memmap.buffer().clone(),
                entries,
                stale_slots: ((m.memmap.mapped_bytes / m.cfg.desc_size.max(1) as u64) as usize)
                    .saturating_sub(m.memmap.valid()),
                mapped_bytes: m.memmap.mapped_bytes,
                late: m.memmap.late,
                history: m.memmap.buffers.clone(),
            },
            memblock_memory: m.memblock.memory.listed(),
            memblock_reserved,
            memblock_limit: m.memblock.current_limit,
            e820,
            page_table,
            efi_va: m.pt.efi_va,
            released: Shared::whole(&m.released),
            trampoline: m.trampoline,
            invariants,
        }
    }
}
