//! The hostile-input catalogue (docs/robustness.md): every case of
//! `tests/data/hostile/cases.json`, a file or an input generated here (the large ones), must
//! produce exactly the report the manifest states, and then survive simulation of both kernels
//! and their comparison. Saved fuzzer crashes are replayed through the fuzz targets' bodies.

use std::fs;
use std::path::{Path, PathBuf};

use efiviz_core::parse::{self, Format, MAX_INFO, MAX_TEXT, Parsed, Severity};
use efiviz_core::sim::{self, Kernel, SimInput};
use serde::Deserialize;
use serde_json::Value;

#[path = "../fuzz/src/lib.rs"]
mod fuzz_targets;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// What is hostile about it.
    why: String,
    /// A file next to the manifest, or the name of a generator below.
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    generate: Option<String>,
    /// Forces a format, as the CLI's `--format` does.
    #[serde(default)]
    format: Option<String>,
    /// Forces the binary stride, as `--desc-size` does.
    #[serde(default)]
    desc_size: Option<u32>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    format: String,
    descriptors: usize,
    #[serde(default)]
    runtime: usize,
    #[serde(default)]
    e820: usize,
    /// Exactly the warnings and errors, in any order.
    diagnostics: Vec<Diag>,
    /// Info lines that must be among the report's.
    #[serde(default)]
    info: Vec<Diag>,
    /// Exactly the non-empty map flags.
    #[serde(default)]
    flags: serde_json::Map<String, Value>,
    /// Exactly the non-empty flags of the runtime map.
    #[serde(default)]
    runtime_flags: serde_json::Map<String, Value>,
    /// Exactly the wrappers named.
    #[serde(default)]
    wrappers: Vec<String>,
    #[serde(default)]
    unlisted_info: usize,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Diag {
    line: usize,
    severity: Severity,
    reason: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile")
}

/// One `efi: memNN:` line as 6.x prints it, for the generated inputs.
fn mem_line(i: usize, phys: u64) -> String {
    format!(
        "efi: mem{i:02}: [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x{phys:016x}-0x{:016x}] (0MB)\n",
        phys + 0xfff
    )
}

/// The three-entry map most text cases start from.
fn small_map() -> String {
    concat!(
        "efi: mem00: [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000000000-0x000000000009efff] (0MB)\n",
        "efi: mem01: [Reserved    |   |  |  |  |  |  |  |  |  |   |  |  |  |  ] range=[0x000000000009f000-0x00000000000fffff] (0MB)\n",
        "efi: mem02: [Boot Data   |   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000100000-0x0000000001ffffff] (31MB)\n",
    )
    .to_owned()
}

/// Inputs too big to commit, built the same way on every run.
fn generate(name: &str) -> Vec<u8> {
    match name {
        "million-entries" => {
            let mut s = String::with_capacity(140 * 1_000_000);
            for i in 0..1_000_000 {
                s.push_str(&mem_line(i, i as u64 * 0x1000));
            }
            s.into_bytes()
        }
        "million-binary-descriptors" => {
            let descs: Vec<_> = (0..1_000_000u64)
                .map(|i| efiviz_core::model::Descriptor {
                    ty: efiviz_core::model::MemoryType::CONVENTIONAL,
                    phys: i * 0x1000,
                    num_pages: 1,
                    virt: 0,
                    attr: efiviz_core::model::Attributes(0xf),
                })
                .collect();
            parse::binary::encode(&descs, 48)
        }
        "fifty-mb-line" => vec![b'x'; 50 << 20],
        "hundred-mb-journal" => {
            let line = "Nov 24 10:00:00 host systemd[1]: Started session 42 of user root, nothing about memory.\n";
            let mut s = line.repeat(1_150_000);
            s.push_str(&small_map());
            s.into_bytes()
        }
        "deep-json-descriptors" => format!(
            "{{\"descriptors\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
        .into_bytes(),
        other => panic!("unknown generator `{other}`"),
    }
}

fn input(case: &Case) -> Vec<u8> {
    match (&case.file, &case.generate) {
        (Some(f), None) => fs::read(dir().join(f)).unwrap_or_else(|e| panic!("{f}: {e}")),
        (None, Some(g)) => generate(g),
        _ => panic!("{}: give exactly one of `file` and `generate`", case.name),
    }
}

fn run(case: &Case, bytes: &[u8]) -> Parsed {
    match (case.desc_size, &case.format) {
        (Some(size), _) => parse::parse_binary(bytes, Some(size)),
        (None, Some(f)) => parse::parse(bytes, Some(f.parse::<Format>().expect("format name"))),
        (None, None) => parse::parse(bytes, None),
    }
}

/// Everything about `parsed` that differs from the manifest, as readable lines.
fn mismatches(e: &Expect, parsed: &Parsed) -> Vec<String> {
    let mut out = Vec::new();
    let r = &parsed.report;
    let count = |m: Option<&efiviz_core::model::MemoryMap>| m.map_or(0, |m| m.descriptors.len());
    let mut check = |what: &str, got: String, want: String| {
        if got != want {
            out.push(format!("{what}: got {got}, expected {want}"));
        }
    };
    check("format", r.format.name().into(), e.format.clone());
    check(
        "descriptors",
        count(parsed.log.map.as_ref()).to_string(),
        e.descriptors.to_string(),
    );
    check(
        "runtime-map descriptors",
        count(parsed.log.runtime_map.as_ref()).to_string(),
        e.runtime.to_string(),
    );
    check(
        "e820 rows",
        parsed.log.e820.len().to_string(),
        e.e820.to_string(),
    );
    let mut got: Vec<Diag> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .map(|d| Diag {
            line: d.line,
            severity: d.severity,
            reason: d.reason.clone(),
        })
        .collect();
    got.sort();
    let mut want = e.diagnostics.clone();
    want.sort();
    check(
        "warnings and errors",
        format!("{got:#?}"),
        format!("{want:#?}"),
    );
    for i in &e.info {
        let found = r
            .diagnostics
            .iter()
            .any(|d| d.line == i.line && d.severity == i.severity && d.reason == i.reason);
        check(
            "info line",
            format!("{found} for {i:?}"),
            format!("true for {i:?}"),
        );
    }
    for (what, flags, want) in [
        ("map flags", &r.map_flags, &e.flags),
        ("runtime-map flags", &r.runtime_map_flags, &e.runtime_flags),
    ] {
        check(
            what,
            nonempty_flags(flags),
            Value::Object(want.clone()).to_string(),
        );
    }
    check(
        "wrappers",
        format!("{:?}", r.wrappers),
        format!("{:?}", e.wrappers),
    );
    check(
        "unlisted info lines",
        r.unlisted_info.to_string(),
        e.unlisted_info.to_string(),
    );
    out
}

/// The flags that are set, as a JSON object's text.
fn nonempty_flags(flags: &parse::MapFlags) -> String {
    let all = serde_json::to_value(flags).expect("flags serialise");
    let nonempty: serde_json::Map<String, Value> = all
        .as_object()
        .expect("flags are an object")
        .iter()
        .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(nonempty).to_string()
}

/// Whatever the map, both kernels boot it and can be compared without a panic.
fn simulate(parsed: &Parsed) {
    let Some(input) = SimInput::from_boot_log(&parsed.log) else {
        return;
    };
    let old = sim::simulate(&input, Kernel::Old);
    let new = sim::simulate(&input, Kernel::New);
    let comparison = sim::compare(&old, &new);
    assert!(comparison.differences.iter().all(|d| d.id.starts_with('D')));
}

#[test]
fn every_hostile_case_gives_its_exact_report_and_simulates() {
    let text = fs::read_to_string(dir().join("cases.json")).expect("cases.json");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("cases.json is a list of cases");
    assert!(cases.len() >= 40, "the catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        assert!(!case.why.is_empty(), "{}: say what is hostile", case.name);
        let bytes = input(case);
        let parsed = run(case, &bytes);
        for d in &parsed.report.diagnostics {
            assert!(
                d.text.chars().count() <= MAX_TEXT + 1,
                "{}: a diagnostic quotes {} characters",
                case.name,
                d.text.chars().count()
            );
        }
        assert!(parsed.report.count(Severity::Info) <= MAX_INFO);
        let problems = mismatches(&case.expect, &parsed);
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, problems.join("\n  ")));
        }
        simulate(&parsed);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_case_file_is_in_the_manifest() {
    let text = fs::read_to_string(dir().join("cases.json")).expect("cases.json");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("cases.json is a list of cases");
    for entry in fs::read_dir(dir()).expect("hostile dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && name != "cases.json" {
            assert!(
                cases.iter().any(|c| c.file.as_deref() == Some(&name)),
                "{name} is not used by any case"
            );
        }
    }
}

/// Every fuzz target's checks hold on every case file, and every saved fuzzer crash
/// (`fuzz/<target>/<input>`) is replayed through the target that found it.
#[test]
fn fuzz_target_checks_hold_on_hostile_files_and_saved_crashes() {
    let files: Vec<PathBuf> = fs::read_dir(dir())
        .expect("hostile dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    let mut runs = 0;
    for (name, target) in fuzz_targets::TARGETS {
        let saved = fs::read_dir(dir().join("fuzz").join(name))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path());
        for path in files.iter().cloned().chain(saved) {
            target(&fs::read(&path).expect("input"));
            runs += 1;
        }
    }
    assert!(runs >= 8 * 40, "only {runs} target runs");
}
