//! Removing what people and tools wrap around log lines: quoted-printable, mail quotes,
//! JSON string quoting, BBCode, syslog/journal prefixes, dmesg timestamps, log levels.

use std::borrow::Cow;

use super::scan::digits_and_spaces;

/// Which wrapper kinds were seen, as bits, so the report can name them once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen(u16);

impl Seen {
    pub const QUOTED_PRINTABLE: u16 = 1;
    pub const MAIL_QUOTE: u16 = 1 << 1;
    pub const JSON_STRING: u16 = 1 << 2;
    pub const BBCODE: u16 = 1 << 3;
    pub const SYSLOG: u16 = 1 << 4;
    pub const TIMESTAMP: u16 = 1 << 5;
    pub const LOG_LEVEL: u16 = 1 << 6;
    pub const CRLF: u16 = 1 << 7;
    pub const PADDING: u16 = 1 << 8;
    pub const NUL: u16 = 1 << 9;

    const NAMES: [(u16, &'static str); 10] = [
        (Self::QUOTED_PRINTABLE, "quoted-printable"),
        (Self::MAIL_QUOTE, "mail-quote"),
        (Self::JSON_STRING, "json-string"),
        (Self::BBCODE, "bbcode"),
        (Self::SYSLOG, "syslog-prefix"),
        (Self::TIMESTAMP, "dmesg-timestamp"),
        (Self::LOG_LEVEL, "log-level"),
        (Self::CRLF, "crlf"),
        (Self::PADDING, "trailing-padding"),
        (Self::NUL, "nul-bytes"),
    ];

    pub fn add(&mut self, bit: u16) {
        self.0 |= bit;
    }

    pub fn names(self) -> Vec<String> {
        Self::NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, name)| (*name).to_owned())
            .collect()
    }
}

/// A physical line that a QP encoder cut: ends in a lone `=` near the 76-column limit.
pub fn is_soft_break(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    (60..=77).contains(&line.len()) && line.ends_with(b"=") && !line.ends_with(b"==")
}

/// After this many lines with neither a soft break nor `=3D`, a quoted-printable region is over.
const QP_QUIET_LINES: usize = 20;

/// Finds quoted-printable regions line by line (a whole QP mail, or a QP quote inside a plain
/// log), joins soft-broken physical lines and decodes them. Plain text outside such regions is
/// passed through untouched, since it may legitimately contain `=20`-like text.
#[derive(Default)]
pub struct QpJoiner {
    /// The first physical line number and the bytes of a logical line still being joined.
    held: Option<(usize, Vec<u8>)>,
    active: bool,
    quiet: usize,
}

/// What [`QpJoiner::push`] made of a physical line.
pub enum QpOut<'a> {
    Plain(&'a [u8]),
    /// A decoded logical line and the physical line it started on.
    Decoded(usize, Vec<u8>),
    /// Kept back: it ends in a soft break.
    Held,
}

impl QpJoiner {
    /// `escaped`: the line contains `=3D` (the caller finds those in one pass over the input).
    pub fn push<'a>(&mut self, line_no: usize, raw: &'a [u8], escaped: bool) -> QpOut<'a> {
        let soft = is_soft_break(raw);
        if soft || escaped {
            self.active = true;
            self.quiet = 0;
        } else if self.active {
            self.quiet += 1;
            self.active = self.quiet <= QP_QUIET_LINES;
        }
        if !self.active && self.held.is_none() {
            return QpOut::Plain(raw);
        }
        let (_, buf) = self.held.get_or_insert_with(|| (line_no, Vec::new()));
        buf.extend_from_slice(raw.strip_suffix(b"\r").unwrap_or(raw));
        if soft {
            buf.pop();
            return QpOut::Held;
        }
        match self.held.take() {
            Some((first, buf)) => QpOut::Decoded(first, decode_quoted_printable(&buf)),
            None => QpOut::Plain(raw),
        }
    }

    /// A logical line still held at the end of the input.
    pub fn finish(&mut self) -> Option<(usize, Vec<u8>)> {
        self.held
            .take()
            .map(|(first, buf)| (first, decode_quoted_printable(&buf)))
    }
}

/// Decodes `=XX` escapes and drops soft line breaks (`=` before a newline).
pub fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'=' {
            match (input.get(i + 1).copied(), input.get(i + 2).copied()) {
                (Some(b'\n'), _) => {
                    i += 2;
                    continue;
                }
                (Some(b'\r'), Some(b'\n')) => {
                    i += 3;
                    continue;
                }
                (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    out.push(hex_val(h) << 4 | hex_val(l));
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b.to_ascii_uppercase().wrapping_sub(b'A') + 10,
    }
}

/// Text saved as UTF-16 (Windows editors, PowerShell redirection), recognised by its byte-order
/// mark, re-encoded as UTF-8 with the wrapper's name; line structure is unchanged.
pub fn utf16_to_utf8(input: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    let (body, big, name) = match input {
        [0xff, 0xfe, rest @ ..] => (rest, false, "utf-16le"),
        [0xfe, 0xff, rest @ ..] => (rest, true, "utf-16be"),
        _ => return None,
    };
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if big {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some((text.into_bytes(), name))
}

/// Strips every wrapper from one physical line and returns the payload (the kernel's own text).
/// `seen` collects which wrappers were removed.
pub fn unwrap_line<'a>(raw: &'a [u8], seen: &mut Seen) -> Cow<'a, [u8]> {
    let mut line = trim_line_end(raw, seen);
    // Serial consoles send NUL bytes while the port settles, in front of the first line.
    let nuls = line.iter().take_while(|&&b| b == 0).count();
    if nuls > 0 {
        seen.add(Seen::NUL);
        line = &line[nuls..];
    }
    // Outer wrappers can nest (a quoted mail of a JSON array…), so peel until nothing changes.
    let mut owned: Option<Vec<u8>> = None;
    for _ in 0..8 {
        let before = line.len();
        line = line.trim_ascii_start();
        line = strip_mail_quote(line, seen);
        line = strip_json_string(line, seen);
        // A stray `: ` left in front of the first pasted line.
        line = line.strip_prefix(b": ").unwrap_or(line);
        if line.first() == Some(&b'[') && is_bbcode_tag(line) {
            seen.add(Seen::BBCODE);
            let cleaned = remove_bbcode(line);
            owned = Some(cleaned);
            break;
        }
        if line.len() == before {
            break;
        }
    }
    match owned {
        Some(buf) => {
            let payload = strip_prefixes(&buf, seen).to_vec();
            Cow::Owned(payload)
        }
        None => Cow::Borrowed(strip_prefixes(line, seen)),
    }
}

/// `raw` without a CR and trailing padding, which are noted in `seen`.
fn trim_line_end<'a>(raw: &'a [u8], seen: &mut Seen) -> &'a [u8] {
    let mut line = raw;
    if let Some(l) = line.strip_suffix(b"\r") {
        seen.add(Seen::CRLF);
        line = l;
    }
    let trimmed = line.trim_ascii_end();
    if line.len() - trimmed.len() > 8 {
        seen.add(Seen::PADDING);
    }
    trimmed
}

/// A line starting with a standard `[%5lu.%06lu] ` dmesg timestamp, found at fixed offsets.
/// Lets the driver reject most kernel chatter, and unwrap most interesting lines, without the
/// general passes of [`unwrap_line`].
#[derive(Clone, Copy)]
pub struct Stamped<'a> {
    raw: &'a [u8],
    /// Which of the stamp's 15 bytes are spaces (bit i for byte i).
    spaces: u16,
}

/// The stamp's digit fields, bytes 1-5 and 7-12 (each a digit or a space).
const STAMP_FIELDS: u16 = 0b1_1111_1011_1110;

impl<'a> Stamped<'a> {
    /// `None` for any other shape.
    pub fn of(raw: &'a [u8]) -> Option<Self> {
        let stamp: &[u8; 15] = raw.get(..15)?.try_into().ok()?;
        // The fixed bytes first: they reject most non-stamped lines at once.
        if stamp[0] != b'[' || stamp[6] != b'.' || stamp[13] != b']' || stamp[14] != b' ' {
            return None;
        }
        let (digits, spaces) = digits_and_spaces(stamp);
        ((digits | spaces) & STAMP_FIELDS == STAMP_FIELDS).then_some(Self { raw, spaces })
    }

    /// The text after the stamp, untrimmed.
    pub fn after(self) -> &'a [u8] {
        &self.raw[15..]
    }

    /// What [`unwrap_line`] returns for this line, when the stamp's digits are right-aligned (the
    /// usual case): such a line can hold no other outer wrapper, and the space after `]` rules
    /// out a caller id. `None` otherwise.
    pub fn unwrap(self, seen: &mut Seen) -> Option<&'a [u8]> {
        // `[ 1 2.5]` (a space among the digits) is not a timestamp to the general path.
        if !spaces_only_at_ends(self.spaces >> 1 & 0xfff, 12) {
            return None;
        }
        let after = trim_line_end(self.raw, seen).get(15..)?;
        seen.add(Seen::TIMESTAMP);
        Some(strip_pager_mark(after.trim_ascii_start()))
    }
}

/// True when the spaces of a field of `len` bytes (at most 15; bit i of `spaces` for byte i;
/// no other ASCII whitespace: a stamp's digits) all lead or trail it, that is when trimming
/// the field would leave no space in it; a bit test instead of two scans (this runs on every
/// line of the fast lane).
fn spaces_only_at_ends(spaces: u16, len: u32) -> bool {
    let all = (1u16 << len) - 1;
    // Clear the leading run (the low bits); what is left must be one run reaching the top bit.
    let rest = spaces & spaces.wrapping_add(1);
    ((!rest & all).wrapping_add(1)).is_power_of_two()
}

fn strip_mail_quote<'a>(line: &'a [u8], seen: &mut Seen) -> &'a [u8] {
    let mut rest = line;
    while let Some(r) = rest.strip_prefix(b">") {
        seen.add(Seen::MAIL_QUOTE);
        rest = r.trim_ascii_start();
    }
    rest
}

fn strip_json_string<'a>(line: &'a [u8], seen: &mut Seen) -> &'a [u8] {
    let Some(body) = line.strip_prefix(b"\"") else {
        return line;
    };
    let body = body.strip_suffix(b",").unwrap_or(body);
    let Some(body) = body.strip_suffix(b"\"") else {
        return line;
    };
    seen.add(Seen::JSON_STRING);
    // A variant puts the array's comma inside the quotes.
    body.strip_suffix(b",").unwrap_or(body)
}

const BBCODE_TAGS: [&[u8]; 9] = [
    b"COLOR", b"FONT", b"SIZE", b"CODE", b"QUOTE", b"B", b"I", b"U", b"NOPARSE",
];

/// `[TAG]`, `[TAG=…]` or `[/TAG]` with a known BBCode tag name at the start of `s`.
fn bbcode_tag_len(s: &[u8]) -> Option<usize> {
    let body = s.strip_prefix(b"[")?;
    let body = body.strip_prefix(b"/").unwrap_or(body);
    let name_len = body.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let name = &body[..name_len];
    if !BBCODE_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
        return None;
    }
    let close = memchr::memchr(b']', s)?;
    let after_name = &body[name_len..];
    matches!(after_name.first(), Some(b']') | Some(b'=')).then_some(close + 1)
}

fn is_bbcode_tag(s: &[u8]) -> bool {
    // Timestamps (`[    0.0…]`) are far more common than tags: test the second byte first.
    s.get(1)
        .is_some_and(|&b| b == b'/' || b.is_ascii_alphabetic())
        && bbcode_tag_len(s).is_some()
}

/// Removes every BBCode tag anywhere in the line (forum posts often hold two runs per line).
fn remove_bbcode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'[' {
            if let Some(len) = bbcode_tag_len(&s[i..]) {
                i += len;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Removes syslog/journal prefixes, `<N>` levels, `[ sec.usec]` / `dmesg -T` timestamps and
/// `[T123]` caller ids, in the order they appear.
fn strip_prefixes<'a>(mut line: &'a [u8], seen: &mut Seen) -> &'a [u8] {
    line = line.trim_ascii_start();
    if let Some(rest) = strip_syslog(line) {
        seen.add(Seen::SYSLOG);
        line = rest.trim_ascii_start();
    }
    if let Some(rest) = strip_level(line) {
        seen.add(Seen::LOG_LEVEL);
        line = rest;
    }
    if let Some(rest) = strip_timestamp(line) {
        seen.add(Seen::TIMESTAMP);
        line = rest;
        if let Some(rest) = strip_caller(line) {
            line = rest;
        }
    }
    strip_pager_mark(line.trim_ascii_start())
}

/// A pager's truncation marker (`…$`) removed.
fn strip_pager_mark(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"$").map_or(line, <[u8]>::trim_ascii_end)
}

/// `Nov  6 08:43:20 host kernel: `, `Apr 28 07:55:19 kernel: `, ISO journal stamps, or bare `kernel: `.
fn strip_syslog(line: &[u8]) -> Option<&[u8]> {
    if let Some(rest) = line.strip_prefix(b"kernel: ") {
        return Some(rest);
    }
    let first = *line.first()?;
    if !(first.is_ascii_uppercase() && line.get(3) == Some(&b' ')
        || first.is_ascii_digit() && line.get(4) == Some(&b'-'))
    {
        return None;
    }
    // The time must be there, or this is prose that merely mentions the kernel.
    let head = &line[..line.len().min(100)];
    let at = memchr::memmem::find(head, b" kernel: ")?;
    let colons = head[..at].iter().filter(|&&b| b == b':').count();
    (colons >= 2).then(|| &line[at + 9..])
}

fn strip_level(line: &[u8]) -> Option<&[u8]> {
    let body = line.strip_prefix(b"<")?;
    let digits = body.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    body[digits..].strip_prefix(b">")
}

/// `[    0.000000]`, `[ 0.000000]`, `[\t0.000000]` or `[Tue Mar  3 12:15:55 2020]`.
fn strip_timestamp(line: &[u8]) -> Option<&[u8]> {
    let body = line.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', &body[..body.len().min(40)])?;
    let inside = body[..close].trim_ascii();
    let numeric = !inside.is_empty()
        && inside.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && inside.contains(&b'.');
    let wall_clock = inside.len() >= 20
        && inside[..3].iter().all(u8::is_ascii_alphabetic)
        && inside.iter().filter(|&&b| b == b':').count() == 2;
    (numeric || wall_clock).then(|| &body[close + 1..])
}

/// CONFIG_PRINTK_CALLER's `[T123]` / `[C1]` field, possibly padded.
fn strip_caller(line: &[u8]) -> Option<&[u8]> {
    let body = line.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', &body[..body.len().min(12)])?;
    let inside = body[..close].trim_ascii();
    let (kind, num) = inside.split_first()?;
    (matches!(kind, b'T' | b'C') && !num.is_empty() && num.iter().all(u8::is_ascii_digit))
        .then(|| &body[close + 1..])
}

#[cfg(test)]
mod tests {
    use super::spaces_only_at_ends;

    /// Every stamp field the fast stamp test lets through (each byte a space or a digit, the
    /// dot in its place), and the same with other bytes that are not whitespace: the mask
    /// agrees with trimming, then looking for a space.
    #[test]
    fn spaces_only_at_ends_agrees_with_trimming() {
        for bits in 0u32..1 << 12 {
            for other in [b'7', b'.', b'x'] {
                let field: Vec<u8> = (0..12)
                    .map(|i| match (i, bits >> i & 1) {
                        (5, 0) => b'.',
                        (_, 0) => other,
                        _ => b' ',
                    })
                    .collect();
                let spaces = field
                    .iter()
                    .enumerate()
                    .fold(0u16, |m, (i, &b)| m | u16::from(b == b' ') << i);
                let trimmed_has_space = field.trim_ascii().contains(&b' ');
                assert_eq!(
                    spaces_only_at_ends(spaces, 12),
                    !trimmed_has_space,
                    "{:?}",
                    String::from_utf8_lossy(&field)
                );
            }
        }
    }
}
