//! Small byte/str scanning helpers shared by the line recognisers (no regex: speed matters).

/// Parses a run of hex digits at the start of `s` (after an optional `0x`), up to 32 digits.
/// Returns the value and the rest; `None` when there is no digit or more than 32.
pub fn take_hex(s: &str) -> Option<(u128, &str)> {
    let body = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let bytes = body.as_bytes();
    // Up to 16 digits in 64-bit arithmetic (the common case), the rest in 128-bit.
    let mut low: u64 = 0;
    let mut len = 0;
    while len < 16 {
        match bytes.get(len).and_then(|&b| hex_digit(b)) {
            Some(d) => low = low << 4 | u64::from(d),
            None => break,
        }
        len += 1;
    }
    if len == 0 {
        return None;
    }
    let mut value = u128::from(low);
    while let Some(d) = bytes.get(len).and_then(|&b| hex_digit(b)) {
        if len == 32 {
            return None;
        }
        value = value << 4 | u128::from(d);
        len += 1;
    }
    // Only ASCII digits were consumed, so `len` is a char boundary.
    Some((value, &body[len..]))
}

/// Each byte's hex value, or [`NOT_HEX`]: one load per digit instead of three range tests,
/// which matters because every memory line holds two or three 16-digit addresses.
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};
const NOT_HEX: u8 = 0xff;

fn hex_digit(b: u8) -> Option<u8> {
    let d = HEX_VALUE[usize::from(b)];
    (d != NOT_HEX).then_some(d)
}

/// True when `hay` contains the non-empty literal `lit`: a SIMD scan for its first byte, then a
/// short compare. Cheaper than building a substring searcher for every line.
pub fn contains_lit(hay: &[u8], lit: &[u8]) -> bool {
    match lit.split_first() {
        Some((&first, rest)) => {
            memchr::memchr_iter(first, hay).any(|i| starts(&hay[i + 1..], rest))
        }
        None => true,
    }
}

/// Like [`take_hex`] but the value must fit in 64 bits.
pub fn take_hex64(s: &str) -> Option<(u64, &str)> {
    let (v, rest) = take_hex(s)?;
    Some((u64::try_from(v).ok()?, rest))
}

/// The whole of `s` (trimmed) as a hex number with an optional `0x`.
pub fn hex64(s: &str) -> Option<u64> {
    match take_hex64(s.trim())? {
        (v, "") => Some(v),
        _ => None,
    }
}

/// Parses a run of decimal digits at the start of `s`.
pub fn take_dec(s: &str) -> Option<(u64, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

/// A number written either as `0x…` hex or decimal (sysfs and RTMAP lines use both).
pub fn number64(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.starts_with("0x") || s.starts_with("0X") {
        hex64(s)
    } else {
        s.parse().ok()
    }
}

/// Why a number or a range could not be read, so the report says what is actually wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// Not the expected layout at all.
    Malformed,
    /// A number has more than 64 bits.
    TooWide,
    /// The end lies below the start.
    EndBelowStart,
}

impl RangeError {
    /// The report's reason; `malformed` names the layout the caller expected.
    pub fn reason(self, malformed: &str) -> String {
        match self {
            Self::Malformed => malformed.to_owned(),
            Self::TooWide => "address wider than 64 bits".to_owned(),
            Self::EndBelowStart => "end below start".to_owned(),
        }
    }
}

/// Like [`take_hex64`], but tells a missing number from one wider than 64 bits.
pub fn take_addr(s: &str) -> Result<(u64, &str), RangeError> {
    match take_hex(s) {
        Some((v, rest)) => u64::try_from(v)
            .map(|v| (v, rest))
            .map_err(|_| RangeError::TooWide),
        // `take_hex` also gives up beyond 32 digits.
        None => {
            let body = s
                .strip_prefix("0x")
                .or_else(|| s.strip_prefix("0X"))
                .unwrap_or(s);
            match body.as_bytes().first() {
                Some(b) if b.is_ascii_hexdigit() => Err(RangeError::TooWide),
                _ => Err(RangeError::Malformed),
            }
        }
    }
}

/// `0xS-0xE` with an inclusive end (the `[mem …]` and memblock layouts), returned as exclusive
/// `(start, end)` and the rest.
pub fn inclusive_range(s: &str) -> Result<(u64, u64, &str), RangeError> {
    let (start, rest) = take_addr(s)?;
    let rest = rest.strip_prefix('-').ok_or(RangeError::Malformed)?;
    let (last, rest) = take_addr(rest.trim_start())?;
    if last < start {
        return Err(RangeError::EndBelowStart);
    }
    // A range ending at the very last byte cannot have an exclusive end in 64 bits; it is
    // capped at u64::MAX (one byte short), which no real table reaches.
    Ok((start, last.saturating_add(1), rest))
}

/// `hay.starts_with(lit)` as a plain byte loop: for the short literals used on every line this
/// beats a `memcmp` call, and the first differing byte ends it.
#[inline]
pub fn starts(hay: &[u8], lit: &[u8]) -> bool {
    hay.len() >= lit.len() && hay.iter().zip(lit).all(|(a, b)| a == b)
}
