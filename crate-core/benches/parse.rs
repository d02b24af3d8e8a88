//! Parser throughput on two ~100 MB concatenated kernel logs, each next to `wc -l` on the same
//! file:
//!
//! * **as stored**: every truth boot log and real fixture of `tests/data/parse`, whole, repeated
//!   until it passes 100 MiB. The truth boots ran with `efi=debug memblock=debug` and carry the
//!   test harness's own dump lines, so about 45% of the lines are memory lines: a dense worst case.
//! * **typical**: the same files, but the truth logs keep only the kernel's timestamped lines
//!   without the `memblock=debug` output: what a user's `dmesg` with `efi=debug` holds.
//!
//! Each file is written to the target directory so `wc -l` reads the very same bytes.
//! Run with `cargo bench -p efiviz-core --bench parse`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use efiviz_core::parse::parse;

const TARGET_BYTES: usize = 100 << 20;

/// The fixture files of one directory of `tests/data/parse`, sorted.
fn fixtures(dir: &str) -> Vec<PathBuf> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parse");
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join(dir))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures under {}", data.display());
    files
}

fn read(file: &Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_default()
}

/// A truth log as a user would have it: kernel lines only (the harness's dumps have no
/// timestamp), and none of the `memblock=debug` output.
fn as_user_dmesg(log: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(log.len());
    for line in log.split_inclusive(|&b| b == b'\n') {
        let Some(close) = line.iter().position(|&b| b == b']') else {
            continue;
        };
        let message = line[close + 1..].trim_ascii_start();
        let debug_only = [
            &b"memblock"[..],
            b"__memblock",
            b"MEMBLOCK",
            b"memory.",
            b"reserved.",
        ]
        .iter()
        .any(|p| message.starts_with(p));
        if line.starts_with(b"[") && !debug_only {
            out.extend_from_slice(line);
        }
    }
    out
}

/// `one_round` repeated past 100 MiB, written to `name` in the target directory.
fn bench_file(one_round: &[u8], name: &str) -> (Vec<u8>, PathBuf) {
    let mut all = Vec::with_capacity(TARGET_BYTES + one_round.len());
    while all.len() < TARGET_BYTES {
        all.extend_from_slice(one_round);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join(name);
    std::fs::write(&path, &all).expect("write the benchmark file");
    let parsed = parse(one_round, None);
    let lines = one_round.iter().filter(|&&b| b == b'\n').count();
    eprintln!(
        "{name}: {} bytes, {} lines; one round has {lines} lines, {} taken by a recogniser ({:.0}%)",
        all.len(),
        all.iter().filter(|&&b| b == b'\n').count(),
        parsed.report.recognised_lines,
        100.0 * parsed.report.recognised_lines as f64 / lines as f64,
    );
    (all, path)
}

fn compare(c: &mut Criterion, group_name: &str, (bytes, path): (Vec<u8>, PathBuf)) {
    let mut group = c.benchmark_group(group_name);
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

fn throughput(c: &mut Criterion) {
    let (real, truth) = (fixtures("real"), fixtures("truth"));
    // Same order as before the typical variant existed: real fixtures, then truth logs.
    let stored: Vec<u8> = real.iter().chain(&truth).flat_map(|f| read(f)).collect();
    let typical: Vec<u8> = real
        .iter()
        .map(|f| read(f))
        .chain(truth.iter().map(|f| as_user_dmesg(&read(f))))
        .flatten()
        .collect();
    compare(
        c,
        "100MB concatenated dmesg (fixtures as stored)",
        bench_file(&stored, "parse-bench-100mb.log"),
    );
    compare(
        c,
        "100MB concatenated dmesg (typical: efi=debug, no memblock=debug)",
        bench_file(&typical, "parse-bench-typical-100mb.log"),
    );
}

criterion_group!(benches, throughput);
criterion_main!(benches);
