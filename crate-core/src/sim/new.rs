//! NEW policies: the 19 v2 patches, branch head a7b37292 (spec §3, "NEW" columns, and §11).

use std::sync::Arc;

use crate::model::E820Type;

use super::machine::{Machine, Source};
use super::memblock::Region;
use super::memmap::Entry;
use super::ranges::{ONE_MIB, PAGE, Range};
use super::snapshot::Shared;

/// `efi_mem_reserve()` (patch 2) and the e820-only `efi_arch_mem_reserve()` (patch 10).
pub fn efi_mem_reserve(m: &mut Machine, name: &str, addr: u64, size: u64) {
    let r = Range::new(addr, addr.saturating_add(size));
    if !m.memblock.is_region_reserved(r) {
        m.reserve(r, super::memblock::RSRV_KERN);
        m.event(
            "efi_mem_reserve",
            "3.1.1 NEW reserve_kern",
            Some("patch 2"),
            format!("{name} [{addr:#x},+{size:#x}) reserved K"),
        );
    } else {
        m.memblock.mark_kern(r);
        m.event(
            "efi_mem_reserve",
            "3.1.1 NEW mark_kern",
            Some("patch 2"),
            format!("{name} [{addr:#x},+{size:#x}) overlaps existing reservations: they become K, gaps stay unreserved"),
        );
    }
    m.e820.update(r, E820Type::USABLE, E820Type::RESERVED);
    m.klog.push(format!(
        "e820: update [mem {:#010x}-{:#010x}] System RAM ==> device reserved",
        r.start,
        r.end.saturating_sub(1)
    ));
    m.notes.push(format!(
        "{name}: e820 [{:#x}-{:#x}) RAM->reserved (exact)",
        r.start, r.end
    ));
    m.event(
        "efi_arch_mem_reserve",
        "3.1.1 NEW exact e820 update",
        Some("patch 10"),
        format!(
            "{name}: e820 [{:#x},{:#x}) RAM → reserved, byte-exact; the memmap is not touched",
            r.start, r.end
        ),
    );
}

/// `efi_reserve_boot_services()` (patches 7, 8, 10, 18): `max(start, 1 MiB)`, reserve or mark.
pub fn reserve_boot_services(m: &mut Machine) {
    let (mut plain, mut marked, mut low) = (0usize, 0usize, 0usize);
    for i in 0..m.memmap.valid() {
        let e = &m.memmap.entries[i];
        if !e.is_bs() {
            continue;
        }
        let full = e.range();
        let r = Range::new(full.start.max(ONE_MIB), full.end);
        if r.is_empty() {
            low += 1;
            continue;
        }
        if !m.memblock.is_region_reserved(r) {
            m.reserve(r, 0);
            m.bs_reserved.push(r);
            plain += 1;
        } else {
            m.memblock.mark_kern(r);
            m.bs_marked.push(r);
            marked += 1;
            let id = m.memmap.entries[i].id.clone();
            m.event(
                "efi_reserve_boot_services",
                "3.1.3 NEW mark-only",
                Some("patch 10"),
                format!("{id} [{:#x},{:#x}) already holds a reservation: it becomes K, the rest is not reserved (reaches the page allocator at mm_init)", r.start, r.end),
            );
        }
    }
    m.event(
        "efi_reserve_boot_services",
        "3.1.3 NEW max(start, 1 MiB)",
        Some("patch 7"),
        format!("{plain} boot-services regions reserved plain, {marked} only marked K, {low} wholly below 1 MiB skipped"),
    );
}

/// NEW `__efi_enter_virtual_mode()`: in-place filter, pre-filter size (patches 12, 14, 15).
pub fn enter_virtual_mode(m: &mut Machine) {
    let ds = m.cfg.desc_size as u64;
    let pre = m.memmap.valid();
    let size = (pre as u64).saturating_mul(ds);
    m.memmap.late = true;
    m.memmap.mapped_bytes = size;
    if m.cfg.bits == 32 {
        m.merge_regions("3.2 NEW merge on 32-bit only", Some("patch 12"));
    }
    // efi_memmap_filter_entries(): kept entries move forward; slots [w, pre) keep stale
    // descriptors (correction N4). Only their number matters (`mapped_bytes`, the size
    // argument); nothing reads their contents, so they are not stored.
    // Room for every entry, then trimmed in place: one pass over the map, not a count first.
    let mut entries: Vec<Entry> = Vec::with_capacity(pre);
    entries.extend(
        m.memmap
            .valid_entries()
            .iter()
            .filter(|e| m.should_map(e))
            .cloned(),
    );
    entries.shrink_to_fit();
    let w = entries.len();
    let mut vas = vec![None; w];
    m.reserve_mappings(w);
    for i in m.mapping_order(w) {
        vas[i] = m.map_region(&mut entries[i]);
    }
    m.memmap.entries = Arc::new(entries);
    m.record_valid();
    m.event(
        "efi_map_regions",
        "3.2 NEW in-place filter",
        Some("patch 14"),
        format!("{pre} entries filtered in place to {w} (firmware order kept), mapped in {} index order", if m.is_64bit_native() { "reverse" } else { "forward" }),
    );
    m.print_runtime_map();
    let phys = m.memmap.phys().unwrap_or(0);
    let start = phys - phys % PAGE;
    let mapped = Range::new(
        start,
        start.saturating_add(size.div_ceil(PAGE).saturating_mul(PAGE)),
    );
    let needed = phys
        .saturating_add(size)
        .div_ceil(PAGE)
        .saturating_mul(PAGE);
    if needed > mapped.end {
        m.hazards.push(format!(
            "D22: memmap [{phys:#x},+{size:#x}) needs pages up to {needed:#x} but only [{:#x},{:#x}) is mapped for firmware",
            mapped.start, mapped.end
        ));
    }
    m.setup_page_tables(Some(mapped));
    let passed = Shared::whole(&m.memmap.entries);
    m.call_svam((passed, vas), size, Some("patch 14"));
}

/// NEW `efi_unmap_boot_services()`: every BS entry is unmapped, nothing else (patch 3, final).
pub fn unmap(m: &mut Machine) {
    for i in 0..m.memmap.valid() {
        let e = &m.memmap.entries[i];
        if !e.is_bs() || m.cfg.mixed {
            continue;
        }
        let (id, r) = (e.id.clone(), e.range());
        m.unmapped.push((id, r));
    }
    m.pt.unmap_all(m.unmapped.iter().map(|(_, r)| *r));
    m.event(
        "efi_unmap_boot_services",
        "3.3 NEW unmap every BS",
        Some("patch 3"),
        format!("{} boot-services entries unmapped from efi_pgd (efi=debug or RUNTIME bit notwithstanding)", m.unmapped.len()),
    );
}

/// NEW `efi_free_boot_services()`: walk, free non-K sub-ranges, compact, free the tail.
pub fn free(m: &mut Machine) {
    if m.cfg.kexec || m.cfg.efi_dbg {
        m.event(
            "efi_free_boot_services",
            "3.4 NEW step 1 early return",
            Some("patch 17"),
            format!(
                "{}: nothing freed or compacted, no message",
                if m.cfg.kexec {
                    "kexec boot (efi_setup)"
                } else {
                    "efi=debug"
                }
            ),
        );
        return;
    }
    let capacity = 128 + m.cfg.nr_cpus as usize + 1;
    if m.max_reserved_regions > capacity {
        m.hazards.push(format!(
            "D20: memblock.reserved grew to {} regions (static array {capacity}); it was reallocated and memblock_discard() freed it before this walk (use-after-free)",
            m.max_reserved_regions
        ));
    }
    let mut freed = 0u64;
    let mut kept = Vec::new();
    // Room for one release per valid entry (of any type; only boot-services ones free),
    // plus the tail.
    m.reserve_releases(m.memmap.valid() + 1);
    let (mut dropped_low, mut freed_whole) = (0usize, 0usize);
    // The entries are read through their own handle, so the machine can be changed in the
    // loop without cloning each entry (a reference count touched per entry for nothing).
    let entries = Arc::clone(&m.memmap.entries);
    let mut regions = Vec::new();
    for e in entries.iter() {
        let mut preserve = e.is_runtime();
        let r = e.range();
        let sub = Range::new(r.start.max(ONE_MIB), r.end);
        if sub.is_empty() {
            dropped_low += 1;
            continue;
        }
        if e.is_bs() {
            let f = free_unreserved_subregions(m, &e.id, sub, &mut regions);
            if f < sub.len() {
                preserve = true;
            } else {
                freed_whole += 1;
            }
            freed = freed.saturating_add(f);
        }
        if preserve {
            kept.push(e.clone());
        }
    }
    drop(entries);
    let w = kept.len();
    if w < m.memmap.valid() {
        // The kernel compacts in place; the slots past `w` become stale (see `Memmap`).
        m.memmap.entries = Arc::new(kept);
    }
    m.event(
        "efi_free_unreserved_subregions",
        "3.4 NEW walk of memblock.reserved",
        Some("patch 5"),
        format!("{freed} bytes of non-K, e820-RAM reserved boot-services memory freed"),
    );
    m.phase = super::events::Phase::Compact;
    m.record_valid();
    m.event(
        "efi_free_boot_services",
        "3.4 NEW in-place compaction",
        Some("patch 17"),
        format!("map compacted in place to {w} entries ({freed_whole} fully freed BS entries and {dropped_low} entries below 1 MiB dropped; partly freed BS kept whole)"),
    );
    let phys = m.memmap.phys().unwrap_or(0);
    let tail = Range::new(
        phys.saturating_add((w as u64).saturating_mul(m.cfg.desc_size as u64)),
        phys.saturating_add(m.memmap.mapped_bytes),
    );
    let pages = tail.pages_inward();
    m.release(pages, Source::MemmapTail, Arc::from("efi.memmap tail"));
    freed = freed.saturating_add(tail.len());
    if !pages.is_empty() && !m.e820.mapped_all(pages, E820Type::USABLE) {
        m.hazards.push(format!(
            "D24: the freed memmap tail [{:#x},{:#x}) is not e820 RAM (memremap'ed firmware memory)",
            pages.start, pages.end
        ));
    }
    m.event(
        "efi_free_boot_services",
        "3.4 NEW tail free",
        Some("patch 19"),
        format!(
            "unused tail [{:#x},{:#x}): {} bytes counted, {} whole pages released",
            tail.start,
            tail.end,
            tail.len(),
            pages.len() / PAGE
        ),
    );
    m.freed_counted = freed;
    if freed > 0 {
        let line = format!("Freeing EFI boot services memory: {}K", freed / 1024);
        m.klog.push(format!("efi: {line}"));
        m.free_message = Some(line);
    }
}

/// `efi_free_unreserved_subregions()`: non-K reserved parts, page-rounded inward, all e820 RAM.
/// `regions` is scratch space, reused from call to call (one allocation per walk, not per
/// descriptor).
fn free_unreserved_subregions(
    m: &mut Machine,
    id: &Arc<str>,
    r: Range,
    regions: &mut Vec<Region>,
) -> u64 {
    regions.clear();
    regions.extend(m.memblock.reserved.overlapping(r));
    let mut f = 0u64;
    for &reg in regions.iter() {
        if reg.is_kern() {
            continue;
        }
        let sub = reg.range().intersect(r).pages_inward();
        if sub.is_empty() || !m.e820.mapped_all(sub, E820Type::USABLE) {
            continue;
        }
        m.release(sub, Source::EfiFree, id.clone());
        f = f.saturating_add(sub.len());
    }
    f
}
