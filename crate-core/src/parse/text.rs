//! The text driver: walks the lines once, unwraps each, offers it to the line recognisers of
//! the allowed families, and assembles maps, tables and events into a [`BootLog`].

use super::Format;
use super::blocks::{Block, Kind, Offer, Source};
use super::dmesg_efi::{self, MemLine};
use super::e820::{self, E820Line};
use super::gate::{self, Families};
use super::kernel_misc::{self, MiscLine};
use super::report::{self, Confidence, MapFlags, Report, Severity};
use super::runtime_map::{self, RtLine, SysfsCollector};
use super::scan::{contains_lit, starts};
use super::uefi_shell::{self, ShellLine};
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
}

/// Parses text input. `forced` restricts the recognisers to one family.
pub fn parse(input: &[u8], forced: Option<Format>) -> (BootLog, Report) {
    let mut driver = Driver::new(forced);
    let mut qp = QpJoiner::default();
    let mut start = 0;
    let mut line_no = 0;
    while start < input.len() {
        let end = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
        let raw = &input[start..end];
        line_no += 1;
        start = end + 1;
        match qp.push(line_no, raw) {
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

impl Driver {
    fn new(forced: Option<Format>) -> Self {
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
        // Fast path for the commonest shape: a plain timestamped kernel line nobody wants.
        if let Some(after) = wrappers::after_plain_timestamp(raw) {
            let after = after.trim_ascii_start();
            if !after.is_empty() && !gate::maybe_interesting(after, self.families()) {
                self.seen.add(Seen::TIMESTAMP);
                self.flush_wrap();
                self.info(line_no, raw, "not a memory-map line");
                return;
            }
        }
        let payload = wrappers::unwrap_line(raw, &mut self.seen);
        if payload.is_empty() {
            return;
        }
        // Cheap rejection first: most lines of a kernel log are about something else.
        if !gate::maybe_interesting(&payload, self.families()) {
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
        let looks_related =
            text.contains("range=[") || text.contains("efi: mem") || text.contains("BIOS-e820");
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

    /// Kernel log lines; true when the line was recognised (used, or reported).
    fn kernel(&mut self, line_no: usize, text: &str) -> bool {
        let body = strip_efi_prefix(text);
        let efi = body.len() != text.len();
        if body.starts_with("mem") {
            if let Some(result) = dmesg_efi::parse_mem_line(body) {
                match result {
                    Ok(mem) => self.mem_line(line_no, text, mem),
                    Err(reason) => self.mem_error(line_no, text, &reason),
                }
                return true;
            }
        }
        if (efi || text.starts_with('[')) && self.efi_body(line_no, text, body) {
            return true;
        }
        // Only these first letters can start an e820 line; skipping the rest saves time.
        let e820_start = matches!(text.as_bytes()[0], b'B' | b'e' | b'm' | b'u' | b'r');
        if let Some(result) = e820_start.then(|| e820::parse(text)).flatten() {
            match result {
                Ok(e) => self.e820_line(line_no, text, e),
                Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
            }
            return true;
        }
        if let Some(result) = kernel_misc::parse(text) {
            match result {
                Ok(m) => self.misc_line(line_no, text, m),
                Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
            }
            return true;
        }
        false
    }

    /// The rest of the `efi:` family: headers, memattr and unindexed map lines.
    fn efi_body(&mut self, line_no: usize, text: &str, body: &str) -> bool {
        if body.starts_with("[Firmware Bug]") && body.contains("Invalid EFI memory map entries") {
            self.close_block();
            self.next_kind = Kind::Invalid;
            return true;
        }
        if body.starts_with("EFI runtime memory map:") {
            self.close_block();
            self.next_kind = Kind::Runtime;
            return true;
        }
        if body.starts_with("Removing ") && body.contains("invalid memory map entries") {
            self.close_block();
            return true;
        }
        if let Some(rest) = body.strip_prefix("memattr:") {
            let rest = rest.trim_start();
            if rest.starts_with("Processing") {
                return true;
            }
            match dmesg_efi::parse_range_typeattr(rest) {
                Ok((entry, _)) => {
                    if self.accept(Owned::Memattr, line_no, text) {
                        self.log.memattr.push(entry);
                    }
                }
                Err(reason) => self.report.add(
                    line_no,
                    text,
                    Severity::Error,
                    format!("memattr line: {reason}"),
                ),
            }
            return true;
        }
        let trimmed = body.trim_start();
        if trimmed.starts_with("0x") && trimmed.contains('[') {
            match dmesg_efi::parse_range_typeattr(trimmed) {
                Ok((e, _)) => {
                    let desc = Descriptor {
                        ty: e.ty,
                        phys: e.start,
                        num_pages: (e.end - e.start) / 4096,
                        virt: 0,
                        attr: e.attr,
                    };
                    self.entry(line_no, text, Source::Unindexed, None, desc);
                }
                Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
            }
            return true;
        }
        false
    }

    fn mem_line(&mut self, line_no: usize, text: &str, mem: MemLine) {
        for w in &mem.warnings {
            self.report.add(line_no, text, Severity::Warning, w.clone());
        }
        if mem.invalid
            && self.next_kind != Kind::Invalid
            && self.block.as_ref().is_none_or(|b| b.kind != Kind::Invalid)
        {
            self.report.add(
                line_no,
                text,
                Severity::Warning,
                "entry marked (invalid) outside an `Invalid EFI memory map entries` section",
            );
        }
        self.entry(line_no, text, Source::Kernel, Some(mem.index), mem.desc);
    }

    /// A broken `memNN:` line. A spliced paste can hold the start of one entry followed by a
    /// whole next entry, so the text after a second `mem` index is tried on its own.
    fn mem_error(&mut self, line_no: usize, text: &str, reason: &str) {
        self.report.add(
            line_no,
            text,
            Severity::Error,
            format!("memory map entry: {reason}"),
        );
        // The next `memNN:` after the failed entry's own one.
        let after_own = find_mem_index(text).map_or(0, |i| i + 3);
        let Some(at) = text
            .get(after_own..)
            .and_then(find_mem_index)
            .map(|i| i + after_own)
        else {
            return;
        };
        if let Some(Ok(mem)) = dmesg_efi::parse_mem_line(&text[at..]) {
            self.report.add(
                line_no,
                text,
                Severity::Warning,
                format!(
                    "spliced line: the entry starting at column {} was used",
                    at + 1
                ),
            );
            self.mem_line(line_no, text, mem);
        }
    }

    fn entry(
        &mut self,
        line_no: usize,
        text: &str,
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
                        text,
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

    fn e820_line(&mut self, line_no: usize, text: &str, line: E820Line) {
        match line {
            E820Line::Row {
                entry,
                firmware: true,
            } => {
                if self.accept(Owned::E820, line_no, text) {
                    self.log.e820.push(entry);
                }
            }
            E820Line::Row {
                firmware: false, ..
            } => {
                self.info(
                    line_no,
                    text.as_bytes(),
                    "derived e820 view (modified/setup_data); the BIOS-provided table is kept",
                );
            }
            E820Line::Gap | E820Line::BiosHeader => {}
            E820Line::Event(event) => {
                if self.accept(Owned::E820Events, line_no, text) {
                    self.log.e820_events.push(event);
                }
            }
        }
    }

    fn misc_line(&mut self, line_no: usize, text: &str, line: MiscLine) {
        if !matches!(line, MiscLine::BootStart | MiscLine::Context(_)) {
            self.has_content = true;
        }
        match line {
            MiscLine::BootStart => self.new_boot(),
            MiscLine::Firmware(fw) => {
                set_once(&mut self.log.firmware, fw, &mut self.report, line_no, text)
            }
            MiscLine::ConfigTables(tables) => {
                if self.log.config_tables.is_empty() {
                    self.log.config_tables = tables;
                } else if self.log.config_tables != tables {
                    self.report.add(
                        line_no,
                        text,
                        Severity::Warning,
                        "another config-table line; the first is kept",
                    );
                }
            }
            MiscLine::Cmdline(cmd) => {
                if self.log.cmdline.is_some() {
                    self.new_boot();
                }
                set_once(&mut self.log.cmdline, cmd, &mut self.report, line_no, text);
            }
            MiscLine::Esrt(start, end) => set_once(
                &mut self.log.esrt,
                (start, end),
                &mut self.report,
                line_no,
                text,
            ),
            MiscLine::BootServicesFreed(k) => set_once(
                &mut self.log.boot_services_freed_kib,
                k,
                &mut self.report,
                line_no,
                text,
            ),
            MiscLine::MemoryAvailable(a, t) => set_once(
                &mut self.log.memory_available_kib,
                (a, t),
                &mut self.report,
                line_no,
                text,
            ),
            MiscLine::Memblock(event) => {
                if self.accept(Owned::Memblock, line_no, text) {
                    self.log.memblock_events.push(event);
                }
            }
            MiscLine::Context(what) => self.info(line_no, text.as_bytes(), what),
        }
    }

    /// A second `Linux version` (or command line) after content: the input holds another boot.
    fn new_boot(&mut self) {
        if self.has_content {
            self.close_block();
            self.boot += 1;
            self.has_content = false;
        }
    }

    /// Whether list field `field` may take a line from the current boot; reports it if not.
    fn accept(&mut self, field: Owned, line_no: usize, text: &str) -> bool {
        self.has_content = true;
        let owner = &mut self.owners[field as usize];
        match *owner {
            None => {
                *owner = Some(self.boot);
                true
            }
            Some(b) if b == self.boot => true,
            Some(_) => {
                self.info(
                    line_no,
                    text.as_bytes(),
                    "from a later boot log in the same input; the first boot's lines are kept",
                );
                false
            }
        }
    }

    fn shell(&mut self, line_no: usize, text: &str) -> bool {
        let Some(result) = uefi_shell::parse(text) else {
            return false;
        };
        match result {
            Ok(ShellLine::Row(desc, warning)) => {
                if let Some(w) = warning {
                    self.report.add(line_no, text, Severity::Warning, w);
                }
                self.entry(line_no, text, Source::Shell, None, desc);
            }
            Ok(ShellLine::Chrome) => {}
            Ok(ShellLine::TutorialHead { index, ty, attr }) => {
                if let Some((held, ..)) = self.tutorial.take() {
                    self.report.add(
                        held,
                        "",
                        Severity::Error,
                        "`[#NN] Type:` line without its `Phys:` line",
                    );
                }
                self.tutorial = Some((line_no, index, ty, attr));
            }
            Ok(ShellLine::TutorialPhys(start, end)) => match self.tutorial.take() {
                Some((_, index, ty, attr)) => {
                    let desc = Descriptor {
                        ty,
                        phys: start,
                        num_pages: (end - start) / 4096,
                        virt: 0,
                        attr,
                    };
                    self.entry(line_no, text, Source::Tutorial, Some(index), desc);
                }
                None => self.report.add(
                    line_no,
                    text,
                    Severity::Error,
                    "`Phys:` line without a `[#NN] Type:` line before it",
                ),
            },
            Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
        }
        true
    }

    fn runtime(&mut self, line_no: usize, text: &str) -> bool {
        let Some(result) = runtime_map::parse(text) else {
            return false;
        };
        match result {
            Ok(RtLine::Field {
                index,
                field,
                value,
            }) => self.sysfs.add(index, field, value, line_no),
            Ok(RtLine::Whole { index, desc }) => {
                if self
                    .block
                    .as_ref()
                    .is_none_or(|b| b.source != Source::Rtmap)
                {
                    self.close_block();
                    self.next_kind = Kind::Runtime;
                }
                self.entry(line_no, text, Source::Rtmap, Some(index), desc);
            }
            Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
        }
        true
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

fn set_once<T: PartialEq>(
    slot: &mut Option<T>,
    value: T,
    report: &mut Report,
    line: usize,
    text: &str,
) {
    match slot {
        None => *slot = Some(value),
        Some(old) if *old == value => {}
        Some(_) => report.add(
            line,
            text,
            Severity::Info,
            "a later value of a field already read; the first is kept",
        ),
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

/// Position of `mem<digits>:` in `s`, if any.
fn find_mem_index(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = s[from..].find("mem") {
        let at = from + pos;
        let digits = s[at + 3..].bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && s[at + 3 + digits..].starts_with(':') {
            return Some(at);
        }
        from = at + 3;
    }
    None
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
