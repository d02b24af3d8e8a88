//! The firmware memory map: descriptors in firmware order plus the array's geometry.

use serde::{Deserialize, Serialize};

use super::desc::Descriptor;

/// `sizeof(efi_memory_desc_t)`; firmware may use a larger stride.
pub const EFI_DESC_MIN_SIZE: u32 = 40;
/// The stride nearly every x86 firmware uses.
pub const EFI_DESC_DEFAULT_SIZE: u32 = 48;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryMap {
    /// Firmware order, never sorted by the parser.
    pub descriptors: Vec<Descriptor>,
    pub desc_size: u32,
    pub desc_version: u32,
}

impl Default for MemoryMap {
    fn default() -> Self {
        Self {
            descriptors: Vec::new(),
            desc_size: EFI_DESC_DEFAULT_SIZE,
            desc_version: 1,
        }
    }
}
