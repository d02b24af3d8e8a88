//! Simulator inputs implied by a parsed boot log (docs/truth.md, "Deriving simulator inputs").
//! Everything comes from the parsed [`BootLog`]; facts the log does not show keep defaults.

use crate::model::{BootLog, Descriptor, E820Op, E820Type, MemoryType};

use super::config::{MemReserve, PlainReserve, SimConfig};
use super::ranges::ONE_MIB;

/// The caller symbol of a memblock=debug line (`efi_memattr_init+0x4f/0xa0` → `efi_memattr_init`),
/// skipping the `nid=… flags=…` prefix of RSRV_KERN-era kernels.
fn caller(c: &str) -> &str {
    let sym = c.split_whitespace().last().unwrap_or("");
    sym.split('+').next().unwrap_or(sym)
}

fn is_reserve(op: &str) -> bool {
    op == "memblock_reserve" || op == "__memblock_reserve"
}

/// Fills `cfg` from what the log shows.
pub fn apply_boot_log(cfg: &mut SimConfig, descs: &[Descriptor], log: &BootLog) {
    let opts = log.options();
    cfg.efi_dbg = opts.efi_debug;
    cfg.mem_limit = opts.mem_limit;
    if !log.e820.is_empty() {
        cfg.e820 = Some(log.e820.clone());
    }
    let events = &log.memblock_events;
    let reserves = || events.iter().filter(|e| is_reserve(&e.op));

    // The buffer efi_memblock_x86_reserve_range reserved: address, and nr_map × desc_size.
    if let Some(e) = reserves().find(|e| caller(&e.caller) == "efi_memblock_x86_reserve_range") {
        cfg.memmap = e.start;
    }
    // reserve_real_mode(): the allocation just before its closing memblock_reserve(0, 1 MiB).
    if let Some(i) = events
        .iter()
        .position(|e| is_reserve(&e.op) && e.start == 0 && e.end == ONE_MIB)
    {
        if let Some(t) = i.checked_sub(1).map(|j| &events[j]) {
            if t.end <= ONE_MIB && caller(&t.caller).starts_with("memblock_alloc") {
                cfg.rm_size = t.end - t.start;
            }
        }
    }
    // The kernel image: the used brk (setup_arch's own reservation) ends it; _text is the
    // start of the Loader Code descriptor holding it (no line prints the image itself, C4/C5).
    if let Some(brk) = reserves().find(|e| caller(&e.caller) == "setup_arch" && e.start >= ONE_MIB)
    {
        let text = descs
            .iter()
            .filter(|d| d.ty == MemoryType::LOADER_CODE)
            .find(|d| d.phys <= brk.start && d.end().is_some_and(|end| brk.start < end))
            .map_or(brk.start, |d| d.phys);
        cfg.kernel = (text, brk.end);
    } else if let Some(d) = descs
        .iter()
        .filter(|d| d.ty == MemoryType::LOADER_CODE)
        .max_by_key(|d| d.num_pages)
    {
        // No memblock=debug: the EFI stub runs the kernel from the largest Loader Code
        // region, so take all of it (an over-estimate of [_text, _end)).
        cfg.kernel = (d.phys, d.end().unwrap_or(u64::MAX));
    }
    // Config-table reservations (plain).
    cfg.cfg_rsv = reserves()
        .filter(|e| {
            matches!(
                caller(&e.caller),
                "efi_memattr_init" | "efi_tpm_eventlog_init"
            )
        })
        .map(|e| PlainReserve {
            name: caller(&e.caller)
                .trim_start_matches("efi_")
                .trim_end_matches("_init")
                .to_owned(),
            addr: e.start,
            size: e.end - e.start,
            kern: false,
        })
        .collect();
    // Without memblock=debug, MEMATTR= gives the table address; efi=debug prints its entries,
    // and efi_memattr_init reserves the 16-byte header plus one descriptor per entry.
    if cfg.cfg_rsv.is_empty() && !log.memattr.is_empty() {
        if let Some(t) = log.config_tables.iter().find(|t| t.name == "MEMATTR") {
            cfg.cfg_rsv.push(PlainReserve {
                name: "memattr".into(),
                addr: t.addr,
                size: 16 + log.memattr.len() as u64 * cfg.desc_size as u64,
                kern: false,
            });
        }
    }
    // setup_data shows as an e820 update to the same type (E820_TYPE_RESERVED_KERN).
    cfg.early_rsv = log
        .e820_events
        .iter()
        .filter(|e| matches!(e.op, E820Op::Update { from, to } if from == to))
        .map(|e| PlainReserve {
            name: "setup_data".into(),
            addr: e.start,
            size: e.end - e.start,
            kern: true,
        })
        .collect();
    // ESRT: an early efi_mem_reserve, made only when it lies in Boot Data.
    cfg.mem_reserve_early = log
        .esrt
        .map(|(s, e)| MemReserve {
            name: "ESRT".into(),
            addr: s,
            size: e.saturating_sub(s),
            only_if_boot_data: true,
        })
        .into_iter()
        .collect();
    // The late efi_mem_reserve (BGRT): its exact memblock line when present, else the e820
    // RAM → reserved update the split made (page-rounded, equivalent for OLD), excluding
    // trim_bios_range's page 0 and the ESRT.
    let esrt = log.esrt;
    let exact: Vec<(u64, u64)> = events
        .iter()
        .filter(|e| is_reserve(&e.op) && caller(&e.caller) == "efi_mem_reserve")
        .map(|e| (e.start, e.end))
        .collect();
    let late: Vec<(u64, u64)> = if exact.is_empty() {
        log.e820_events
            .iter()
            .filter(|e| {
                matches!(
                    e.op,
                    E820Op::Update {
                        from: E820Type::USABLE,
                        to: E820Type::RESERVED
                    }
                ) && e.start >= ONE_MIB
                    && esrt.is_none_or(|(s, x)| e.end <= s || x <= e.start)
            })
            .map(|e| (e.start, e.end))
            .collect()
    } else {
        exact
    };
    cfg.mem_reserve_late = late
        .into_iter()
        .map(|(s, e)| PlainReserve {
            name: "BGRT".into(),
            addr: s,
            size: e - s,
            kern: true,
        })
        .collect();
    // Mixed mode: only then does the printed runtime map hold Conventional or Loader entries.
    if let Some(rt) = &log.runtime_map {
        cfg.mixed = rt.descriptors.iter().any(|d| {
            matches!(
                d.ty,
                MemoryType::CONVENTIONAL | MemoryType::LOADER_CODE | MemoryType::LOADER_DATA
            )
        });
    }
}
