//! Real boots (fixtures/truth, docs/truth.md): simulating the firmware map of each `-D`
//! (efi=debug) boot with efi=debug turned off must predict what its `-P` twin did.

use std::path::PathBuf;

use efiviz_core::model::{BootLog, Descriptor};
use efiviz_core::parse;
use efiviz_core::sim::{self, Kernel, SimInput, Simulation};

fn truth(name: &str) -> BootLog {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/truth");
    assert!(
        dir.is_dir(),
        "truth boots not found at {} (expected /work/shared next to the repository)",
        dir.display()
    );
    let bytes =
        std::fs::read(dir.join(name).join("serial.log")).unwrap_or_else(|e| panic!("{name}: {e}"));
    parse::parse(&bytes, None).log
}

/// `(start, end)` of every memblock reservation made by `efi_reserve_boot_services` (plain ones).
fn rbs_reserved(log: &BootLog) -> Vec<(u64, u64)> {
    log.memblock_events
        .iter()
        .filter(|e| {
            e.op.ends_with("memblock_reserve") && e.caller.contains("efi_reserve_boot_services")
        })
        .map(|e| (e.start, e.end))
        .collect()
}

fn entry_key(d: &Descriptor) -> (u32, u64, u64, u64, u64) {
    (d.ty.0, d.phys, d.num_pages, d.virt, d.attr.0)
}

/// The simulated `efi.memmap` at the end of boot, as comparable keys.
fn predicted_final_map(s: &Simulation) -> Vec<(u32, u64, u64, u64, u64)> {
    s.end()
        .memmap
        .entries
        .iter()
        .map(|e| entry_key(&e.desc))
        .collect()
}

/// The runtime map the real kernel printed, as comparable keys.
fn real_runtime_map(log: &BootLog) -> Vec<(u32, u64, u64, u64, u64)> {
    log.runtime_map
        .as_ref()
        .map(|m| m.descriptors.iter().map(entry_key).collect())
        .unwrap_or_default()
}

struct Outcome {
    problems: Vec<String>,
}

impl Outcome {
    fn check<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, predicted: T, real: T) {
        if predicted != real {
            self.problems.push(format!(
                "{what}:\n  predicted {predicted:?}\n  real      {real:?}"
            ));
        }
    }
}

fn predict(pair: &str, kernel: Kernel) -> (Simulation, BootLog) {
    let d = truth(&format!("{pair}-D"));
    let p = truth(&format!("{pair}-P"));
    let mut input =
        SimInput::from_boot_log(&d).unwrap_or_else(|| panic!("{pair}-D: no memory map parsed"));
    input.config.set("efi_dbg=false").expect("knob");
    (sim::simulate(&input, kernel), p)
}

fn check_pair(pair: &str, kernel: Kernel) -> Option<String> {
    let (s, p) = predict(pair, kernel);
    let mut o = Outcome {
        problems: Vec::new(),
    };
    let predicted: Vec<(u64, u64)> = s
        .boot_services_reserved
        .iter()
        .map(|r| (r.start, r.end))
        .collect();
    o.check(
        "efi_reserve_boot_services reservations",
        predicted,
        rbs_reserved(&p),
    );
    // NEW kernels here are instrumented to log mark-only calls (N2): check those too.
    let marked: Vec<(u64, u64)> = p
        .memblock_events
        .iter()
        .filter(|e| {
            e.op == "memblock_reserved_mark_kern" && e.caller.contains("efi_reserve_boot_services")
        })
        .map(|e| (e.start, e.end))
        .collect();
    o.check(
        "efi_reserve_boot_services mark-only calls",
        s.boot_services_marked
            .iter()
            .map(|r| (r.start, r.end))
            .collect::<Vec<_>>(),
        marked,
    );
    o.check(
        "Freeing EFI boot services memory (KiB)",
        s.freed_kib,
        p.boot_services_freed_kib,
    );
    o.check(
        "final runtime map (type, phys, pages, virt, attr)",
        predicted_final_map(&s),
        real_runtime_map(&p),
    );
    (!o.problems.is_empty())
        .then(|| format!("{pair} ({}):\n{}", kernel.name(), o.problems.join("\n")))
}

/// All seven pairs: five Debian kernels (OLD) and two carrying the series (NEW); failures of
/// every pair are reported together.
#[test]
fn plain_boot_predicted_from_debug_boot() {
    let pairs = [
        ("q35-1G", Kernel::Old),
        ("pc-1G", Kernel::Old),
        ("q35-1G-tpm", Kernel::Old),
        ("q35-1G-ovmf32", Kernel::Old),
        ("q35-1G-mem768M", Kernel::Old),
        ("new-q35-1G", Kernel::New),
        ("new-q35-1G-ovmf32", Kernel::New),
    ];
    let problems: Vec<String> = pairs
        .iter()
        .filter_map(|&(pair, kernel)| check_pair(pair, kernel))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The `-D` boot itself: with efi=debug the SVAM map is the printed runtime map (S5 of truth.md).
#[test]
fn debug_boot_svam_map_matches_the_printed_runtime_map() {
    for (pair, kernel) in [
        ("q35-1G", Kernel::Old),
        ("pc-1G", Kernel::Old),
        ("new-q35-1G", Kernel::New),
    ] {
        let d = truth(&format!("{pair}-D"));
        let input = SimInput::from_boot_log(&d).expect("map");
        let s = sim::simulate(&input, kernel);
        let svam: Vec<(u32, u64, u64)> = s
            .svam
            .iter()
            .flat_map(|c| c.entries.iter())
            .map(|e| (e.desc.ty.0, e.desc.phys, e.desc.num_pages))
            .collect();
        let real: Vec<(u32, u64, u64)> = d
            .runtime_map
            .as_ref()
            .map(|m| {
                m.descriptors
                    .iter()
                    .map(|x| (x.ty.0, x.phys, x.num_pages))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(svam, real, "{pair}-D: SVAM map vs printed runtime map");
        assert!(
            s.freed_kib.is_none(),
            "{pair}-D: efi=debug prints no free message in OLD or NEW"
        );
    }
}

/// Without memblock=debug the MEMATTR reservation is rebuilt from the MEMATTR= address and the
/// printed entries; it must equal the reservation memblock=debug shows.
#[test]
fn memattr_reservation_derived_without_memblock_debug() {
    for pair in ["q35-1G-D", "pc-1G-D", "q35-1G-tpm-D"] {
        let full = truth(pair);
        let real = full
            .memblock_events
            .iter()
            .find(|e| e.caller.contains("efi_memattr_init"))
            .map(|e| (e.start, e.end))
            .expect("memattr line");
        let mut bare = full.clone();
        bare.memblock_events.clear();
        let input = SimInput::from_boot_log(&bare).expect("map");
        let got = input
            .config
            .cfg_rsv
            .first()
            .map(|r| (r.addr, r.addr + r.size));
        assert_eq!(got, Some(real), "{pair}: derived MEMATTR reservation");
    }
}

/// A log without memblock=debug (no memmap, trampoline, kernel or MEMATTR lines) still
/// predicts the freed figure and the final runtime map of the plain boot.
#[test]
fn prediction_without_memblock_debug() {
    for pair in ["q35-1G", "pc-1G", "q35-1G-tpm"] {
        let mut d = truth(&format!("{pair}-D"));
        d.memblock_events.clear();
        let p = truth(&format!("{pair}-P"));
        let mut input = SimInput::from_boot_log(&d).expect("map");
        input.config.set("efi_dbg=false").expect("knob");
        let s = sim::simulate(&input, Kernel::Old);
        assert_eq!(s.freed_kib, p.boot_services_freed_kib, "{pair}: freed KiB");
        assert_eq!(
            predicted_final_map(&s),
            real_runtime_map(&p),
            "{pair}: final runtime map"
        );
    }
}
