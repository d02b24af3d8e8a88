//! Writes the fuzz targets' seed corpora from the project's fixtures, so no corpus is committed.
//!
//! Usage: `efiviz-fuzz-seedgen DATA_DIR SCENARIOS_JSON OUT_DIR`, where DATA_DIR holds the text
//! fixtures (`crate-core/tests/data/parse`) and SCENARIOS_JSON may be missing. Writes
//! `OUT_DIR/<target>/<name>` for every target of `crate-core/fuzz/fuzz_targets/`.

use std::fs;
use std::path::{Path, PathBuf};

use efiviz_core::model::{BootLog, Descriptor, MemoryMap};
use efiviz_core::parse::{self, Format, binary, json};
use efiviz_core::sim::SimInput;

/// libFuzzer mutates small inputs faster; the truth logs are 200 KB of mostly unrelated lines.
const MAX_SEED: usize = 64 * 1024;

/// Lines about memory maps, kept from the big fixture logs.
const KEEP: [&str; 10] = [
    "efi",
    "e820",
    "rtmap",
    "memblock",
    "esrt",
    "memory:",
    "command line",
    "bgrt",
    "runtime-map",
    "memmap",
];

struct Seeds {
    out: PathBuf,
}

impl Seeds {
    fn put(&self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.out.join(target);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let bytes = &bytes[..bytes.len().min(MAX_SEED)];
        fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    /// One parsed map as every structured format: JSON, binary (detected and forced 48-byte
    /// stride, see `binary_array`), and the sysfs runtime-map listing.
    fn structured(&self, name: &str, log: &BootLog) {
        let json_text = json::to_string(log, None);
        self.put("json", &format!("{name}.json"), json_text.as_bytes());
        self.put("auto", &format!("{name}.json"), json_text.as_bytes());
        let Some(map) = &log.map else {
            return;
        };
        let array = binary::encode(&map.descriptors, 48);
        for (pick, tag) in [(0u8, "detect"), (128 + 6, "stride48")] {
            let mut bytes = vec![pick];
            bytes.extend_from_slice(&array);
            self.put("binary", &format!("{name}.{tag}.bin"), &bytes);
        }
        self.put("auto", &format!("{name}.bin"), &array);
        self.put("end_to_end", &format!("{name}.bin"), &array);
        self.put(
            "runtime_map",
            &format!("{name}.sysfs"),
            sysfs(&map.descriptors).as_bytes(),
        );
        self.put(
            "uefi_shell",
            &format!("{name}.shell"),
            shell(&map.descriptors).as_bytes(),
        );
    }
}

fn sysfs(descs: &[Descriptor]) -> String {
    let mut out = String::new();
    for (i, d) in descs.iter().enumerate() {
        let dir = format!("/sys/firmware/efi/runtime-map/{i}");
        out.push_str(&format!("{dir}/attribute:{:#x}\n", d.attr.0));
        out.push_str(&format!("{dir}/num_pages:{:#x}\n", d.num_pages));
        out.push_str(&format!("{dir}/phys_addr:{:#x}\n", d.phys));
        out.push_str(&format!("{dir}/type:{:#x}\n", d.ty.0));
        out.push_str(&format!("{dir}/virt_addr:{:#x}\n", d.virt));
    }
    out
}

/// EDK2 shell v2 `memmap` rows (inclusive end), the layout of input-formats.md §4.
fn shell(descs: &[Descriptor]) -> String {
    const NAMES: [&str; 15] = [
        "Reserved",
        "LoaderCode",
        "LoaderData",
        "BS_Code",
        "BS_Data",
        "RT_Code",
        "RT_Data",
        "Available",
        "Unusable",
        "ACPI_Recl",
        "ACPI_NVS",
        "MMIO",
        "MMIO_Port",
        "PalCode",
        "Persistent",
    ];
    let mut out =
        String::from("Type       Start            End              # Pages          Attributes\n");
    for d in descs {
        let name = NAMES.get(d.ty.0 as usize).copied().unwrap_or("Unknown");
        let last = d.last_byte_wide() as u64;
        out.push_str(&format!(
            "{name:<10} {:016X}-{last:016X} {:016X} {:016X}\n",
            d.phys, d.num_pages, d.attr.0
        ));
    }
    out
}

fn relevant_lines(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let lower = String::from_utf8_lossy(line).to_ascii_lowercase();
        if KEEP.iter().any(|k| lower.contains(k)) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

fn text_fixture(seeds: &Seeds, name: &str, bytes: &[u8]) {
    let small = relevant_lines(bytes);
    let parsed = parse::parse(&small, None);
    for target in ["auto", "dmesg", "end_to_end"] {
        seeds.put(target, name, &small);
    }
    match parsed.report.format {
        Format::UefiShell => seeds.put("uefi_shell", name, &small),
        Format::RuntimeMap => seeds.put("runtime_map", name, &small),
        _ => {}
    }
    if small.windows(4).any(|w| w.eq_ignore_ascii_case(b"e820")) {
        let e820: Vec<u8> = small
            .split(|&b| b == b'\n')
            .filter(|l| l.windows(4).any(|w| w.eq_ignore_ascii_case(b"e820")))
            .flat_map(|l| l.iter().copied().chain([b'\n']))
            .collect();
        seeds.put("e820", name, &e820);
    }
    if small.windows(5).any(|w| w == b"RTMAP") {
        seeds.put("runtime_map", name, &small);
    }
    seeds.structured(name, &parsed.log);
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, data, scenarios, out] = args.as_slice() else {
        eprintln!("usage: efiviz-fuzz-seedgen DATA_DIR SCENARIOS_JSON OUT_DIR");
        std::process::exit(2);
    };
    let seeds = Seeds { out: out.into() };
    let fixtures = files(Path::new(data));
    assert!(!fixtures.is_empty(), "no fixtures under {data}");
    for path in &fixtures {
        let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into());
        text_fixture(&seeds, &name, &bytes);
    }
    // The spec's scenarios are small, hand-made edge cases: good structured seeds.
    let Ok(text) = fs::read(scenarios) else {
        return;
    };
    let doc: serde_json::Value = serde_json::from_slice(&text).expect("scenarios.json is JSON");
    let Some(list) = doc.as_object() else {
        return;
    };
    for (name, scenario) in list {
        let Ok(input) = SimInput::from_scenario(scenario) else {
            continue;
        };
        let log = BootLog {
            map: Some(MemoryMap {
                descriptors: input.descs,
                ..MemoryMap::default()
            }),
            ..BootLog::default()
        };
        seeds.structured(name, &log);
    }
}
