//! The `efi.memmap` object: its buffer, its entries with provenance, and every buffer the
//! kernel allocated for it (spec §1.2, §3.5).

use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::model::{Attributes, Descriptor};

use super::events::Phase;
use super::ranges::Range;

/// Where an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// A firmware descriptor, unchanged in extent.
    Firmware,
    /// A piece cut by OLD `efi_memmap_insert` ("split piece b of mem12"). The piece's id is
    /// its parent's id plus `piece`, so the parent's id is not stored again
    /// ([`Entry::split_of`]): an entry is 64 bytes instead of 88, and a 1M map has several.
    Split { piece: char },
}

/// One descriptor of `efi.memmap` plus what the simulator knows about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Display id: the input id, `<id>a`, `<id>b`, … for split pieces.
    pub id: Arc<str>,
    pub desc: Descriptor,
    /// OLD: RUNTIME set by `efi_reserve_boot_services` ("do not free"), not by firmware.
    pub kernel_tagged: bool,
    /// OLD: absorbed by `efi_merge_regions` (turned into a RESERVED, attribute-0 entry).
    pub merged_away: bool,
    pub provenance: Provenance,
}

impl Entry {
    pub fn range(&self) -> Range {
        Range::new(self.desc.phys, self.desc.end().unwrap_or(u64::MAX))
    }

    pub fn is_bs(&self) -> bool {
        self.desc.ty.is_boot_services()
    }

    pub fn is_runtime(&self) -> bool {
        self.desc.attr.contains(Attributes::RUNTIME)
    }

    /// The id of the entry a split piece was cut from.
    pub fn split_of(&self) -> Option<&str> {
        match self.provenance {
            Provenance::Firmware => None,
            Provenance::Split { piece } => self.id.strip_suffix(piece),
        }
    }

    /// A human description of the provenance.
    pub fn describe_provenance(&self) -> String {
        match self.provenance {
            Provenance::Firmware => format!("firmware descriptor {}", self.id),
            Provenance::Split { piece } => {
                format!("split piece {piece} of {}", self.split_of().unwrap_or(""))
            }
        }
    }
}

/// As the derived form was: `{id, desc, kernel_tagged, merged_away, provenance}` with the
/// provenance `{"kind": "firmware"}` or `{"kind": "split", "of": …, "piece": …}`.
impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Entry", 5)?;
        st.serialize_field("id", &*self.id)?;
        st.serialize_field("desc", &self.desc)?;
        st.serialize_field("kernel_tagged", &self.kernel_tagged)?;
        st.serialize_field("merged_away", &self.merged_away)?;
        st.serialize_field("provenance", &ProvenanceJson(self))?;
        st.end()
    }
}

struct ProvenanceJson<'a>(&'a Entry);

impl Serialize for ProvenanceJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.provenance {
            Provenance::Firmware => {
                let mut st = s.serialize_struct("Provenance", 1)?;
                st.serialize_field("kind", "firmware")?;
                st.end()
            }
            Provenance::Split { piece } => {
                let mut st = s.serialize_struct("Provenance", 3)?;
                st.serialize_field("kind", "split")?;
                st.serialize_field("of", self.0.split_of().unwrap_or(""))?;
                st.serialize_field("piece", &piece)?;
                st.end()
            }
        }
    }
}

/// Which allocator a memmap buffer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocator {
    Firmware,
    Memblock,
    Buddy,
    Slab,
}

/// What finally happened to a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Still `efi.memmap` (or still in use).
    InUse,
    /// Returned to its allocator.
    Freed,
    /// Replaced and never returned.
    Leaked,
}

/// One buffer made for (or by) the memmap code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Buffer {
    pub phase: Phase,
    pub allocator: Allocator,
    pub bytes: u64,
    /// Known for memblock allocations and the firmware buffer; buddy addresses are not modelled.
    pub phys: Option<u64>,
    pub purpose: &'static str,
    pub fate: Fate,
}

/// `struct efi_memory_map`.
#[derive(Clone, Debug, Serialize)]
pub struct Memmap {
    /// Index into `buffers` of the current buffer.
    pub current: usize,
    pub desc_size: u32,
    /// The valid entries (the map). Slots the kernel left stale (NEW) are counted through
    /// `mapped_bytes`, their contents not kept. Snapshots share the list; changes go through
    /// `Arc::make_mut` (copy-on-write) or replace it.
    pub entries: Arc<Vec<Entry>>,
    /// `map_end − map` in bytes: the mapped extent.
    pub mapped_bytes: u64,
    pub late: bool,
    pub buffers: Vec<Buffer>,
}

impl Memmap {
    pub fn new(entries: Vec<Entry>, phys: u64, desc_size: u32) -> Self {
        let bytes = (entries.len() as u64).saturating_mul(desc_size as u64);
        Self {
            current: 0,
            desc_size,
            entries: Arc::new(entries),
            mapped_bytes: bytes,
            late: false,
            buffers: vec![Buffer {
                phase: Phase::Firmware,
                allocator: Allocator::Firmware,
                bytes,
                phys: Some(phys),
                purpose: "firmware memory map",
                fate: Fate::InUse,
            }],
        }
    }

    /// `nr_map`: how many entries are valid.
    pub fn valid(&self) -> usize {
        self.entries.len()
    }

    pub fn valid_entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn buffer(&self) -> &Buffer {
        &self.buffers[self.current]
    }

    /// Physical address of the current buffer, when known.
    pub fn phys(&self) -> Option<u64> {
        self.buffer().phys
    }

    /// Records a buffer that is not (or not yet) the map; returns its index.
    pub fn record(&mut self, buffer: Buffer) -> usize {
        self.buffers.push(buffer);
        self.buffers.len() - 1
    }

    /// `efi_memmap_install`: the new buffer becomes the map; the old one gets `old_fate`.
    pub fn install(&mut self, buffer: usize, entries: Vec<Entry>, old_fate: Fate) {
        self.buffers[self.current].fate = old_fate;
        self.current = buffer;
        self.buffers[buffer].fate = Fate::InUse;
        self.mapped_bytes = (entries.len() as u64).saturating_mul(self.desc_size as u64);
        self.entries = Arc::new(entries);
    }

    /// `efi_mem_desc_lookup`: the first well-formed entry containing `addr`.
    pub fn lookup(&self, addr: u64) -> Option<usize> {
        self.valid_entries().iter().position(|e| {
            e.desc.phys % super::ranges::PAGE == 0
                && e.desc.is_valid()
                && e.range().start <= addr
                && addr < e.range().end
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::MemoryType;

    fn entry(id: &str, provenance: Provenance) -> Entry {
        Entry {
            id: Arc::from(id),
            desc: Descriptor {
                ty: MemoryType::BOOT_SERVICES_DATA,
                phys: 0x4000_0000,
                num_pages: 1,
                virt: 0,
                attr: Attributes(0),
            },
            kernel_tagged: false,
            merged_away: false,
            provenance,
        }
    }

    /// The shape the derived serializer wrote before dd77da7 (an internally tagged,
    /// snake_case enum with the parent's id in `of`), which the JSON keeps byte for byte.
    #[test]
    fn a_split_piece_serialises_with_its_parent_and_letter() {
        let piece = entry("mem12b", Provenance::Split { piece: 'b' });
        let text = serde_json::to_string(&piece).unwrap();
        assert!(
            text.ends_with(r#","provenance":{"kind":"split","of":"mem12","piece":"b"}}"#),
            "{text}"
        );
        let value = serde_json::to_value(&piece).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            ["id", "desc", "kernel_tagged", "merged_away", "provenance"]
        );
        assert_eq!(value["id"], json!("mem12b"));
        let firmware = serde_json::to_value(entry("mem12", Provenance::Firmware)).unwrap();
        assert_eq!(firmware["provenance"], json!({"kind": "firmware"}));
    }
}
