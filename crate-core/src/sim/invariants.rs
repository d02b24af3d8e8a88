//! The spec's invariants I-1..I-13 (§4.1), evaluated on the machine after each phase.
//! I-11 and I-13 compare the two kernels and are evaluated by [`super::compare`].

use serde::Serialize;

use crate::model::E820Type;

use super::Kernel;
use super::events::Phase;
use super::machine::{Machine, Source};
use super::ranges::{
    ONE_MIB, Range, coalesce, describe, intersect_all, partition_point_near, subtract, total, union,
};

/// The outcome of one invariant check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Holds,
    /// Broken where the spec says it must hold: a simulator or spec bug, or a real hazard.
    Fails,
    /// Broken where the spec says this kernel breaks it by design (e.g. OLD I-7).
    FailsByDesign,
    /// Nothing to check at this point.
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvariantResult {
    pub id: &'static str,
    pub statement: &'static str,
    pub status: Status,
    pub detail: String,
}

impl InvariantResult {
    /// Holds when nothing offends it; otherwise fails, listing the offenders.
    pub fn from_offenders(id: &'static str, statement: &'static str, bad: &[String]) -> Self {
        Self {
            id,
            statement,
            status: if bad.is_empty() {
                Status::Holds
            } else {
                Status::Fails
            },
            detail: bad.join(", "),
        }
    }
}

fn check(
    id: &'static str,
    statement: &'static str,
    bad: Vec<Range>,
    by_design: bool,
    what: &str,
) -> InvariantResult {
    let (status, detail) = if bad.is_empty() {
        (Status::Holds, String::new())
    } else {
        (
            if by_design {
                Status::FailsByDesign
            } else {
                Status::Fails
            },
            format!("{what}: {}", describe(&bad)),
        )
    };
    InvariantResult {
        id,
        statement,
        status,
        detail,
    }
}

/// What the invariants read from the releases, coalesced, kept from phase to phase: releases
/// are only ever appended, so the lists are rebuilt only when there are more of them (at
/// mm_init and at the free), not seven times per boot.
#[derive(Default)]
pub struct Releases {
    /// How many releases the lists cover.
    seen: usize,
    /// Released by `efi_free_boot_services`.
    efi: Vec<Range>,
    /// `efi` plus the NEW memmap tail.
    efi_all: Vec<Range>,
    /// Released by `memblock_free_all`.
    mm: Vec<Range>,
    /// Bytes EFI code released, before coalescing (overlaps counted twice, for I-4).
    raw_efi: u64,
}

impl Releases {
    /// Catches up with the machine's releases. Each source releases in address order on an
    /// ascending map, so coalescing's sort only checks that (linear); the sources are then
    /// merged, never re-sorted together.
    pub fn update(&mut self, m: &Machine) {
        if self.seen == m.released.len() {
            return;
        }
        let (mut efi, mut tail, mut mm) = (Vec::new(), Vec::new(), Vec::new());
        let mut raw_efi = 0u64;
        for r in m.released.iter() {
            let list = match r.source {
                Source::MmInit => &mut mm,
                Source::EfiFree => &mut efi,
                Source::MemmapTail => &mut tail,
            };
            list.push(r.range);
            if r.source != Source::MmInit {
                raw_efi = raw_efi.saturating_add(r.range.len());
            }
        }
        self.efi = coalesce(efi);
        self.efi_all = union(&self.efi, &coalesce(tail));
        self.mm = coalesce(mm);
        self.raw_efi = raw_efi;
        self.seen = m.released.len();
    }
}

/// How many results [`release_checks`] gives: I-1..I-6, first in the list.
pub const RELEASE_CHECKS: usize = 6;

/// All invariants on the current state. `earlier_release_checks` are the previous phase's
/// I-1..I-6 and `unmap_result` its I-9, each when nothing it depends on changed since.
pub fn evaluate(
    m: &Machine,
    phase: Phase,
    released: &Releases,
    earlier_release_checks: Option<&[InvariantResult]>,
    unmap_result: Option<&InvariantResult>,
) -> Vec<InvariantResult> {
    let old = m.kernel == Kernel::Old;
    let mut out = Vec::with_capacity(13);
    match earlier_release_checks {
        Some(checks) => out.extend_from_slice(checks),
        None => release_checks(m, released, &mut out),
    }
    // Reuse takes the first RELEASE_CHECKS results, so that must stay their number.
    debug_assert_eq!(out.len(), RELEASE_CHECKS);
    let allocs = m
        .memmap
        .buffers
        .iter()
        .filter(|b| b.allocator != super::memmap::Allocator::Firmware)
        .count();
    out.push(InvariantResult {
        id: "I-7",
        statement: "The memmap is never reallocated",
        status: match (allocs, old) {
            (0, _) => Status::Holds,
            (_, true) => Status::FailsByDesign,
            (_, false) => Status::Fails,
        },
        detail: if allocs == 0 {
            String::new()
        } else {
            format!("{allocs} buffers allocated for the memmap")
        },
    });
    let grew = m.valid_history.windows(2).any(|w| w[1] > w[0]);
    out.push(InvariantResult {
        id: "I-8",
        statement: "The valid entry count never increases after efi_init",
        status: match (grew, old) {
            (false, _) => Status::Holds,
            (true, true) => Status::FailsByDesign,
            (true, false) => Status::Fails,
        },
        detail: format!(
            "counts: {:?}",
            m.valid_history.iter().take(8).collect::<Vec<_>>()
        ),
    });
    out.push(match unmap_result {
        Some(r) => r.clone(),
        None => unmap_check(m, phase),
    });
    out.push(final_map_check(m, phase, &released.efi));
    out.push(InvariantResult {
        id: "I-11",
        statement: "Same runtime entries in the same order get the same virt_addr in both kernels",
        status: Status::NotApplicable,
        detail: "checked when comparing OLD and NEW".into(),
    });
    out.push(message_check(m, phase, &released.efi_all));
    out.push(InvariantResult {
        id: "I-13",
        statement: "OLD and NEW end with the same free pages (plain inputs only)",
        status: Status::NotApplicable,
        detail: "checked when comparing OLD and NEW".into(),
    });
    out
}

/// I-1..I-6: what was released, against e820, the protected memory, the boot-services
/// ranges at SVAM and the kernel image.
fn release_checks(m: &Machine, released: &Releases, out: &mut Vec<InvariantResult>) {
    let old = m.kernel == Kernel::Old;
    let Releases {
        efi,
        efi_all,
        mm,
        raw_efi,
        ..
    } = released;
    let raw_efi = *raw_efi;
    out.push(check(
        "I-1",
        "No page freed by EFI code lies below 1 MiB",
        intersect_all(efi_all, &[Range::new(0, ONE_MIB)]),
        false,
        "freed below 1 MiB",
    ));
    out.push(check(
        "I-2",
        "Pages freed by EFI code lie in boot-services descriptors as they were at SVAM (memmap tail excepted)",
        subtract(efi, &m.bs_at_svam),
        false,
        "freed outside every BS descriptor",
    ));
    // Only what EFI code freed can hit protected memory: with nothing freed yet, the
    // protected ranges are not gathered.
    let protected: Vec<Range> = if efi_all.is_empty() {
        Vec::new()
    } else if old {
        coalesce(
            m.memmap
                .valid_entries()
                .iter()
                .filter(|e| e.is_runtime())
                .map(|e| e.range())
                .collect(),
        )
    } else {
        coalesce(
            m.memblock
                .reserved
                .iter()
                .filter(|r| r.is_kern())
                .map(|r| r.range())
                .collect(),
        )
    };
    out.push(check(
        "I-3",
        if old {
            "No page of a descriptor carrying RUNTIME is freed (OLD analogue of the K rule)"
        } else {
            "No page freed by EFI code overlaps a RSRV_KERN reservation"
        },
        intersect_all(efi_all, &protected),
        false,
        "protected memory freed",
    ));
    let mut double = intersect_all(mm, efi_all);
    if raw_efi != total(efi_all) {
        double.push(Range::new(0, raw_efi - total(efi_all)));
    }
    out.push(check(
        "I-4",
        "No page is released twice (mm_init ∩ EFI free = ∅)",
        double,
        false,
        "released twice",
    ));
    let not_ram: Vec<Range> = efi_all
        .iter()
        .copied()
        .filter(|r| !m.e820.mapped_all(*r, E820Type::USABLE))
        .collect();
    out.push(check(
        "I-5",
        "Every page freed by EFI code is e820 RAM",
        not_ram,
        false,
        "freed memory that is not e820 RAM",
    ));
    let all = union(mm, efi_all);
    out.push(check(
        "I-6",
        "The kernel image is never freed",
        intersect_all(&all, &[Range::new(m.cfg.kernel.0, m.cfg.kernel.1)]),
        false,
        "kernel image released",
    ));
}

fn unmap_check(m: &Machine, phase: Phase) -> InvariantResult {
    let statement =
        "After unmap, no boot-services descriptor is mapped in efi_pgd (non-mixed 64-bit)";
    let svam_ok = m
        .svam
        .as_ref()
        .is_some_and(|s| s.succeeded && s.size_arg.is_some());
    if phase < Phase::Unmap || !svam_ok || m.cfg.mixed || m.cfg.bits != 64 {
        return InvariantResult {
            id: "I-9",
            statement,
            status: Status::NotApplicable,
            detail: String::new(),
        };
    }
    let mut still: Vec<String> = m
        .svam
        .iter()
        .flat_map(|s| s.entries.iter())
        .filter(|e| e.is_bs() && m.pt.is_mapped(e.desc.phys, &e.id))
        .map(|e| e.id.to_string())
        .collect();
    still.dedup();
    let status = match (still.is_empty(), m.kernel) {
        (true, _) => Status::Holds,
        (false, Kernel::Old) => Status::FailsByDesign,
        (false, Kernel::New) => Status::Fails,
    };
    let n = still.len();
    still.truncate(6);
    InvariantResult {
        id: "I-9",
        statement,
        status,
        detail: if n == 0 {
            String::new()
        } else {
            format!("{n} still mapped: {}", still.join(", "))
        },
    }
}

fn final_map_check(m: &Machine, phase: Phase, efi: &[Range]) -> InvariantResult {
    let statement = "Every entry of the final map is RUNTIME or a BS not completely freed above 1 MiB (NEW); non-BS or BS with RUNTIME (OLD)";
    let compacted = match m.kernel {
        Kernel::Old => m.queue.is_some(),
        Kernel::New => phase >= Phase::Free && !m.cfg.efi_dbg && !m.cfg.kexec,
    };
    if phase < Phase::Compact || !compacted {
        return InvariantResult {
            id: "I-10",
            statement,
            status: Status::NotApplicable,
            detail: String::new(),
        };
    }
    // The map is walked in address order (as a rule), so each search starts at the last.
    let mut near = 0;
    let bad: Vec<String> = m
        .memmap
        .valid_entries()
        .iter()
        .filter(|e| match m.kernel {
            Kernel::Old => e.is_bs() && !e.is_runtime(),
            Kernel::New => {
                let r = e.range();
                let above = Range::new(r.start.max(ONE_MIB), r.end);
                // `efi` is coalesced: a fully freed range lies inside one of its ranges.
                let i = partition_point_near(efi, near, |f| f.end < above.end);
                near = i;
                let fully_freed = efi
                    .get(i)
                    .is_some_and(|f| f.start <= above.start && above.end <= f.end);
                !e.is_runtime() && (!e.is_bs() || above.is_empty() || fully_freed)
            }
        })
        .map(|e| e.id.to_string())
        .collect();
    InvariantResult::from_offenders("I-10", statement, &bad)
}

fn message_check(m: &Machine, phase: Phase, efi_all: &[Range]) -> InvariantResult {
    let statement = "The 'Freeing EFI boot services memory' KiB match the bytes EFI code released";
    if phase < Phase::Free || m.free_message.is_none() {
        return InvariantResult {
            id: "I-12",
            statement,
            status: Status::NotApplicable,
            detail: String::new(),
        };
    }
    let pages = total(efi_all);
    let counted = m.freed_counted;
    let (ok, detail) = match m.kernel {
        Kernel::Old => (
            counted == pages,
            format!("counted {counted} B, released {pages} B"),
        ),
        Kernel::New => {
            let over = counted.saturating_sub(pages);
            (
                counted >= pages,
                format!(
                    "counted {counted} B, released {pages} B: over-reports {over} B of memmap tail that is not a whole page"
                ),
            )
        }
    };
    InvariantResult {
        id: "I-12",
        statement,
        status: if ok { Status::Holds } else { Status::Fails },
        detail,
    }
}
