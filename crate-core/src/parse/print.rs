//! Printing descriptors exactly as a 6.x kernel's `efi_print_memmap` does with `efi=debug`.

use std::fmt::Write;

use crate::model::{Attributes, Descriptor};

/// `[Boot Data   |   |  |…|UC]`: the type padded to 12 (or `type=N`), then either every
/// known attribute column or the raw `attr=0x…` when some bit has no name.
pub fn typeattr(d: &Descriptor) -> String {
    let mut out = String::with_capacity(64);
    match d.ty.short_name() {
        Some(name) => {
            let _ = write!(out, "[{name:<12}");
        }
        None => {
            let _ = write!(out, "[type={}", d.ty.0);
        }
    }
    if d.attr.has_unknown_bits() {
        let _ = write!(out, "|attr=0x{:016x}]", d.attr.0);
        return out;
    }
    for &(bit, token, width) in &Attributes::COLUMNS {
        let shown = if d.attr.contains(bit) { token } else { "" };
        let _ = write!(out, "|{shown:>width$}");
    }
    out.push(']');
    out
}

/// One `efi: memNN: …` line (no newline). Invalid entries (empty or past 2^64) get the
/// `efi_clean_memmap` form: an unpadded end that may exceed 64 bits, and `(invalid)`.
pub fn mem_line(index: usize, d: &Descriptor) -> String {
    if d.is_valid() {
        format!(
            "efi: mem{index:02}: {} range=[0x{:016x}-0x{:016x}] ({}MB)",
            typeattr(d),
            d.phys,
            d.last_byte_wide(),
            d.num_pages >> 8
        )
    } else {
        let end = if d.num_pages == 0 {
            "0000000000000000".to_owned()
        } else {
            format!("{:x}", d.last_byte_wide())
        };
        format!(
            "efi: mem{index:02}: {} range=[0x{:016x}-0x{end}] (invalid)",
            typeattr(d),
            d.phys
        )
    }
}

/// One entry as 2.6.x-4.x kernels print it: type and attributes as numbers, the end exclusive
/// (tests check the readers of that layout against each other).
#[cfg(test)]
pub fn numeric_mem_line(index: usize, d: &Descriptor) -> String {
    let end = u128::from(d.phys) + u128::from(d.num_pages) * 4096;
    format!(
        "efi: mem{index:02}: type={}, attr=0x{:x}, range=[0x{:016x}-0x{end:016x}) ({}MB)",
        d.ty.0,
        d.attr.0,
        d.phys,
        d.num_pages >> 8
    )
}

/// The whole map, one line per descriptor, each ending in `\n`.
pub fn map_lines(descs: &[Descriptor]) -> String {
    let mut out = String::with_capacity(descs.len() * 120);
    for (i, d) in descs.iter().enumerate() {
        out.push_str(&mem_line(i, d));
        out.push('\n');
    }
    out
}
