//! The timeline's view model: lanes of address ranges, each in one display state.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What a range of physical memory is at one moment of the boot, as the chart shows it.
/// Ordered roughly from "free" to "firmware-owned" so aggregation picks a stable winner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RegionState {
    /// Usable RAM nobody has claimed (firmware Conventional, or free in the buddy allocator).
    FreeRam,
    /// Pages EFI code gave back to the page allocator.
    FreedByEfi,
    /// Usable RAM the kernel holds in `memblock.reserved` (the first MiB, initrd, …), so it
    /// never reaches the page allocator at mm_init.
    HeldRam,
    /// Loader code/data (the kernel's own boot allocations, initrd, …).
    Loader,
    /// Boot-services code or data still reserved.
    BootServices,
    /// A boot-services range the kernel keeps for good (`MEMBLOCK_RSRV_KERN`, or OLD's RUNTIME tag).
    RsrvKern,
    /// Boot-services memory still mapped in the EFI page table.
    MappedBs,
    /// Runtime-services code or data.
    Runtime,
    /// The kernel image.
    KernelImage,
    /// The buffer holding `efi.memmap`.
    MemmapBuffer,
    /// A memmap buffer that was replaced and never freed.
    LeakedBuffer,
    /// The real-mode trampoline.
    Trampoline,
    /// ACPI tables and NVS.
    Acpi,
    /// MMIO, reserved, unusable, or types the kernel does not know.
    Reserved,
}

impl RegionState {
    /// Every state, in legend order.
    pub const ALL: [RegionState; 14] = [
        Self::FreeRam,
        Self::FreedByEfi,
        Self::HeldRam,
        Self::Loader,
        Self::BootServices,
        Self::RsrvKern,
        Self::MappedBs,
        Self::Runtime,
        Self::KernelImage,
        Self::MemmapBuffer,
        Self::LeakedBuffer,
        Self::Trampoline,
        Self::Acpi,
        Self::Reserved,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::FreeRam => "free RAM",
            Self::FreedByEfi => "freed by EFI code",
            Self::HeldRam => "RAM held in memblock.reserved",
            Self::Loader => "loader code/data",
            Self::BootServices => "boot services (reserved)",
            Self::RsrvKern => "kept by the kernel (RSRV_KERN / tagged)",
            Self::MappedBs => "boot services, mapped in EFI page table",
            Self::Runtime => "runtime services",
            Self::KernelImage => "kernel image",
            Self::MemmapBuffer => "efi.memmap buffer",
            Self::LeakedBuffer => "leaked memmap buffer",
            Self::Trampoline => "real-mode trampoline",
            Self::Acpi => "ACPI tables / NVS",
            Self::Reserved => "MMIO / reserved",
        }
    }

    /// A stable identifier for CSS classes and tests.
    pub fn slug(self) -> &'static str {
        match self {
            Self::FreeRam => "free",
            Self::FreedByEfi => "freed",
            Self::HeldRam => "held",
            Self::Loader => "loader",
            Self::BootServices => "bs",
            Self::RsrvKern => "kern",
            Self::MappedBs => "mapped-bs",
            Self::Runtime => "runtime",
            Self::KernelImage => "kernel",
            Self::MemmapBuffer => "memmap",
            Self::LeakedBuffer => "leaked",
            Self::Trampoline => "trampoline",
            Self::Acpi => "acpi",
            Self::Reserved => "reserved",
        }
    }
}

impl fmt::Display for RegionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One range `[start, end)` in one state. `label` names what it is (`Boot Data`, `ESRT`, …);
/// `note` says why it is in this state at this step; `facts` are the details panel's rows
/// (type, attributes, memblock flags, VA, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub start: u64,
    pub end: u64,
    pub state: RegionState,
    pub label: String,
    pub note: String,
    /// Keys are fixed names ([`FACT_KEYS`]); decoding borrows them rather than allocating a
    /// copy per region (the app decodes millions when a large story crosses from its worker).
    #[serde(deserialize_with = "fact_keys::deserialize")]
    pub facts: Vec<(Cow<'static, str>, String)>,
}

impl Region {
    pub fn new(start: u64, end: u64, state: RegionState, label: impl Into<String>) -> Self {
        Self {
            start,
            end,
            state,
            label: label.into(),
            note: String::new(),
            facts: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    pub fn with_fact(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.facts.push((key.into(), value.into()));
        self
    }

    pub fn size(&self) -> u64 {
        self.end - self.start
    }
}

/// The names [`Region::facts`] uses.
pub const FACT_KEYS: [&str; 7] = [
    "Descriptor",
    "Type",
    "Attributes",
    "VA",
    "memblock",
    "EFI VA",
    "Reservations",
];

mod fact_keys {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, Error, Visitor};

    /// A fact's name: one of [`super::FACT_KEYS`], borrowed, or an owned copy of another.
    struct Key(Cow<'static, str>);

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a fact name")
                }
                fn visit_str<E: Error>(self, name: &str) -> Result<Key, E> {
                    Ok(Key(match super::FACT_KEYS.iter().find(|&&k| k == name) {
                        Some(&known) => Cow::Borrowed(known),
                        None => Cow::Owned(name.to_owned()),
                    }))
                }
            }
            deserializer.deserialize_str(KeyVisitor)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(Cow<'static, str>, String)>, D::Error> {
        let facts: Vec<(Key, String)> = Vec::deserialize(deserializer)?;
        Ok(facts
            .into_iter()
            .map(|(key, value)| (key.0, value))
            .collect())
    }
}

/// One row of the timeline: the address space at one step, regions sorted and disjoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lane {
    pub label: String,
    pub regions: Vec<Region>,
}

impl Lane {
    /// Builds a lane, sorting the regions and dropping empty or overlapping ones, so every
    /// later step can binary-search it.
    pub fn new(label: impl Into<String>, mut regions: Vec<Region>) -> Self {
        regions.retain(|r| r.end > r.start);
        regions.sort_by_key(|r| (r.start, r.end));
        let mut kept: Vec<Region> = Vec::with_capacity(regions.len());
        for region in regions {
            match kept.last() {
                Some(last) if region.start < last.end => {}
                _ => kept.push(region),
            }
        }
        Self {
            label: label.into(),
            regions: kept,
        }
    }

    /// The index of the region containing `addr`.
    pub fn index_at(&self, addr: u64) -> Option<usize> {
        let i = self.regions.partition_point(|r| r.end <= addr);
        self.regions.get(i).filter(|r| r.start <= addr).map(|_| i)
    }

    pub fn region_at(&self, addr: u64) -> Option<&Region> {
        self.index_at(addr).map(|i| &self.regions[i])
    }

    /// The indices of regions overlapping `[start, end)`.
    pub fn overlapping(&self, start: u64, end: u64) -> std::ops::Range<usize> {
        let first = self.regions.partition_point(|r| r.end <= start);
        let last = self.regions.partition_point(|r| r.start < end);
        first..last.max(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane() -> Lane {
        Lane::new(
            "t",
            vec![
                Region::new(0x2000, 0x3000, RegionState::Runtime, "b"),
                Region::new(0x0, 0x1000, RegionState::FreeRam, "a"),
                Region::new(0x2800, 0x4000, RegionState::Acpi, "overlaps b"),
                Region::new(0x5000, 0x5000, RegionState::Acpi, "empty"),
            ],
        )
    }

    #[test]
    fn lanes_are_sorted_and_disjoint() {
        let lane = lane();
        let labels: Vec<_> = lane.regions.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["a", "b"]);
    }

    #[test]
    fn lookup_by_address_respects_half_open_ranges() {
        let lane = lane();
        assert_eq!(lane.index_at(0x0), Some(0));
        assert_eq!(lane.index_at(0xfff), Some(0));
        assert_eq!(lane.index_at(0x1000), None);
        assert_eq!(lane.index_at(0x2fff), Some(1));
        assert_eq!(lane.index_at(0x3000), None);
        assert_eq!(lane.overlapping(0x800, 0x2001), 0..2);
        assert_eq!(lane.overlapping(0x1000, 0x2000), 1..1);
    }
}
