//! The cheap first test every line meets: a few byte comparisons that reject lines no
//! recogniser could want, so a 100 MB log is mostly skimmed rather than parsed.

use super::scan::{contains_lit, starts};

/// Which recogniser families are switched on.
#[derive(Clone, Copy)]
pub struct Families {
    pub kernel: bool,
    pub shell: bool,
    pub runtime: bool,
}

/// False only when no enabled recogniser could accept an unwrapped line starting like `p`.
pub fn maybe_interesting(p: &[u8], on: Families) -> bool {
    let Some(&first) = p.first() else {
        return false;
    };
    let kernel = on.kernel
        && match first {
            b'e' => {
                starts(p, b"efi")
                    || starts(p, b"e820")
                    || starts(p, b"esrt:")
                    || starts(p, b"extended physical")
            }
            b'E' => starts(p, b"EFI"),
            b'm' => starts(p, b"mem") || starts(p, b"modified"),
            b'_' => starts(p, b"__memblock"),
            b'B' => starts(p, b"BIOS"),
            b'C' => starts(p, b"Command line:"),
            b'K' => starts(p, b"Kernel"),
            b'L' => starts(p, b"Linux version"),
            b'r' => starts(p, b"reserve setup_data:") || starts(p, b"range="),
            b'u' => starts(p, b"user"),
            b'M' => starts(p, b"Memory:") || starts(p, b"MEMBLOCK"),
            b'[' => starts(p, b"[Firmware Bug]"),
            b'|' => true,
            // ≤3.2 config tables have no prefix: `ACPI=0x…  SMBIOS=0x… `.
            b'A'..=b'Z' => contains_lit(p, b"=0x"),
            _ => false,
        };
    kernel || (on.shell && shell_candidate(p)) || (on.runtime && runtime_candidate(p))
}

/// Shell rows (`Name  <16 hex>-…`), headers, summaries and the tutorial dump.
fn shell_candidate(p: &[u8]) -> bool {
    match p[0] {
        b'[' => starts(p, b"[#"),
        b'P' if starts(p, b"Phys:") => true,
        b'T' if starts(p, b"Type ") || starts(p, b"Total Memory:") => true,
        b'-' => starts(p, b"---"),
        b'A'..=b'Z' | b'a'..=b'z' => p.ends_with(b"Bytes)") || looks_shell_row(p),
        _ => false,
    }
}

/// A word of at most 12 characters, spaces, then 16 or more hex digits and `-`.
fn looks_shell_row(p: &[u8]) -> bool {
    // The digits start by column 13 and run for 16, so columns 13-17 are digits in any row:
    // a test that rejects most prose before the word is measured.
    if !p
        .get(13..18)
        .is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit))
    {
        return false;
    }
    let word = p
        .iter()
        .take(13)
        .take_while(|b| !b.is_ascii_whitespace())
        .count();
    if word == 0 || word > 12 {
        return false;
    }
    // Names are padded to 10 columns, so the start address begins by column 13.
    let spaces = p[word..]
        .iter()
        .take(13 - word)
        .take_while(|&&b| b == b' ')
        .count();
    let rest = &p[word + spaces..];
    // 16 digits as printed, or more (a row the reader reports as too wide).
    let digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    spaces > 0 && digits >= 16 && rest.get(digits) == Some(&b'-')
}

fn runtime_candidate(p: &[u8]) -> bool {
    starts(p, b"RTMAP ") || starts(p, b"/sys/") || starts(p, b"runtime-map/")
}
