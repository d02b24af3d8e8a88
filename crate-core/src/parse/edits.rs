//! Test support: the byte edits the property tests apply to printed lines and whole inputs.

use proptest::sample::Index;

/// Applies each `(where, byte, how)`: how 0 replaces the byte there, 1 inserts one, 2 removes
/// it, 3 cuts the text there. Stops once nothing is left.
pub fn apply(bytes: &mut Vec<u8>, edits: &[(Index, u8, u8)]) {
    for &(at, byte, how) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at.index(bytes.len());
        match how {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            2 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
}

/// `base` with every byte value put at every position in turn: the exhaustive check of the
/// fixed-width SIMD readers against their portable twins.
pub fn every_byte_everywhere<const N: usize>(base: [u8; N]) -> impl Iterator<Item = [u8; N]> {
    (0..N).flat_map(move |at| {
        (0..=255u8).map(move |byte| {
            let mut bytes = base;
            bytes[at] = byte;
            bytes
        })
    })
}
