//! Helpers shared by the parser test files.
#![allow(dead_code)] // each test file uses its own subset

use efiviz_core::model::{Attributes, Descriptor, MemoryType};
use efiviz_core::parse::{Parsed, Severity};

/// A descriptor with no virtual address.
pub fn d(ty: u32, phys: u64, num_pages: u64, attr: u64) -> Descriptor {
    Descriptor {
        ty: MemoryType(ty),
        phys,
        num_pages,
        virt: 0,
        attr: Attributes(attr),
    }
}

/// The boot map, empty when there is none.
pub fn boot_map(p: &Parsed) -> Vec<Descriptor> {
    p.log
        .map
        .as_ref()
        .map(|m| m.descriptors.clone())
        .unwrap_or_default()
}

/// (line, reason) of every diagnostic of one severity.
pub fn diag(p: &Parsed, severity: Severity) -> Vec<(usize, String)> {
    p.report
        .diagnostics
        .iter()
        .filter(|x| x.severity == severity)
        .map(|x| (x.line, format!("{} | {}", x.reason, x.text)))
        .collect()
}

/// The line numbers of every diagnostic of one severity.
pub fn lines_of(p: &Parsed, severity: Severity) -> Vec<usize> {
    diag(p, severity)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}
