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
