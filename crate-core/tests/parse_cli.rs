//! `efiviz parse` end to end: kernel-layout output, the JSON contract, exit codes, stdin.
#![cfg(feature = "cli")]

mod cli_common;

use cli_common::efiviz;

fn data(path: &str) -> String {
    format!("{}/tests/data/parse/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn prints_the_6x_layout_and_exits_0() {
    let out = efiviz(
        &["parse", &data("real/06-asus-n56vz-ami-json-array.txt")],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 88);
    // mem81 of the 3.19 file, `[Reserved           |RUN|  |  |  |   |  |  |  |  ] range=[0xcbc00000-0xcfe00000)`, as 6.x prints it.
    assert_eq!(
        lines[81],
        "efi: mem81: [Reserved    |RUN|  |  |  |  |  |  |  |  |  |   |  |  |  |  ] range=[0x00000000cbc00000-0x00000000cfdfffff] (66MB)"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("format dmesg"));
}

#[test]
fn json_contract() {
    let out = efiviz(
        &[
            "parse",
            &data("real/10-asus-ux391fa-ami-esrt-tpm-no-timestamps.txt"),
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let descs = v["descriptors"].as_array().expect("descriptors");
    assert_eq!(descs.len(), 49);
    let mem41 = &descs[41];
    assert_eq!(mem41["type"], 0);
    assert_eq!(mem41["type_name"], "Reserved");
    assert_eq!(mem41["phys"], "0x7a700000");
    assert_eq!(mem41["pages"], "0x100");
    assert_eq!(mem41["attr"], "0x70000000000000f");
    assert_eq!(mem41["virt"], "0x0");
    assert_eq!(mem41["invalid"], false);
    assert!(v["runtime_map"].is_null());
    assert_eq!(v["e820"][0]["start"], "0x0");
    assert_eq!(v["e820"][0]["end"], "0x9f000");
    assert_eq!(v["e820"][0]["type"], 1);
    assert_eq!(v["config_tables"]["ESRT"], "0x74dd6f98");
    let keys: Vec<&String> = v["config_tables"]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    assert_eq!(keys[0], "ACPI 2.0");
    assert_eq!(v["cmdline"], "");
    assert_eq!(v["report"]["format"], "dmesg");
    assert!(v["report"]["diagnostics"].is_array());
}

#[test]
fn stdin_forced_format_and_no_map() {
    let shell = b"BS_Code    0000000000000000-0000000000000FFF 0000000000000001 000000000000000F\n";
    let out = efiviz(&["parse", "-", "--format", "uefi-shell"], Some(shell));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("efi: mem00: [Boot Code   |"));

    let out = efiviz(&["parse", "-"], Some(b"hello\nworld\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no EFI memory map found"));

    let out = efiviz(&["parse", "-", "--format", "nonsense"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
}
