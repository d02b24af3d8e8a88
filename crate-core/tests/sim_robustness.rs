//! Nothing panics, whatever the map: invalid, overlapping, unsorted, zero-sized, overflowing,
//! unaligned, and with extreme knobs. Also checks a few properties every run must keep.

use efiviz_core::model::{Attributes, Descriptor, MemoryType};
use efiviz_core::sim::{self, Kernel, SimInput, Source, output};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick(&mut self, options: &[u64]) -> u64 {
        options[(self.next() % options.len() as u64) as usize]
    }
}

fn random_input(rng: &mut Rng) -> SimInput {
    let n = (rng.next() % 40) as usize;
    let mut descs = Vec::with_capacity(n);
    let mut phys = 0u64;
    for _ in 0..n {
        let ty = MemoryType(rng.pick(&[0, 2, 3, 4, 4, 5, 6, 7, 7, 9, 11, 0x7000_0000]) as u32);
        let pages = rng.pick(&[0, 1, 2, 0x10, 0x100, 0x9f, u64::MAX / 4096, u64::MAX]);
        let jump = rng.pick(&[0, 0, 0x1000, 0x800, 0x10_0000, 0x4000_0000]);
        // Sometimes go backwards (unsorted, overlapping), sometimes far up (overflow).
        phys = match rng.next() % 8 {
            0 => phys / 2,
            1 => u64::MAX - 0x1000,
            _ => phys.wrapping_add(jump),
        };
        let attr = rng.pick(&[
            0,
            0xf,
            Attributes::RUNTIME | 0xf,
            0x4000 | 0xf,
            Attributes::SP | 0xf,
            1 << 40,
        ]);
        descs.push(Descriptor {
            ty,
            phys,
            num_pages: pages,
            virt: rng.next() & 0xffff_f000,
            attr: Attributes(attr),
        });
        phys = phys.wrapping_add(pages.wrapping_mul(4096));
    }
    let mut input = SimInput {
        ids: (0..n).map(|i| format!("d{i}").into()).collect(),
        descs,
        ..SimInput::default()
    };
    let c = &mut input.config;
    for knob in ["mixed", "efi_dbg", "svam_fail", "kexec"] {
        if rng.next() % 4 == 0 {
            c.set(&format!("{knob}=true")).expect("knob");
        }
    }
    if rng.next() % 5 == 0 {
        c.bits = 32;
    }
    c.kernel = (
        rng.pick(&[0x100_0000, 0, u64::MAX]),
        rng.pick(&[0x200_0000, 0, u64::MAX]),
    );
    c.memmap = rng.pick(&[0x200_0018, 0, u64::MAX - 10, 0x9_f000]);
    c.desc_size = rng.pick(&[40, 48, 4096, u32::MAX as u64]) as u32;
    c.rm_size = rng.pick(&[0, 0x6000, 0x7000, u64::MAX]);
    c.bios_start = rng.pick(&[0x9_f000, 0, 0x10_0000]);
    c.mem_limit = [None, Some(0), Some(0x3000_0000)][(rng.next() % 3) as usize];
    let addr = rng.pick(&[0x4000_4f98, 0, u64::MAX - 1, 0x9_0000]);
    let size = rng.pick(&[0x38, 0, u64::MAX, 0x4000]);
    c.set(&format!(
        "mem_reserve_early=ESRT:{addr:#x}:{size:#x}:true;MOKvar:{addr:#x}:{size:#x}:false"
    ))
    .expect("early");
    c.set(&format!("mem_reserve_late=BGRT:{addr:#x}:{size:#x}"))
        .expect("late");
    c.set(&format!("cfg_rsv=TPM:{addr:#x}:{size:#x}"))
        .expect("cfg");
    input
}

#[test]
fn random_and_hostile_maps_never_panic_and_keep_basic_properties() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..400 {
        let input = random_input(&mut rng);
        let old = sim::simulate(&input, Kernel::Old);
        let new = sim::simulate(&input, Kernel::New);
        let _ = sim::compare(&old, &new);
        output::write_document(std::io::sink(), [&old, &new])
            .expect("the JSON document serialises");
        for s in [&old, &new] {
            assert_eq!(s.phases.len(), 7, "case {case}: one snapshot per phase");
            for r in &s.end().released {
                assert!(
                    r.range.start <= r.range.end,
                    "case {case}: inverted release {r:?}"
                );
                // Boot-services frees are clipped at 1 MiB in both kernels (the NEW memmap
                // tail is not: a buffer below 1 MiB is a real I-1 hazard, reported as such).
                if r.source == Source::EfiFree {
                    assert!(
                        r.range.start >= 0x10_0000,
                        "case {case}: EFI code freed below 1 MiB: {r:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn empty_map_runs_all_phases() {
    let input = SimInput::default();
    for k in [Kernel::Old, Kernel::New] {
        let s = sim::simulate(&input, k);
        assert_eq!(s.phases.len(), 7);
        assert!(s.end().memmap.entries.is_empty());
    }
}
