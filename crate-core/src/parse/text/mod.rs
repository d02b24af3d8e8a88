//! The text driver: walks the lines once, unwraps each, offers it to the line recognisers of
//! the allowed families, and assembles maps, tables and events into a [`BootLog`].

mod firmware;
mod kernel;
mod lane;

use std::borrow::Cow;

use super::Format;
use super::blocks::{Block, Kind, Offer, Source};
use super::gate::{self, Families};
use super::report::{self, Confidence, MapFlags, Report, Severity};
use super::runtime_map::SysfsCollector;
use super::scan::{ByteFinder, contains_lit, starts};
use super::wrappers::{self, QpJoiner, QpOut, Seen};
use crate::model::{Attributes, BootLog, Descriptor, MemoryMap, MemoryType};

/// What [`Driver::join_wrap`] did with a line.
enum Wrap {
    /// Kept back until the next line shows whether it continues it.
    Held,
    /// Completed a held line: parse the joined text under the held line's number.
    Joined(usize, String),
    Plain,
}

/// Fields that a later boot in the same input must not extend.
#[derive(Clone, Copy)]
enum Owned {
    E820,
    E820Events,
    Memattr,
    Memblock,
}

struct Driver {
    forced: Option<Format>,
    log: BootLog,
    report: Report,
    seen: Seen,
    block: Option<Block>,
    next_kind: Kind,
    invalid_entries: Vec<(usize, Descriptor)>,
    /// A `memNN:` line cut by a mail client before `range=`, waiting for its continuation.
    pending_wrap: Option<(usize, String)>,
    tutorial: Option<(usize, usize, MemoryType, Attributes)>,
    sysfs: SysfsCollector,
    /// How many boot logs this input holds so far (0 until the first content).
    boot: usize,
    has_content: bool,
    owners: [Option<usize>; 4],
    /// Recognised lines per family: kernel, shell, runtime-map.
    hits: [usize; 3],
    /// Whether the fast lane may take lines (off only to test it against the general path).
    lane: bool,
}

/// Parses text input. `forced` restricts the recognisers to one family.
pub fn parse(input: &[u8], forced: Option<Format>) -> (BootLog, Report) {
    drive(input, Driver::new(forced, true))
}

/// [`parse`] with every line on the general path.
#[cfg(test)]
pub fn parse_without_lane(input: &[u8], forced: Option<Format>) -> (BootLog, Report) {
    drive(input, Driver::new(forced, false))
}

fn drive(input: &[u8], mut driver: Driver) -> (BootLog, Report) {
    let eol = line_end(input);
    if eol == b'\r' {
        driver.seen.add(Seen::CRLF);
    }
    let mut qp = QpJoiner::default();
    // Every `=3D` (the quoted-printable sign) in one SIMD pass, rather than a scan of each line.
    let mut escapes = memchr::memmem::find_iter(input, b"=3D").peekable();
    let line_ends = ByteFinder::new(eol);
    let mut start = 0;
    let mut line_no = 0;
    while start < input.len() {
        let end = line_ends
            .find(&input[start..])
            .map_or(input.len(), |i| start + i);
        let raw = &input[start..end];
        // `=3D` holds no newline, so one starting in this line ends in it.
        while escapes.next_if(|&at| at < start).is_some() {}
        let escaped = escapes.peek().is_some_and(|&at| at < end);
        line_no += 1;
        start = end + 1;
        match qp.push(line_no, raw, escaped) {
            QpOut::Plain(raw) => driver.line(line_no, raw),
            QpOut::Decoded(first, decoded) => driver.qp_line(first, &decoded),
            QpOut::Held => {}
        }
    }
    if let Some((first, decoded)) = qp.finish() {
        driver.qp_line(first, &decoded);
    }
    driver.finish()
}

/// The byte that ends a line: LF, or CR in a file with no LF at all (classic Mac OS).
fn line_end(input: &[u8]) -> u8 {
    if memchr::memchr(b'\n', input).is_none() && memchr::memchr(b'\r', input).is_some() {
        b'\r'
    } else {
        b'\n'
    }
}

impl Driver {
    fn new(forced: Option<Format>, lane: bool) -> Self {
        Self {
            forced,
            log: BootLog::default(),
            report: Report::new(forced.unwrap_or(Format::Dmesg)),
            seen: Seen::default(),
            block: None,
            next_kind: Kind::Boot,
            invalid_entries: Vec::new(),
            pending_wrap: None,
            tutorial: None,
            sysfs: SysfsCollector::default(),
            boot: 0,
            has_content: false,
            owners: [None; 4],
            hits: [0; 3],
            lane,
        }
    }

    fn families(&self) -> Families {
        Families {
            kernel: self.allows(Format::Dmesg),
            shell: self.allows(Format::UefiShell),
            runtime: self.allows(Format::RuntimeMap),
        }
    }

    fn allows(&self, format: Format) -> bool {
        self.forced.is_none_or(|f| f == format)
    }

    fn info(&mut self, line: usize, text: &[u8], reason: &str) {
        if self.report.wants_info() {
            // Only the start of a huge line is shown, so only the start is decoded.
            let shown = &text[..text.len().min(report::MAX_TEXT * 4)];
            self.report.add(
                line,
                &String::from_utf8_lossy(shown),
                Severity::Info,
                reason,
            );
        } else {
            self.report.count_unlisted_info();
        }
    }

    fn qp_line(&mut self, line_no: usize, decoded: &[u8]) {
        self.seen.add(Seen::QUOTED_PRINTABLE);
        self.line(line_no, decoded);
    }

    fn line(&mut self, line_no: usize, raw: &[u8]) {
        // Fast paths for the commonest shapes: a timestamped map or memblock line, and a plain
        // timestamped kernel line nobody wants.
        let stamped = wrappers::Stamped::of(raw);
        // When the gate passed the stamp's message: its length (a trimmed payload is gated again).
        let mut passed: Option<usize> = None;
        if let Some(stamp) = stamped {
            if self.fast_lane(line_no, stamp) {
                return;
            }
            let after = stamp.after().trim_ascii_start();
            if !after.is_empty() {
                if !gate::maybe_interesting(after, self.families()) {
                    self.seen.add(Seen::TIMESTAMP);
                    self.flush_wrap();
                    self.info(line_no, raw, "not a memory-map line");
                    return;
                }
                passed = Some(after.len());
            }
        }
        if stamped.is_none() && self.rtmap_lane(line_no, raw) {
            return;
        }
        let (payload, gated) = match stamped.and_then(|stamp| stamp.unwrap(&mut self.seen)) {
            // The payload is `after` with its end trimmed (a CR, padding, a pager's `$`); a
            // trim can turn the gate's yes into no (`Type ` at the end of a line), so only
            // an untrimmed payload keeps the answer.
            Some(payload) => (Cow::Borrowed(payload), passed == Some(payload.len())),
            None => (wrappers::unwrap_line(raw, &mut self.seen), false),
        };
        if payload.is_empty() {
            return;
        }
        // Cheap rejection first: most lines of a kernel log are about something else.
        if !gated && !gate::maybe_interesting(&payload, self.families()) {
            self.flush_wrap();
            let reason = if payload[0] == b'#' {
                "comment"
            } else {
                "not a memory-map line"
            };
            self.info(line_no, raw, reason);
            return;
        }
        // Valid UTF-8 (nearly always) is borrowed; anything else is decoded lossily.
        let lossy;
        let text = match std::str::from_utf8(&payload) {
            Ok(text) => text,
            Err(_) => {
                lossy = String::from_utf8_lossy(&payload).into_owned();
                &lossy
            }
        };
        match self.join_wrap(line_no, text) {
            Wrap::Held => {}
            Wrap::Joined(first, joined) => self.dispatch(first, &joined),
            Wrap::Plain => self.dispatch(line_no, text),
        }
    }

    /// Hard-wrap joining: a `memNN:` line with no `range=` is held; a following line starting
    /// with `range=` or `|` completes it.
    fn join_wrap(&mut self, line_no: usize, text: &str) -> Wrap {
        let continuation = text.starts_with("range=") || text.starts_with('|');
        if continuation {
            if let Some((first, mut held)) = self.pending_wrap.take() {
                if text.starts_with("range=") {
                    held.push(' ');
                }
                held.push_str(text);
                self.report.add(
                    line_no,
                    text,
                    Severity::Warning,
                    format!("continuation of the entry wrapped at line {first}; joined"),
                );
                return Wrap::Joined(first, held);
            }
        }
        self.flush_wrap();
        let body = strip_efi_prefix(text);
        if body.starts_with("mem")
            && body.as_bytes().get(3).is_some_and(u8::is_ascii_digit)
            && !contains_lit(text.as_bytes(), b"range=")
        {
            self.pending_wrap = Some((line_no, text.to_owned()));
            return Wrap::Held;
        }
        Wrap::Plain
    }

    /// A held wrapped line whose continuation never came is parsed (and reported) on its own.
    fn flush_wrap(&mut self) {
        if let Some((line, text)) = self.pending_wrap.take() {
            self.dispatch(line, &text);
        }
    }

    fn dispatch(&mut self, line_no: usize, text: &str) {
        if self.allows(Format::Dmesg) && self.kernel(line_no, text) {
            self.hits[0] += 1;
            return;
        }
        if self.allows(Format::UefiShell) && self.shell(line_no, text) {
            self.hits[1] += 1;
            return;
        }
        if self.allows(Format::RuntimeMap) && self.runtime(line_no, text) {
            self.hits[2] += 1;
            return;
        }
        let b = text.as_bytes();
        let looks_related = contains_lit(b, b"range=[")
            || contains_lit(b, b"efi: mem")
            || contains_lit(b, b"BIOS-e820");
        if looks_related {
            self.report.add(
                line_no,
                text,
                Severity::Error,
                "mentions a memory map but matches no known layout",
            );
        } else {
            self.info(line_no, text.as_bytes(), "not a memory-map line");
        }
    }

    /// Adds a descriptor line to the current block (or starts one); `text` is the line, quoted
    /// if it repeats the line before.
    fn entry(
        &mut self,
        line_no: usize,
        text: &[u8],
        source: Source,
        index: Option<usize>,
        desc: Descriptor,
    ) {
        self.has_content = true;
        if let Some(block) = self.block.as_mut() {
            match block.offer(source, index, desc, line_no) {
                Offer::Appended => return,
                Offer::DuplicateLine => {
                    return self.report.add(
                        line_no,
                        &String::from_utf8_lossy(text),
                        Severity::Warning,
                        "duplicated line (same index and entry as the line before); dropped",
                    );
                }
                Offer::Rejected => self.close_block(),
            }
        }
        let mut block = Block::new(source, self.next_kind, line_no);
        self.next_kind = Kind::Boot;
        block.offer(source, index, desc, line_no);
        self.block = Some(block);
    }

    /// Files a finished block as the boot map, the runtime map, invalid entries, or a repeat.
    fn close_block(&mut self) {
        let Some(block) = self.block.take() else {
            return;
        };
        let lines = format!("lines {}-{}", block.first_line, block.last_line);
        let n = block.descs.len();
        let target = match block.kind {
            Kind::Invalid => {
                let pairs = block.indices.iter().zip(&block.descs);
                self.invalid_entries
                    .extend(pairs.map(|(i, d)| (i.unwrap_or(usize::MAX), *d)));
                return;
            }
            Kind::Boot => &mut self.log.map,
            Kind::Runtime => &mut self.log.runtime_map,
        };
        let what = if block.kind == Kind::Boot {
            "memory map"
        } else {
            "runtime memory map"
        };
        match target {
            None => {
                *target = Some(MemoryMap {
                    descriptors: block.descs,
                    ..MemoryMap::default()
                });
                if block.kind == Kind::Boot {
                    self.report.map_flags.index_gaps = block.gaps;
                    self.report.format = source_format(block.source);
                }
            }
            Some(existing) if existing.descriptors == block.descs => {
                let reason =
                    format!("{lines}: a repeated copy of the {what} ({n} entries); ignored");
                self.report
                    .add(block.first_line, "", Severity::Warning, reason);
            }
            Some(existing) => {
                let reason = format!(
                    "{lines}: another {what} ({n} entries, the first had {}); only the first is used",
                    existing.descriptors.len()
                );
                self.report
                    .add(block.first_line, "", Severity::Warning, reason);
            }
        }
    }

    fn finish(mut self) -> (BootLog, Report) {
        self.flush_wrap();
        self.close_block();
        if let Some((line, ..)) = self.tutorial.take() {
            self.report.add(
                line,
                "",
                Severity::Error,
                "`[#NN] Type:` line without its `Phys:` line",
            );
        }
        let sysfs = std::mem::take(&mut self.sysfs);
        if !sysfs.is_empty() {
            let (descs, incomplete) = sysfs.finish();
            for (line, index) in incomplete {
                self.report.add(
                    line,
                    "",
                    Severity::Error,
                    format!("runtime-map entry {index} lacks type, phys_addr or num_pages"),
                );
            }
            if self.log.runtime_map.is_none() && !descs.is_empty() {
                self.log.runtime_map = Some(MemoryMap {
                    descriptors: descs,
                    ..MemoryMap::default()
                });
            }
        }
        self.merge_invalid();
        if let Some(map) = &self.log.map {
            let gaps = std::mem::take(&mut self.report.map_flags.index_gaps);
            self.report.map_flags = MapFlags::of(&map.descriptors);
            self.report.map_flags.index_gaps = gaps;
        } else if self.log.runtime_map.is_some() && self.hits[2] > 0 {
            self.report.format = Format::RuntimeMap;
        } else if self.forced.is_none() {
            self.report.format = family_with_most_hits(self.hits);
        }
        self.report.wrappers = self.seen.names();
        self.report.recognised_lines = self.hits.iter().sum();
        self.report.confidence = self.confidence();
        (self.log, self.report)
    }

    /// Entries removed as invalid were printed with their firmware index; putting them back at
    /// those positions restores the firmware's own order.
    fn merge_invalid(&mut self) {
        if self.invalid_entries.is_empty() {
            return;
        }
        let map = self.log.map.get_or_insert_with(MemoryMap::default);
        let mut entries = std::mem::take(&mut self.invalid_entries);
        entries.sort_by_key(|(i, _)| *i);
        // One merging pass (not repeated inserts, which would be quadratic).
        let mut valid = std::mem::take(&mut map.descriptors).into_iter();
        let mut merged = Vec::with_capacity(valid.len() + entries.len());
        for (index, desc) in entries {
            while merged.len() < index {
                match valid.next() {
                    Some(d) => merged.push(d),
                    None => break,
                }
            }
            merged.push(desc);
        }
        merged.extend(valid);
        map.descriptors = merged;
    }

    fn confidence(&self) -> Confidence {
        let found = self.log.map.is_some() || self.log.runtime_map.is_some();
        let errors = self.report.count(Severity::Error);
        match (self.forced.is_some(), found, errors) {
            (true, true, _) | (false, true, 0) => Confidence::High,
            (_, true, _) => Confidence::Medium,
            _ if self.hits.iter().sum::<usize>() > 0 => Confidence::Low,
            _ => Confidence::None,
        }
    }
}

/// `efi: `, `EFI: ` or `efi:` prefix removed, if present.
fn strip_efi_prefix(text: &str) -> &str {
    let b = text.as_bytes();
    if starts(b, b"efi:") || starts(b, b"EFI:") {
        text[4..].trim_ascii_start()
    } else {
        text
    }
}

fn source_format(source: Source) -> Format {
    match source {
        Source::Kernel | Source::Unindexed => Format::Dmesg,
        Source::Shell | Source::Tutorial => Format::UefiShell,
        Source::Rtmap => Format::RuntimeMap,
    }
}

fn family_with_most_hits(hits: [usize; 3]) -> Format {
    let formats = [Format::Dmesg, Format::UefiShell, Format::RuntimeMap];
    let best = (0..3)
        .max_by_key(|&i| (hits[i], usize::from(i == 0)))
        .unwrap_or(0);
    formats[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel line the gate passes only before its end is trimmed (`Type ` is how a shell
    /// table's header starts) is still just a line about something else, quoted whole.
    #[test]
    fn a_line_that_trimming_makes_uninteresting_is_reported_as_such() {
        for eol in ["\n", "\r\n"] {
            let input = format!("[    0.000000] Type {eol}");
            let (_, report) = parse(input.as_bytes(), None);
            let line = report.diagnostics.iter().find(|d| d.line == 1);
            let line = line.expect("line 1 is reported");
            assert_eq!(line.reason, "not a memory-map line", "{eol:?}");
            assert_eq!(line.text.trim_end(), "[    0.000000] Type", "{eol:?}");
        }
    }
}
