//! What happened, step by step: events attributed to a kernel function, a rule of the spec and,
//! for NEW, the patch of the series that introduced the behaviour.

use serde::Serialize;

/// The simulator's phases, in boot order (spec §0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The map as firmware handed it over.
    Firmware,
    /// `setup_arch()`: reservations up to the end of setup_arch.
    Reserve,
    /// `memblock_free_all()`.
    MmInit,
    /// `__efi_enter_virtual_mode()` up to SetVirtualAddressMap.
    Svam,
    /// `efi_unmap_boot_services()`.
    Unmap,
    /// `efi_free_boot_services()` (arch_initcall).
    Free,
    /// Rebuilding the map without freed entries, and the state at the end of boot.
    Compact,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Firmware,
        Phase::Reserve,
        Phase::MmInit,
        Phase::Svam,
        Phase::Unmap,
        Phase::Free,
        Phase::Compact,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Firmware => "firmware map",
            Phase::Reserve => "reserve (end of setup_arch)",
            Phase::MmInit => "mm_init",
            Phase::Svam => "SetVirtualAddressMap",
            Phase::Unmap => "unmap",
            Phase::Free => "free",
            Phase::Compact => "compact / end of boot",
        }
    }
}

/// One step of the simulated boot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub phase: Phase,
    /// The kernel function that did it.
    pub function: &'static str,
    /// The rule of docs/kernel-model.md it follows (e.g. "3.1.2 middle split").
    pub rule: &'static str,
    /// NEW only: the patch of the v2 series that introduced the behaviour (e.g. "patch 10").
    pub patch: Option<&'static str>,
    pub message: String,
}
