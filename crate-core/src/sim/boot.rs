//! The boot, phase by phase: the shared order of events, with the OLD or NEW policy at each step.

use super::config::SimInput;
use super::events::Phase;
use super::invariants::Releases;
use super::machine::Machine;
use super::ranges::coalesce;
use super::snapshot::{PhaseSnapshot, Shared};
use super::{Kernel, Simulation, new, old};

fn efi_mem_reserve(m: &mut Machine, name: &str, addr: u64, size: u64) {
    match m.kernel {
        Kernel::Old => old::efi_mem_reserve(m, name, addr, size),
        Kernel::New => new::efi_mem_reserve(m, name, addr, size),
    }
}

/// The snapshots so far, and the releases as the invariants read them (kept between phases).
#[derive(Default)]
struct Recorder {
    phases: Vec<PhaseSnapshot>,
    released: Releases,
}

impl Recorder {
    /// Appends the snapshot after `phase`, sharing what did not change since the previous one.
    fn record(&mut self, m: &mut Machine, phase: Phase, by: &'static str) {
        m.pt.settle();
        self.released.update(m);
        let snap = PhaseSnapshot::capture(m, phase, by, self.phases.last(), &self.released);
        self.phases.push(snap);
    }
}

/// Runs one kernel over the input (see [`super::simulate`]).
pub fn run(input: &SimInput, kernel: Kernel) -> Simulation {
    let cfg = &input.config;
    let mut m = Machine::new(input, kernel);
    let mut rec = Recorder {
        phases: Vec::with_capacity(Phase::ALL.len()),
        ..Recorder::default()
    };
    rec.record(&mut m, Phase::Firmware, "firmware");

    // setup_arch()
    m.phase = Phase::Reserve;
    m.early_setup();
    for r in &cfg.mem_reserve_early {
        if r.only_if_boot_data && !m.in_boot_data(r.addr) {
            m.event(
                "efi_esrt_init",
                "1.8 ESRT only in Boot Data",
                None,
                format!(
                    "{} at {:#x} is not in a Boot Data descriptor: no efi_mem_reserve",
                    r.name, r.addr
                ),
            );
            continue;
        }
        efi_mem_reserve(&mut m, &r.name, r.addr, r.size);
    }
    match kernel {
        Kernel::Old => old::reserve_boot_services(&mut m),
        Kernel::New => new::reserve_boot_services(&mut m),
    }
    m.map_after_rbs = Shared::whole(&m.memmap.entries);
    m.reserve_real_mode();
    m.memblock.current_limit = u64::MAX;
    m.event(
        "init_mem_mapping",
        "1.3.5 limit raised",
        None,
        "memblock allocation limit raised to the top of RAM".into(),
    );
    for r in &cfg.mem_reserve_late {
        efi_mem_reserve(&mut m, &r.name, r.addr, r.size);
    }
    rec.record(&mut m, Phase::Reserve, "setup_arch");

    m.phase = Phase::MmInit;
    m.mm_init();
    rec.record(&mut m, Phase::MmInit, "memblock_free_all");

    m.phase = Phase::Svam;
    m.bs_at_svam = coalesce(
        m.memmap
            .valid_entries()
            .iter()
            .filter(|e| e.is_bs())
            .map(|e| e.range())
            .collect(),
    );
    if cfg.kexec {
        m.kexec_map();
    } else {
        match kernel {
            Kernel::Old => old::enter_virtual_mode(&mut m),
            Kernel::New => new::enter_virtual_mode(&mut m),
        }
    }
    let svam_ok = !cfg.kexec && m.svam.as_ref().is_some_and(|s| s.succeeded);
    rec.record(
        &mut m,
        Phase::Svam,
        if cfg.kexec {
            "kexec_enter_virtual_mode"
        } else {
            "__efi_enter_virtual_mode"
        },
    );

    m.phase = Phase::Unmap;
    if svam_ok {
        match kernel {
            Kernel::Old => old::unmap(&mut m),
            Kernel::New => new::unmap(&mut m),
        }
    } else {
        m.event(
            "__efi_enter_virtual_mode",
            "3.2 err path",
            None,
            if cfg.kexec {
                "kexec boot: no unmap".into()
            } else {
                "SVAM did not succeed: EFI_RUNTIME_SERVICES cleared, no unmap".into()
            },
        );
    }
    rec.record(&mut m, Phase::Unmap, "efi_unmap_boot_services");

    m.phase = Phase::Free;
    match kernel {
        Kernel::Old => old::free(&mut m),
        Kernel::New => new::free(&mut m),
    }
    rec.record(&mut m, Phase::Free, "efi_free_boot_services");
    m.phase = Phase::Compact;
    let compactor = match kernel {
        Kernel::Old => "efi_unmap_boot_services",
        Kernel::New => "efi_free_boot_services",
    };
    rec.record(&mut m, Phase::Compact, compactor);
    Simulation::from_machine(m, rec.phases)
}
