//! The EFI page table (`efi_mm.pgd`, 64-bit): 1:1 and high-VA mappings and the VA bump
//! allocator (spec §1.5).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::ranges::Range;

/// `EFI_VA_START`: −4 GiB; the allocator runs down from here.
pub const EFI_VA_START: u64 = 0xffff_ffff_0000_0000;
/// `EFI_VA_END`: −68 GiB, the floor.
pub const EFI_VA_END: u64 = 0xffff_ffef_0000_0000;
const PMD_SIZE: u64 = 0x20_0000;

/// What a mapping was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingKind {
    /// VA = PA catch-all for firmware that keeps physical pointers.
    Identity,
    /// A window in `[EFI_VA_END, EFI_VA_START)`.
    HighVa,
}

/// One live mapping; `owner` is the display id of the descriptor or buffer it maps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub owner: Arc<str>,
    pub kind: MappingKind,
    pub phys: Range,
    pub virt: u64,
}

/// The EFI page table and its VA allocator.
#[derive(Clone, Debug)]
pub struct PageTable {
    /// `efi_va`: the next VA top.
    pub efi_va: u64,
    /// Mappings by physical start, so unmapping a descriptor is O(log n).
    mappings: BTreeMap<u64, Vec<Mapping>>,
}

impl Default for PageTable {
    fn default() -> Self {
        Self {
            efi_va: EFI_VA_START,
            mappings: BTreeMap::new(),
        }
    }
}

impl PageTable {
    /// The VA `efi_map_region` gives a region of `size` bytes at `phys`: keeps the offset in
    /// a 2 MiB page; `None` (and the allocator still moved) when it falls below `EFI_VA_END`.
    pub fn next_va(&mut self, phys: u64, size: u64) -> Option<u64> {
        let prev = self.efi_va.wrapping_sub(size);
        let offset = phys % PMD_SIZE;
        let mut va = (prev - prev % PMD_SIZE).wrapping_add(offset);
        if va > prev {
            va = va.wrapping_sub(PMD_SIZE);
        }
        // A wrap below zero also counts as running out of window.
        let wrapped = size > self.efi_va || va > self.efi_va;
        self.efi_va = va;
        (!wrapped && va >= EFI_VA_END).then_some(va)
    }

    pub fn map(&mut self, owner: Arc<str>, kind: MappingKind, phys: Range, virt: u64) {
        self.mappings.entry(phys.start).or_default().push(Mapping {
            owner,
            kind,
            phys,
            virt,
        });
    }

    /// True when `owner` still has a mapping starting at `phys`.
    pub fn is_mapped(&self, phys: u64, owner: &str) -> bool {
        self.mappings
            .get(&phys)
            .is_some_and(|l| l.iter().any(|m| &*m.owner == owner))
    }

    /// Every live mapping, by physical address.
    pub fn mappings(&self) -> impl Iterator<Item = &Mapping> + Clone {
        self.mappings.values().flatten()
    }

    /// The number of live mappings.
    pub fn len(&self) -> usize {
        self.mappings.values().map(Vec::len).sum()
    }

    /// `efi_unmap_pages`: drops every mapping (1:1 and VA) of memory inside `phys`, which
    /// includes the separate page-0 mapping when `phys` covers page 0; returns how many went.
    pub fn unmap_phys(&mut self, phys: Range) -> usize {
        let mut removed = 0;
        let starts: Vec<u64> = self
            .mappings
            .range(phys.start..phys.end.max(phys.start))
            .map(|(&k, _)| k)
            .collect();
        for k in starts {
            if let Some(list) = self.mappings.get_mut(&k) {
                let before = list.len();
                list.retain(|m| m.phys.end > phys.end);
                removed += before - list.len();
                if list.is_empty() {
                    self.mappings.remove(&k);
                }
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::super::ranges::PAGE;
    use super::*;

    #[test]
    fn va_allocator_keeps_2m_offsets() {
        // S01: R1, R0, B1, B0 in map order.
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0x7f100000, 0x100000), Some(0xfffffffefff00000));
        assert_eq!(pt.next_va(0x7f000000, 0x100000), Some(0xfffffffeffe00000));
        assert_eq!(pt.next_va(0x40100000, 0x300000), Some(0xfffffffeffb00000));
        assert_eq!(pt.next_va(0x40000000, 0x100000), Some(0xfffffffeffa00000));
        // An offset larger than the room left in the 2 MiB page steps down one more.
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0x1ff000, 0x2000), Some(0xfffffffeffdff000));
    }

    #[test]
    fn va_overflow_below_the_floor() {
        let mut pt = PageTable::default();
        assert_eq!(pt.next_va(0, 64 << 30), Some(EFI_VA_END));
        assert_eq!(pt.next_va(0, PAGE), None);
        assert_eq!(pt.next_va(0, u64::MAX), None);
    }
}
