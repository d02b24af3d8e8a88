//! Small byte/str scanning helpers shared by the line recognisers (no regex: speed matters).

/// Parses a run of hex digits at the start of `s` (after an optional `0x`), up to 32 digits.
/// Returns the value and the rest; `None` when there is no digit or more than 32.
pub fn take_hex(s: &str) -> Option<(u128, &str)> {
    let body = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let bytes = body.as_bytes();
    // The kernel's own zero-padded 16-digit addresses, in one step.
    if let Some(value) = hex16(bytes) {
        if bytes.get(16).is_none_or(|&b| hex_digit(b).is_none()) {
            return Some((u128::from(value), &body[16..]));
        }
    }
    // Up to 16 digits in 64-bit arithmetic (the common case), the rest in 128-bit.
    let (mut low, mut len) = hex_words(bytes);
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

/// Exactly 16 hex digits at the start of `bytes` (whatever follows). Every memory line of
/// the fast readers holds two, so x86_64 reads them in one SSE2 register (part of the
/// architecture's baseline, so no runtime test); elsewhere as two SWAR words.
#[inline]
pub fn hex16(bytes: &[u8]) -> Option<u64> {
    let digits: &[u8; 16] = bytes.get(..16)?.try_into().ok()?;
    // SAFETY: SSE2 is enabled for the whole build (the cfg), so the CPU has it.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return unsafe { hex16_sse2(digits) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return hex16_swar(digits);
}

/// [`hex16`] as two words of eight digits (the portable reading).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn hex16_swar(digits: &[u8; 16]) -> Option<u64> {
    let (high, low) = digits.split_at(8);
    let high = u64::from_le_bytes(high.try_into().ok()?);
    let low = u64::from_le_bytes(low.try_into().ok()?);
    (all_hex(high) && all_hex(low)).then(|| pack_nibbles(high) << 32 | pack_nibbles(low))
}

/// [`hex16`] in one SSE2 register: a range test of all 16 bytes, their values, then each
/// pair of nibbles joined into a byte (a 16-bit shift each way) and the bytes packed.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn hex16_sse2(digits: &[u8; 16]) -> Option<u64> {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_and_si128, _mm_cvtsi128_si64, _mm_movemask_epi8, _mm_or_si128,
        _mm_packus_epi16, _mm_set_epi64x, _mm_set1_epi8, _mm_set1_epi16, _mm_setzero_si128,
        _mm_slli_epi16, _mm_srli_epi16,
    };
    let word = |at: usize| {
        let half: [u8; 8] = digits[at..at + 8].try_into().unwrap_or([0; 8]);
        i64::from_le_bytes(half)
    };
    let v = _mm_set_epi64x(word(8), word(0));
    let digit = within(v, b'0', b'9');
    let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'f');
    if _mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff {
        return None;
    }
    // A digit's value is its low nibble; a letter's is its low nibble plus 9.
    let nibbles = _mm_add_epi8(
        _mm_and_si128(v, _mm_set1_epi8(0x0f)),
        _mm_and_si128(letter, _mm_set1_epi8(9)),
    );
    // Each 16-bit lane holds a digit pair, the first (more significant) in its low byte.
    let pairs = _mm_or_si128(_mm_slli_epi16(nibbles, 4), _mm_srli_epi16(nibbles, 8));
    let pairs = _mm_and_si128(pairs, _mm_set1_epi16(0xff));
    let bytes = _mm_packus_epi16(pairs, _mm_setzero_si128());
    // The first pair is the lowest byte, and the most significant.
    Some((_mm_cvtsi128_si64(bytes) as u64).swap_bytes())
}

/// Each byte of `v` in `lo..=hi` (all ones) or not (zero). The comparisons are signed, so
/// bytes from 0x80 up (negative) fail every ASCII range.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn within(v: std::arch::x86_64::__m128i, lo: u8, hi: u8) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::{_mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_set1_epi8};
    let above = _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1));
    _mm_and_si128(above, _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)))
}

/// Which of the 15 bytes are ASCII digits (bit i for byte i) and which are spaces: the
/// fields of a dmesg stamp, tested on every line, in one SSE2 register on x86_64.
#[inline]
pub fn digits_and_spaces(bytes: &[u8; 15]) -> (u16, u16) {
    // SAFETY: SSE2 is enabled for the whole build (the cfg), so the CPU has it.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return unsafe { digits_and_spaces_sse2(bytes) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return digits_and_spaces_plain(bytes);
}

/// [`digits_and_spaces`] byte by byte (the portable reading).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn digits_and_spaces_plain(bytes: &[u8; 15]) -> (u16, u16) {
    bytes
        .iter()
        .enumerate()
        .fold((0, 0), |(digits, spaces), (i, &b)| {
            (
                digits | u16::from(b.is_ascii_digit()) << i,
                spaces | u16::from(b == b' ') << i,
            )
        })
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn digits_and_spaces_sse2(bytes: &[u8; 15]) -> (u16, u16) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    // Bytes 0-7 in the low half and 7-14 in the high one: no read past the 15 bytes.
    let half = |at: usize| {
        let half: [u8; 8] = bytes[at..at + 8].try_into().unwrap_or([0; 8]);
        i64::from_le_bytes(half)
    };
    let v = _mm_set_epi64x(half(7), half(0));
    let digits = _mm_movemask_epi8(within(v, b'0', b'9'));
    let spaces = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)));
    // Lane 8 + i holds byte 7 + i; lane 7 and lane 8 are the same byte.
    let per_byte = |lanes: i32| (lanes & 0xff | (lanes >> 8) << 7) as u16;
    (per_byte(digits), per_byte(spaces))
}

/// True when all eight bytes of `x` are ASCII hex digits.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
#[inline]
fn all_hex(x: u64) -> bool {
    hex_digits_in_word(x) == 8
}

/// The leading hex digits of `bytes` read eight at a time (SWAR), while whole words of
/// digits are available: (value, digits read). At most 16 digits; the caller reads on
/// byte by byte from there (a short tail, or a number wider than 64 bits).
fn hex_words(bytes: &[u8]) -> (u64, usize) {
    let mut value = 0u64;
    let mut len = 0;
    while len < 16 {
        let Some(word) = bytes.get(len..len + 8) else {
            break;
        };
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let digits = hex_digits_in_word(word);
        if digits == 0 {
            break;
        }
        // Shifting by 32 in two steps keeps a full word's shift in range.
        value = value << (2 * digits) << (2 * digits) | pack_nibbles(word) >> (32 - 4 * digits);
        len += digits as usize;
        if digits < 8 {
            break;
        }
    }
    (value, len)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const LOW_NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
const CASE_BITS: u64 = 0x2020_2020_2020_2020;

/// How many of the word's bytes, from the first, are ASCII hex digits.
fn hex_digits_in_word(x: u64) -> u32 {
    // For a byte below 0x80, adding 0x80 - k sets its top bit exactly when it is ≥ k
    // (and never carries into the next byte).
    let ascii = !x & HIGH_BITS;
    let at_least = |v: u64, k: u64| (v & !HIGH_BITS) + (0x80 - k) * ONES;
    let digit = at_least(x, 0x30) & !at_least(x, 0x3a);
    let lower = x | CASE_BITS;
    let letter = at_least(lower, 0x61) & !at_least(lower, 0x67);
    let ok = (digit | letter) & ascii & HIGH_BITS;
    // Byte i is a digit when bit 8i+7 is set; count those from the first byte.
    (!ok & HIGH_BITS).trailing_zeros() / 8
}

/// The eight hex digits of `x` (already checked) as a number, the first byte most significant.
fn pack_nibbles(x: u64) -> u64 {
    // '0'-'9' keep their low nibble; letters (bit 6 set) add 9 to theirs. The final mask keeps
    // the bytes after the digits (shifted out by the caller) from spilling into them.
    let nibbles = ((x & LOW_NIBBLES) + ((x >> 6) & ONES) * 9) & LOW_NIBBLES;
    let n = nibbles.swap_bytes();
    let n = (n | n >> 4) & 0x00ff_00ff_00ff_00ff;
    let n = (n | n >> 8) & 0x0000_ffff_0000_ffff;
    (n | n >> 16) & 0xffff_ffff
}

/// 1 to `max` decimal digits at the start of `b` (`max` ≤ 19, so the value fits) and the rest.
#[inline(always)]
pub fn decimal<T: From<u8> + std::ops::Mul<Output = T> + std::ops::Add<Output = T>>(
    b: &[u8],
    max: usize,
) -> Option<(T, &[u8])> {
    let digits = b
        .iter()
        .take(max + 1)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 || digits > max {
        return None;
    }
    let value = b[..digits]
        .iter()
        .fold(T::from(0), |n, &d| n * T::from(10) + T::from(d - b'0'));
    Some((value, &b[digits..]))
}

/// 1 to 16 hex digits at the start of `b` and the rest.
#[inline]
pub fn hex_run(b: &[u8]) -> Option<(u64, &[u8])> {
    let digits = b
        .iter()
        .take(17)
        .take_while(|c| c.is_ascii_hexdigit())
        .count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let value = b[..digits].iter().fold(0, |n, &d| n << 4 | hex_value(d));
    Some((value, &b[digits..]))
}

/// The value of a byte already checked to be a hex digit.
fn hex_value(d: u8) -> u64 {
    u64::from(if d <= b'9' {
        d - b'0'
    } else {
        (d | 0x20) - b'a' + 10
    })
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
    lit.is_empty() || find_lit(hay, lit).is_some()
}

/// Like [`take_hex`] but the value must fit in 64 bits.
pub fn take_hex64(s: &str) -> Option<(u64, &str)> {
    let (v, rest) = take_hex(s)?;
    Some((u64::try_from(v).ok()?, rest))
}

/// The whole of `s` (trimmed) as a hex number with an optional `0x`.
pub fn hex64(s: &str) -> Option<u64> {
    match take_hex64(s.trim_fast())? {
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
    let s = s.trim_fast();
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
    let (last, rest) = take_addr(rest.trim_start_fast())?;
    if last < start {
        return Err(RangeError::EndBelowStart);
    }
    // A range ending at the very last byte cannot have an exclusive end in 64 bits; it is
    // capped at u64::MAX (one byte short), which no real table reaches.
    Ok((start, last.saturating_add(1), rest))
}

/// `str::trim*` with an ASCII fast path. The result is identical: after the ASCII trim, only a
/// vertical tab or a non-ASCII character at the edge can be whitespace the full trim removes.
pub trait FastTrim {
    fn trim_fast(&self) -> &str;
    fn trim_start_fast(&self) -> &str;
    fn trim_end_fast(&self) -> &str;
}

/// Whether `b` may be whitespace to `str::trim` although not ASCII whitespace (a vertical
/// tab, or the first byte of a multi-byte character).
pub(super) fn maybe_more_space(b: Option<&u8>) -> bool {
    b.is_some_and(|&b| b >= 0x80 || b == 0x0b)
}

impl FastTrim for str {
    fn trim_fast(&self) -> &str {
        self.trim_start_fast().trim_end_fast()
    }

    fn trim_start_fast(&self) -> &str {
        let t = self.trim_ascii_start();
        if maybe_more_space(t.as_bytes().first()) {
            t.trim_start()
        } else {
            t
        }
    }

    fn trim_end_fast(&self) -> &str {
        let t = self.trim_ascii_end();
        if maybe_more_space(t.as_bytes().last()) {
            t.trim_end()
        } else {
            t
        }
    }
}

/// Where the non-empty literal `lit` first occurs in `hay` (see [`contains_lit`]).
pub fn find_lit(hay: &[u8], lit: &[u8]) -> Option<usize> {
    let (&first, rest) = lit.split_first()?;
    memchr::memchr_iter(first, hay).find(|&i| starts(&hay[i + 1..], rest))
}

/// `hay.starts_with(lit)` as a plain byte loop: for the short literals used on every line this
/// beats a `memcmp` call, and the first differing byte ends it.
#[inline]
pub fn starts(hay: &[u8], lit: &[u8]) -> bool {
    hay.len() >= lit.len() && hay.iter().zip(lit).all(|(a, b)| a == b)
}

/// Finds one byte again and again (each line's end). Where AVX2 is there, the searcher is built
/// once and called directly: `memchr::memchr` picks its routine anew on every call, a cost
/// that shows when it runs once per short line.
pub struct ByteFinder {
    byte: u8,
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl ByteFinder {
    pub fn new(byte: u8) -> Self {
        Self {
            byte,
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(byte),
        }
    }

    /// Where `byte` first occurs in `hay`, as `memchr::memchr` says.
    #[inline]
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = &self.avx2 {
            return one.find(hay);
        }
        memchr::memchr(self.byte, hay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::edits::every_byte_everywhere;

    /// The fast trims agree with the standard ones, whatever the whitespace.
    #[test]
    fn fast_trims_match_std() {
        let spaces = [
            "", " ", "\t", "\u{b}", "\u{c}", "\r\n", "\u{a0}", "\u{3000}", " \u{85} ", "é",
        ];
        for a in spaces {
            for b in spaces {
                for mid in ["", "x", "x y", "é x"] {
                    let s = format!("{a}{b}{mid}{b}{a}");
                    assert_eq!(s.trim_fast(), s.trim(), "{s:?}");
                    assert_eq!(s.trim_start_fast(), s.trim_start(), "{s:?}");
                    assert_eq!(s.trim_end_fast(), s.trim_end(), "{s:?}");
                }
            }
        }
    }

    /// The word-at-a-time reader agrees with a plain digit-by-digit reading.
    #[test]
    fn take_hex_reads_words_like_digits() {
        let cases = [
            "0",
            "f",
            "F",
            "9a",
            "0x1234567",
            "12345678",
            "123456789",
            "deadBEEF-",
            "0x0000000000000000-",
            "0xffffffffffffffff]",
            "fedcba9876543210",
            "1234567890abcdefx",
            "10000000000000000",
            "0x0123456789abcdef0123456789abcdef",
            "12g4",
            "1:2",
            "a/",
            "`",
            "@",
            "G",
            "0x",
            "x1",
            "abcdef01 23",
            "00000000000000000000000000000000f",
        ];
        // Every ASCII character at every position of a 17-digit run, and a non-ASCII one.
        let mut generated = Vec::new();
        for c in (0u8..128).map(char::from).chain(['é']) {
            for at in 0..17 {
                let mut s: Vec<char> = "123456789abcdefAB".chars().collect();
                s[at] = c;
                generated.push(s.into_iter().collect::<String>());
            }
        }
        for s in cases
            .iter()
            .copied()
            .chain(generated.iter().map(String::as_str))
        {
            let body = s.strip_prefix("0x").unwrap_or(s);
            let digits = body.bytes().take_while(u8::is_ascii_hexdigit).count();
            let want = (1..=32).contains(&digits).then(|| {
                (
                    u128::from_str_radix(&body[..digits], 16).unwrap(),
                    &body[digits..],
                )
            });
            assert_eq!(take_hex(s), want, "{s}");
        }
    }

    /// The 16-digit reader (SSE2 where there is one) agrees with the portable SWAR one and
    /// with the standard library, with every byte value at every position of a run.
    #[test]
    fn hex16_agrees_with_swar_and_std() {
        for digits in every_byte_everywhere(*b"0123456789abcdeF") {
            let want = std::str::from_utf8(&digits)
                .ok()
                .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|s| u64::from_str_radix(s, 16).ok());
            assert_eq!(hex16(&digits), want, "{digits:?}");
            assert_eq!(hex16_swar(&digits), want, "{digits:?}");
        }
        for digits in [
            *b"ffffffffffffffff",
            *b"0000000000000000",
            *b"FEDCBA9876543210",
        ] {
            let want = u64::from_str_radix(std::str::from_utf8(&digits).unwrap(), 16).ok();
            assert_eq!(hex16(&digits), want);
            assert_eq!(hex16(&digits[..15]), None);
        }
    }

    /// The stamp's byte classes (SSE2 where there is one) agree with a test of each byte, with
    /// every byte value at every position.
    #[test]
    fn digits_and_spaces_agrees_with_each_byte() {
        for bytes in every_byte_everywhere(*b"[ 12 .3 4567] x") {
            let (digits, spaces) = digits_and_spaces(&bytes);
            for (i, b) in bytes.iter().enumerate() {
                assert_eq!(digits >> i & 1 == 1, b.is_ascii_digit(), "{bytes:?} {i}");
                assert_eq!(spaces >> i & 1 == 1, *b == b' ', "{bytes:?} {i}");
            }
            assert_eq!(digits >> 15, 0);
            assert_eq!(spaces >> 15, 0);
            assert_eq!(
                digits_and_spaces_plain(&bytes),
                (digits, spaces),
                "{bytes:?}"
            );
        }
    }

    /// The byte finder agrees with a plain scan, at every length and alignment around the
    /// vector widths, with the byte absent, once, or many times.
    #[test]
    fn byte_finder_agrees_with_a_plain_scan() {
        let text: Vec<u8> = (0..300u32)
            .map(|i| b"ab\ncd\n\r"[(i * 7 % 13 % 7) as usize])
            .collect();
        for byte in [b'\n', b'\r', b'x'] {
            let finder = ByteFinder::new(byte);
            for start in 0..70 {
                for end in start..text.len().min(start + 140) {
                    let hay = &text[start..end];
                    assert_eq!(
                        finder.find(hay),
                        hay.iter().position(|&b| b == byte),
                        "{byte} in {start}..{end}"
                    );
                }
            }
        }
    }
}
