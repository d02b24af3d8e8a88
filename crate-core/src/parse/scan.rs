//! Small byte/str scanning helpers shared by the line recognisers (no regex: speed matters).

/// Parses a run of hex digits at the start of `s` (after an optional `0x`), up to 32 digits.
/// Returns the value and the rest; `None` when there is no digit or more than 32.
pub fn take_hex(s: &str) -> Option<(u128, &str)> {
    let body = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let len = body.bytes().take_while(u8::is_ascii_hexdigit).count();
    if len == 0 || len > 32 {
        return None;
    }
    let value = u128::from_str_radix(&body[..len], 16).ok()?;
    Some((value, &body[len..]))
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

/// `[0xS-0xE]` style range with an inclusive end, returned as exclusive `(start, end)`;
/// `None` when malformed or when the inclusive end is below the start.
pub fn inclusive_range(s: &str) -> Option<(u64, u64, &str)> {
    let (start, rest) = take_hex64(s)?;
    let rest = rest.strip_prefix('-')?;
    let (last, rest) = take_hex64(rest.trim_start())?;
    if last < start {
        return None;
    }
    Some((start, last.checked_add(1).unwrap_or(u64::MAX), rest))
}
