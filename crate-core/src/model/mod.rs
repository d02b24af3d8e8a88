//! The data model shared by every stage: what a memory map and its surroundings are.
//! Parsers produce it, the simulator consumes it; nothing here knows about text formats.

mod desc;
mod map;

pub use desc::{Attributes, Descriptor, EFI_PAGE_SIZE, MemoryType};
pub use map::{EFI_DESC_DEFAULT_SIZE, EFI_DESC_MIN_SIZE, MemoryMap};
