//! The adapter from the simulator to the timeline: one [`Step`] per simulated phase, each
//! kernel's snapshot painted onto the firmware map, plus the differences and invariants.

use serde::{Deserialize, Serialize};

use super::firmware::{firmware_lane, type_state};
use super::paint::Painter;
use super::region::{Lane, Region, RegionState};
use super::story::{Happening, KernelStep, MemmapCell, MemmapView, Step, Story};
use super::units::hex;
use crate::sim::{
    self, Fate, MappingKind, Phase, PhaseSnapshot, Provenance, RSRV_KERN, SimInput, Simulation,
    Source, Status,
};

/// One difference or invariant result for the compare panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub title: String,
    /// `holds`, `fails`, … for invariants; `None` for differences.
    pub status: Option<String>,
    /// Which kernel an invariant was checked on (`OLD`, `NEW`, or `both` for I-11/I-13).
    pub scope: String,
    pub detail: String,
}

/// What compare mode lists: the D-differences the input triggers and every invariant result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub differences: Vec<Finding>,
    pub invariants: Vec<Finding>,
    /// Freed-KiB messages (`Freeing EFI boot services memory: NK`), OLD then NEW.
    pub free_messages: [Option<String>; 2],
}

/// Simulates both kernels on `input` and lays the boot out as steps.
pub fn simulated_story(input: &SimInput) -> Story {
    let old = sim::simulate(input, sim::Kernel::Old);
    let new = sim::simulate(input, sim::Kernel::New);
    let comparison = sim::compare(&old, &new);
    let base = firmware_lane("firmware map", &input.descs);
    let logs = [split_log(&old.log_lines), split_log(&new.log_lines)];
    let steps = Phase::ALL
        .iter()
        .enumerate()
        .map(|(i, &phase)| {
            let old_step = kernel_step(&old, i, &base, &logs[0]);
            let new_step = kernel_step(&new, i, &base, &logs[1]);
            let by = |s: &Simulation| snapshot(s, i).map_or("", |p| p.performed_by);
            let function = if by(&old) == by(&new) {
                format!("{}()", by(&old))
            } else {
                format!("OLD {}(), NEW {}()", by(&old), by(&new))
            };
            Step::new(phase.name(), &function, old_step, new_step)
        })
        .collect();
    let invariant = |scope: &str, r: &sim::InvariantResult| Finding {
        id: r.id.to_owned(),
        title: r.statement.to_owned(),
        status: Some(status_name(r.status).to_owned()),
        scope: scope.to_owned(),
        detail: r.detail.clone(),
    };
    let findings = Findings {
        differences: comparison
            .differences
            .iter()
            .map(|d| Finding {
                id: d.id.to_owned(),
                title: d.title.to_owned(),
                status: None,
                scope: "both".to_owned(),
                detail: d.explanation.clone(),
            })
            .collect(),
        invariants: old
            .invariants()
            .iter()
            .map(|r| invariant("OLD", r))
            .chain(new.invariants().iter().map(|r| invariant("NEW", r)))
            .chain(comparison.invariants.iter().map(|r| invariant("both", r)))
            .collect(),
        free_messages: [old.free_message.clone(), new.free_message.clone()],
    };
    Story::new(steps).with_findings(findings)
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Holds => "holds",
        Status::Fails => "fails",
        Status::FailsByDesign => "fails by design",
        Status::NotApplicable => "n/a",
    }
}

fn snapshot(sim: &Simulation, i: usize) -> Option<&PhaseSnapshot> {
    sim.phases.get(i).or(sim.phases.last())
}

/// The simulator keeps one kernel log for the whole boot; this attributes its lines to the
/// phase that prints them: the runtime map to SVAM, the freed-KiB line to free, and
/// everything else (the boot map, reservation messages) to setup_arch's reserve phase.
fn split_log(lines: &[String]) -> Vec<Vec<String>> {
    let mut by_phase = vec![Vec::new(); Phase::ALL.len()];
    let index = |p: Phase| Phase::ALL.iter().position(|&q| q == p).unwrap_or(0);
    let mut in_runtime_map = false;
    for line in lines {
        let phase = if line.contains("EFI runtime memory map") {
            in_runtime_map = true;
            Phase::Svam
        } else if in_runtime_map && line.contains("efi: mem") {
            Phase::Svam
        } else if line.contains("Freeing EFI boot services memory") {
            Phase::Free
        } else {
            in_runtime_map = false;
            Phase::Reserve
        };
        by_phase[index(phase)].push(line.clone());
    }
    by_phase
}

fn kernel_step(sim: &Simulation, i: usize, base: &Lane, logs: &[Vec<String>]) -> KernelStep {
    let Some(snap) = snapshot(sim, i) else {
        return KernelStep::default();
    };
    KernelStep {
        lane: paint_snapshot(sim, snap, base),
        happenings: sim
            .events
            .iter()
            .filter(|e| e.phase == snap.phase)
            .map(|e| Happening {
                function: e.function.to_owned(),
                rule: e.rule.to_owned(),
                patch: e.patch.map(str::to_owned),
                text: e.message.clone(),
            })
            .collect(),
        log: logs.get(i).cloned().unwrap_or_default(),
        memmap: memmap_view(sim, snap),
    }
}

fn is_bs(r: &Region) -> bool {
    matches!(r.label.as_str(), "Boot Code" | "Boot Data")
}

/// The firmware map with this snapshot's state painted on, most specific layer last.
fn paint_snapshot(sim: &Simulation, snap: &PhaseSnapshot, base: &Lane) -> Lane {
    let mut p = Painter::new(base);
    let cfg = &sim.config;
    let all = |_: &Region| true;
    if snap.phase >= Phase::Reserve {
        for r in &snap.memblock_reserved {
            let note = "usable RAM held in memblock.reserved: it never reaches the page allocator";
            p.paint((r.start, r.end), RegionState::HeldRam, note, |r| {
                r.state == RegionState::FreeRam
            });
        }
        for r in &sim.boot_services_reserved {
            let note = "reserved by efi_reserve_boot_services() until the free phase";
            p.paint((r.start, r.end), RegionState::BootServices, note, is_bs);
        }
        for r in snap
            .memblock_reserved
            .iter()
            .filter(|r| r.flags & RSRV_KERN != 0)
        {
            let note = "memblock.reserved with RSRV_KERN: the kernel keeps it";
            p.paint((r.start, r.end), RegionState::RsrvKern, note, is_bs);
        }
        for e in snap.memmap.entries.iter().filter(|e| e.kernel_tagged) {
            let r = e.range();
            let note = "tagged EFI_MEMORY_RUNTIME by the kernel: never freed";
            p.paint((r.start, r.end), RegionState::RsrvKern, note, is_bs);
        }
    }
    if snap.phase >= Phase::Svam {
        for m in snap
            .page_table
            .iter()
            .filter(|m| m.kind == MappingKind::Identity)
        {
            let note = "boot services, still mapped in the EFI page table";
            p.paint(
                (m.phys.start, m.phys.end),
                RegionState::MappedBs,
                note,
                |r| r.state == RegionState::BootServices,
            );
        }
    }
    if snap.phase >= Phase::Reserve {
        let note = "kernel image [_text, _end), reserved by early_reserve_memory()";
        p.paint(cfg.kernel, RegionState::KernelImage, note, all);
    }
    if let Some(t) = snap.trampoline {
        let note = "real-mode trampoline, allocated below 1 MiB by reserve_real_mode()";
        p.paint(
            (t, t.saturating_add(cfg.rm_size)),
            RegionState::Trampoline,
            note,
            all,
        );
    }
    for b in &snap.memmap.history {
        if let (Some(phys), Fate::Leaked) = (b.phys, b.fate) {
            let note = format!("{}: replaced and never freed", b.purpose);
            p.paint(
                (phys, phys.saturating_add(b.bytes)),
                RegionState::LeakedBuffer,
                &note,
                all,
            );
        }
    }
    if let Some(phys) = snap.memmap.buffer.phys {
        let note = format!(
            "the current efi.memmap buffer ({})",
            snap.memmap.buffer.purpose
        );
        let end = phys.saturating_add(snap.memmap.buffer.bytes);
        p.paint((phys, end), RegionState::MemmapBuffer, &note, all);
    }
    for rel in &snap.released {
        let (state, note) = match rel.source {
            Source::MmInit => (
                RegionState::FreeRam,
                format!("handed to the page allocator at mm_init ({})", rel.owner),
            ),
            Source::EfiFree => (
                RegionState::FreedByEfi,
                format!("freed by efi_free_boot_services() ({})", rel.owner),
            ),
            Source::MemmapTail => (
                RegionState::FreedByEfi,
                "the memmap buffer's unused tail, freed (patch 19)".to_owned(),
            ),
        };
        let (start, end) = (rel.range.start, rel.range.end);
        p.paint((start, end), state, &note, |_| true);
    }
    add_facts(&mut p, snap, &named_reservations(sim));
    p.finish(snap.phase.name())
}

/// Every reservation the boot makes by name (ESRT, BGRT, TPM log, initrd, …), sorted by start.
fn named_reservations(sim: &Simulation) -> Vec<(u64, u64, String)> {
    let cfg = &sim.config;
    let mut out: Vec<(u64, u64, String)> = cfg
        .mem_reserve_early
        .iter()
        .map(|r| (r.addr, r.size, &r.name))
        .chain(
            [&cfg.mem_reserve_late, &cfg.cfg_rsv, &cfg.early_rsv]
                .into_iter()
                .flatten()
                .map(|r| (r.addr, r.size, &r.name)),
        )
        .map(|(addr, size, name)| (addr, addr.saturating_add(size), name.clone()))
        .collect();
    out.sort();
    out
}

/// memblock flags, the EFI page-table mapping of each region's first byte, and the named
/// reservations inside it.
fn add_facts(p: &mut Painter, snap: &PhaseSnapshot, named: &[(u64, u64, String)]) {
    let reserved = &snap.memblock_reserved;
    let mut high: Vec<_> = snap
        .page_table
        .iter()
        .filter(|m| m.kind == MappingKind::HighVa)
        .collect();
    high.sort_by_key(|m| m.phys.start);
    for region in p.regions_mut() {
        let at = region.start;
        let i = reserved.partition_point(|r| r.end <= at);
        let memblock = match reserved.get(i).filter(|r| r.start <= at) {
            Some(r) if r.flags & RSRV_KERN != 0 => "reserved, RSRV_KERN".to_owned(),
            Some(r) if r.flags != 0 => format!("reserved, flags {:#x}", r.flags),
            Some(_) => "reserved".to_owned(),
            None => "not reserved".to_owned(),
        };
        region.facts.push(("memblock".into(), memblock));
        let j = high.partition_point(|m| m.phys.end <= at);
        if let Some(m) = high.get(j).filter(|m| m.phys.start <= at) {
            region
                .facts
                .push(("EFI VA".into(), hex(m.virt + (at - m.phys.start))));
        }
        let inside: Vec<String> = named
            .iter()
            .filter(|(start, end, _)| *start < region.end && region.start < *end)
            .map(|(start, end, name)| format!("{name} [{start:#x}, {end:#x})"))
            .collect();
        if !inside.is_empty() {
            region
                .facts
                .push(("Reservations".into(), inside.join("; ")));
        }
    }
}

fn memmap_view(sim: &Simulation, snap: &PhaseSnapshot) -> MemmapView {
    let memmap = &snap.memmap;
    let mut cells: Vec<MemmapCell> = memmap
        .entries
        .iter()
        .map(|e| {
            let r = e.range();
            MemmapCell {
                label: format!("{} {}", e.id, e.desc.ty.display_name()),
                start: r.start,
                end: r.end,
                state: if e.kernel_tagged {
                    RegionState::RsrvKern
                } else {
                    type_state(e.desc.ty)
                },
                stale: false,
                split: matches!(e.provenance, Provenance::Split { .. }),
            }
        })
        .collect();
    cells.extend((0..memmap.stale_slots).map(|_| MemmapCell {
        label: "stale slot past the valid entries".to_owned(),
        start: 0,
        end: 0,
        state: RegionState::Reserved,
        stale: true,
        split: false,
    }));
    let notes = memmap
        .history
        .iter()
        .map(|b| {
            let at = b
                .phys
                .map_or_else(|| "address not modelled".to_owned(), hex);
            format!(
                "{}: {:?} buffer of {} B at {at} for {} — {:?}",
                b.phase.name(),
                b.allocator,
                b.bytes,
                b.purpose,
                b.fate
            )
        })
        .collect();
    MemmapView {
        phys: memmap.buffer.phys,
        capacity_bytes: memmap.buffer.bytes,
        desc_size: sim.config.desc_size,
        cells,
        descriptors: memmap.entries.iter().map(|e| e.desc).collect(),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Kernel;

    /// The spec scenario S02 (ESRT in the middle of Boot Data) from the shared fixtures, with
    /// its expected values from the same file.
    fn s02() -> (Story, serde_json::Value) {
        let all: serde_json::Value =
            serde_json::from_str(include_str!("../../../../shared/fixtures/scenarios.json"))
                .expect("scenarios.json");
        let scenario = all["S02_esrt_middle"].clone();
        let input = SimInput::from_scenario(&scenario).expect("scenario input");
        (simulated_story(&input), scenario)
    }

    fn hex_of(v: &serde_json::Value) -> u64 {
        let text = v.as_str().expect("a hex string");
        u64::from_str_radix(text.trim_start_matches("0x"), 16).expect("hex")
    }

    fn state(story: &Story, step: Phase, kernel: Kernel, addr: u64) -> Option<RegionState> {
        let i = Phase::ALL.iter().position(|&p| p == step)?;
        Some(story.steps[i].kernel(kernel).lane.region_at(addr)?.state)
    }

    #[test]
    fn one_step_per_phase_with_names_and_happenings() {
        let (story, _) = s02();
        let names: Vec<&str> = story.steps.iter().map(|s| s.name.as_str()).collect();
        let expected: Vec<&str> = Phase::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, expected);
        let reserve = story.steps[1].kernel(Kernel::Old);
        assert!(
            reserve
                .happenings
                .iter()
                .any(|h| h.function == "efi_arch_mem_reserve")
        );
    }

    #[test]
    fn ranges_freed_by_efi_code_and_at_mm_init_are_painted_as_the_spec_expects() {
        let (story, spec) = s02();
        for range in spec["old"]["freed_by_efi"].as_array().expect("list") {
            let (start, end) = (hex_of(&range[0]), hex_of(&range[1]));
            assert_eq!(
                state(&story, Phase::Compact, Kernel::Old, start),
                Some(RegionState::FreedByEfi)
            );
            assert_eq!(
                state(&story, Phase::Compact, Kernel::Old, end - 1),
                Some(RegionState::FreedByEfi)
            );
            // NEW hands the same head and tail to the page allocator already at mm_init (D1).
            assert_eq!(
                state(&story, Phase::MmInit, Kernel::New, start),
                Some(RegionState::FreeRam)
            );
        }
        // The ESRT's page stays with the kernel in both.
        for kernel in [Kernel::Old, Kernel::New] {
            assert_eq!(
                state(&story, Phase::Compact, kernel, 0x4000_4f98),
                Some(RegionState::RsrvKern)
            );
        }
    }

    #[test]
    fn trampoline_and_leaked_split_buffer_sit_where_the_spec_puts_them() {
        let (story, spec) = s02();
        for (kernel, key) in [(Kernel::Old, "old"), (Kernel::New, "new")] {
            let at = hex_of(&spec[key]["trampoline"]);
            assert_eq!(
                state(&story, Phase::Compact, kernel, at),
                Some(RegionState::Trampoline)
            );
        }
        // OLD's 624-byte split buffer (allocations: reserve, memblock, 624, 0x9ed80) is leaked.
        let alloc = &spec["old"]["allocations"][0];
        assert_eq!(alloc[2].as_u64(), Some(624));
        let at = hex_of(&alloc[3]);
        assert_eq!(
            state(&story, Phase::Compact, Kernel::Old, at),
            Some(RegionState::LeakedBuffer)
        );
        assert_eq!(
            state(&story, Phase::Compact, Kernel::Old, at + 623),
            Some(RegionState::LeakedBuffer)
        );
    }

    #[test]
    fn conventional_ram_below_the_first_release_stays_held() {
        let (story, spec) = s02();
        // Nothing below the first range handed over at mm_init (1 MiB) reaches the allocator.
        let first_free = hex_of(&spec["new"]["free_at_mm_init"][0][0]);
        assert_eq!(first_free, 0x10_0000);
        assert_eq!(
            state(&story, Phase::Firmware, Kernel::New, 0x1_0000),
            Some(RegionState::FreeRam)
        );
        for phase in [Phase::Reserve, Phase::MmInit, Phase::Compact] {
            assert_eq!(
                state(&story, phase, Kernel::New, 0x1_0000),
                Some(RegionState::HeldRam)
            );
        }
        assert_eq!(
            state(&story, Phase::MmInit, Kernel::New, first_free),
            Some(RegionState::FreeRam)
        );
    }

    #[test]
    fn regions_name_the_reservations_inside_them() {
        let (story, spec) = s02();
        let esrt = &spec["config"]["mem_reserve_early"][0];
        let (addr, size) = (
            esrt[1].as_u64().expect("addr"),
            esrt[2].as_u64().expect("size"),
        );
        let lane = &story.steps[6].kernel(Kernel::New).lane;
        let region = lane.region_at(addr).expect("the ESRT's region");
        let facts: Vec<&str> = region.facts.iter().map(|(_, v)| v.as_str()).collect();
        let expected = format!("ESRT [{addr:#x}, {:#x})", addr + size);
        assert!(facts.contains(&expected.as_str()), "{facts:?}");
        assert!(facts.contains(&"reserved, RSRV_KERN"), "{facts:?}");
    }

    #[test]
    fn findings_list_the_differences_the_spec_names_for_s02() {
        let (story, _) = s02();
        let ids: Vec<&str> = story
            .findings
            .differences
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        // §5.2: S02 tests D1, D6, D12 and D19.
        for id in ["D1", "D6", "D12", "D19"] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        assert!(
            story
                .findings
                .invariants
                .iter()
                .any(|i| i.id == "I-7" && i.scope == "OLD")
        );
        assert_eq!(
            story.findings.free_messages[1].as_deref(),
            Some("Freeing EFI boot services memory: 0K")
        );
    }
}
