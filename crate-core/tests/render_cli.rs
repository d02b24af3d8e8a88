//! `efiviz render` end to end: a structural snapshot of the figure for a spec scenario, the
//! embedded view reopening the same map and knobs, stdin and `--alt`, and the error exits.
#![cfg(feature = "cli")]

mod cli_common;

use cli_common::efiviz;

use std::path::{Path, PathBuf};

use efiviz_core::layout::{Kernel, ReservationKind};
use efiviz_core::parse;
use efiviz_core::share::{InputForm, KernelChoice, state_from_svg};
use efiviz_core::sim::SimInput;
use serde_json::Value;

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn scenario(id: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/scenarios.json");
    let all: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    all[id].clone()
}

fn hex(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// The figure's structure as lines of text: what a reader sees, without coordinates.
fn structure(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let texts = |class: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some(class))
            .map(|n| n.text().unwrap_or("").to_owned())
            .collect()
    };
    let element = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_owned()
    };
    let lanes: Vec<String> = texts("lane-label")
        .iter()
        .zip(texts("kernel-tag"))
        .map(|(l, k)| format!("{l} {k}"))
        .collect();
    let meta = doc
        .descendants()
        .find(|n| n.tag_name().namespace() == Some("urn:efiviz:view"))
        .and_then(|n| n.text())
        .unwrap_or("");
    // The payload is checked by decoding it; its bytes depend on the compressor.
    let meta = meta
        .split("&model=")
        .next()
        .unwrap()
        .split("&in=")
        .next()
        .unwrap();
    format!(
        "title: {}\ndesc: {}\nlanes:\n  {}\nticks: {}\nlegend:\n  {}\nmetadata: {meta}\n",
        element("title"),
        element("desc"),
        lanes.join("\n  "),
        texts("tick").join(" "),
        texts("legend").join("\n  "),
    )
}

#[test]
fn a_scenario_renders_to_the_snapshot_and_reopens_its_view() {
    let s02 = scenario("S02_esrt_middle");
    let input = tmp("S02_esrt_middle.json");
    std::fs::write(&input, serde_json::to_vec(&s02).unwrap()).unwrap();
    let out_svg = tmp("S02.svg");
    let args = [
        "render",
        input.to_str().unwrap(),
        "--scenario",
        "--phase",
        "svam",
        "--width",
        "1000",
        "--out",
        out_svg.to_str().unwrap(),
    ];
    let out = efiviz(&args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "no --alt, nothing on stdout");
    let svg = std::fs::read_to_string(&out_svg).unwrap();

    let got = structure(&svg);
    let snap =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/share/render-S02_esrt_middle.snap");
    if std::env::var_os("EFIVIZ_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &got).unwrap();
    }
    assert_eq!(
        got,
        std::fs::read_to_string(&snap).unwrap(),
        "run with EFIVIZ_UPDATE_SNAPSHOTS=1 after a deliberate change"
    );

    // Independently of the snapshot: the labels span the scenario's map, 4 steps × 2 kernels.
    let descs = s02["descs"].as_array().unwrap();
    let first = descs.iter().map(|d| hex(&d["phys"])).min().unwrap();
    let last = descs
        .iter()
        .map(|d| hex(&d["phys"]) + hex(&d["pages"]) * 4096)
        .max()
        .unwrap();
    let ticks: Vec<&str> = got.lines().find(|l| l.starts_with("ticks: ")).unwrap()[7..]
        .split(' ')
        .collect();
    assert_eq!(ticks.first(), Some(&format!("{first:#x}").as_str()));
    assert_eq!(ticks.last(), Some(&format!("{last:#x}").as_str()));
    assert_eq!(
        got.lines()
            .filter(|l| l.starts_with("  ") && (l.ends_with(" OLD") || l.ends_with(" NEW")))
            .count(),
        8
    );

    // The embedded view: the scenario's map as a parsed model, its knobs, step and kernels.
    let state = state_from_svg(&svg).unwrap();
    assert_eq!(
        (state.kernels, state.step, state.form),
        (KernelChoice::Both, 3, InputForm::Model)
    );
    let reopened = parse::parse(&state.input, None).log.map.unwrap();
    assert_eq!(
        reopened.descriptors,
        SimInput::from_scenario(&s02).unwrap().descs
    );
    let knobs = state.knobs.unwrap();
    let kernel = &s02["config"]["kernel"];
    assert_eq!(knobs.kernel, (hex(&kernel[0]), hex(&kernel[1])));
    let esrt = &s02["config"]["mem_reserve_early"][0];
    assert_eq!(knobs.reservations.len(), 1);
    assert_eq!(knobs.reservations[0].kind, ReservationKind::Esrt);
    assert_eq!(
        (knobs.reservations[0].addr, knobs.reservations[0].size),
        (esrt[1].as_u64().unwrap(), esrt[2].as_u64().unwrap())
    );
}

#[test]
fn stdin_input_with_alt_text_and_a_knob_override() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/real/34-virtualbox-efi-vbox64-fedora14.txt");
    let bytes = std::fs::read(path).unwrap();
    let out_svg = tmp("stdin.svg");
    let args = [
        "render",
        "-",
        "--kernel",
        "old",
        "--phase",
        "2",
        "--set",
        "efi_dbg=true",
        "--alt",
        "--out",
        out_svg.to_str().unwrap(),
    ];
    let out = efiviz(&args, Some(&bytes));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alt = String::from_utf8(out.stdout).unwrap();
    assert!(alt.starts_with("EFI memory map of standard input as the OLD kernel boots it, steps 1 to 2 of 7 (now: reserve (end of setup_arch))."), "{alt}");
    let svg = std::fs::read_to_string(&out_svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
    assert_eq!(desc.text(), Some(alt.trim_end()));
    let state = state_from_svg(&svg).unwrap();
    assert_eq!(state.input, bytes);
    assert_eq!(
        (state.kernels, state.step, state.form),
        (KernelChoice::Old, 1, InputForm::Original)
    );
    assert!(state.knobs.unwrap().efi_debug);
    assert!(state.selected.is_none_or(|s| s.kernel == Kernel::Old));
}

/// Arguments, standard input, and what stderr must say.
type Case<'a> = (&'a [&'a str], Option<&'a [u8]>, &'a str);

#[test]
fn bad_input_and_flags_exit_2_with_a_reason() {
    let out_svg = tmp("never.svg");
    let out_arg = out_svg.to_str().unwrap();
    let cases: [Case; 5] = [
        (
            &["render", "-", "--out", out_arg],
            Some(b"just some text\n"),
            "no EFI memory map found",
        ),
        (
            &["render", "-", "--phase", "boot", "--out", out_arg],
            Some(include_bytes!(
                "../../../shared/fixtures/real/34-virtualbox-efi-vbox64-fedora14.txt"
            )),
            "--phase boot: expected one of firmware",
        ),
        (
            &["render", "-", "--kernel", "all", "--out", out_arg],
            Some(b""),
            "invalid value 'all' for '--kernel",
        ),
        (
            &["render", "-", "--width", "100", "--out", out_arg],
            Some(b""),
            "100 is not in 480..=20000",
        ),
        (&["render", "-"], Some(b""), "--out <OUT>"),
    ];
    for (args, stdin, message) in cases {
        let out = efiviz(args, stdin);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!out_svg.exists());
}
