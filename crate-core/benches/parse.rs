//! Parser throughput on a ~100 MB concatenated kernel log, next to `wc -l` on the same file.
//!
//! The file is every truth boot log and real fixture of `tests/data/parse`, repeated until it
//! passes 100 MiB, written to `target/parse-bench-100mb.log` so `wc -l` reads the very same bytes.
//! Run with `cargo bench -p efiviz-core --bench parse` (set `CARGO_PROFILE_BENCH_OPT_LEVEL=3`:
//! the workspace release profile optimises for size).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use efiviz_core::parse::parse;

const TARGET_BYTES: usize = 100 << 20;

fn corpus() -> (Vec<u8>, PathBuf) {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/parse");
    let mut files: Vec<PathBuf> = ["truth", "real"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(data.join(dir)).into_iter().flatten())
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut one_round = Vec::new();
    for file in &files {
        one_round.extend(std::fs::read(file).unwrap_or_default());
    }
    assert!(
        !one_round.is_empty(),
        "no fixtures under {}",
        data.display()
    );
    let mut all = Vec::with_capacity(TARGET_BYTES + one_round.len());
    while all.len() < TARGET_BYTES {
        all.extend_from_slice(&one_round);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("parse-bench-100mb.log");
    std::fs::write(&path, &all).expect("write the benchmark file");
    (all, path)
}

fn throughput(c: &mut Criterion) {
    let (bytes, path) = corpus();
    let mut group = c.benchmark_group("100MB concatenated dmesg");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("efiviz parse (in memory)", |b| {
        b.iter(|| black_box(parse(black_box(&bytes), None)))
    });
    group.bench_function("wc -l (same file, page cache)", |b| {
        b.iter(|| {
            Command::new("wc")
                .arg("-l")
                .arg(&path)
                .output()
                .expect("run wc -l")
        })
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
