//! The fast lane for the commonest kinds of memory line in a kernel log, each timestamped: an
//! `efi: memNN:` (or `EFI: memNN:`) entry in the 6.x or the older numeric layout, an
//! `efi: memattr:` entry, an e820 table row or update/remove event, and a memblock=debug line;
//! and, without a stamp, a row of the truth logs' `RTMAP` dump. Such a line is read straight from its bytes by the fixed-offset readers and filed, skipping
//! what the general path does first (the gate, UTF-8 decoding, hard-wrap joining, trying each
//! reader in turn). For these lines that work decides nothing: the gate lets them through,
//! they are valid UTF-8 (the readers check every byte they keep), only a `memNN:` line without
//! `range=` is held for joining, and the general path would reach the same reader. Any other
//! line, or one the readers do not take, goes the general way unchanged.

use super::{Driver, Owned};
use crate::parse::Format;
use crate::parse::memblock_columns::Raw;
use crate::parse::scan::starts;
use crate::parse::wrappers::{Seen, Stamped};
use crate::parse::{e820_columns, kernel_misc, mem_columns, memblock_columns, runtime_map};

/// Which reader a line goes to, by how it starts.
enum Kind {
    Mem,
    E820,
    Memblock,
}

impl Driver {
    /// True when the line was filed here; false leaves it, untouched, to the general path.
    pub(super) fn fast_lane(&mut self, line_no: usize, stamp: Stamped<'_>) -> bool {
        if !self.lane || !self.allows(Format::Dmesg) {
            return false;
        }
        // The text right after the stamp: these starts pass the gate, so unwrapping below adds
        // only the wrapper names the general path would add too.
        let after = stamp.after();
        // One test of the first byte turns most lines away before any prefix is compared.
        let kind = match after.first() {
            Some(b'e' | b'E') if starts(after, b"efi: mem") || starts(after, b"EFI: mem") => {
                Kind::Mem
            }
            Some(b'B' | b'e') if starts(after, b"BIOS-e820: [mem ") || starts(after, b"e820: ") => {
                Kind::E820
            }
            Some(b'm' | b'_') if kernel_misc::is_memblock(after) => Kind::Memblock,
            _ => return false,
        };
        let Some(payload) = stamp.unwrap(&mut self.seen) else {
            return false;
        };
        let filed = match kind {
            Kind::Mem => {
                let body = &payload[b"efi: ".len()..];
                if let Some(line) = mem_columns::read(body) {
                    self.flush_wrap();
                    self.mem_line(line_no, payload, line);
                    true
                } else if let Some(entry) = mem_columns::read_memattr(body) {
                    self.flush_wrap();
                    self.memattr_line(line_no, payload, entry);
                    true
                } else {
                    false
                }
            }
            Kind::E820 => match e820_columns::read(payload) {
                Some(line) => {
                    self.flush_wrap();
                    self.e820_line(line_no, payload, line);
                    true
                }
                None => false,
            },
            Kind::Memblock => self.memblock_lane(line_no, payload),
        };
        if filed {
            self.hits[0] += 1;
        }
        filed
    }

    /// An unstamped line in the exact `RTMAP` layout (the truth logs' runtime-map dump): the
    /// reader checks every byte, so no wrapper but a CR can be around it (no padding, quote or
    /// prefix), the gate passes it, and of the families only the runtime map's reader takes
    /// such a line. True when it was filed here.
    pub(super) fn rtmap_lane(&mut self, line_no: usize, raw: &[u8]) -> bool {
        if !self.lane || !self.allows(Format::RuntimeMap) || !starts(raw, b"RTMAP ") {
            return false;
        }
        // A CR before the LF is the one wrapper such a line can carry.
        let (line, crlf) = match raw.strip_suffix(b"\r") {
            Some(line) => (line, true),
            None => (raw, false),
        };
        let Some((index, desc)) = runtime_map::read_rtmap(line) else {
            return false;
        };
        if crlf {
            self.seen.add(Seen::CRLF);
        }
        self.flush_wrap();
        self.rtmap_entry(line_no, line, index, desc);
        self.hits[2] += 1;
        true
    }

    /// A memblock=debug line, read from its bytes; false leaves it to the general path.
    fn memblock_lane(&mut self, line_no: usize, payload: &[u8]) -> bool {
        match memblock_columns::read_raw(payload) {
            Some(Raw::Range {
                op,
                start,
                end,
                caller,
            }) => {
                // The text matters only if the event is stored or the line listed; then it
                // must be UTF-8, as the general path (which decodes first) would see it.
                let text = if self.keeps(Owned::Memblock) || self.report.wants_info() {
                    match (std::str::from_utf8(op), std::str::from_utf8(caller)) {
                        (Ok(op), Ok(caller)) => Some((op, caller)),
                        _ => return false,
                    }
                } else {
                    None
                };
                self.flush_wrap();
                match text {
                    Some((op, caller)) => {
                        self.memblock_event(line_no, payload, op, (start, end), caller);
                    }
                    // A later boot's event, only counted.
                    None => {
                        self.accept(Owned::Memblock, line_no, payload);
                    }
                }
                true
            }
            // A listed line is quoted: only valid UTF-8 is sure to be quoted exactly as the
            // general path (which decodes the line first) would.
            Some(Raw::Request)
                if !self.report.wants_info() || std::str::from_utf8(payload).is_ok() =>
            {
                self.flush_wrap();
                self.info(line_no, payload, memblock_columns::REQUEST);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::super::{parse, parse_without_lane};
    use crate::model::{Attributes, Descriptor, MemoryType};
    use crate::parse::{Format, MAX_INFO, edits, print};

    static FIXTURES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();

    /// Every real and truth fixture: all kernel generations and wrappers people paste.
    fn fixtures() -> Vec<Vec<u8>> {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parse");
        let mut files: Vec<_> = ["real", "truth"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(data.join(dir)).expect("fixture directory"))
            .map(|entry| entry.expect("fixture").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read(f).expect("fixture"))
            .collect()
    }

    /// A timestamped map and memblock log as the kernel prints it, two boots, with what can
    /// touch a stamped line: CRLF, padding, a pager mark, a hard wrap, entries cut short (held,
    /// then flushed by a duplicate or a memblock line), a byte that is not UTF-8.
    fn stamped_log(map: &[Descriptor], wrapper: usize) -> Vec<u8> {
        let mut lines = vec!["Linux version 6.1".to_owned()];
        for boot in 0..2 {
            if boot == 1 {
                lines.push("Linux version 6.1".to_owned());
            }
            // Both layouts the lane reads, and both prefixes.
            lines.extend(map.iter().enumerate().map(|(i, d)| match i % 4 {
                1 => print::numeric_mem_line(i, d),
                2 => print::numeric_mem_line(i, d).replacen("efi:", "EFI:", 1),
                3 => print::mem_line(i, d).replacen("efi:", "EFI:", 1),
                _ => print::mem_line(i, d),
            }));
            // e820 rows and events, a named type or one the lane leaves to the general path.
            let types = ["usable", "reserved", "ACPI NVS", "type 9", "soft reserved"];
            for (i, d) in map.iter().enumerate() {
                let range = format!(
                    "[mem {:#018x}-{:#018x}]",
                    d.phys,
                    (d.phys + d.num_pages * 4096).wrapping_sub(1)
                );
                let (a, b) = (types[i % types.len()], types[(i + 1) % types.len()]);
                lines.push(format!(
                    "efi: memattr:  0x{:012x}-0x{:012x} {}",
                    d.phys,
                    d.last_byte_wide(),
                    print::typeattr(d)
                ));
                lines.push(format!("BIOS-e820: {range} {a}"));
                lines.push(format!("e820: update {range} {a} ==> {b}"));
                lines.push(format!("e820: remove {range} {b}"));
                lines.push(format!("e820: remove {range}"));
            }
            for d in map {
                let last = (d.phys + d.num_pages * 4096).wrapping_sub(1);
                lines.push(format!(
                    "memblock_reserve: [0x{:016x}-0x{last:016x}] efi_reserve+0x1/0x2",
                    d.phys
                ));
                lines.push("memblock_alloc_try_nid: 4096 bytes align=0x1000".to_owned());
            }
        }
        let mut out = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let mut line = line.clone().into_bytes();
            match (wrapper, n % 7) {
                (1, _) => line.push(b'\r'),
                (2, 3) => line.extend_from_slice(&[b' '; 12]),
                (3, 2) => line.push(b'$'),
                (4, 4) => {
                    let text = String::from_utf8_lossy(&line);
                    line = text
                        .replacen(" range=", "\n[    0.000000] range=", 1)
                        .into_bytes();
                }
                (5, 0 | 3) => {
                    // The entry, a copy cut short, then the entry again: a duplicate that
                    // flushes the held copy.
                    let whole = line.clone();
                    let cut = String::from_utf8_lossy(&line).find(" range=");
                    line.truncate(cut.unwrap_or(line.len()));
                    line = [
                        &whole[..],
                        b"\n[    9.000000] ",
                        &line,
                        b"\n[    9.000000] ",
                        &whole,
                    ]
                    .concat();
                }
                (5, _)
                    if [&b"memblock_reserve"[..], b"e820", b"efi: memattr"]
                        .iter()
                        .any(|start| line.starts_with(start)) =>
                {
                    line = [b"efi: mem99: [Reserved    ]\n[    9.000000] ", &line[..]].concat();
                }
                (6, _) if line.ends_with(b"0x1000") => line.extend_from_slice(b" \xff"),
                (6, _) if line.ends_with(b"0x2") => line.extend_from_slice(b"\xff x"),
                _ => {}
            }
            out.extend_from_slice(format!("[{:5}.{:06}] ", n / 100, n % 100).as_bytes());
            out.extend_from_slice(&line);
            out.push(b'\n');
        }
        // A runtime-map dump without stamps, as the truth logs hold it, with the same wrappers.
        for (i, d) in map.iter().enumerate() {
            let mut line = format!(
                "RTMAP {i} {:#x} {:#x} {:#x} {:#x} {:#x}",
                d.ty.0, d.phys, d.virt, d.num_pages, d.attr.0
            )
            .into_bytes();
            match (wrapper, i % 3) {
                (1, _) => line.push(b'\r'),
                (2, 1) => line.extend_from_slice(&[b' '; 12]),
                (3, 2) => line.push(b'$'),
                (6, 0) => line.extend_from_slice(b" \xff"),
                // Right after an entry held for its continuation, which it flushes.
                (5, 0) => {
                    line = [b"[    9.000000] efi: mem99: [Reserved    ]\n", &line[..]].concat()
                }
                _ => {}
            }
            out.extend_from_slice(&line);
            out.push(b'\n');
        }
        out
    }

    fn descriptor() -> impl Strategy<Value = Descriptor> {
        (0u32..17, 0u64..(1 << 36), 0u64..4096, any::<u64>()).prop_map(
            |(ty, page, num_pages, attr)| Descriptor {
                ty: MemoryType(ty),
                phys: page << 12,
                num_pages,
                virt: 0,
                attr: Attributes(if ty % 2 == 0 {
                    attr & Attributes::KNOWN_MASK
                } else {
                    attr
                }),
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The fast lane changes nothing: with and without it, the same model and the same
        /// report, line for line, on fixtures (every generation and wrapper) and generated
        /// stamped logs, as they are and with bytes changed, and with each format forced.
        #[test]
        fn lane_gives_the_general_result(
            which in prop::collection::vec(any::<prop::sample::Index>(), 1..3),
            map in prop::collection::vec(descriptor(), 1..12),
            wrapper in 0usize..7,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..12),
            forced in prop::sample::select(vec![None, Some(Format::Dmesg), Some(Format::UefiShell), Some(Format::RuntimeMap)]),
        ) {
            let files = FIXTURES.get_or_init(fixtures);
            let mut input = stamped_log(&map, wrapper);
            for i in &which {
                input.extend_from_slice(&files[i.index(files.len())]);
            }
            edits::apply(&mut input, &edits);
            prop_assert_eq!(parse(&input, forced), parse_without_lane(&input, forced));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// The same past the listing limit, where lines not about memory are only counted
        /// (the lane then skips decoding a later boot's memblock text).
        #[test]
        fn lane_gives_the_general_result_past_the_listing_limit(
            map in prop::collection::vec(descriptor(), 1..12),
            wrapper in 0usize..7,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..12),
        ) {
            let mut log = stamped_log(&map, wrapper);
            edits::apply(&mut log, &edits);
            let mut input = b"[    0.000000] chatter\n".repeat(MAX_INFO);
            input.extend_from_slice(&log);
            prop_assert_eq!(parse(&input, None), parse_without_lane(&input, None));
        }
    }
}
