//! OLD policies: the base commit 1f318b96 (spec §3, "OLD" columns).

use std::sync::Arc;

use crate::model::{Attributes, E820Type, MemoryType};

use super::events::Phase;
use super::machine::{Machine, Source};
use super::memmap::{Allocator, Buffer, Entry, Fate};
use super::ranges::{ONE_MIB, PAGE, Range, page_down};
use super::snapshot::Shared;

/// `efi_mem_reserve()` then the splitting `efi_arch_mem_reserve()` (§3.1.1, §3.1.2).
pub fn efi_mem_reserve(m: &mut Machine, name: &str, addr: u64, size: u64) {
    let r = Range::new(addr, addr.saturating_add(size));
    if !m.memblock.is_region_reserved(r) {
        m.reserve(r, 0);
        m.event(
            "efi_mem_reserve",
            "3.1.1 reserve if free",
            None,
            format!("{name} [{addr:#x},+{size:#x}) reserved plain"),
        );
    }
    arch_mem_reserve(m, name, addr, size);
}

fn arch_mem_reserve(m: &mut Machine, name: &str, addr: u64, size: u64) {
    let found = m
        .memmap
        .lookup(addr)
        .filter(|&i| m.memmap.entries[i].desc.ty == MemoryType::BOOT_SERVICES_DATA);
    let Some(idx) = found else {
        return refuse(
            m,
            (name, addr),
            "Failed to lookup EFI memory descriptor for",
            "3.1.2 lookup (BS_DATA only)",
            format!("no Boot Data descriptor contains {addr:#x}; nothing protects the object"),
        );
    };
    let md = m.memmap.entries[idx].clone();
    let md_end = md.range().end;
    if addr.saturating_add(size) > md_end {
        return refuse(
            m,
            (name, addr),
            "Region spans EFI memory descriptors,",
            "3.1.2 span check",
            format!(
                "[{addr:#x},+{size:#x}) runs past {} (ends {md_end:#x}); not split",
                md.id
            ),
        );
    }
    let rounded = size
        .saturating_add(addr % PAGE)
        .checked_next_multiple_of(PAGE)
        .unwrap_or(u64::MAX - PAGE + 1);
    let m_s = page_down(addr);
    let Some(m_e) = m_s.checked_add(rounded).and_then(|x| x.checked_sub(1)) else {
        m.hazards
            .push(format!("{name}: reservation range overflows or is empty"));
        return;
    };
    let m_attr = md.desc.attr.0 | Attributes::RUNTIME;
    let (start, end) = (md.desc.phys, md_end.saturating_sub(1));
    let extra = split_count(start, end, m_s, m_e);
    let num = m.memmap.valid() + extra;
    let bytes = (num as u64).saturating_mul(m.cfg.desc_size as u64);
    let Some(at) = m.memblock.alloc(bytes, 64, 0, u64::MAX) else {
        m.klog
            .push("efi: Could not allocate boot services memmap".into());
        m.notes
            .push(format!("{name}: Could not allocate boot services memmap"));
        m.event(
            "efi_memmap_alloc",
            "3.1.2 step 5 allocation failure",
            None,
            format!("{name}: no {bytes} B for a new memmap below the memblock limit; the object is not protected"),
        );
        return;
    };
    let below = if m.memblock.current_limit <= ONE_MIB {
        " (below 1 MiB: memblock limit)"
    } else {
        ""
    };
    let new_entries = insert(m.memmap.valid_entries(), m_s, m_e, m_attr);
    if new_entries.len() > num {
        m.hazards.push(format!(
            "{name}: efi_memmap_insert wrote {} entries into a buffer sized for {num}",
            new_entries.len()
        ));
    }
    let buf = m.memmap.record(Buffer {
        phase: m.phase,
        allocator: Allocator::Memblock,
        bytes,
        phys: Some(at),
        purpose: "efi_arch_mem_reserve split",
        fate: Fate::InUse,
    });
    // The previous buffer goes back to memblock only if this code allocated it.
    let old = m.memmap.buffer().clone();
    let old_fate = if old.allocator == Allocator::Memblock {
        if let Some(p) = old.phys {
            m.memblock
                .reserved
                .remove(Range::new(p, p.saturating_add(old.bytes)));
        }
        Fate::Freed
    } else {
        Fate::Leaked
    };
    m.install(buf, new_entries, old_fate);
    let rule = match extra {
        0 => "3.1.2 whole (re-attribute)",
        2 => "3.1.2 middle split",
        _ if m_s <= start => "3.1.2 head split",
        _ => "3.1.2 tail split",
    };
    m.event(
        "efi_arch_mem_reserve",
        rule,
        None,
        format!(
            "{name}: {} split +{extra} entries into a new {bytes} B memblock buffer at {at:#x}{below}; piece [{m_s:#x},{:#x}) gets RUNTIME",
            md.id,
            m_e.saturating_add(1)
        ),
    );
    let r = Range::new(m_s, m_e.saturating_add(1));
    m.e820.update(r, E820Type::USABLE, E820Type::RESERVED);
    m.klog.push(format!(
        "e820: update [mem {:#010x}-{m_e:#010x}] System RAM ==> device reserved",
        r.start
    ));
    m.notes.push(format!(
        "{name}: split +{extra} entries, e820 [{:#x}-{:#x}) RAM->reserved (page-rounded)",
        r.start, r.end
    ));
}

/// A refused `efi_arch_mem_reserve`: the kernel's error line, the note, and why.
fn refuse(m: &mut Machine, (name, addr): (&str, u64), what: &str, rule: &'static str, why: String) {
    m.klog.push(format!("efi: {what} {addr:#018x}"));
    m.notes.push(format!("{name}: {what} {addr:#x}"));
    m.event("efi_arch_mem_reserve", rule, None, format!("{name}: {why}"));
}

/// `efi_memmap_split_count()` with inclusive ends.
fn split_count(start: u64, end: u64, m_s: u64, m_e: u64) -> usize {
    let mut count = 0;
    if m_s <= start && start < m_e && m_e < end {
        count += 1;
    }
    if start < m_s && m_s < end {
        if m_e < end {
            count += 2;
        }
        if end <= m_e {
            count += 1;
        }
    }
    count
}

/// `efi_memmap_insert()`: applied to every entry, as the kernel does (§3.1.2 step 6).
fn insert(entries: &[Entry], m_s: u64, m_e: u64, m_attr: u64) -> Vec<Entry> {
    let mut out = Vec::with_capacity(entries.len() + 2);
    let pages = |a: u64, b_incl: u64| (b_incl.wrapping_sub(a).wrapping_add(1)) / PAGE;
    for e in entries {
        let start = e.desc.phys;
        let end = e.range().end.saturating_sub(1);
        let mut md = e.clone();
        if m_s <= start && end <= m_e {
            md.desc.attr.0 |= m_attr;
        }
        if m_s <= start && start < m_e && m_e < end {
            let mut a = Machine::piece(e, 0);
            a.desc.attr.0 |= m_attr;
            a.desc.num_pages = pages(start, m_e);
            let mut b = Machine::piece(e, 1);
            b.desc.phys = m_e.wrapping_add(1);
            b.desc.num_pages = pages(m_e.wrapping_add(1), end);
            out.extend([a, b]);
            continue;
        }
        if start < m_s && m_s < end && m_e < end {
            let mut a = Machine::piece(e, 0);
            a.desc.num_pages = (m_s - start) / PAGE;
            let mut b = Machine::piece(e, 1);
            b.desc.attr.0 |= m_attr;
            b.desc.phys = m_s;
            b.desc.num_pages = pages(m_s, m_e);
            let mut c = Machine::piece(e, 2);
            c.desc.phys = m_e.wrapping_add(1);
            c.desc.num_pages = (end - m_e) / PAGE;
            out.extend([a, b, c]);
            continue;
        }
        if start < m_s && m_s < end && end <= m_e {
            let mut a = Machine::piece(e, 0);
            a.desc.num_pages = (m_s - start) / PAGE;
            let mut b = Machine::piece(e, 1);
            b.desc.phys = m_s;
            b.desc.num_pages = pages(m_s, end);
            b.desc.attr.0 |= m_attr;
            out.extend([a, b]);
            continue;
        }
        out.push(md);
    }
    out
}

/// `can_free_region()`: not touching the kernel image (inclusive `_end`), and all e820 RAM.
fn can_free_region(m: &Machine, r: Range) -> Result<(), &'static str> {
    let (text, end) = m.cfg.kernel;
    if r.end > text && r.start <= end {
        return Err("overlaps the kernel image (inclusive _end test)");
    }
    if !m.e820.mapped_all(r, E820Type::USABLE) {
        return Err("not entirely e820 RAM");
    }
    Ok(())
}

/// `efi_reserve_boot_services()` (§3.1.3 OLD).
pub fn reserve_boot_services(m: &mut Machine) {
    let mut owned = 0usize;
    for i in 0..m.memmap.valid() {
        let e = &m.memmap.entries[i];
        if !e.is_bs() {
            continue;
        }
        let r = e.range();
        let already = m.memblock.is_region_reserved(r);
        let why = if already {
            "already (partly) reserved".to_owned()
        } else {
            m.reserve(r, 0);
            m.bs_reserved.push(r);
            match can_free_region(m, r) {
                Ok(()) => {
                    owned += 1;
                    continue;
                }
                Err(why) => why.to_owned(),
            }
        };
        let e = &mut Arc::make_mut(&mut m.memmap.entries)[i];
        e.desc.attr.0 |= Attributes::RUNTIME;
        e.kernel_tagged = true;
        let id = e.id.clone();
        m.event(
            "efi_reserve_boot_services",
            "3.1.3 RUNTIME tag",
            None,
            format!(
                "{id} [{:#x},{:#x}) {why}: tagged RUNTIME, never freed{}",
                r.start,
                r.end,
                if already {
                    ", its free parts reach the page allocator at mm_init"
                } else {
                    ""
                }
            ),
        );
    }
    m.event(
        "efi_reserve_boot_services",
        "3.1.3 owned",
        None,
        format!("{owned} boot-services regions reserved plain and owned (freed later)"),
    );
}

/// OLD `__efi_enter_virtual_mode()` up to SetVirtualAddressMap (§3.2 OLD).
pub fn enter_virtual_mode(m: &mut Machine) {
    m.merge_regions("3.2 OLD merge (64-bit too)", None);
    let ds = m.cfg.desc_size as u64;
    let mapped = m.mapped_count();
    let mut kept: Vec<Entry> = Vec::with_capacity(mapped);
    let mut vas = Vec::with_capacity(mapped);
    m.reserve_mappings(mapped);
    let (mut left, mut pg_shift) = (0u64, 0u32);
    let mut prev_buf: Option<usize> = None;
    for i in m.mapping_order(m.memmap.valid()) {
        if !m.should_map(&m.memmap.entries[i]) {
            continue;
        }
        // The old buffer is replaced below (or, if nothing is mapped, left as it was), so the
        // VA goes only into the copy.
        let mut e = m.memmap.entries[i].clone();
        let va = m.map_region(&mut e);
        if left < ds {
            // realloc_pages(): order pg_shift+1 allocated, only PAGE << pg_shift counted.
            let buf = m.memmap.record(Buffer {
                phase: Phase::Svam,
                allocator: Allocator::Buddy,
                bytes: PAGE << (pg_shift + 1).min(40),
                phys: None,
                purpose: "runtime map (SVAM)",
                fate: Fate::InUse,
            });
            if let Some(p) = prev_buf.replace(buf) {
                m.memmap.buffers[p].fate = Fate::Freed;
            }
            left = left.saturating_add(PAGE << pg_shift.min(40));
            pg_shift += 1;
        }
        left = left.saturating_sub(ds);
        kept.push(e);
        vas.push(va);
    }
    let Some(buf) = prev_buf else {
        m.klog
            .push("efi: Error reallocating memory, EFI runtime non-functional!".into());
        m.event(
            "efi_map_regions",
            "3.2 OLD step 3 failure",
            None,
            "nothing to map: no runtime map buffer, EFI runtime services disabled".into(),
        );
        return;
    };
    let count = kept.len() as u64;
    m.install(buf, kept, Fate::Leaked);
    m.memmap.late = true;
    m.event(
        "efi_map_regions",
        "3.2 OLD step 3 reverse walk into a new buffer",
        None,
        format!(
            "{count} entries mapped{} and copied into a new {} B buddy buffer; the previous map buffer is leaked",
            if m.is_64bit_native() { " in reverse map order" } else { "" },
            m.memmap.buffer().bytes
        ),
    );
    m.print_runtime_map();
    m.setup_page_tables(None);
    let passed = Shared::whole(&m.memmap.entries);
    m.call_svam((passed, vas), count * ds, None);
}

/// OLD `efi_unmap_boot_services()`, including the compaction it performs (§3.3 OLD).
pub fn unmap(m: &mut Machine) {
    if m.cfg.efi_dbg {
        m.event(
            "efi_unmap_boot_services",
            "3.3 OLD step 1 efi=debug",
            None,
            "efi=debug: nothing unmapped, queued or compacted".into(),
        );
        return;
    }
    let nr = m.memmap.valid() as u64;
    let slab = m.memmap.record(Buffer {
        phase: Phase::Unmap,
        allocator: Allocator::Slab,
        bytes: 16 * nr + 1,
        phys: None,
        purpose: "ranges_to_free",
        fate: Fate::InUse,
    });
    let bs = m
        .memmap
        .valid_entries()
        .iter()
        .filter(|e| e.is_bs() && !e.is_runtime())
        .count();
    let mut queue = Vec::with_capacity(bs);
    m.unmapped.reserve(bs);
    let mut keep = 0usize;
    // Read through their own handle: no entry is cloned (a reference count touched per entry).
    let entries = Arc::clone(&m.memmap.entries);
    for e in entries.iter() {
        if !e.is_bs() || e.is_runtime() {
            keep += 1;
            continue;
        }
        let r = e.range();
        if !m.cfg.mixed {
            m.unmapped.push((e.id.clone(), r));
        }
        let (mut start, mut size) = (r.start, r.len());
        if m.trampoline.is_none() && m.cfg.rm_size > 0 {
            let rm = m.cfg.rm_size;
            if start.saturating_add(rm) < ONE_MIB && size >= rm {
                m.trampoline = Some(start);
                m.notes.push(format!(
                    "trampoline quirk: real-mode trampoline placed at {start:#x}"
                ));
                m.event(
                    "efi_unmap_boot_services",
                    "3.3 OLD trampoline quirk",
                    None,
                    format!("{}: real-mode trampoline placed at {start:#x}", e.id),
                );
                start += rm;
                size -= rm;
            }
        }
        if start.saturating_add(size) < ONE_MIB {
            continue;
        }
        if start < ONE_MIB {
            size -= ONE_MIB - start;
            start = ONE_MIB;
        }
        queue.push((e.id.clone(), Range::new(start, start + size)));
    }
    drop(entries);
    m.pt.unmap_all(m.unmapped.iter().map(|(_, r)| *r));
    if queue.len() as u64 >= nr && nr > 0 {
        m.hazards.push(format!(
            "ranges_to_free holds {} ranges in {} bytes: the zero terminator lies outside the allocation (D23)",
            queue.len(),
            16 * nr + 1
        ));
    }
    m.event(
        "efi_unmap_boot_services",
        "3.3 OLD unmap and queue",
        None,
        format!("{} boot-services regions unmapped, {} ranges queued for the arch_initcall, {keep} entries kept", m.unmapped.len(), queue.len()),
    );
    m.queue = Some(queue);
    m.memmap.buffers[slab].fate = Fate::InUse;
    if keep == 0 {
        return;
    }
    m.phase = Phase::Compact;
    let bytes = keep as u64 * m.cfg.desc_size as u64;
    let order = bytes.div_ceil(PAGE).next_power_of_two().trailing_zeros();
    let buf = m.memmap.record(Buffer {
        phase: Phase::Unmap,
        allocator: Allocator::Buddy,
        bytes: PAGE << order,
        phys: None,
        purpose: "compacted map",
        fate: Fate::InUse,
    });
    let mut kept: Vec<Entry> = Vec::with_capacity(keep);
    kept.extend(
        m.memmap
            .valid_entries()
            .iter()
            .filter(|e| !e.is_bs() || e.is_runtime())
            .cloned(),
    );
    m.install(buf, kept, Fate::Leaked);
    m.event(
        "efi_unmap_boot_services",
        "3.3 OLD compaction",
        None,
        format!(
            "map rebuilt in a new {} B buddy buffer with {keep} entries; the SVAM buffer is leaked",
            PAGE << order
        ),
    );
    m.phase = Phase::Unmap;
}

/// OLD `efi_free_boot_services()` (§3.4 OLD).
pub fn free(m: &mut Machine) {
    let Some(queue) = m.queue.take() else {
        m.event(
            "efi_free_boot_services",
            "3.4 OLD step 1",
            None,
            "ranges_to_free is NULL: nothing freed, no message".into(),
        );
        return;
    };
    let mut freed = 0u64;
    m.reserve_releases(queue.len());
    for (id, r) in &queue {
        m.release(r.pages_inward(), Source::EfiFree, id.clone());
        freed = freed.saturating_add(r.len());
    }
    if let Some(b) = m
        .memmap
        .buffers
        .iter_mut()
        .find(|b| b.purpose == "ranges_to_free")
    {
        b.fate = Fate::Freed;
    }
    m.freed_counted = freed;
    m.event(
        "efi_free_boot_services",
        "3.4 OLD free queued ranges",
        None,
        format!(
            "{} queued ranges freed with free_reserved_area: {freed} bytes",
            queue.len()
        ),
    );
    if freed > 0 {
        let line = format!("Freeing EFI boot services memory: {}K", freed / 1024);
        m.klog.push(format!("efi: {line}"));
        m.free_message = Some(line);
    }
    m.queue = Some(queue);
}
