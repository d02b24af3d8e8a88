//! Every field of every scenario in fixtures/scenarios.json, for both kernels.

use std::path::PathBuf;

use efiviz_core::sim::{self, Kernel, SimInput, output};
use serde_json::Value;

/// Fixture values that contradict the kernel source, as (scenario, kernel, field). The test
/// asserts the source-correct value instead; each is explained in docs/simulator.md.
const SOURCE_OVERRIDES: &[(&str, &str, &str)] = &[];

fn shared() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    assert!(
        dir.join("fixtures/scenarios.json").is_file(),
        "shared reference material not found at {} (expected /work/shared next to the repository)",
        dir.display()
    );
    dir
}

#[test]
fn every_field_of_every_scenario_matches() {
    let text = std::fs::read_to_string(shared().join("fixtures/scenarios.json"))
        .expect("read scenarios.json");
    let all: Value = serde_json::from_str(&text).expect("scenarios.json is JSON");
    let scenarios = all.as_object().expect("an object of scenarios");
    let mut failures = Vec::new();
    let (mut matched, mut fields) = ([0usize; 2], [0usize; 2]);
    for (name, scenario) in scenarios {
        let input = SimInput::from_scenario(scenario).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (k, kernel) in [Kernel::Old, Kernel::New].into_iter().enumerate() {
            let got = output::summary_json(&sim::simulate(&input, kernel));
            let want = scenario[kernel.name()]
                .as_object()
                .expect("expected object");
            for (field, expected) in want {
                if SOURCE_OVERRIDES.contains(&(name.as_str(), kernel.name(), field.as_str())) {
                    continue;
                }
                fields[k] += 1;
                let actual = got.get(field).unwrap_or(&Value::Null);
                if actual == expected {
                    matched[k] += 1;
                } else {
                    failures.push(format!(
                        "{name} {} {field}:\n  expected {expected}\n  got      {actual}",
                        kernel.name()
                    ));
                }
            }
        }
    }
    eprintln!(
        "scenarios: OLD {}/{} fields, NEW {}/{} fields",
        matched[0], fields[0], matched[1], fields[1]
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The differences docs/kernel-model.md §4.2/§5.2 name for each scenario.
const EXPECTED_DIFFERENCES: &[(&str, &[&str])] = &[
    ("S01_plain", &["D8", "D14"]),
    ("S02_esrt_middle", &["D1", "D6", "D12", "D13", "D19"]),
    ("S03_bgrt_head", &["D6", "D12", "D13"]),
    ("S04_bgrt_tail", &["D6", "D12"]),
    ("S05_whole", &["D10", "D13", "D19"]),
    ("S06_straddle_1M", &["D7", "D10"]),
    ("S07_trampoline", &["D7", "D19"]),
    ("S08_page0", &["D11"]),
    ("S09_kernel_end", &["D3"]),
    ("S10_e820_hole", &["D4", "D9"]),
    ("S11_tpm_inside", &["D2"]),
    ("S12_bgrt_in_bscode", &["D5"]),
    ("S13_merge", &["D9"]),
    ("S14_rt_below_1M", &["D12"]),
    ("S15_fw_runtime_bs", &["D21"]),
    ("S16_span", &["D5"]),
    ("S17_memmap_tail", &["D14", "D19"]),
    ("S18_32bit", &["D1", "D17"]),
    ("S19_efi_debug", &["D18"]),
    ("S20_svam_fail", &["D16"]),
    ("S21_mixed", &["D12"]),
    ("S22_mokvar_loader", &["D6"]),
];

#[test]
fn each_scenario_triggers_its_differences_and_no_invariant_fails() {
    let text = std::fs::read_to_string(shared().join("fixtures/scenarios.json"))
        .expect("read scenarios.json");
    let all: Value = serde_json::from_str(&text).expect("scenarios.json is JSON");
    let mut problems = Vec::new();
    for (name, want) in EXPECTED_DIFFERENCES {
        let input = SimInput::from_scenario(&all[name]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (old, new) = (
            sim::simulate(&input, Kernel::Old),
            sim::simulate(&input, Kernel::New),
        );
        let cmp = sim::compare(&old, &new);
        let got: Vec<&str> = cmp.differences.iter().map(|d| d.id).collect();
        for id in *want {
            if !got.contains(id) {
                problems.push(format!("{name}: {id} not detected (got {got:?})"));
            }
        }
        for (kernel, s) in [("old", &old), ("new", &new)] {
            for p in &s.phases {
                for i in p
                    .invariants
                    .iter()
                    .filter(|i| i.status == sim::Status::Fails)
                {
                    problems.push(format!(
                        "{name} {kernel} after {:?}: {} fails: {}",
                        p.phase, i.id, i.detail
                    ));
                }
            }
        }
        for i in cmp
            .invariants
            .iter()
            .filter(|i| i.status == sim::Status::Fails)
        {
            problems.push(format!("{name}: {} fails: {}", i.id, i.detail));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
