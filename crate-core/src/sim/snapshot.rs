//! The state after a phase, as the UI shows it.

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
    pub entries: Vec<Entry>,
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
    pub memblock_memory: Vec<Region>,
    pub memblock_reserved: Vec<Region>,
    pub memblock_limit: u64,
    pub e820: Vec<E820Entry>,
    pub page_table: Vec<Mapping>,
    /// The next VA of the EFI VA allocator.
    pub efi_va: u64,
    /// Everything handed to the page allocator so far, with provenance.
    pub released: Vec<Release>,
    pub trampoline: Option<u64>,
    /// I-1..I-13 evaluated on this state.
    pub invariants: Vec<InvariantResult>,
}

impl PhaseSnapshot {
    pub fn capture(m: &Machine, phase: Phase, performed_by: &'static str) -> Self {
        let invariants = super::invariants::evaluate(m, phase);
        Self {
            phase,
            performed_by,
            memmap: MemmapView {
                buffer: m.memmap.buffer().clone(),
                entries: m.memmap.valid_entries().to_vec(),
                stale_slots: ((m.memmap.mapped_bytes / m.cfg.desc_size.max(1) as u64) as usize)
                    .saturating_sub(m.memmap.valid),
                mapped_bytes: m.memmap.mapped_bytes,
                late: m.memmap.late,
                history: m.memmap.buffers.clone(),
            },
            memblock_memory: m.memblock.memory.regions(),
            memblock_reserved: m.memblock.reserved.regions(),
            memblock_limit: m.memblock.current_limit,
            e820: m.e820.entries.clone(),
            page_table: m.pt.mappings().cloned().collect(),
            efi_va: m.pt.efi_va,
            released: m.released.clone(),
            trampoline: m.trampoline,
            invariants,
        }
    }
}
