//! parse + simulate (both kernels) on synthetic logs of 1k … 1M `efi: memNN` lines, simulated
//! as a normal boot (no efi=debug on the command line, so every phase does its work).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use efiviz_core::model::{Attributes, Descriptor, MemoryType};
use efiviz_core::parse::{self, print::mem_line};
use efiviz_core::sim::{self, Kernel, SimInput};

/// A firmware-like map: runs of boot-services, conventional, loader and runtime entries.
fn synthetic_log(n: usize) -> Vec<u8> {
    let kinds = [
        (MemoryType::BOOT_SERVICES_CODE, 0xf),
        (MemoryType::CONVENTIONAL, 0xf),
        (MemoryType::BOOT_SERVICES_DATA, 0xf),
        (MemoryType::LOADER_DATA, 0xf),
        (MemoryType::BOOT_SERVICES_DATA, 0xf),
        (MemoryType::RUNTIME_SERVICES_DATA, Attributes::RUNTIME | 0xf),
        (MemoryType::ACPI_RECLAIM, 0xf),
    ];
    let mut out = String::with_capacity(n * 110 + 64);
    let mut phys = 0x10_0000u64;
    for i in 0..n {
        let (ty, attr) = kinds[i % kinds.len()];
        let pages = 1 + (i as u64 * 7) % 5;
        let d = Descriptor {
            ty,
            phys,
            num_pages: pages,
            virt: 0,
            attr: Attributes(attr),
        };
        out.push_str(&mem_line(i, &d));
        out.push('\n');
        phys += pages * 4096;
    }
    out.into_bytes()
}

fn run(text: &[u8]) -> usize {
    let parsed = parse::parse(text, None);
    let input = SimInput::from_boot_log(&parsed.log).expect("synthetic map parses");
    let old = sim::simulate(&input, Kernel::Old);
    let new = sim::simulate(&input, Kernel::New);
    old.end().memmap.entries.len() + new.end().memmap.entries.len()
}

fn bench(c: &mut Criterion) {
    // As the CLI does: large maps reuse freed memory instead of faulting it in again.
    efiviz_core::heap::keep_freed_memory();
    let mut group = c.benchmark_group("parse_and_simulate_both");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    for n in [1_000usize, 10_000, 100_000, 1_000_000] {
        let text = synthetic_log(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| {
            b.iter(|| run(black_box(t)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
