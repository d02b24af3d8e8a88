//! OLD/NEW differences D1..D24 (spec §4.2) detected on one input, in a reviewer's words, and
//! the cross-kernel invariants I-11 and I-13.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Attributes, MemoryType};

use super::events::Phase;
use super::invariants::{InvariantResult, Status};
use super::machine::Source;
use super::ranges::{ONE_MIB, Range, coalesce, describe, intersect_all, subtract};
use super::{Entry, Simulation};

/// One difference the input triggers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `D1` … `D24`.
    pub id: &'static str,
    pub title: &'static str,
    /// What happens on this input, and why.
    pub explanation: String,
}

/// The result of [`super::compare`].
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub differences: Vec<Difference>,
    /// I-11 and I-13.
    pub invariants: Vec<InvariantResult>,
    /// Pages free at the end of boot only under OLD / only under NEW (memmap buffers ignored).
    pub free_only_old: Vec<Range>,
    pub free_only_new: Vec<Range>,
}

impl Comparison {
    /// True when an invariant fails where the spec says it must hold, in either kernel or across them.
    pub fn any_invariant_failed(&self, old: &Simulation, new: &Simulation) -> bool {
        self.invariants
            .iter()
            .chain(old.phases.iter().flat_map(|p| &p.invariants))
            .chain(new.phases.iter().flat_map(|p| &p.invariants))
            .any(|i| i.status == Status::Fails)
    }
}

fn released(sim: &Simulation, phase: Phase, sources: &[Source]) -> Vec<Range> {
    coalesce(
        sim.phase(phase)
            .released
            .iter()
            .filter(|r| sources.contains(&r.source))
            .map(|r| r.range)
            .collect(),
    )
}

fn ids(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| &*e.id).collect()
}

pub fn compare(old: &Simulation, new: &Simulation) -> Comparison {
    let cfg = &new.config;
    let firmware = &old.phase(Phase::Firmware).memmap.entries;
    let bs: Vec<&Entry> = firmware.iter().filter(|e| e.is_bs()).collect();
    let mut d = Vec::new();
    let mut add = |id, title, explanation: String| {
        d.push(Difference {
            id,
            title,
            explanation,
        })
    };

    let all = [Source::MmInit, Source::EfiFree, Source::MemmapTail];
    let old_free = released(old, Phase::Compact, &[Source::MmInit, Source::EfiFree]);
    let new_free = released(new, Phase::Compact, &[Source::MmInit, Source::EfiFree]);
    let free_only_old = subtract(&old_free, &new_free);
    let free_only_new = subtract(&new_free, &old_free);
    let old_mm = released(old, Phase::MmInit, &all);
    let new_mm = released(new, Phase::MmInit, &all);
    let old_efi = released(old, Phase::Compact, &[Source::EfiFree]);
    let new_efi = released(new, Phase::Compact, &[Source::EfiFree]);

    // D1: early efi_mem_reserve inside Boot Data.
    for r in &cfg.mem_reserve_early {
        let Some(md) = bs.iter().find(|e| {
            e.desc.ty == MemoryType::BOOT_SERVICES_DATA
                && e.range().start <= r.addr
                && r.addr < e.range().end
        }) else {
            continue;
        };
        let early = subtract(&intersect_all(&new_mm, &[md.range()]), &old_mm);
        if !early.is_empty() {
            add(
                "D1",
                "Early efi_mem_reserve leaves the rest of its Boot Data region unprotected",
                format!(
                    "{} lies in {}. OLD splits the descriptor and keeps the head and tail reserved until the arch_initcall; NEW only marks the {} bytes RSRV_KERN and does not reserve the rest, so {} reach the page allocator at mm_init, before SetVirtualAddressMap, while firmware may still touch them.",
                    r.name,
                    md.id,
                    r.size,
                    describe(&early)
                ),
            );
        }
    }
    // D2: earlier plain reservations inside BS.
    for r in cfg.cfg_rsv.iter().chain(&cfg.early_rsv) {
        let rr = Range::new(r.addr, r.addr.saturating_add(r.size));
        if let Some(md) = bs.iter().find(|e| e.range().overlaps(rr)) {
            add(
                "D2",
                "An earlier reservation inside a boot-services region",
                format!(
                    "{} [{:#x},{:#x}) lies in {}. OLD tags the whole descriptor RUNTIME (it stays mapped and in the final map) but does not reserve the rest; NEW turns the reservation RSRV_KERN. In both, the unreserved rest of {} reaches the page allocator at mm_init.",
                    r.name, rr.start, rr.end, md.id, md.id
                ),
            );
        }
    }
    // D3: BS starting exactly at _end.
    for md in bs.iter().filter(|e| e.desc.phys == cfg.kernel.1) {
        add(
            "D3",
            "Boot-services region starting exactly at the kernel's _end",
            format!(
                "{} starts at _end ({:#x}). OLD's can_free_region uses an inclusive end test, counts it as overlapping the kernel and never frees it; NEW frees it.",
                md.id, cfg.kernel.1
            ),
        );
    }
    // D4: BS not entirely e820 RAM.
    for ev in old
        .events
        .iter()
        .filter(|e| e.message.contains("not entirely e820 RAM"))
    {
        add(
            "D4",
            "Boot-services region only partly e820 RAM",
            format!(
                "OLD: {}. NEW reserves it plain and, at free time, frees each reserved sub-range that is entirely RAM.",
                ev.message
            ),
        );
    }
    // D5: OLD lookup/span/allocation failure for an efi_mem_reserve.
    for note in old.notes.iter().filter(|n| {
        n.contains("Failed to lookup")
            || n.contains("Region spans")
            || n.contains("Could not allocate")
    }) {
        let name = note.split(':').next().unwrap_or("");
        let obj: Vec<Range> = cfg
            .mem_reserve_early
            .iter()
            .map(|r| (&r.name, r.addr, r.size))
            .chain(
                cfg.mem_reserve_late
                    .iter()
                    .map(|r| (&r.name, r.addr, r.size)),
            )
            .filter(|(n, _, _)| n.as_str() == name)
            .map(|(_, a, s)| Range::new(a, a.saturating_add(s)))
            .collect();
        let lost = intersect_all(&old_efi, &coalesce(obj));
        add(
            "D5",
            "efi_mem_reserve that OLD cannot split",
            format!(
                "OLD: \"{note}\" — no descriptor is tagged, so the object is protected only by memblock; {} of it is freed by OLD at the arch_initcall. NEW marks it RSRV_KERN and updates e820, so it is kept.",
                describe(&lost)
            ),
        );
    }
    // D6: e820 effect of efi_mem_reserve.
    if !cfg.mem_reserve_early.is_empty() || !cfg.mem_reserve_late.is_empty() {
        let (oe, ne) = (&old.end().e820, &new.end().e820);
        if oe != ne {
            add(
                "D6",
                "e820 effect of efi_mem_reserve",
                format!(
                    "OLD updates e820 page-rounded and only for a Boot Data descriptor it could split ({}); NEW retypes the exact bytes for any type ({}).",
                    old.notes
                        .iter()
                        .filter(|n| n.contains("e820"))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; "),
                    new.notes
                        .iter()
                        .filter(|n| n.contains("e820"))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            );
        }
    }
    // D7: below 1 MiB.
    let low: Vec<&str> = bs
        .iter()
        .filter(|e| e.desc.phys < ONE_MIB)
        .map(|e| &*e.id)
        .collect();
    let (ot, nt) = (old.end().trampoline, new.end().trampoline);
    if !low.is_empty() || ot != nt {
        add(
            "D7",
            "Boot-services memory below 1 MiB and the trampoline",
            format!(
                "BS below 1 MiB: {}. NEW never reserves BS below 1 MiB and frees only [1 MiB, end); OLD reserves (or, when already reserved, tags) the whole range. Trampoline: OLD {}, NEW {}.",
                if low.is_empty() {
                    "none".into()
                } else {
                    low.join(", ")
                },
                ot.map_or("none".into(), |t| format!("{t:#x}")),
                nt.map_or("none".into(), |t| format!("{t:#x}"))
            ),
        );
    }
    let (os, ns) = (old.svam.as_ref(), new.svam.as_ref());
    if let (Some(os), Some(ns)) = (os, ns) {
        // D8: order.
        if cfg.bits == 64
            && !cfg.mixed
            && os.entries.len() > 1
            && ids(&os.entries) != ids(&ns.entries)
        {
            add(
                "D8",
                "Runtime map order",
                format!(
                    "OLD builds the runtime map walking the firmware map backwards ({}); NEW filters in place and keeps firmware order ({}). The VAs per region are the same.",
                    ids(&os.entries)
                        .iter()
                        .take(6)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    ids(&ns.entries)
                        .iter()
                        .take(6)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        // D9: granularity.
        let merges = old.events.iter().any(|e| e.function == "efi_merge_regions");
        let splits = old
            .events
            .iter()
            .any(|e| e.function == "efi_arch_mem_reserve" && e.rule.contains("split"));
        let mut sa: Vec<_> = os
            .entries
            .iter()
            .map(|e| (e.desc.phys, e.desc.num_pages))
            .collect();
        let mut sb: Vec<_> = ns
            .entries
            .iter()
            .map(|e| (e.desc.phys, e.desc.num_pages))
            .collect();
        sa.sort_unstable();
        sb.sort_unstable();
        if splits || (merges && sa != sb) {
            add(
                "D9",
                "Entry granularity",
                format!(
                    "OLD {}{}; NEW neither splits nor (on 64-bit) merges, so its runtime map lists the firmware descriptors as they are.",
                    if splits {
                        "split descriptors for efi_mem_reserve"
                    } else {
                        ""
                    },
                    if merges {
                        format!(
                            "{}merged adjacent identical entries at SVAM",
                            if splits { " and " } else { "" }
                        )
                    } else {
                        String::new()
                    }
                ),
            );
        }
        // D10: tagged BS passed as runtime.
        let tagged: Vec<&str> = os
            .entries
            .iter()
            .filter(|e| e.is_bs() && e.kernel_tagged)
            .map(|e| &*e.id)
            .collect();
        if !tagged.is_empty() {
            add(
                "D10",
                "Kernel-tagged boot-services entries passed to firmware as runtime regions",
                format!(
                    "OLD passes {} to SetVirtualAddressMap with the RUNTIME bit it set itself, and keeps them mapped for ever; NEW passes boot-services entries without RUNTIME and unmaps them after SVAM.",
                    tagged.join(", ")
                ),
            );
        }
        // D14: SVAM size argument.
        if os.size_arg != ns.size_arg {
            add(
                "D14",
                "SetVirtualAddressMap size argument",
                format!(
                    "OLD passes {} bytes (the mapped entries only); NEW passes {} bytes, the pre-filter count, so firmware also receives the stale slots after the {} mapped entries.",
                    os.size_arg.unwrap_or(0),
                    ns.size_arg.unwrap_or(0),
                    ns.entries.len()
                ),
            );
        }
    }
    // D11: page 0 unmapped.
    if new.unmapped.iter().any(|(_, r)| r.start == 0) {
        add("D11", "Page 0 unmapped", "NEW unmaps the boot-services descriptor at page 0, which removes the 1:1 page-0 mapping efi_setup_page_tables made and efi_crash_gracefully_on_page_fault relies on; OLD keeps it (tagged RUNTIME).".into());
    }
    // Boot-services descriptors NEW keeps in its final map (partly freed ones, whole).
    let kept_bs: Vec<&str> = new
        .end()
        .memmap
        .entries
        .iter()
        .filter(|e| e.is_bs())
        .map(|e| &*e.id)
        .collect();
    // D12: final map content.
    let key = |e: &Entry| (e.desc.phys, e.desc.num_pages, e.desc.ty);
    let mut of: Vec<_> = old.end().memmap.entries.iter().map(key).collect();
    let mut nf: Vec<_> = new.end().memmap.entries.iter().map(key).collect();
    of.sort_unstable();
    nf.sort_unstable();
    if of != nf {
        let low_rt: Vec<&str> = old
            .end()
            .memmap
            .entries
            .iter()
            .filter(|e| e.range().end <= ONE_MIB && !e.is_bs())
            .map(|e| &*e.id)
            .collect();
        add(
            "D12",
            "Final memory map content",
            format!(
                "OLD ends with {} entries, NEW with {}. NEW keeps partly freed boot-services descriptors whole ({}); NEW drops every entry wholly below 1 MiB, runtime ones included ({}){}.",
                of.len(),
                nf.len(),
                if kept_bs.is_empty() {
                    "none".into()
                } else {
                    kept_bs.join(", ")
                },
                if low_rt.is_empty() {
                    "none here".into()
                } else {
                    low_rt.join(", ")
                },
                if cfg.mixed {
                    "; in mixed mode NEW also drops the Conventional/Loader entries OLD keeps"
                } else {
                    ""
                }
            ),
        );
    }
    // D13: allocations.
    let allocs: Vec<String> = old
        .end()
        .memmap
        .history
        .iter()
        .filter(|b| b.allocator != super::Allocator::Firmware)
        .map(|b| {
            format!(
                "{} {} B{}",
                b.purpose,
                b.bytes,
                b.phys.map_or(String::new(), |p| format!(" @{p:#x}"))
            )
        })
        .collect();
    if !allocs.is_empty() {
        add(
            "D13",
            "Memory-map allocations",
            format!(
                "OLD allocates {} buffers for the map ({}); NEW allocates none and returns the unused tail.",
                allocs.len(),
                allocs.join("; ")
            ),
        );
    }
    // D15: kexec.
    if cfg.kexec || !kept_bs.is_empty() {
        add(
            "D15",
            "What a kexec'd kernel inherits",
            format!(
                "NEW's final map keeps whole boot-services descriptors ({}); a kernel started by kexec reserves them whole and never frees them. OLD's final map keeps only the exact tagged pieces.",
                if kept_bs.is_empty() {
                    "none".into()
                } else {
                    kept_bs.join(", ")
                }
            ),
        );
    }
    // D16: SVAM failure.
    if cfg.svam_fail && !new_efi.is_empty() {
        add(
            "D16",
            "Freeing after a failed SetVirtualAddressMap",
            format!(
                "SVAM failed. OLD never frees boot-services memory then; NEW still frees {} at the arch_initcall.",
                describe(&new_efi)
            ),
        );
    }
    if cfg.bits == 32 {
        add("D17", "32-bit kernel", "The 32-bit runtime map holds only RUNTIME entries, so neither kernel frees boot-services memory at the arch_initcall; with an early efi_mem_reserve NEW releases head and tail at mm_init while OLD keeps them.".into());
    }
    if cfg.efi_dbg {
        add(
            "D18",
            "efi=debug",
            format!(
                "OLD neither unmaps, frees nor compacts. NEW unmaps {} boot-services entries but does not free or compact.",
                new.unmapped.len()
            ),
        );
    }
    if old.free_message != new.free_message {
        add(
            "D19",
            "The freed-KiB message",
            format!(
                "OLD: {}; NEW: {}. NEW adds the byte count of the unused memmap tail, so it prints a line even when no boot-services page was freed.",
                old.free_message.as_deref().unwrap_or("(not printed)"),
                new.free_message.as_deref().unwrap_or("(not printed)")
            ),
        );
    }
    for (id, title) in [
        ("D20", "memblock.reserved used after memblock_discard()"),
        ("D22", "Memmap under-mapped for SetVirtualAddressMap"),
        ("D24", "Memmap tail freed from non-RAM"),
    ] {
        for h in new.hazards.iter().filter(|h| h.starts_with(id)) {
            add(id, title, format!("NEW: {h}"));
        }
    }
    for md in bs
        .iter()
        .filter(|e| e.desc.attr.contains(Attributes::RUNTIME))
    {
        add(
            "D21",
            "Boot-services region with a firmware RUNTIME bit",
            format!(
                "{} carries RUNTIME from firmware. OLD keeps it reserved and mapped for ever; NEW unmaps and frees it but keeps the descriptor (RUNTIME) in the final map, so firmware and a kexec'd kernel still treat memory the kernel reuses as a runtime region.",
                md.id
            ),
        );
    }
    for h in old.hazards.iter().filter(|h| h.contains("D23")) {
        add(
            "D23",
            "ranges_to_free terminator outside its allocation",
            format!("OLD: {h}"),
        );
    }
    d.sort_by_key(|x| x.id[1..].parse::<u32>().unwrap_or(0));

    let invariants = vec![
        va_check(old, new),
        free_set_check(&free_only_old, &free_only_new, &d),
    ];
    Comparison {
        differences: d,
        invariants,
        free_only_old,
        free_only_new,
    }
}

fn va_check(old: &Simulation, new: &Simulation) -> InvariantResult {
    let statement = "Same runtime entries in the same order get the same virt_addr in both kernels";
    let (Some(os), Some(ns)) = (&old.svam, &new.svam) else {
        return InvariantResult {
            id: "I-11",
            statement,
            status: Status::NotApplicable,
            detail: "no SVAM".into(),
        };
    };
    let va = |s: &super::SvamCall| -> HashMap<(u64, u64), Option<u64>> {
        s.passed()
            .map(|(e, v)| ((e.desc.phys, e.desc.num_pages), v))
            .collect()
    };
    let (a, b) = (va(os), va(ns));
    let mut ka: Vec<_> = a.keys().collect();
    let mut kb: Vec<_> = b.keys().collect();
    ka.sort_unstable();
    kb.sort_unstable();
    if ka != kb {
        return InvariantResult {
            id: "I-11",
            statement,
            status: Status::NotApplicable,
            detail: "the entry sets differ (splits, merges or tags)".into(),
        };
    }
    let bad: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(k) != Some(v))
        .map(|(k, _)| format!("{:#x}", k.0))
        .collect();
    InvariantResult::from_offenders("I-11", statement, &bad)
}

fn free_set_check(only_old: &[Range], only_new: &[Range], d: &[Difference]) -> InvariantResult {
    let statement = "OLD and NEW end with the same free pages (plain inputs only)";
    if only_old.is_empty() && only_new.is_empty() {
        return InvariantResult {
            id: "I-13",
            statement,
            status: Status::Holds,
            detail: String::new(),
        };
    }
    let detail = format!(
        "only OLD: {}; only NEW: {}",
        describe(only_old),
        describe(only_new)
    );
    InvariantResult {
        id: "I-13",
        statement,
        // Not a plain input when some difference explains it: the spec expects this.
        status: if d.is_empty() {
            Status::Fails
        } else {
            Status::FailsByDesign
        },
        detail,
    }
}
