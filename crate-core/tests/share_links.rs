//! Links: frozen links of every version still open, encode→decode is the identity, bad links
//! get errors naming the field, nothing panics, and real inputs fit the documented limit.

use std::path::{Path, PathBuf};

use efiviz_core::layout::{Kernel, Knobs, Reservation, ReservationKind};
use efiviz_core::parse;
use efiviz_core::share::{
    self, InputForm, KernelChoice, MAX_FRAGMENT_CHARS, Selection, ViewState, from_fragment,
    to_fragment,
};
use proptest::prelude::*;

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/share")
        .join(name);
    std::fs::read_to_string(path).unwrap().trim_end().to_owned()
}

fn real(name: &str) -> Vec<u8> {
    std::fs::read(Path::new("../../shared/fixtures/real").join(name))
        .or_else(|_| std::fs::read(shared().join("fixtures/real").join(name)))
        .unwrap()
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

const VBOX: &str = "34-virtualbox-efi-vbox64-fedora14.txt";

/// The frozen links were written by an independent encoder (Python's zlib and base64).
#[test]
fn a_frozen_v1_link_opens_with_defaults_for_what_v1_did_not_carry() {
    let state = from_fragment(&data("v1-virtualbox.link")).unwrap();
    assert_eq!(
        state,
        ViewState {
            name: VBOX.to_owned(),
            input: real(VBOX),
            form: InputForm::Original,
            knobs: None,
            kernels: KernelChoice::Both,
            step: 3,
            window: None,
            selected: None,
            embed: false,
        }
    );
}

#[test]
fn a_frozen_v2_link_opens_every_field() {
    let state = from_fragment(&data("v2-virtualbox.link")).unwrap();
    let expected = ViewState {
        name: "VirtualBox (Fedora 14).txt".to_owned(),
        input: real(VBOX),
        form: InputForm::Original,
        knobs: Some(Knobs {
            kernel: (0x100_0000, 0x200_0000),
            bits32: false,
            mixed: false,
            efi_debug: true,
            svam_fail: false,
            kexec: true,
            reservations: vec![
                Reservation {
                    kind: ReservationKind::Esrt,
                    addr: 0x3e86_1000,
                    size: 0x38,
                },
                Reservation {
                    kind: ReservationKind::TpmLog,
                    addr: 0x3e86_2000,
                    size: 0x1800,
                },
            ],
        }),
        kernels: KernelChoice::Old,
        step: 5,
        window: Some((0x10_0000, 0x1f00_e000)),
        selected: Some(Selection {
            step: 4,
            kernel: Kernel::Old,
            addr: 0x1f00_0000,
        }),
        embed: false,
    };
    assert_eq!(state, expected);
    // Re-encoding writes the current version and reads back the same state.
    let again = to_fragment(&state);
    assert!(again.starts_with("v=2&k=old&step=5&view=0x100000-0x1f00e000&sel=4:old:0x1f000000"));
    assert_eq!(from_fragment(&again), Ok(expected));
}

#[test]
fn bad_links_name_the_field_and_what_was_expected() {
    let input = share::to_fragment(&ViewState::default());
    let payload = input.rsplit_once("in=").unwrap().1;
    let cases = [
        ("", "v", "the link format version, 1 to 2"),
        ("v=3&in=", "v", "the link format version, 1 to 2"),
        ("v=2", "in", "the input (deflate, base64url)"),
        (
            "v=2&in=!!",
            "in",
            "base64url text (A-Z a-z 0-9 - _, no padding)",
        ),
        ("v=1&mode=both&in=", "mode", "old, new or compare"),
        ("v=2&k=compare&in=", "k", "old, new or both"),
        ("v=2&step=-1&in=", "step", "a decimal number"),
        (
            "v=2&view=0x10-0x10&in=",
            "view",
            "0xSTART-0xEND with START < END",
        ),
        ("v=2&view=16-32&in=", "view", "a 64-bit 0x… hex address"),
        ("v=2&sel=1:mid:0x0&in=", "sel", "STEP:old|new:0xADDRESS"),
        (
            "v=2&flags=kexec&in=",
            "img",
            "the kernel image range next to `flags` and `rsv`",
        ),
        (
            "v=2&img=0x0-0x1&flags=fast&in=",
            "flags",
            "a comma list of bits32, mixed, efi_debug, svam_fail, kexec",
        ),
        (
            "v=2&img=0x0-0x1&rsv=esrt:0x0&in=",
            "rsv",
            "KIND:0xADDRESS:0xSIZE with KIND one of esrt, mokvar, bgrt, tpm_log",
        ),
        ("v=2&embed=yes&in=", "embed", "0 or 1"),
        ("v=2&in=&model=", "model", "either `in` or `model`"),
    ];
    for (text, field, expected) in cases {
        let text = text.replace("in=", &format!("in={payload}"));
        let err = from_fragment(&text).expect_err(&text);
        assert_eq!(
            (err.field.as_str(), err.expected.as_str()),
            (field, expected),
            "{text}"
        );
        assert!(
            err.to_string()
                .starts_with(&format!("link field `{field}`: expected"))
        );
    }
}

#[test]
fn every_real_input_fits_a_link_and_comes_back() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared().join("fixtures/real"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let state = ViewState {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            input: bytes.clone(),
            ..ViewState::default()
        };
        let link = share::link(&state).unwrap();
        assert_eq!(link.form, InputForm::Original, "{}", path.display());
        assert!(link.fragment.len() <= MAX_FRAGMENT_CHARS);
        println!(
            "{}: {} bytes → {} chars",
            state.name,
            bytes.len(),
            link.fragment.len()
        );
        assert_eq!(from_fragment(&link.fragment).unwrap().input, bytes);
    }
}

/// The truth logs are whole serial consoles; when one does not fit, the parsed model must,
/// and it must parse to the same map.
#[test]
fn whole_boot_logs_fall_back_to_the_parsed_model() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parse/truth");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let state = ViewState {
            input: bytes.clone(),
            ..ViewState::default()
        };
        let link = share::link(&state).unwrap();
        let back = from_fragment(&link.fragment).unwrap();
        println!(
            "{}: {} bytes → {} chars ({:?})",
            path.display(),
            bytes.len(),
            link.fragment.len(),
            link.form
        );
        assert!(link.fragment.len() <= MAX_FRAGMENT_CHARS);
        let original = parse::parse(&bytes, None).log;
        let reopened = parse::parse(&back.input, None).log;
        assert_eq!(reopened.map, original.map, "{}", path.display());
        assert_eq!(back.form, link.form);
    }
}

#[test]
fn input_that_fits_in_no_form_is_refused_with_the_size() {
    // Incompressible bytes without a map: no model to fall back to.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..40_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let state = ViewState {
        input: noise,
        ..ViewState::default()
    };
    let err = share::link(&state).unwrap_err();
    assert!(err.chars > MAX_FRAGMENT_CHARS);
    assert!(err.to_string().contains("export a file instead"), "{err}");
}

fn kernel() -> impl Strategy<Value = Kernel> {
    prop_oneof![Just(Kernel::Old), Just(Kernel::New)]
}

fn knobs() -> impl Strategy<Value = Knobs> {
    let reservation =
        (0..4usize, any::<u64>(), any::<u64>()).prop_map(|(k, addr, size)| Reservation {
            kind: ReservationKind::ALL[k],
            addr,
            size,
        });
    (
        (0..u64::MAX - 1).prop_flat_map(|a| (Just(a), a + 1..=u64::MAX)),
        any::<[bool; 5]>(),
        proptest::collection::vec(reservation, 0..4),
    )
        .prop_map(|(kernel, f, reservations)| Knobs {
            kernel,
            bits32: f[0],
            mixed: f[1],
            efi_debug: f[2],
            svam_fail: f[3],
            kexec: f[4],
            reservations,
        })
}

fn state() -> impl Strategy<Value = ViewState> {
    (
        (
            any::<String>(),
            proptest::collection::vec(any::<u8>(), 0..300),
            any::<bool>(),
        ),
        proptest::option::of(knobs()),
        (0..3usize, 0..20usize, any::<bool>()),
        proptest::option::of((0..u64::MAX - 1).prop_flat_map(|a| (Just(a), a + 1..=u64::MAX))),
        proptest::option::of((0..20usize, kernel(), any::<u64>())),
    )
        .prop_map(
            |((name, input, model), knobs, (k, step, embed), window, sel)| ViewState {
                name,
                input,
                form: if model {
                    InputForm::Model
                } else {
                    InputForm::Original
                },
                knobs,
                kernels: KernelChoice::ALL[k],
                step,
                window,
                selected: sel.map(|(step, kernel, addr)| Selection { step, kernel, addr }),
                embed,
            },
        )
}

proptest! {
    #[test]
    fn encode_then_decode_is_the_identity(state in state()) {
        prop_assert_eq!(from_fragment(&to_fragment(&state)), Ok(state));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = from_fragment(&text);
    }

    /// Text made of the format's own pieces reaches the field parsers, not just the splitter.
    #[test]
    fn link_shaped_text_never_panics(
        pieces in proptest::collection::vec(
            (
                prop_oneof![
                    Just("v"), Just("k"), Just("step"), Just("view"), Just("sel"), Just("img"),
                    Just("flags"), Just("rsv"), Just("embed"), Just("name"), Just("in"),
                    Just("model"), Just("mode")
                ],
                "[0-9a-fx:,%\\-_A-Z]{0,24}",
            ),
            0..8,
        ),
        version in 0..4u32,
    ) {
        let mut text = format!("v={version}");
        for (key, value) in pieces {
            text.push_str(&format!("&{key}={value}"));
        }
        let _ = from_fragment(&text);
    }
}
