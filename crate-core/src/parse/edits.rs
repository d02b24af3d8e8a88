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

/// What every fixed-column reader's property test checks: on `line` with each byte in
/// `positions` swapped in turn for each of `swaps`, and on `line` with `edits` applied, wherever
/// `fast` answers, `general` (the general reader, its error as `None`) gives the very same.
pub fn fast_agrees_with_general<T: PartialEq + std::fmt::Debug>(
    line: &str,
    positions: std::ops::Range<usize>,
    swaps: &[u8],
    edits: &[(Index, u8, u8)],
    fast: impl Fn(&[u8]) -> Option<T>,
    general: impl Fn(&str) -> Option<T>,
) -> Result<(), proptest::test_runner::TestCaseError> {
    let check = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        if let Some(read) = fast(text.as_bytes()) {
            proptest::prop_assert_eq!(general(&text), Some(read), "{}", text);
        }
        Ok(())
    };
    for at in positions {
        for &with in swaps {
            let mut bytes = line.as_bytes().to_vec();
            bytes[at] = with;
            check(&bytes)?;
        }
    }
    let mut bytes = line.as_bytes().to_vec();
    apply(&mut bytes, edits);
    check(&bytes)
}
