//! The parse report: what was detected, every line not used and why, and flags on the map.

use serde::{Deserialize, Serialize};

use super::Format;
use crate::model::Descriptor;

/// How sure the detector is about the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Nothing recognisable; the format is a guess.
    None,
    /// Some lines matched, but no complete map.
    Low,
    /// A map was found, with lines that could not be used.
    Medium,
    /// The user forced the format, or a map was found and every relevant line was used.
    High,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A line that is not about memory (prose, other kernel messages): skipped on purpose.
    Info,
    /// Used, but odd (unsorted, duplicated, a wrapper guessed), or a second map that was skipped.
    Warning,
    /// Looked like a memory-map line but could not be read.
    Error,
}

/// One remark about one input line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// 1-based line number in the original input (before any unwrapping); 0 for the whole input.
    pub line: usize,
    /// The line's text (lossily decoded, shortened to [`MAX_TEXT`] characters).
    pub text: String,
    pub reason: String,
    pub severity: Severity,
}

/// Longest line text kept in a diagnostic, so a 100 MB single-line file stays cheap to report.
pub const MAX_TEXT: usize = 200;
/// At most this many [`Severity::Info`] lines are listed; the rest are only counted.
pub const MAX_INFO: usize = 10_000;

/// Structural problems of the boot map, each a list of descriptor indices (firmware order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapFlags {
    /// Entries that start below the previous entry's start.
    pub unsorted: Vec<usize>,
    /// Entries that overlap an earlier entry (and are not an exact duplicate of it).
    pub overlapping: Vec<usize>,
    /// Entries identical in type, range and attributes to an earlier one.
    pub duplicated: Vec<usize>,
    pub zero_sized: Vec<usize>,
    /// Entries whose end runs past 2^64.
    pub overflowing: Vec<usize>,
    /// Entries whose physical address is not 4 KiB aligned.
    pub unaligned: Vec<usize>,
    /// Printed `memNN` indices that skip or repeat (e.g. a truncated paste), as (expected, found).
    pub index_gaps: Vec<(usize, usize)>,
}

impl MapFlags {
    /// Computes every flag except `index_gaps` (which needs the printed indices).
    pub fn of(descs: &[Descriptor]) -> Self {
        let mut flags = Self::default();
        for (i, d) in descs.iter().enumerate() {
            if i > 0 && d.phys < descs[i - 1].phys {
                flags.unsorted.push(i);
            }
            if d.num_pages == 0 {
                flags.zero_sized.push(i);
            }
            if d.end().is_none() {
                flags.overflowing.push(i);
            }
            if d.phys % crate::model::EFI_PAGE_SIZE != 0 {
                flags.unaligned.push(i);
            }
        }
        // Sweep in address order, remembering the entry reaching furthest so far. A sorted map
        // (the usual case) is already in that order.
        let mut by_start: Vec<usize> = (0..descs.len()).collect();
        if !flags.unsorted.is_empty() {
            by_start.sort_unstable_by_key(|&i| (descs[i].phys, i));
        }
        let mut reach: Option<usize> = None;
        for &i in &by_start {
            let d = &descs[i];
            if let Some(r) = reach {
                let prev = &descs[r];
                if prev.ty == d.ty
                    && prev.phys == d.phys
                    && prev.num_pages == d.num_pages
                    && prev.attr == d.attr
                {
                    flags.duplicated.push(i.max(r));
                } else if d.num_pages != 0 && u128::from(d.phys) < prev.end_wide() {
                    flags.overlapping.push(i.max(r));
                }
            }
            if reach.is_none_or(|r| d.end_wide() > descs[r].end_wide()) {
                reach = Some(i);
            }
        }
        flags.duplicated.sort_unstable();
        flags.overlapping.sort_unstable();
        flags
    }

    pub fn is_clean(&self) -> bool {
        *self == Self::default()
    }
}

/// The report for one input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub format: Format,
    pub confidence: Confidence,
    /// Wrappers that were removed (`quoted-printable`, `syslog`, `mail-quote`, …), in first-seen order.
    pub wrappers: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Info lines beyond [`MAX_INFO`] that were counted but not listed.
    pub unlisted_info: usize,
    /// Lines a recogniser took (stored, or reported as errors/warnings). With the diagnostics,
    /// this accounts for every non-blank line of a text input.
    pub recognised_lines: usize,
    pub map_flags: MapFlags,
    /// The same flags for the runtime map (`index_gaps` stays empty).
    #[serde(default)]
    pub runtime_map_flags: MapFlags,
    #[serde(skip)]
    listed_info: usize,
}

impl Report {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            confidence: Confidence::None,
            wrappers: Vec::new(),
            diagnostics: Vec::new(),
            unlisted_info: 0,
            recognised_lines: 0,
            map_flags: MapFlags::default(),
            runtime_map_flags: MapFlags::default(),
            listed_info: 0,
        }
    }

    /// Records a remark about a line; Info remarks beyond [`MAX_INFO`] are only counted.
    pub fn add(&mut self, line: usize, text: &str, severity: Severity, reason: impl Into<String>) {
        if severity == Severity::Info {
            if self.listed_info >= MAX_INFO {
                self.unlisted_info += 1;
                return;
            }
            self.listed_info += 1;
        }
        // No more bytes than MAX_TEXT means no more characters: skip the character walk.
        let cut = (text.len() > MAX_TEXT)
            .then(|| text.char_indices().nth(MAX_TEXT))
            .flatten();
        let text = match cut {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_owned(),
        };
        self.diagnostics.push(Diagnostic {
            line,
            text,
            reason: reason.into(),
            severity,
        });
    }

    /// False once [`MAX_INFO`] Info lines are listed: callers can skip building their text.
    pub fn wants_info(&self) -> bool {
        self.listed_info < MAX_INFO
    }

    /// Counts an Info line without listing it.
    pub fn count_unlisted_info(&mut self) {
        self.unlisted_info += 1;
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}
