//! Kernel log lines: EFI map entries and sections, e820, and the other boot facts, filed into
//! the log (first boot wins) or reported.

use super::{Driver, Owned, strip_efi_prefix};
use crate::model::{Descriptor, MemattrEntry, MemblockEvent};
use crate::parse::blocks::{Kind, Source};
use crate::parse::dmesg_efi::{self, MemLine};
use crate::parse::e820::{self, E820Line};
use crate::parse::kernel_misc::{self, MiscLine};
use crate::parse::mem_columns;
use crate::parse::report::{Report, Severity};
use crate::parse::scan::{FastTrim, contains_lit};

impl Driver {
    /// Kernel log lines; true when the line was recognised (used, or reported).
    pub(super) fn kernel(&mut self, line_no: usize, text: &str) -> bool {
        // memblock=debug lines are the commonest, and only `kernel_misc` takes them.
        if !kernel_misc::is_memblock(text.as_bytes()) && self.map_or_e820(line_no, text) {
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

    /// EFI map lines and sections, and e820 lines; true when the line was recognised.
    fn map_or_e820(&mut self, line_no: usize, text: &str) -> bool {
        let body = strip_efi_prefix(text);
        let efi = body.len() != text.len();
        if body.starts_with("mem") {
            if let Some(result) = dmesg_efi::parse_mem_line(body) {
                match result {
                    Ok(mem) => self.mem_line(line_no, text.as_bytes(), mem),
                    Err(reason) => self.mem_error(line_no, text, &reason),
                }
                return true;
            }
        }
        if (efi || text.starts_with('[')) && self.efi_body(line_no, text, body) {
            return true;
        }
        // Only these first letters can start an e820 line; skipping the rest saves time. Of the
        // `m` lines only `modified:` is one.
        let e820_start = match text.as_bytes()[0] {
            b'B' | b'e' | b'u' | b'r' => true,
            b'm' => text.starts_with("modified"),
            _ => false,
        };
        if let Some(result) = e820_start.then(|| e820::parse(text)).flatten() {
            match result {
                Ok(e) => self.e820_line(line_no, text.as_bytes(), e),
                Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
            }
            return true;
        }
        false
    }

    /// The rest of the `efi:` family: headers, memattr and unindexed map lines.
    fn efi_body(&mut self, line_no: usize, text: &str, body: &str) -> bool {
        if body.starts_with("[Firmware Bug]")
            && contains_lit(body.as_bytes(), b"Invalid EFI memory map entries")
        {
            self.close_block();
            self.next_kind = Kind::Invalid;
            return true;
        }
        if body.starts_with("EFI runtime memory map:") {
            self.close_block();
            self.next_kind = Kind::Runtime;
            return true;
        }
        if body.starts_with("Removing ")
            && contains_lit(body.as_bytes(), b"invalid memory map entries")
        {
            self.close_block();
            return true;
        }
        if let Some(rest) = body.strip_prefix("memattr:") {
            let rest = rest.trim_start_fast();
            if rest.starts_with("Processing") {
                return true;
            }
            // The fixed-column reader first, as for `memNN` lines.
            let read = match mem_columns::read_memattr(body.as_bytes()) {
                Some(entry) => Ok(entry),
                None => dmesg_efi::parse_range_typeattr(rest).map(|(entry, _)| entry),
            };
            match read {
                Ok(entry) => self.memattr_line(line_no, text.as_bytes(), entry),
                Err(reason) => self.report.add(
                    line_no,
                    text,
                    Severity::Error,
                    format!("memattr line: {reason}"),
                ),
            }
            return true;
        }
        let trimmed = body.trim_start_fast();
        if trimmed.starts_with("0x") && memchr::memchr(b'[', trimmed.as_bytes()).is_some() {
            match dmesg_efi::parse_range_typeattr(trimmed) {
                Ok((e, _)) => {
                    let desc = Descriptor {
                        ty: e.ty,
                        phys: e.start,
                        num_pages: (e.end - e.start) / 4096,
                        virt: 0,
                        attr: e.attr,
                    };
                    self.entry(line_no, text.as_bytes(), Source::Unindexed, None, desc);
                }
                Err(reason) => self.report.add(line_no, text, Severity::Error, reason),
            }
            return true;
        }
        false
    }

    /// Files a read `memattr:` entry; `text` is the line, quoted if it is from a later boot.
    pub(super) fn memattr_line(&mut self, line_no: usize, text: &[u8], entry: MemattrEntry) {
        if self.accept(Owned::Memattr, line_no, text) {
            self.log.memattr.push(entry);
        }
    }

    /// Files a read `memNN:` line; `text` is the line, quoted by any warning.
    pub(super) fn mem_line(&mut self, line_no: usize, text: &[u8], mem: MemLine) {
        for w in &mem.warnings {
            let shown = String::from_utf8_lossy(text);
            self.report
                .add(line_no, &shown, Severity::Warning, w.clone());
        }
        if mem.invalid
            && self.next_kind != Kind::Invalid
            && self.block.as_ref().is_none_or(|b| b.kind != Kind::Invalid)
        {
            self.report.add(
                line_no,
                &String::from_utf8_lossy(text),
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
            self.mem_line(line_no, text.as_bytes(), mem);
        }
    }

    pub(super) fn e820_line(&mut self, line_no: usize, text: &[u8], line: E820Line) {
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
                    text,
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

    fn misc_line(&mut self, line_no: usize, text: &str, line: MiscLine<'_>) {
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
            MiscLine::Memblock {
                op,
                start,
                end,
                caller,
            } => self.memblock_event(line_no, text.as_bytes(), op, (start, end), caller),
            MiscLine::Context(what) => self.info(line_no, text.as_bytes(), what),
        }
    }

    /// A memblock=debug range event: stored for the first boot, reported for a later one.
    pub(super) fn memblock_event(
        &mut self,
        line_no: usize,
        text: &[u8],
        op: &str,
        (start, end): (u64, u64),
        caller: &str,
    ) {
        if self.accept(Owned::Memblock, line_no, text) {
            self.log.memblock_events.push(MemblockEvent {
                op: op.to_owned(),
                start,
                end,
                caller: caller.to_owned(),
            });
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

    /// Whether list field `field` takes lines from the current boot (the first to fill it).
    pub(super) fn keeps(&self, field: Owned) -> bool {
        self.owners[field as usize].is_none_or(|b| b == self.boot)
    }

    /// Whether list field `field` may take a line from the current boot; reports it if not.
    pub(super) fn accept(&mut self, field: Owned, line_no: usize, text: &[u8]) -> bool {
        self.has_content = true;
        if self.keeps(field) {
            self.owners[field as usize] = Some(self.boot);
            return true;
        }
        self.info(
            line_no,
            text,
            "from a later boot log in the same input; the first boot's lines are kept",
        );
        false
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
