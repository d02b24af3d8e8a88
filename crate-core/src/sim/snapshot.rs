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

/// A read-only list that snapshots share when it did not change between phases.
/// Derefs to a slice; `for x in &shared` works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared<T>(Arc<[T]>);

impl<T> std::ops::Deref for Shared<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'a, T> IntoIterator for &'a Shared<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Self(Arc::from(Vec::new()))
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
        None => Shared(current.map(|x| x.borrow().clone()).collect()),
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
        let page_table = share(
            prev.map(|p| &p.page_table).as_slice(),
            m.pt.len(),
            m.pt.mappings(),
        );
        // I-9 looks up every boot-services descriptor in the page table: after the unmap it
        // can only change with the table, so an unchanged (shared) table keeps the verdict.
        let unmap_result = prev
            .filter(|p| p.phase >= Phase::Unmap && Arc::ptr_eq(&p.page_table.0, &page_table.0))
            .and_then(|p| p.invariants.iter().find(|i| i.id == "I-9"));
        let invariants = super::invariants::evaluate(m, phase, unmap_result);
        let released = match prev {
            // Releases only ever append.
            Some(p) if p.released.len() == m.released.len() => p.released.clone(),
            _ => Shared(m.released.iter().cloned().collect()),
        };
        Self {
            phase,
            performed_by,
            memmap: MemmapView {
                buffer: m.memmap.buffer().clone(),
                entries: share(
                    &[prev.map(|p| &p.memmap.entries), Some(&m.map_after_rbs)]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>(),
                    m.memmap.valid,
                    m.memmap.valid_entries().iter(),
                ),
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
            released,
            trampoline: m.trampoline,
            invariants,
        }
    }
}
