//! Level of detail on the app's 100k-region case: the cells of every lane of compare mode
//! (7 steps × 2 kernels) at fit and zoomed in, with the lanes placed on the axis already (as
//! on every redraw after the first) and with the placing included (the first draw of a lane).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use efiviz_core::layout::{Kernel, Placed, Story, View, cells, simulated_story};
use efiviz_core::model::{Attributes, Descriptor, MemoryMap, MemoryType};
use efiviz_core::sim::SimInput;

const REGIONS: usize = 100_000;
/// The e2e suite's canvas width.
const WIDTH_PX: f64 = 1280.0;

/// `n` adjacent descriptors of 1–64 pages, cycling through the types a firmware map holds.
fn story(n: usize) -> Story {
    let types = [
        (MemoryType::CONVENTIONAL, 0xf),
        (MemoryType::BOOT_SERVICES_DATA, 0xf),
        (MemoryType::LOADER_CODE, 0xf),
        (MemoryType::RUNTIME_SERVICES_CODE, Attributes::RUNTIME | 0xf),
        (MemoryType::BOOT_SERVICES_CODE, 0xf),
        (MemoryType::ACPI_NVS, 0xf),
    ];
    let mut phys = 0x10_0000;
    let descriptors = (0..n)
        .map(|i| {
            let (ty, attr) = types[i % types.len()];
            let num_pages = 1 + (i as u64 * 7) % 64;
            let d = Descriptor {
                ty,
                phys,
                num_pages,
                virt: 0,
                attr: Attributes(attr),
            };
            phys += num_pages << 12;
            d
        })
        .collect();
    let map = MemoryMap {
        descriptors,
        ..MemoryMap::default()
    };
    simulated_story(&SimInput::from_map(&map))
}

/// Cells of every lane of compare mode; returns how many, so nothing is optimised away.
fn compare_mode_cells(story: &Story, view: &View) -> usize {
    (0..story.steps.len())
        .flat_map(|step| [Kernel::Old, Kernel::New].map(|k| (step, k)))
        .map(|(step, kernel)| cells(story.placed(step, kernel), view, WIDTH_PX).len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let story = story(REGIONS);
    // Cloned before any lane is placed, so each clone of it places its lanes anew.
    let unplaced = story.clone();
    let fit = View::fit(&story.axis);
    let zoomed = View {
        lo: fit.span() * 0.4,
        hi: fit.span() * 0.45,
    };
    let mut group = c.benchmark_group("compare_mode_cells_100k");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("fit", |b| {
        b.iter(|| compare_mode_cells(&story, black_box(&fit)))
    });
    group.bench_function("zoomed", |b| {
        b.iter(|| compare_mode_cells(&story, black_box(&zoomed)))
    });
    group.bench_function("placing one lane", |b| {
        let lane = &story.steps[6].kernel(Kernel::New).lane;
        b.iter(|| Placed::new(black_box(lane), &story.axis))
    });
    group.bench_function("fit, first draw (placing included)", |b| {
        b.iter_batched(
            || unplaced.clone(),
            // Returned, so the story is dropped outside the timing.
            |fresh| (compare_mode_cells(&fresh, &fit), fresh),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
