//! Property tests of the simulator over random maps and reservation sets (docs/robustness.md).
//!
//! The invariants are recomputed here from the simulator's public output (released ranges with
//! their source, snapshots, the SVAM call, the final map) against the spec's §4.1 wording,
//! not read back from the simulator's own verdicts — those are checked too, as a second opinion.
//! Maps follow the spec's §5.1 conventions: its PREFIX (kernel image, memmap buffer), random
//! entries from 1 GiB, and its SUFFIX (runtime regions).

use efiviz_core::model::{Attributes, Descriptor, E820Type, MemoryType};
use efiviz_core::sim::ranges::{ONE_MIB, PAGE, Range, coalesce, intersect_all, subtract, total};
use efiviz_core::sim::{
    self, Allocator, Kernel, MemReserve, Phase, PlainReserve, SimInput, Simulation, Source, Status,
};
use proptest::prelude::*;
use proptest::sample::Index;

const RUN: u64 = Attributes::RUNTIME;
const WB4: u64 = 0xf;
const FIRST: u64 = 0x4000_0000;

fn desc(ty: MemoryType, phys: u64, pages: u64, attr: u64) -> Descriptor {
    Descriptor {
        ty,
        phys,
        num_pages: pages,
        virt: 0,
        attr: Attributes(attr),
    }
}

/// Spec §5.1 PREFIX; `low_bs` turns the first 16 pages into Boot Data (below 1 MiB, page 0).
fn prefix(low_bs: bool) -> Vec<Descriptor> {
    let mut v = if low_bs {
        vec![
            desc(MemoryType::BOOT_SERVICES_DATA, 0, 0x10, WB4),
            desc(MemoryType::CONVENTIONAL, 0x10000, 0x8f, WB4),
        ]
    } else {
        vec![desc(MemoryType::CONVENTIONAL, 0, 0x9f, WB4)]
    };
    v.extend([
        desc(MemoryType::RESERVED, 0x9f000, 0x61, 0),
        desc(MemoryType::CONVENTIONAL, 0x10_0000, 0xf00, WB4),
        desc(MemoryType::LOADER_DATA, 0x100_0000, 0x1000, WB4),
        desc(MemoryType::LOADER_DATA, 0x200_0000, 0x1, WB4),
        desc(MemoryType::CONVENTIONAL, 0x200_1000, 0x3dfff, WB4),
    ]);
    v
}

/// Spec §5.1 SUFFIX, after a Conventional filler from `from` to 0x7F000000.
fn suffix(from: u64) -> Vec<Descriptor> {
    vec![
        desc(
            MemoryType::CONVENTIONAL,
            from,
            (0x7f00_0000 - from) / PAGE,
            WB4,
        ),
        desc(
            MemoryType::RUNTIME_SERVICES_CODE,
            0x7f00_0000,
            0x100,
            RUN | WB4,
        ),
        desc(
            MemoryType::RUNTIME_SERVICES_DATA,
            0x7f10_0000,
            0x100,
            RUN | WB4,
        ),
        desc(MemoryType::CONVENTIONAL, 0x7f20_0000, 0xe00, WB4),
    ]
}

/// The types random entries take, with the attributes firmware gives them.
fn entry_kind() -> impl Strategy<Value = (MemoryType, u64)> {
    prop_oneof![
        3 => Just((MemoryType::BOOT_SERVICES_DATA, WB4)),
        3 => Just((MemoryType::BOOT_SERVICES_CODE, WB4)),
        2 => Just((MemoryType::CONVENTIONAL, WB4)),
        1 => Just((MemoryType::LOADER_DATA, WB4)),
        1 => Just((MemoryType::ACPI_RECLAIM, WB4)),
        1 => Just((MemoryType::ACPI_NVS, WB4)),
        1 => Just((MemoryType::RESERVED, 0)),
        1 => Just((MemoryType::RUNTIME_SERVICES_CODE, RUN | WB4)),
        1 => Just((MemoryType::RUNTIME_SERVICES_DATA, RUN | WB4)),
    ]
}

/// A valid map: PREFIX, up to 40 random entries from 1 GiB (some adjacent, some with gaps),
/// filler and SUFFIX, in address order.
fn valid_map(low_bs: bool) -> impl Strategy<Value = Vec<Descriptor>> {
    prop::collection::vec((entry_kind(), 1u64..=64, 0u64..=2), 1..40).prop_map(move |entries| {
        let mut map = prefix(low_bs);
        let mut at = FIRST;
        for ((ty, attr), pages, gap) in entries {
            at += gap * PAGE;
            map.push(desc(ty, at, pages, attr));
            at += pages * PAGE;
        }
        map.extend(suffix(at));
        map
    })
}

fn input(descs: Vec<Descriptor>) -> SimInput {
    let ids = (0..descs.len())
        .map(|i| format!("mem{i:02}").into())
        .collect();
    SimInput {
        descs,
        ids,
        ..SimInput::default()
    }
}

/// A range inside descriptor `pick` of `map`: an object a reservation protects.
fn object_in(map: &[Descriptor], pick: Index, offset: u64, size: u64) -> (u64, u64) {
    let d = map[pick.index(map.len())];
    let bytes = d.num_pages * PAGE;
    let start = d.phys + offset % bytes;
    (start, size.min(d.phys + bytes - start).max(1))
}

/// Reservations and knobs that make an input non-plain, each a trigger of some D-difference.
#[derive(Clone, Debug)]
struct Twists {
    low_bs: bool,
    esrt: Option<(Index, u64, u64)>,
    bgrt: Option<(Index, u64, u64)>,
    tpm: Option<(Index, u64, u64)>,
    initrd: Option<(Index, u64, u64)>,
    runtime_bs: Option<Index>,
    bits32: bool,
    efi_dbg: bool,
    svam_fail: bool,
}

fn reservation() -> impl Strategy<Value = Option<(Index, u64, u64)>> {
    prop::option::weighted(0.4, (any::<Index>(), any::<u64>(), 1u64..0x6000))
}

fn twists() -> impl Strategy<Value = Twists> {
    (
        prop::bool::weighted(0.2),
        reservation(),
        reservation(),
        reservation(),
        reservation(),
        prop::option::weighted(0.2, any::<Index>()),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(low_bs, esrt, bgrt, tpm, initrd, runtime_bs, bits32, efi_dbg, svam_fail)| Twists {
                low_bs,
                esrt,
                bgrt,
                tpm,
                initrd,
                runtime_bs,
                bits32,
                efi_dbg,
                svam_fail,
            },
        )
}

fn twisted_input() -> impl Strategy<Value = (SimInput, Twists)> {
    twists().prop_flat_map(|t| {
        valid_map(t.low_bs).prop_map(move |mut map| {
            if let Some(pick) = t.runtime_bs {
                let bs: Vec<usize> = (0..map.len())
                    .filter(|&i| map[i].ty.is_boot_services())
                    .collect();
                if !bs.is_empty() {
                    map[bs[pick.index(bs.len())]].attr.0 |= RUN;
                }
            }
            let plain = |r: Option<(Index, u64, u64)>, name: &str, kern: bool| {
                r.map(|(pick, off, size)| {
                    let (addr, size) = object_in(&map, pick, off, size);
                    PlainReserve {
                        name: name.into(),
                        addr,
                        size,
                        kern,
                    }
                })
            };
            let mut inp = input(map.clone());
            let cfg = &mut inp.config;
            cfg.mem_reserve_early = t
                .esrt
                .map(|(pick, off, size)| {
                    let (addr, size) = object_in(&map, pick, off, size);
                    MemReserve {
                        name: "ESRT".into(),
                        addr,
                        size,
                        only_if_boot_data: true,
                    }
                })
                .into_iter()
                .collect();
            cfg.mem_reserve_late = plain(t.bgrt, "BGRT", false).into_iter().collect();
            cfg.cfg_rsv = plain(t.tpm, "TPMEventLog", false).into_iter().collect();
            cfg.early_rsv = plain(t.initrd, "initrd", true).into_iter().collect();
            cfg.bits = if t.bits32 { 32 } else { 64 };
            cfg.efi_dbg = t.efi_dbg;
            cfg.svam_fail = t.svam_fail;
            (inp, t.clone())
        })
    })
}

fn released(s: &Simulation, sources: &[Source]) -> Vec<Range> {
    coalesce(
        s.end()
            .released
            .iter()
            .filter(|r| sources.contains(&r.source))
            .map(|r| r.range)
            .collect(),
    )
}

fn ranges<'a>(descs: impl Iterator<Item = &'a Descriptor>) -> Vec<Range> {
    coalesce(
        descs
            .map(|d| Range::new(d.phys, d.phys + d.num_pages * PAGE))
            .collect(),
    )
}

/// I-1..I-12 on one kernel's boot, from its public output.
fn check_invariants(input: &SimInput, s: &Simulation) -> Result<(), TestCaseError> {
    let cfg = &input.config;
    let new = s.kernel == Kernel::New;
    let efi = released(s, &[Source::EfiFree]);
    let efi_all = released(s, &[Source::EfiFree, Source::MemmapTail]);
    let mm = released(s, &[Source::MmInit]);
    let all = released(s, &[Source::EfiFree, Source::MemmapTail, Source::MmInit]);

    // I-1
    prop_assert!(
        efi_all.iter().all(|r| r.start >= ONE_MIB),
        "I-1: EFI code freed below 1 MiB: {efi_all:x?}"
    );
    // I-2 (the BS pieces at SVAM all lie inside the firmware's BS descriptors)
    let bs = ranges(input.descs.iter().filter(|d| d.ty.is_boot_services()));
    prop_assert!(
        subtract(&efi, &bs).is_empty(),
        "I-2: freed outside boot services: {:x?}",
        subtract(&efi, &bs)
    );
    // I-3: firmware runtime regions are never freed (NEW frees a firmware-RUNTIME BS: D21),
    // nor, in NEW, anything reserved RSRV_KERN.
    let runtime = ranges(
        input
            .descs
            .iter()
            .filter(|d| d.attr.is_runtime() && !(new && d.ty.is_boot_services())),
    );
    prop_assert!(
        intersect_all(&efi_all, &runtime).is_empty(),
        "I-3: runtime memory freed"
    );
    if new {
        let kern = coalesce(
            s.phase(Phase::Free)
                .memblock_reserved
                .iter()
                .filter(|r| r.is_kern())
                .map(|r| r.range())
                .collect(),
        );
        prop_assert!(
            intersect_all(&efi_all, &kern).is_empty(),
            "I-3: RSRV_KERN memory freed"
        );
    }
    // I-4: disjoint sources, and no page released twice within one source.
    prop_assert!(
        intersect_all(&mm, &efi_all).is_empty(),
        "I-4: released twice"
    );
    let raw: u64 = s.end().released.iter().map(|r| r.range.len()).sum();
    prop_assert_eq!(raw, total(&all), "I-4: overlapping releases");
    // I-5 against the e820 table at free time.
    let ram = coalesce(
        s.phase(Phase::Free)
            .e820
            .iter()
            .filter(|e| e.kind == E820Type::USABLE)
            .map(|e| Range::new(e.start, e.end))
            .collect(),
    );
    prop_assert!(
        subtract(&efi_all, &ram).is_empty(),
        "I-5: freed memory that is not RAM"
    );
    // I-6
    let image = [Range::new(cfg.kernel.0, cfg.kernel.1)];
    prop_assert!(
        intersect_all(&all, &image).is_empty(),
        "I-6: kernel image released"
    );
    if new {
        // I-7: only the firmware's buffer, ever.
        let history = &s.end().memmap.history;
        prop_assert!(
            history.iter().all(|b| b.allocator == Allocator::Firmware),
            "I-7"
        );
        // I-8: the valid count never grows after efi_init.
        let counts: Vec<usize> = s.phases.iter().map(|p| p.memmap.entries.len()).collect();
        prop_assert!(
            counts.windows(2).all(|w| w[1] <= w[0]),
            "I-8: counts {counts:?}"
        );
    }
    let svam_ok = s.svam.as_ref().is_some_and(|c| c.succeeded);
    let native = cfg.bits == 64 && !cfg.mixed;
    if new && svam_ok && native {
        // I-9: no boot-services memory stays mapped after unmap.
        for p in &s.phases[Phase::ALL
            .iter()
            .position(|p| *p == Phase::Unmap)
            .unwrap_or(0)..]
        {
            let mapped = coalesce(p.page_table.iter().map(|m| m.phys).collect());
            prop_assert!(
                intersect_all(&mapped, &bs).is_empty(),
                "I-9: BS still mapped after {:?}",
                p.phase
            );
        }
    }
    if new && svam_ok && native && !cfg.efi_dbg {
        // I-10 (NEW rule)
        for e in &s.end().memmap.entries {
            let above = Range::new(e.range().start.max(ONE_MIB), e.range().end);
            let freed = !above.is_empty() && subtract(&[above], &efi).is_empty();
            prop_assert!(
                e.is_runtime() || (e.is_bs() && !above.is_empty() && !freed),
                "I-10: {} stays in the final map",
                e.id
            );
        }
    }
    if !new && svam_ok && native && !cfg.efi_dbg {
        // I-10 (OLD rule)
        for e in &s.end().memmap.entries {
            prop_assert!(!e.is_bs() || e.is_runtime(), "I-10: {} stays", e.id);
        }
    }
    // I-12: exact in OLD; NEW counts the memmap tail's bytes, whole pages or not.
    if let Some(kib) = s.freed_kib {
        let bytes = total(&efi_all);
        if new {
            let tail_bytes = input.descs.len() as u64 * u64::from(cfg.desc_size);
            prop_assert!(kib * 1024 + 1023 >= bytes, "I-12: {kib}K for {bytes} B");
            prop_assert!(
                kib * 1024 <= bytes + tail_bytes,
                "I-12: {kib}K for {bytes} B"
            );
        } else {
            prop_assert_eq!(kib, bytes / 1024, "I-12");
        }
    }
    // Second opinion: the simulator's own verdicts never say "fails where it must hold".
    for p in &s.phases {
        for r in &p.invariants {
            prop_assert!(
                r.status != Status::Fails,
                "{:?}: {} {}",
                p.phase,
                r.id,
                r.detail
            );
        }
    }
    Ok(())
}

/// I-11: runtime entries both kernels pass to SVAM get the same VA when the sets are equal.
fn check_va(old: &Simulation, new: &Simulation) -> Result<(), TestCaseError> {
    let (Some(o), Some(n)) = (&old.svam, &new.svam) else {
        return Ok(());
    };
    let key = |c: &sim::SvamCall| {
        let mut v: Vec<_> = c
            .passed()
            .map(|(e, va)| (e.desc.phys, e.desc.num_pages, va))
            .collect();
        v.sort_unstable();
        v
    };
    let (a, b) = (key(o), key(n));
    let same_set = a
        .iter()
        .map(|x| (x.0, x.1))
        .eq(b.iter().map(|x| (x.0, x.1)));
    if same_set {
        prop_assert_eq!(a, b, "I-11: same entries, different VAs");
    }
    Ok(())
}

/// Pages free at the end of boot: mm_init plus EFI code (the memmap tail and the OLD buffer
/// allocations are left out, as §4.1 I-13 says).
fn free_pages(s: &Simulation) -> Vec<Range> {
    released(s, &[Source::MmInit, Source::EfiFree])
}

fn boot(input: &SimInput) -> (Simulation, Simulation, sim::Comparison) {
    let old = sim::simulate(input, Kernel::Old);
    let new = sim::simulate(input, Kernel::New);
    let cmp = sim::compare(&old, &new);
    (old, new, cmp)
}

fn ids(cmp: &sim::Comparison) -> Vec<&'static str> {
    cmp.differences.iter().map(|d| d.id).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Plain inputs (§4.1 I-13's conditions): every invariant holds in both kernels and both
    /// end with exactly the same free pages.
    #[test]
    fn plain_maps_free_the_same_pages(map in valid_map(false)) {
        let input = input(map);
        let (old, new, cmp) = boot(&input);
        check_invariants(&input, &old)?;
        check_invariants(&input, &new)?;
        check_va(&old, &new)?;
        prop_assert_eq!(free_pages(&old), free_pages(&new), "I-13 on a plain input");
        let i13 = cmp.invariants.iter().find(|r| r.id == "I-13").map(|r| r.status);
        prop_assert_eq!(i13, Some(Status::Holds));
    }

    /// Reservations, low BS, firmware-RUNTIME BS, 32-bit, efi=debug, SVAM failure: the
    /// invariants still hold, any difference in free pages is explained by a named
    /// D-difference, and each trigger of §4.2 is named.
    #[test]
    fn other_inputs_differ_only_by_named_differences((input, t) in twisted_input()) {
        let (old, new, cmp) = boot(&input);
        check_invariants(&input, &old)?;
        check_invariants(&input, &new)?;
        check_va(&old, &new)?;
        let named = ids(&cmp);
        prop_assert!(named.iter().all(|id| {
            id.strip_prefix('D').and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| (1..=24).contains(&n))
        }), "not a D-number: {named:?}");
        if free_pages(&old) != free_pages(&new) {
            prop_assert!(!named.is_empty(), "free pages differ with no D-difference named");
        }
        let bs = |r: &PlainReserve| input.descs.iter().any(|d| {
            d.ty.is_boot_services()
                && Range::new(d.phys, d.phys + d.num_pages * PAGE).overlaps(Range::new(r.addr, r.addr + r.size))
        });
        let mut expect: Vec<&str> = Vec::new();
        if t.low_bs { expect.push("D7"); }
        if t.efi_dbg { expect.push("D18"); }
        if t.bits32 { expect.push("D17"); }
        if input.descs.iter().any(|d| d.ty.is_boot_services() && d.attr.is_runtime()) {
            expect.push("D21");
        }
        if input.config.cfg_rsv.iter().chain(&input.config.early_rsv).any(bs) {
            expect.push("D2");
        }
        for id in expect {
            prop_assert!(named.contains(&id), "{id} not named: {named:?}");
        }
    }

    /// Any descriptors at all — overlapping, unsorted, zero-sized, past 2^64, unknown types —
    /// and any knobs: no panic, and the same input always gives the same boot.
    #[test]
    fn any_map_is_deterministic_and_never_panics(
        raw in prop::collection::vec(
            (0u32..20, any::<u64>(), prop_oneof![Just(0u64), 1u64..0x400, any::<u64>()], any::<u64>()),
            0..24,
        ),
        knobs in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let mut inp = input(raw.iter().map(|&(ty, phys, pages, attr)| {
            // Half the entries page-aligned, so lookups and splits are exercised too.
            let phys = if attr & 1 == 0 { phys & !0xfff } else { phys };
            desc(MemoryType(ty), phys, pages, attr)
        }).collect());
        let (bits32, mixed, efi_dbg, svam_fail, kexec) = knobs;
        let cfg = &mut inp.config;
        cfg.bits = if bits32 { 32 } else { 64 };
        cfg.mixed = mixed && !bits32;
        cfg.efi_dbg = efi_dbg;
        cfg.svam_fail = svam_fail;
        cfg.kexec = kexec;
        if let Some(&(_, phys, _, _)) = raw.first() {
            cfg.mem_reserve_early = vec![MemReserve { name: "ESRT".into(), addr: phys, size: 0x1000, only_if_boot_data: true }];
            cfg.mem_reserve_late = vec![PlainReserve { name: "BGRT".into(), addr: phys.wrapping_add(0x800), size: 0x3000, kern: false }];
        }
        let (old, new, cmp) = boot(&inp);
        let (old2, new2, cmp2) = boot(&inp);
        prop_assert_eq!(json(&old), json(&old2));
        prop_assert_eq!(json(&new), json(&new2));
        prop_assert_eq!(json(&cmp), json(&cmp2));
    }
}

/// Serialising is the simplest deep equality for outputs that do not implement `PartialEq`.
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("simulation output serialises")
}
