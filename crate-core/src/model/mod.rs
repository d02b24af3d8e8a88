//! The data model shared by every stage: what a memory map and its surroundings are.
//! Parsers produce it, the simulator consumes it; nothing here knows about text formats.

mod boot_log;
mod desc;
mod map;

pub use boot_log::{
    BootLog, BootOptions, ConfigTable, E820Entry, E820Event, E820Op, E820Type, FirmwareInfo,
    MemattrEntry, MemblockEvent,
};
pub use desc::{Attributes, Descriptor, EFI_PAGE_SIZE, MemoryType};
pub use map::{EFI_DESC_DEFAULT_SIZE, EFI_DESC_MIN_SIZE, MemoryMap};
