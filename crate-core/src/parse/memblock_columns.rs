//! The fast reader for memblock=debug lines, the commonest lines of a `memblock=debug` boot:
//! `<op>: [0x<16>-0x<16>] <caller>` read from the bytes at fixed offsets, and the range-less
//! `<op>: …` requests. It answers only where the general reader in [`super::kernel_misc`]
//! would give the same answer, and leaves everything else (other widths, errors, odd
//! whitespace, bytes that are not UTF-8) to it.

use super::kernel_misc::MiscLine;
use super::scan::{hex16, maybe_more_space};

/// What the general reader calls a memblock line without a range.
pub const REQUEST: &str = "memblock allocation request";

/// A memblock line read from its bytes, its text not yet checked to be UTF-8.
pub enum Raw<'a> {
    /// `<op>: [range] <caller>`, the end exclusive.
    Range {
        op: &'a [u8],
        start: u64,
        end: u64,
        caller: &'a [u8],
    },
    /// `<op>: …` without a range.
    Request,
}

impl<'a> Raw<'a> {
    /// The general reader's answer for this line; `None` when its text is not UTF-8.
    pub fn decoded(self) -> Option<MiscLine<'a>> {
        Some(match self {
            Self::Range {
                op,
                start,
                end,
                caller,
            } => MiscLine::Memblock {
                op: std::str::from_utf8(op).ok()?,
                start,
                end,
                caller: std::str::from_utf8(caller).ok()?,
            },
            Self::Request => MiscLine::Context(REQUEST),
        })
    }
}

/// Reads a line known to start with `memblock` or `__memblock`.
pub fn read(line: &[u8]) -> Option<MiscLine<'_>> {
    read_raw(line)?.decoded()
}

/// [`read`] without the UTF-8 check, for a caller that may not need the text.
pub fn read_raw(line: &[u8]) -> Option<Raw<'_>> {
    let colon = memchr::memchr(b':', line)?;
    let (op, rest) = (&line[..colon], line[colon + 1..].strip_prefix(b" ")?);
    if op.contains(&b' ') {
        return None;
    }
    let Some(range) = rest.strip_prefix(b"[") else {
        return Some(Raw::Request);
    };
    let range = range.strip_prefix(b"0x")?;
    let start = hex16(range)?;
    let range = range[16..].strip_prefix(b"-0x")?;
    let last = hex16(range)?;
    let caller = range[16..].strip_prefix(b"]")?.trim_ascii();
    // A vertical tab or a non-ASCII character at an edge may be whitespace to `str::trim`.
    if last < start || maybe_more_space(caller.first()) || maybe_more_space(caller.last()) {
        return None;
    }
    Some(Raw::Range {
        op,
        start,
        end: last.saturating_add(1),
        caller,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::read;
    use crate::parse::edits;
    use crate::parse::kernel_misc::parse_any_memblock;

    fn line() -> impl Strategy<Value = String> {
        let op = prop::sample::select(vec![
            "memblock_reserve",
            "__memblock_free",
            "memblock_add",
            "memblock x",
            "memblock",
            "memblock_phys_free",
        ]);
        let addr = prop_oneof![
            any::<u64>().prop_map(|a| format!("0x{a:016x}")),
            any::<u64>().prop_map(|a| format!("0x{a:012x}")),
            any::<u64>().prop_map(|a| format!("0X{a:016X}")),
            any::<u64>().prop_map(|a| format!("0x1{a:016x}")),
        ];
        let caller = prop::sample::select(vec![
            " efi_reserve+0x1f/0x2a",
            "  x86_init nid=-1 flags=0 ",
            "",
            " \u{b}tab\u{b}",
            " é",
            "\u{a0}nbsp",
            " caller\t",
        ]);
        let sep = prop::sample::select(vec![": [", ": ", ":[", " : [", ": [ "]);
        (
            op,
            sep,
            addr.clone(),
            prop::sample::select(vec!["-", " - ", "-"]),
            addr,
            caller,
        )
            .prop_map(|(op, sep, a, dash, b, caller)| {
                if sep.ends_with('[') || sep.ends_with("[ ") {
                    format!("{op}{sep}{a}{dash}{b}]{caller}")
                } else {
                    format!("{op}{sep}{caller} 4096 bytes align=0x40")
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Wherever the fast reader answers, on generated lines and on lines with a byte
        /// changed, added or removed, the general reader gives the very same answer; and it
        /// answers for the kernel's own layout.
        #[test]
        fn agrees_with_the_general_reader(
            line in line(),
            start in any::<u64>(),
            len in 0u64..(1 << 40),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..3),
        ) {
            let end = start.saturating_add(len);
            let kernel = format!("memblock_reserve: [0x{start:016x}-0x{end:016x}] setup_arch+0x1/0x2");
            prop_assert!(read(kernel.as_bytes()).is_some(), "{kernel}");
            for text in [kernel, line] {
                let mut bytes = text.into_bytes();
                edits::apply(&mut bytes, &edits);
                let text = String::from_utf8_lossy(&bytes);
                if let Some(fast) = read(text.as_bytes()) {
                    prop_assert_eq!(parse_any_memblock(&text), Some(Ok(fast)), "{}", text);
                }
            }
        }
    }
}
