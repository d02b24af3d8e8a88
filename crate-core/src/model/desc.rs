//! One EFI memory descriptor (`efi_memory_desc_t`), its type and its attribute bits.

use serde::{Deserialize, Serialize};

/// EFI pages are always 4 KiB, whatever the kernel's page size.
pub const EFI_PAGE_SIZE: u64 = 4096;

/// The memory type as the firmware gave it. Kept as a number so OEM (0x7000_0000..) and
/// OS (0x8000_0000..) types survive a round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemoryType(pub u32);

impl MemoryType {
    pub const RESERVED: Self = Self(0);
    pub const LOADER_CODE: Self = Self(1);
    pub const LOADER_DATA: Self = Self(2);
    pub const BOOT_SERVICES_CODE: Self = Self(3);
    pub const BOOT_SERVICES_DATA: Self = Self(4);
    pub const RUNTIME_SERVICES_CODE: Self = Self(5);
    pub const RUNTIME_SERVICES_DATA: Self = Self(6);
    pub const CONVENTIONAL: Self = Self(7);
    pub const UNUSABLE: Self = Self(8);
    pub const ACPI_RECLAIM: Self = Self(9);
    pub const ACPI_NVS: Self = Self(10);
    pub const MMIO: Self = Self(11);
    pub const MMIO_PORT_SPACE: Self = Self(12);
    pub const PAL_CODE: Self = Self(13);
    pub const PERSISTENT: Self = Self(14);
    pub const UNACCEPTED: Self = Self(15);

    /// Short names, indexed by type, as 5.9+ kernels print them (before padding).
    const SHORT_NAMES: [&'static str; 16] = [
        "Reserved",
        "Loader Code",
        "Loader Data",
        "Boot Code",
        "Boot Data",
        "Runtime Code",
        "Runtime Data",
        "Conventional",
        "Unusable",
        "ACPI Reclaim",
        "ACPI Mem NVS",
        "MMIO",
        "MMIO Port",
        "PAL Code",
        "Persistent",
        "Unaccepted",
    ];

    /// The kernel's short name, or `None` for types it does not know (printed as `type=N`).
    pub const fn short_name(self) -> Option<&'static str> {
        let i = self.0 as usize;
        if i < Self::SHORT_NAMES.len() {
            Some(Self::SHORT_NAMES[i])
        } else {
            None
        }
    }

    /// The short name, or `type=N` for unknown types, exactly as the kernel prints it.
    pub fn display_name(self) -> String {
        match self.short_name() {
            Some(name) => name.to_owned(),
            None => format!("type={}", self.0),
        }
    }

    /// Looks up a type by its current short kernel name (case-sensitive, unpadded).
    pub fn from_short_name(name: &str) -> Option<Self> {
        Self::SHORT_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Self(i as u32))
    }

    /// Boot services code or data: the memory x86 keeps until after SetVirtualAddressMap.
    pub fn is_boot_services(self) -> bool {
        self == Self::BOOT_SERVICES_CODE || self == Self::BOOT_SERVICES_DATA
    }
}

/// The attribute mask, all 64 bits, including bits no kernel knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attributes(pub u64);

impl Attributes {
    pub const UC: u64 = 0x1;
    pub const WC: u64 = 0x2;
    pub const WT: u64 = 0x4;
    pub const WB: u64 = 0x8;
    pub const UCE: u64 = 0x10;
    pub const WP: u64 = 0x1000;
    pub const RP: u64 = 0x2000;
    pub const XP: u64 = 0x4000;
    pub const NV: u64 = 0x8000;
    pub const MORE_RELIABLE: u64 = 0x10000;
    pub const RO: u64 = 0x20000;
    pub const SP: u64 = 0x40000;
    pub const CPU_CRYPTO: u64 = 0x80000;
    pub const HOT_PLUGGABLE: u64 = 0x100000;
    pub const RUNTIME: u64 = 1 << 63;

    /// Every bit the current kernel can print by name, in its column order, with the
    /// column width it pads the token to.
    pub const COLUMNS: [(u64, &'static str, usize); 15] = [
        (Self::RUNTIME, "RUN", 3),
        (Self::HOT_PLUGGABLE, "HP", 2),
        (Self::MORE_RELIABLE, "MR", 2),
        (Self::CPU_CRYPTO, "CC", 2),
        (Self::SP, "SP", 2),
        (Self::NV, "NV", 2),
        (Self::XP, "XP", 2),
        (Self::RP, "RP", 2),
        (Self::WP, "WP", 2),
        (Self::RO, "RO", 2),
        (Self::UCE, "UCE", 3),
        (Self::WB, "WB", 2),
        (Self::WT, "WT", 2),
        (Self::WC, "WC", 2),
        (Self::UC, "UC", 2),
    ];

    /// The union of all bits in [`Self::COLUMNS`].
    pub const KNOWN_MASK: u64 = {
        let mut mask = 0;
        let mut i = 0;
        while i < Self::COLUMNS.len() {
            mask |= Self::COLUMNS[i].0;
            i += 1;
        }
        mask
    };

    pub fn contains(self, bits: u64) -> bool {
        self.0 & bits == bits
    }

    pub fn is_runtime(self) -> bool {
        self.contains(Self::RUNTIME)
    }

    /// True when some bit has no printable name, so the kernel prints `attr=0x…` instead.
    pub fn has_unknown_bits(self) -> bool {
        self.0 & !Self::KNOWN_MASK != 0
    }
}

/// One descriptor exactly as firmware described it (or the kernel later edited it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Descriptor {
    pub ty: MemoryType,
    pub phys: u64,
    pub num_pages: u64,
    pub virt: u64,
    pub attr: Attributes,
}

impl Descriptor {
    /// Size in bytes; `None` when `num_pages * 4096` does not fit in 64 bits.
    pub fn size(&self) -> Option<u64> {
        self.num_pages.checked_mul(EFI_PAGE_SIZE)
    }

    /// Exclusive end; `None` when the range runs past 2^64 (the entry is then invalid).
    pub fn end(&self) -> Option<u64> {
        self.size().and_then(|size| self.phys.checked_add(size))
    }

    /// Exclusive end computed without overflow, for display and sorting of broken entries.
    pub fn end_wide(&self) -> u128 {
        self.phys as u128 + self.num_pages as u128 * EFI_PAGE_SIZE as u128
    }

    /// Inclusive last byte as the kernel prints it, without overflow.
    pub fn last_byte_wide(&self) -> u128 {
        self.end_wide().saturating_sub(1)
    }

    /// The kernel's validity test (`efi_memmap_entry_valid`): non-empty and not overflowing.
    pub fn is_valid(&self) -> bool {
        self.num_pages != 0 && self.end().is_some()
    }
}
