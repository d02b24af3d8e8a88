//! Format detection: JSON and binary are recognised from the bytes; every text format is read by
//! one driver that tries all line families, so the family that produced the map names the format.

use super::{Format, binary};

/// The reader to use: [`Format::Json`], [`Format::Binary`], or [`Format::Dmesg`] for any text
/// (the text driver then reports the family it actually found).
pub fn detect(input: &[u8]) -> Format {
    let head = input[..input.len().min(4096)].trim_ascii_start();
    if head.starts_with(b"{") && memchr::memmem::find(head, b"\"descriptors\"").is_some() {
        return Format::Json;
    }
    // Data that is no descriptor array goes to the binary reader too, which says so.
    if binary::looks_binary(input) || binary::looks_like_data(input) {
        return Format::Binary;
    }
    Format::Dmesg
}
