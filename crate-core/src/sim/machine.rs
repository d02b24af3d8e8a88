//! The simulated machine: every piece of state the spec lists, and the mechanisms both
//! kernels share (early reservations, e820 edits, memblock setup, mm_init, the trampoline,
//! region mapping). The OLD/NEW policies in `old.rs` / `new.rs` drive it.

use std::sync::Arc;

use serde::Serialize;

use crate::model::{Attributes, E820Type, MemoryType};
use crate::parse::print::mem_line;

use super::Kernel;
use super::config::{SimConfig, SimInput};
use super::e820::E820;
use super::events::{Event, Phase};
use super::memblock::{Memblock, RSRV_KERN};
use super::memmap::{Entry, Memmap, Provenance};
use super::pagetable::{MappingKind, PageTable};
use super::ranges::{ONE_MIB, PAGE, Range};
use super::snapshot::Shared;

/// Who handed pages to the page allocator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `memblock_free_all()` at mm_init.
    MmInit,
    /// `efi_free_boot_services()` releasing boot-services memory.
    EfiFree,
    /// NEW: the unused tail of the memmap buffer.
    MemmapTail,
}

/// Pages released to the buddy allocator, with provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    pub range: Range,
    pub source: Source,
    /// The descriptor or object the pages belonged to.
    pub owner: Arc<str>,
}

/// What SetVirtualAddressMap received.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SvamCall {
    /// The entries passed, in map order (the map installed for SVAM, shared with it).
    pub entries: Shared<Entry>,
    /// Each entry's `virt_addr`; `None` when not assigned.
    pub virt: Vec<Option<u64>>,
    /// The `memory_map_size` argument; `None` when SVAM is not called (kexec).
    pub size_arg: Option<u64>,
    pub succeeded: bool,
}

impl SvamCall {
    /// The entries passed with their `virt_addr`, in map order.
    pub fn passed(&self) -> impl Iterator<Item = (&Entry, Option<u64>)> {
        self.entries.iter().zip(self.virt.iter().copied())
    }
}

/// The whole simulated machine.
pub struct Machine<'a> {
    pub cfg: &'a SimConfig,
    pub kernel: Kernel,
    pub memmap: Memmap,
    pub memblock: Memblock,
    pub e820: E820,
    pub pt: PageTable,
    pub trampoline: Option<u64>,
    /// Only appended to; snapshots share it (copy-on-write).
    pub released: Arc<Vec<Release>>,
    pub events: Vec<Event>,
    /// Kernel log lines as the variant prints them.
    pub klog: Vec<String>,
    /// Notable events in the words of scenarios.json's `log` field.
    pub notes: Vec<String>,
    pub phase: Phase,
    pub svam: Option<SvamCall>,
    pub unmapped: Vec<(Arc<str>, Range)>,
    /// Boot-services ranges as they were when SVAM started, coalesced (for I-2).
    pub bs_at_svam: Vec<Range>,
    /// The `Freeing EFI boot services memory` line, if printed.
    pub free_message: Option<String>,
    /// Bytes the free message counted.
    pub freed_counted: u64,
    /// `efi.memmap` valid count after each step that may change it (for I-8).
    pub valid_history: Vec<usize>,
    /// The map right after `efi_reserve_boot_services`.
    pub map_after_rbs: Shared<Entry>,
    /// Problems the kernel would hit (use-after-free, buffer overrun, …).
    pub hazards: Vec<String>,
    /// The maximum number of `memblock.reserved` regions seen (D20).
    pub max_reserved_regions: usize,
    /// Ranges `efi_reserve_boot_services` reserved (plain), and (NEW) only marked K.
    pub bs_reserved: Vec<Range>,
    pub bs_marked: Vec<Range>,
    /// OLD `ranges_to_free`: `None` when never allocated (efi=debug, SVAM failure, kexec).
    pub queue: Option<Vec<(Arc<str>, Range)>>,
}

impl<'a> Machine<'a> {
    pub fn new(input: &'a SimInput, kernel: Kernel) -> Self {
        let cfg = &input.config;
        let entries = input
            .descs
            .iter()
            .enumerate()
            .map(|(i, d)| Entry {
                id: input
                    .ids
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("mem{i:02}").into()),
                desc: *d,
                kernel_tagged: false,
                merged_away: false,
                provenance: Provenance::Firmware,
            })
            .collect();
        let memmap = Memmap::new(entries, cfg.memmap, cfg.desc_size);
        Self {
            cfg,
            kernel,
            memmap,
            memblock: Memblock::default(),
            e820: E820::default(),
            pt: PageTable::default(),
            trampoline: None,
            released: Arc::default(),
            events: Vec::new(),
            klog: Vec::new(),
            notes: Vec::new(),
            phase: Phase::Firmware,
            svam: None,
            unmapped: Vec::new(),
            bs_at_svam: Vec::new(),
            free_message: None,
            freed_counted: 0,
            valid_history: Vec::new(),
            map_after_rbs: Shared::default(),
            hazards: Vec::new(),
            max_reserved_regions: 0,
            queue: None,
            bs_reserved: Vec::new(),
            bs_marked: Vec::new(),
        }
    }

    /// Records an event; `patch` is shown only for the NEW kernel.
    pub fn event(
        &mut self,
        function: &'static str,
        rule: &'static str,
        patch: Option<&'static str>,
        message: String,
    ) {
        let patch = if self.kernel == Kernel::New {
            patch
        } else {
            None
        };
        self.events.push(Event {
            phase: self.phase,
            function,
            rule,
            patch,
            message,
        });
    }

    pub fn is_64bit_native(&self) -> bool {
        self.cfg.bits == 64 && !self.cfg.mixed
    }

    /// `memblock_reserve` / `memblock_reserve_kern` with bookkeeping for D20.
    pub fn reserve(&mut self, r: Range, flags: u32) {
        self.memblock.reserve(r, flags);
        self.max_reserved_regions = self.max_reserved_regions.max(self.memblock.reserved.len());
    }

    /// Room for `n` more releases. A list a snapshot still holds is copied once, with the
    /// room, instead of copied and then grown.
    pub fn reserve_releases(&mut self, n: usize) {
        match Arc::get_mut(&mut self.released) {
            Some(list) => list.reserve(n),
            None => {
                let mut list = Vec::with_capacity(self.released.len() + n);
                list.extend_from_slice(&self.released);
                self.released = Arc::new(list);
            }
        }
    }

    pub fn release(&mut self, range: Range, source: Source, owner: Arc<str>) {
        if !range.is_empty() {
            Arc::make_mut(&mut self.released).push(Release {
                range,
                source,
                owner,
            });
        }
    }

    /// From `early_reserve_memory()` to `e820__memblock_setup()` (spec §2 steps 1–7).
    pub fn early_setup(&mut self) {
        let cfg = self.cfg;
        let (kstart, kend) = cfg.kernel;
        self.reserve(Range::new(kstart, kend), RSRV_KERN);
        self.event(
            "early_reserve_memory",
            "1.7 kernel image (memblock_reserve_kern)",
            None,
            format!("kernel image [{kstart:#x},{kend:#x}) reserved K"),
        );
        self.reserve(Range::new(0, 0x10000), 0);
        for r in &cfg.early_rsv {
            let flags = if r.kern { RSRV_KERN } else { 0 };
            self.reserve(Range::new(r.addr, r.addr.saturating_add(r.size)), flags);
            self.event(
                "early_reserve_memory",
                "11 N1 early reservations are RSRV_KERN",
                None,
                format!(
                    "{} [{:#x},+{:#x}) reserved{}",
                    r.name,
                    r.addr,
                    r.size,
                    if r.kern { " K" } else { "" }
                ),
            );
        }
        self.reserve(Range::new(cfg.bios_start, ONE_MIB), 0);
        self.event(
            "reserve_bios_regions",
            "1.7 BIOS/EBDA",
            None,
            format!(
                "[0,64K) and BIOS area [{:#x},1M) reserved plain",
                cfg.bios_start
            ),
        );

        // The firmware e820 table: explicit, or what the EFI stub synthesises.
        self.e820 = match &cfg.e820 {
            Some(t) => E820::from_raw(t.clone()),
            None => E820::from_efi(
                self.memmap.entries.iter().map(|e| &e.desc),
                cfg.soft_reserve,
            ),
        };

        let nr = self.memmap.entries.len() as u64;
        let bytes = nr.saturating_mul(cfg.desc_size as u64);
        self.reserve(Range::new(cfg.memmap, cfg.memmap.saturating_add(bytes)), 0);
        self.event(
            "efi_memblock_x86_reserve_range",
            "1.7 EFI memmap buffer",
            None,
            format!(
                "memmap buffer [{:#x},+{bytes:#x}) reserved plain ({nr} × {})",
                cfg.memmap, cfg.desc_size
            ),
        );

        if let Some(limit) = cfg.mem_limit {
            self.e820
                .remove(Range::new(limit, u64::MAX), Some(E820Type::USABLE));
            self.event(
                "parse_memopt",
                "1.4 mem= limit",
                None,
                format!("e820 RAM above {limit:#x} removed (mem=)"),
            );
        }

        for r in &cfg.cfg_rsv {
            let flags = if r.kern { RSRV_KERN } else { 0 };
            self.reserve(Range::new(r.addr, r.addr.saturating_add(r.size)), flags);
            self.event(
                "efi_config_parse_tables",
                "1.8 config-table reservation",
                None,
                format!(
                    "{} [{:#x},+{:#x}) reserved {}",
                    r.name,
                    r.addr,
                    r.size,
                    if r.kern { "K" } else { "plain" }
                ),
            );
        }
        self.clean_memmap();
        self.remove_e820_mmio();
        if cfg.efi_dbg {
            self.print_map();
        }

        // e820_add_kernel_range(), trim_bios_range().
        let krange = Range::new(kstart, kend);
        if !krange.is_empty() && !self.e820.mapped_all(krange, E820Type::USABLE) {
            self.e820.remove(krange, None);
            self.e820.add(krange, E820Type::USABLE);
            self.klog
                .push(".text .data .bss are not marked as E820_TYPE_RAM!".into());
        }
        self.e820
            .update(Range::new(0, PAGE), E820Type::USABLE, E820Type::RESERVED);
        self.e820
            .remove(Range::new(0xA0000, ONE_MIB), Some(E820Type::USABLE));

        // e820__memblock_setup(): memory from RAM, limit 1 MiB until init_mem_mapping.
        let ram: Vec<Range> = self.e820.ram().collect();
        for r in ram {
            self.memblock.add_memory(r);
        }
        self.memblock.current_limit = ONE_MIB;
        self.event(
            "e820__memblock_setup",
            "1.3.5 memblock limit 1 MiB",
            None,
            format!(
                "memblock.memory built from e820 RAM ({} regions); allocation limit 1 MiB",
                self.memblock.memory.len()
            ),
        );
    }

    /// `efi_clean_memmap()`: invalid entries are removed in place.
    fn clean_memmap(&mut self) {
        let invalid: Vec<String> = self
            .memmap
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.desc.is_valid())
            .map(|(i, e)| mem_line(i, &e.desc))
            .collect();
        if invalid.is_empty() {
            self.record_valid();
            return;
        }
        self.klog
            .push("[Firmware Bug]: Invalid EFI memory map entries:".into());
        let n = invalid.len();
        self.klog.extend(invalid);
        self.klog
            .push(format!("efi: Removing {n} invalid memory map entries."));
        Arc::make_mut(&mut self.memmap.entries).retain(|e| e.desc.is_valid());
        self.record_valid();
        self.event(
            "efi_clean_memmap",
            "1.1 validity",
            Some("patch 13"),
            format!("{n} invalid entries removed in place"),
        );
    }

    /// `efi_remove_e820_mmio()`: MMIO of at least 256 KiB leaves e820.
    fn remove_e820_mmio(&mut self) {
        let mmio: Vec<(usize, Range)> = self
            .memmap
            .valid_entries()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.desc.ty == MemoryType::MMIO)
            .map(|(i, e)| (i, e.range()))
            .collect();
        for (i, r) in mmio {
            let last = r.end.saturating_sub(1);
            if r.len() >= 256 * 1024 {
                self.klog.push(format!(
                    "efi: Remove mem{i:02}: MMIO range=[{:#010x}-{last:#010x}] ({}MB) from e820 map",
                    r.start,
                    r.len() >> 20
                ));
                self.e820.remove(r, Some(E820Type::RESERVED));
            } else {
                self.klog.push(format!(
                    "efi: Not removing mem{i:02}: MMIO range=[{:#010x}-{last:#010x}] ({}KB) from e820 map",
                    r.start,
                    r.len() >> 10
                ));
            }
        }
    }

    /// The ESRT rule: reserve only when the address lies in a Boot Data descriptor.
    pub fn in_boot_data(&self, addr: u64) -> bool {
        self.memmap
            .lookup(addr)
            .is_some_and(|i| self.memmap.entries[i].desc.ty == MemoryType::BOOT_SERVICES_DATA)
    }

    /// `reserve_real_mode()`: top-down below 1 MiB, then all of `[0, 1 MiB)` (spec §3.1.4).
    pub fn reserve_real_mode(&mut self) {
        let size = self.cfg.rm_size;
        if size == 0 {
            return;
        }
        self.trampoline = self.memblock.alloc(size, PAGE, 0, ONE_MIB);
        match self.trampoline {
            Some(at) => self.event(
                "reserve_real_mode",
                "3.1.4 trampoline",
                None,
                format!("trampoline [{at:#x},+{size:#x}) allocated top-down below 1 MiB (K)"),
            ),
            None => {
                let msg = "No sub-1M memory is available for the trampoline";
                self.klog.push(msg.into());
                self.notes.push(msg.into());
                self.event("reserve_real_mode", "3.1.4 trampoline", None, msg.into());
            }
        }
        self.reserve(Range::new(0, ONE_MIB), 0);
    }

    /// `memblock_free_all()`: every free page goes to the buddy allocator.
    pub fn mm_init(&mut self) {
        let free = self.memblock.free_ranges();
        let total: u64 = free.iter().map(|r| r.len()).sum();
        let owner: Arc<str> = Arc::from("memory − reserved");
        self.reserve_releases(free.len());
        for r in free {
            self.release(r, Source::MmInit, owner.clone());
        }
        self.event(
            "memblock_free_all",
            "1.3.6 / 3.6 mm_init",
            None,
            format!(
                "{} KiB of memory − reserved handed to the page allocator",
                total / 1024
            ),
        );
    }

    /// `should_map_region()` (identical in both kernels).
    pub fn should_map(&self, e: &Entry) -> bool {
        let d = &e.desc;
        if d.attr.contains(Attributes::RUNTIME) {
            return true;
        }
        if self.cfg.bits == 32 {
            return false;
        }
        if d.ty == MemoryType::CONVENTIONAL
            && self.cfg.soft_reserve
            && d.attr.contains(Attributes::SP)
        {
            return false;
        }
        if self.cfg.mixed
            && matches!(
                d.ty,
                MemoryType::LOADER_CODE | MemoryType::LOADER_DATA | MemoryType::CONVENTIONAL
            )
        {
            return true;
        }
        d.ty.is_boot_services()
    }

    /// How many valid entries `should_map` selects (to size the lists of a mapping walk).
    pub fn mapped_count(&self) -> usize {
        self.memmap
            .valid_entries()
            .iter()
            .filter(|e| self.should_map(e))
            .count()
    }

    /// `efi_map_region()`: the 1:1 mapping and a VA (VA = PA in mixed mode; the direct map
    /// or ioremap on 32-bit, which the simulator does not number).
    pub fn map_region(&mut self, e: &mut Entry) -> Option<u64> {
        let r = e.range();
        if self.cfg.bits == 32 {
            return None;
        }
        self.pt.map(e.id.clone(), MappingKind::Identity, r, r.start);
        if self.cfg.mixed {
            e.desc.virt = e.desc.phys;
            return Some(e.desc.phys);
        }
        match self.pt.next_va(r.start, r.len()) {
            Some(va) => {
                self.pt.map(e.id.clone(), MappingKind::HighVa, r, va);
                e.desc.virt = va;
                Some(va)
            }
            None => {
                self.klog
                    .push("efi: [Firmware Bug]: VA address range overflow!".into());
                self.hazards.push(format!(
                    "{}: VA address range overflow, no VA mapping",
                    e.id
                ));
                None
            }
        }
    }

    /// The order `efi_map_regions` walks the map: reverse on 64-bit firmware, else forward.
    pub fn mapping_order(&self, n: usize) -> Box<dyn Iterator<Item = usize>> {
        if self.is_64bit_native() {
            Box::new((0..n).rev())
        } else {
            Box::new(0..n)
        }
    }

    /// Room in the page table for a walk that maps `regions` regions (1:1 and at a VA) and
    /// for `setup_page_tables` after it (at most two mappings). The walk's list becomes the
    /// table, so room short by even one mapping would double a large table's allocation.
    pub fn reserve_mappings(&mut self, regions: usize) {
        self.pt.reserve(2 * regions + 2);
    }

    /// `efi_setup_page_tables()`: the buffer handed to firmware and page 0 are mapped 1:1.
    pub fn setup_page_tables(&mut self, buffer: Option<Range>) {
        if self.cfg.bits == 32 {
            return;
        }
        if let Some(b) = buffer {
            self.pt.map(
                Arc::from("efi.memmap buffer"),
                MappingKind::Identity,
                b,
                b.start,
            );
        }
        self.pt.map(
            Arc::from("page 0"),
            MappingKind::Identity,
            Range::new(0, PAGE),
            0,
        );
    }

    /// Prints the runtime map with `efi=debug`.
    pub fn print_runtime_map(&mut self) {
        if !self.cfg.efi_dbg {
            return;
        }
        self.klog.push("efi: EFI runtime memory map:".into());
        self.print_map();
    }

    /// `efi_print_memmap()`: one `efi: memNN:` line per valid entry.
    fn print_map(&mut self) {
        let lines: Vec<String> = self
            .memmap
            .valid_entries()
            .iter()
            .enumerate()
            .map(|(i, e)| mem_line(i, &e.desc))
            .collect();
        self.klog.extend(lines);
    }

    /// `efi_memmap_install()`, recording the new count for I-8.
    pub fn install(&mut self, buffer: usize, entries: Vec<Entry>, old_fate: super::memmap::Fate) {
        self.memmap.install(buffer, entries, old_fate);
        self.record_valid();
    }

    /// Records the valid entry count for I-8.
    pub fn record_valid(&mut self) {
        self.valid_history.push(self.memmap.valid());
    }

    /// The SVAM outcome shared by both kernels: the call, or its failure.
    pub fn call_svam(
        &mut self,
        (entries, virt): (Shared<Entry>, Vec<Option<u64>>),
        size_arg: u64,
        patch: Option<&'static str>,
    ) {
        let succeeded = !self.cfg.svam_fail;
        self.event(
            "__efi_enter_virtual_mode",
            "3.2 SetVirtualAddressMap",
            patch,
            format!(
                "SetVirtualAddressMap({size_arg} bytes = {} descriptors of {} B) with {} mapped entries{}",
                size_arg / self.cfg.desc_size.max(1) as u64,
                self.cfg.desc_size,
                entries.len(),
                if succeeded { "" } else { ": firmware returned an error" }
            ),
        );
        if !succeeded {
            self.klog.push(
                "efi: Unable to switch EFI into virtual mode (status=0x8000000000000003)!".into(),
            );
            self.notes
                .push("SVAM failed: EFI_RUNTIME_SERVICES cleared".into());
        }
        self.svam = Some(SvamCall {
            entries,
            virt,
            size_arg: Some(size_arg),
            succeeded,
        });
    }

    /// `kexec_enter_virtual_mode()`: every entry is mapped 1:1 and at its inherited VA; no
    /// SVAM, no unmap, no free (spec §2, kexec).
    pub fn kexec_map(&mut self) {
        let passed = Shared::whole(&self.memmap.entries);
        if self.cfg.bits == 64 {
            self.pt.reserve(2 * passed.len());
        }
        for e in &passed {
            let r = e.range();
            if self.cfg.bits == 64 {
                self.pt.map(e.id.clone(), MappingKind::Identity, r, r.start);
                self.pt
                    .map(e.id.clone(), MappingKind::HighVa, r, e.desc.virt);
            }
        }
        let virt = passed.iter().map(|e| Some(e.desc.virt)).collect();
        self.event(
            "kexec_enter_virtual_mode",
            "2 kexec",
            None,
            format!(
                "kexec boot: {} entries mapped at their inherited virtual addresses; no SVAM",
                passed.len()
            ),
        );
        self.svam = Some(SvamCall {
            entries: passed,
            virt,
            size_arg: None,
            succeeded: true,
        });
    }

    /// `efi_merge_regions()`: an entry that starts where the previous one of equal type and
    /// attribute ends is absorbed into it and becomes RESERVED with attribute 0.
    pub fn merge_regions(&mut self, rule: &'static str, patch: Option<&'static str>) {
        let mut prev: Option<usize> = None;
        // The first few merges are named in the event; the rest only counted.
        let (mut merged, mut n) = (Vec::new(), 0usize);
        for i in 0..self.memmap.valid() {
            let Some(p) = prev else {
                prev = Some(i);
                continue;
            };
            let (pd, md) = (self.memmap.entries[p].desc, self.memmap.entries[i].desc);
            if pd.ty != md.ty || pd.attr != md.attr {
                prev = Some(i);
                continue;
            }
            if pd.end() == Some(md.phys) {
                // Copied only if a snapshot still holds the map, and only when something merges.
                let entries = Arc::make_mut(&mut self.memmap.entries);
                entries[p].desc.num_pages = pd.num_pages.saturating_add(md.num_pages);
                entries[i].desc.ty = MemoryType::RESERVED;
                entries[i].desc.attr = Attributes(0);
                entries[i].merged_away = true;
                if n < 8 {
                    merged.push(format!("{} absorbed {}", entries[p].id, entries[i].id));
                }
                n += 1;
                continue;
            }
            prev = Some(i);
        }
        if n > 0 {
            self.event(
                "efi_merge_regions",
                rule,
                patch,
                format!(
                    "{n} adjacent identical entries merged ({}{})",
                    merged.join(", "),
                    if n > 8 { ", …" } else { "" }
                ),
            );
        }
    }

    /// The id and provenance of piece `n` (a, b, c…) cut from `e`.
    pub fn piece(e: &Entry, n: usize) -> Entry {
        let piece = (b'a' + n.min(25) as u8) as char;
        Entry {
            id: Arc::from(format!("{}{piece}", e.id)),
            provenance: Provenance::Split { piece },
            ..e.clone()
        }
    }
}
