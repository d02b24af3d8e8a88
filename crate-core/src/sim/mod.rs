//! The boot simulator: how x86 Linux treats the EFI memory map, phase by phase, under the
//! OLD kernel (base 1f318b96) and the NEW one (the 19 v2 patches), as `docs/kernel-model.md`
//! specifies.
//!
//! ```
//! use efiviz_core::sim::{self, Kernel, SimInput};
//! # let input = SimInput::default();
//! let old = sim::simulate(&input, Kernel::Old);
//! let new = sim::simulate(&input, Kernel::New);
//! for phase in &new.phases {
//!     println!("{:?}: {} entries", phase.phase, phase.memmap.entries.len());
//! }
//! let report = sim::compare(&old, &new);
//! for d in &report.differences {
//!     println!("{}: {}", d.id, d.explanation);
//! }
//! ```
//!
//! * Input: [`SimInput`] — the firmware map with display ids plus [`SimConfig`] knobs. Build it
//!   from a scenario ([`SimInput::from_scenario`]), a map ([`SimInput::from_map`]) or a parsed log
//!   ([`SimInput::from_boot_log`]); change knobs with [`SimConfig::set`].
//! * Output: [`Simulation`] — a [`PhaseSnapshot`] after each [`Phase`], the [`Event`]s with the
//!   function, spec rule and patch behind each, the kernel log lines, and invariant results.
//! * [`compare`] lists the OLD/NEW differences D1..D24 the input triggers, with explanations.
//! * [`output::document`] serialises the scenarios.json-shaped summary plus the snapshots.
//!
//! The mechanisms (memblock, e820, the EFI page table) are shared; only the policies in
//! `old.rs` and `new.rs` differ. Every pass is linear or O(n log n) in the number of descriptors.

mod boot;
mod config;
mod derive;
mod diff;
mod e820;
mod events;
mod invariants;
mod machine;
mod memblock;
mod memmap;
mod new;
mod old;
pub mod output;
mod pagetable;
pub mod ranges;
mod snapshot;

use std::sync::Arc;

use serde::Serialize;

pub use config::{MemReserve, PlainReserve, SimConfig, SimInput, parse_u64};
pub use diff::{Comparison, Difference};
pub use e820::E820;
pub use events::{Event, Phase};
pub use invariants::{InvariantResult, Status};
pub use machine::{Release, Source, SvamCall};
pub use memblock::{RSRV_KERN, Region};
pub use memmap::{Allocator, Buffer, Entry, Fate, Provenance};
pub use pagetable::{EFI_VA_END, EFI_VA_START, Mapping, MappingKind};
pub use snapshot::{MemmapView, PhaseSnapshot, Shared};

/// Which kernel to simulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// The base commit 1f318b96 (deferred free already present).
    Old,
    /// The v2 series applied (branch head a7b37292).
    New,
}

impl Kernel {
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Old => "old",
            Kernel::New => "new",
        }
    }
}

/// One simulated boot.
#[derive(Clone, Debug, Serialize)]
pub struct Simulation {
    pub kernel: Kernel,
    pub config: SimConfig,
    /// The state after each phase, in boot order (firmware, reserve, mm_init, SVAM, unmap, free, compact).
    pub phases: Vec<PhaseSnapshot>,
    pub events: Vec<Event>,
    /// Kernel log lines this variant would print.
    pub log_lines: Vec<String>,
    /// Notable events, worded like scenarios.json's `log`.
    pub notes: Vec<String>,
    /// Things that would go wrong in the real kernel (use-after-free, overruns, VA overflow).
    pub hazards: Vec<String>,
    /// The map right after `efi_reserve_boot_services`.
    pub map_after_reserve_boot_services: Shared<Entry>,
    /// What SetVirtualAddressMap received (or, on kexec, what was mapped).
    pub svam: Option<SvamCall>,
    /// Descriptors unmapped from efi_pgd by the unmap phase, in walk order.
    pub unmapped: Vec<(Arc<str>, ranges::Range)>,
    /// `Freeing EFI boot services memory: NK`, when printed.
    pub free_message: Option<String>,
    /// The N of that message.
    pub freed_kib: Option<u64>,
    /// Ranges `efi_reserve_boot_services` reserved with `memblock_reserve`, in map order.
    pub boot_services_reserved: Vec<ranges::Range>,
    /// NEW: ranges it only marked RSRV_KERN (they already held a reservation).
    pub boot_services_marked: Vec<ranges::Range>,
}

impl Simulation {
    fn from_machine(m: machine::Machine, phases: Vec<PhaseSnapshot>) -> Self {
        Self {
            kernel: m.kernel,
            config: m.cfg.clone(),
            phases,
            events: m.events,
            log_lines: m.klog,
            notes: m.notes,
            hazards: m.hazards,
            map_after_reserve_boot_services: m.map_after_rbs,
            svam: m.svam,
            unmapped: m.unmapped,
            freed_kib: m.free_message.as_ref().map(|_| m.freed_counted / 1024),
            free_message: m.free_message,
            boot_services_reserved: m.bs_reserved,
            boot_services_marked: m.bs_marked,
        }
    }

    /// The snapshot after `phase`.
    pub fn phase(&self, phase: Phase) -> &PhaseSnapshot {
        let i = Phase::ALL.iter().position(|p| *p == phase).unwrap_or(0);
        &self.phases[i.min(self.phases.len() - 1)]
    }

    /// The state at the end of boot.
    pub fn end(&self) -> &PhaseSnapshot {
        self.phase(Phase::Compact)
    }

    /// Invariant results at the end of boot.
    pub fn invariants(&self) -> &[InvariantResult] {
        &self.end().invariants
    }
}

/// Simulates one kernel booting `input`.
pub fn simulate(input: &SimInput, kernel: Kernel) -> Simulation {
    boot::run(input, kernel)
}

/// The OLD/NEW differences the input triggers, plus the cross-kernel invariants I-11 and I-13.
pub fn compare(old: &Simulation, new: &Simulation) -> Comparison {
    diff::compare(old, new)
}
