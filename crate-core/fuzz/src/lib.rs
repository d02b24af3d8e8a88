//! The bodies of efiviz's fuzz targets, one function per target.
//!
//! The `fuzz_targets/*.rs` binaries are one-line wrappers around these, and
//! `crate-core/tests/hostile.rs` includes this file to replay every saved crash
//! (`crate-core/tests/data/hostile/fuzz/<target>/`) on the ordinary toolchain, so a crash
//! found once stays a regression test. Beyond "never panics", each target checks cheap
//! properties of the result that any input must satisfy.

use efiviz_core::layout::{Kernel, View, cells, simulated_story, ticks};
use efiviz_core::model::MemoryMap;
use efiviz_core::parse::{self, Format, MAX_TEXT, MapFlags, Parsed, Severity, binary, json, print};
use efiviz_core::sim::{Phase, SimInput};

/// A target's body: any bytes in, a panic when something is wrong.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz_targets/<name>.rs` binary.
pub const TARGETS: [(&str, Target); 8] = [
    ("auto", auto),
    ("dmesg", dmesg),
    ("uefi_shell", uefi_shell),
    ("e820", e820),
    ("runtime_map", runtime_map),
    ("json", json_doc),
    ("binary", binary_array),
    ("end_to_end", end_to_end),
];

/// Format detection plus whichever reader it picks.
pub fn auto(data: &[u8]) {
    let parsed = parse::parse(data, None);
    check_report(data, &parsed);
}

/// Kernel log text, forced.
pub fn dmesg(data: &[u8]) {
    let parsed = parse::parse(data, Some(Format::Dmesg));
    check_report(data, &parsed);
    check_reprint(&parsed);
}

/// UEFI shell `memmap` output, forced.
pub fn uefi_shell(data: &[u8]) {
    let parsed = parse::parse(data, Some(Format::UefiShell));
    check_report(data, &parsed);
    check_reprint(&parsed);
}

/// e820 tables live inside kernel logs: the same reader as `dmesg`, seeded with e820 lines,
/// checking what it makes of them.
pub fn e820(data: &[u8]) {
    let parsed = parse::parse(data, Some(Format::Dmesg));
    check_report(data, &parsed);
    for e in &parsed.log.e820 {
        assert!(e.start <= e.end, "e820 entry with end below start: {e:?}");
    }
}

/// `grep . /sys/firmware/efi/runtime-map/*/*`, forced.
pub fn runtime_map(data: &[u8]) {
    let parsed = parse::parse(data, Some(Format::RuntimeMap));
    check_report(data, &parsed);
}

/// efiviz JSON, forced; a document that reads must survive writing and reading again.
pub fn json_doc(data: &[u8]) {
    let parsed = parse::parse(data, Some(Format::Json));
    check_report(data, &parsed);
    if parsed.report.count(Severity::Error) == 0 {
        let again = json::parse(json::to_string(&parsed.log, None).as_bytes()).0;
        assert_eq!(
            again, parsed.log,
            "JSON write/read round trip changed the log"
        );
    }
}

/// Raw descriptor arrays: the first byte picks the stride (detected, or forced to any value
/// including the invalid ones below 40), the rest is the array; what decodes re-encodes.
pub fn binary_array(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let stride = match pick {
        0..=127 => None,
        n => Some(u32::from(n - 128) * 8),
    };
    let parsed = parse::parse_binary(body, stride);
    check_report(body, &parsed);
    if let Some(map) = &parsed.log.map {
        let bytes = binary::encode(&map.descriptors, map.desc_size);
        let again = parse::parse_binary(&bytes, Some(map.desc_size));
        assert_eq!(
            again.log.map.as_ref().map(|m| &m.descriptors),
            Some(&map.descriptors),
            "binary encode/decode round trip changed the descriptors"
        );
    }
}

/// Bytes → parse → simulate both kernels → compare → the app's timeline layout (one step per
/// phase, both kernels, on a shared axis) → pixel columns and ticks of every lane.
pub fn end_to_end(data: &[u8]) {
    let parsed = parse::parse(data, None);
    check_report(data, &parsed);
    let Some(input) = SimInput::from_boot_log(&parsed.log) else {
        return;
    };
    let story = simulated_story(&input);
    assert_eq!(
        story.steps.len(),
        Phase::ALL.len(),
        "a phase is missing from the story"
    );
    for d in &story.findings.differences {
        assert!(
            d.id.starts_with('D'),
            "difference without a D-number: {d:?}"
        );
    }
    let view = View::fit(&story.axis);
    for kernel in [Kernel::Old, Kernel::New] {
        for step in 0..story.steps.len() {
            let columns = cells(story.placed(step, kernel), &view, 1200.0);
            assert!(columns.len() <= 1200, "more cells than pixel columns");
        }
    }
    let marks = ticks(&story.axis, &view, 1200.0, 80.0);
    assert!(marks.len() <= 1200, "more ticks than pixel columns");
}

/// Properties every parse result has, whatever the input.
fn check_report(input: &[u8], parsed: &Parsed) {
    // Text "lines" are input lines; binary ones are descriptor numbers (stride ≥ 40).
    let lines = match parsed.report.format {
        Format::Binary => input.len() / 40 + 1,
        // A file without LF breaks its lines at CR (classic Mac OS). UTF-16 text is read
        // decoded: each of its line ends holds one of these bytes, whichever kind it uses.
        _ => {
            let count = |eol: u8| input.iter().filter(|&&b| b == eol).count();
            let utf16 = input.starts_with(&[0xff, 0xfe]) || input.starts_with(&[0xfe, 0xff]);
            let ends = if utf16 {
                count(b'\n').max(count(b'\r'))
            } else if input.contains(&b'\n') {
                count(b'\n')
            } else {
                count(b'\r')
            };
            ends + 1
        }
    };
    for d in &parsed.report.diagnostics {
        assert!(
            d.line <= lines,
            "diagnostic names line {} of {lines}: {d:?}",
            d.line
        );
        assert!(
            d.text.chars().count() <= MAX_TEXT + 1,
            "diagnostic text longer than MAX_TEXT: {} chars",
            d.text.chars().count()
        );
        assert!(!d.reason.is_empty(), "diagnostic without a reason: {d:?}");
    }
    check_flags(parsed.log.map.as_ref(), &parsed.report.map_flags);
    check_flags(
        parsed.log.runtime_map.as_ref(),
        &parsed.report.runtime_map_flags,
    );
}

/// The report's structural flags are exactly those of the map it returned.
fn check_flags(map: Option<&MemoryMap>, flags: &MapFlags) {
    let expected = map
        .map(|m| MapFlags::of(&m.descriptors))
        .unwrap_or_default();
    let mut got = flags.clone();
    got.index_gaps.clear();
    assert_eq!(got, expected, "map flags disagree with the map");
}

/// A map of valid entries, printed as the kernel prints it and read back, is the same map.
fn check_reprint(parsed: &Parsed) {
    let Some(map) = &parsed.log.map else {
        return;
    };
    if map.descriptors.is_empty() || !map.descriptors.iter().all(|d| d.is_valid()) {
        return;
    }
    let text = print::map_lines(&map.descriptors);
    let again = parse::parse(text.as_bytes(), Some(Format::Dmesg));
    let descs = again.log.map.map(|m| m.descriptors);
    assert_eq!(
        descs.as_ref(),
        Some(&map.descriptors),
        "printing the map and reading it back changed it:\n{text}"
    );
}
