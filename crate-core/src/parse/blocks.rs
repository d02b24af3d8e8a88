//! Grouping descriptor lines into maps: a `memNN` sequence (or a run of shell rows) forms one
//! block; an index that does not increase, a header, or a change of source starts the next.

use crate::model::Descriptor;

/// Where a block's lines came from; a change of source always starts a new block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `efi: memNN:` lines.
    Kernel,
    /// arm64-style `efi:   0x…-0x… [type|flags]` lines without an index.
    Unindexed,
    /// UEFI shell `memmap` rows.
    Shell,
    /// `[#NN] Type: …` + `Phys:` dumps.
    Tutorial,
    /// `RTMAP` lines.
    Rtmap,
}

/// What the block is, decided by the header before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Boot,
    /// After `EFI runtime memory map:` (or from runtime-map dumps).
    Runtime,
    /// After `[Firmware Bug]: Invalid EFI memory map entries:`.
    Invalid,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub source: Source,
    pub kind: Kind,
    pub descs: Vec<Descriptor>,
    /// Printed index of each descriptor, when the source prints one.
    pub indices: Vec<Option<usize>>,
    pub first_line: usize,
    pub last_line: usize,
    /// (expected, found) for every skipped index, including a sequence not starting at 0.
    pub gaps: Vec<(usize, usize)>,
}

/// What happened to a line offered to [`Block::offer`].
#[derive(Debug, PartialEq, Eq)]
pub enum Offer {
    Appended,
    /// The same index and descriptor as the previous line: a duplicated line, dropped.
    DuplicateLine,
    /// The line belongs to a new block (index did not increase, or another source).
    Rejected,
}

impl Block {
    pub fn new(source: Source, kind: Kind, line: usize) -> Self {
        Self {
            source,
            kind,
            descs: Vec::new(),
            indices: Vec::new(),
            first_line: line,
            last_line: line,
            gaps: Vec::new(),
        }
    }

    pub fn offer(
        &mut self,
        source: Source,
        index: Option<usize>,
        desc: Descriptor,
        line: usize,
    ) -> Offer {
        if source != self.source {
            return Offer::Rejected;
        }
        let last = self.indices.last().copied().flatten();
        match (last, index) {
            (Some(prev), Some(idx)) if idx == prev && self.descs.last() == Some(&desc) => {
                return Offer::DuplicateLine;
            }
            (Some(prev), Some(idx)) if idx <= prev => return Offer::Rejected,
            (Some(prev), Some(idx)) if idx > prev.saturating_add(1) => {
                self.gaps.push((prev.saturating_add(1), idx));
            }
            (None, Some(idx)) if self.descs.is_empty() && idx != 0 => self.gaps.push((0, idx)),
            _ => {}
        }
        self.descs.push(desc);
        self.indices.push(index);
        self.last_line = line;
        Offer::Appended
    }
}
