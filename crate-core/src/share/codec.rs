//! The current link format (v2): [`ViewState`] ⇄ fragment text. docs/links.md is the contract;
//! every field is written and read here by name, never derived from Rust field names.

use super::fields::{DecodeError, Fields};
use super::payload::{pack, unpack};
use super::state::{InputForm, KernelChoice, Selection, ViewState};
use super::upgrade;
use crate::layout::{Kernel, Knobs, Reservation, ReservationKind};

/// The version this build writes.
pub const VERSION: u32 = 2;

/// The knob flags, as spelled in `flags=`.
const FLAGS: [&str; 5] = ["bits32", "mixed", "efi_debug", "svam_fail", "kexec"];

fn flag_values(knobs: &Knobs) -> [bool; 5] {
    [
        knobs.bits32,
        knobs.mixed,
        knobs.efi_debug,
        knobs.svam_fail,
        knobs.kexec,
    ]
}

fn kind_slug(kind: ReservationKind) -> &'static str {
    match kind {
        ReservationKind::Esrt => "esrt",
        ReservationKind::Mokvar => "mokvar",
        ReservationKind::Bgrt => "bgrt",
        ReservationKind::TpmLog => "tpm_log",
    }
}

fn range_text((start, end): (u64, u64)) -> String {
    format!("{start:#x}-{end:#x}")
}

/// The fragment (without `#`) for `state`, whatever its length.
pub fn to_fragment(state: &ViewState) -> String {
    let mut f = Fields::default();
    f.push("v", VERSION.to_string());
    f.push("k", state.kernels.name());
    f.push("step", state.step.to_string());
    if let Some(window) = state.window {
        f.push("view", range_text(window));
    }
    if let Some(sel) = state.selected {
        f.push(
            "sel",
            format!("{}:{}:{:#x}", sel.step, sel.kernel.name(), sel.addr),
        );
    }
    if let Some(knobs) = &state.knobs {
        f.push("img", range_text(knobs.kernel));
        let set: Vec<&str> = FLAGS
            .iter()
            .zip(flag_values(knobs))
            .filter_map(|(name, on)| on.then_some(*name))
            .collect();
        f.push("flags", set.join(","));
        let rsv: Vec<String> = knobs
            .reservations
            .iter()
            .map(|r| format!("{}:{:#x}:{:#x}", kind_slug(r.kind), r.addr, r.size))
            .collect();
        f.push("rsv", rsv.join(","));
    }
    if state.embed {
        f.push("embed", "1");
    }
    f.push("name", state.name.clone());
    // The long field goes last so the rest stays readable in a truncated preview.
    let key = match state.form {
        InputForm::Original => "in",
        InputForm::Model => "model",
    };
    f.push(key, pack(&state.input));
    f.to_fragment()
}

/// Reads a fragment of any supported version (with or without `#`).
pub fn from_fragment(text: &str) -> Result<ViewState, DecodeError> {
    let fields = upgrade::to_current(Fields::parse(text)?)?;
    read_v2(fields)
}

fn read_v2(mut f: Fields) -> Result<ViewState, DecodeError> {
    let (input, form) = match (f.take("in"), f.take("model")) {
        (Some(text), None) => (payload("in", &text)?, InputForm::Original),
        (None, Some(text)) => (payload("model", &text)?, InputForm::Model),
        (Some(_), Some(_)) => {
            return Err(DecodeError::new("model", "either `in` or `model`", "both"));
        }
        (None, None) => return Err(DecodeError::new("in", "the input (deflate, base64url)", "")),
    };
    let kernels = match f.take("k") {
        None => KernelChoice::default(),
        Some(text) => KernelChoice::from_name(&text)
            .ok_or_else(|| DecodeError::new("k", "old, new or both", &text))?,
    };
    let step = match f.take("step") {
        None => 0,
        Some(text) => decimal("step", &text)?,
    };
    let window = f.take("view").map(|t| range("view", &t)).transpose()?;
    let selected = f.take("sel").map(|t| selection(&t)).transpose()?;
    let knobs = knobs(&mut f)?;
    let embed = match f.take("embed").as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(other) => return Err(DecodeError::new("embed", "0 or 1", other)),
    };
    Ok(ViewState {
        name: f.take("name").unwrap_or_default(),
        input,
        form,
        knobs,
        kernels,
        step,
        window,
        selected,
        embed,
    })
}

fn payload(field: &str, text: &str) -> Result<Vec<u8>, DecodeError> {
    unpack(text).map_err(|expected| DecodeError::new(field, expected, text))
}

fn decimal(field: &str, text: &str) -> Result<usize, DecodeError> {
    text.parse()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| DecodeError::new(field, "a decimal number", text))
}

fn hex(field: &str, text: &str) -> Result<u64, DecodeError> {
    text.strip_prefix("0x")
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|digits| u64::from_str_radix(digits, 16).ok())
        .ok_or_else(|| DecodeError::new(field, "a 64-bit 0x… hex address", text))
}

/// `0xSTART-0xEND` with START < END.
fn range(field: &str, text: &str) -> Result<(u64, u64), DecodeError> {
    let expected = "0xSTART-0xEND with START < END";
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| DecodeError::new(field, expected, text))?;
    let (start, end) = (hex(field, a)?, hex(field, b)?);
    if start >= end {
        return Err(DecodeError::new(field, expected, text));
    }
    Ok((start, end))
}

/// `STEP:old|new:0xADDR`.
fn selection(text: &str) -> Result<Selection, DecodeError> {
    let expected = "STEP:old|new:0xADDRESS";
    let mut parts = text.split(':');
    let (Some(step), Some(kernel), Some(addr), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(DecodeError::new("sel", expected, text));
    };
    let kernel = match kernel {
        "old" => Kernel::Old,
        "new" => Kernel::New,
        _ => return Err(DecodeError::new("sel", expected, text)),
    };
    Ok(Selection {
        step: decimal("sel", step)?,
        kernel,
        addr: hex("sel", addr)?,
    })
}

/// `img`, `flags` and `rsv` travel together: `img` says the knobs are in the link.
fn knobs(f: &mut Fields) -> Result<Option<Knobs>, DecodeError> {
    let (img, flags, rsv) = (f.take("img"), f.take("flags"), f.take("rsv"));
    let Some(img) = img else {
        return match (flags, rsv) {
            (None, None) => Ok(None),
            _ => Err(DecodeError::new(
                "img",
                "the kernel image range next to `flags` and `rsv`",
                "",
            )),
        };
    };
    let mut knobs = Knobs {
        kernel: range("img", &img)?,
        bits32: false,
        mixed: false,
        efi_debug: false,
        svam_fail: false,
        kexec: false,
        reservations: Vec::new(),
    };
    for name in flags
        .iter()
        .flat_map(|t| t.split(','))
        .filter(|s| !s.is_empty())
    {
        let slot = match name {
            "bits32" => &mut knobs.bits32,
            "mixed" => &mut knobs.mixed,
            "efi_debug" => &mut knobs.efi_debug,
            "svam_fail" => &mut knobs.svam_fail,
            "kexec" => &mut knobs.kexec,
            _ => {
                let expected = format!("a comma list of {}", FLAGS.join(", "));
                return Err(DecodeError::new("flags", expected, name));
            }
        };
        *slot = true;
    }
    for item in rsv
        .iter()
        .flat_map(|t| t.split(','))
        .filter(|s| !s.is_empty())
    {
        knobs.reservations.push(reservation(item)?);
    }
    Ok(Some(knobs))
}

/// `KIND:0xADDR:0xSIZE`.
fn reservation(text: &str) -> Result<Reservation, DecodeError> {
    let expected = "KIND:0xADDRESS:0xSIZE with KIND one of esrt, mokvar, bgrt, tpm_log";
    let parts: Vec<&str> = text.split(':').collect();
    let [kind, addr, size] = parts[..] else {
        return Err(DecodeError::new("rsv", expected, text));
    };
    let kind = ReservationKind::ALL
        .into_iter()
        .find(|&k| kind_slug(k) == kind)
        .ok_or_else(|| DecodeError::new("rsv", expected, text))?;
    Ok(Reservation {
        kind,
        addr: hex("rsv", addr)?,
        size: hex("rsv", size)?,
    })
}
