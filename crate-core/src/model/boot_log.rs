//! Everything a parsed boot log (or any other input) tells about memory, besides the EFI map itself.

use serde::{Deserialize, Serialize};

use super::desc::{Attributes, MemoryType};
use super::map::MemoryMap;

/// An e820 type number as the kernel stores it (1 usable, 2 reserved, 3 ACPI data, 4 ACPI NVS,
/// 5 unusable, 7/12 persistent, 20 EFI runtime on old kernels, 0xefffffff soft reserved, or anything else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct E820Type(pub u32);

impl E820Type {
    pub const USABLE: Self = Self(1);
    pub const RESERVED: Self = Self(2);
    pub const ACPI: Self = Self(3);
    pub const NVS: Self = Self(4);
    pub const UNUSABLE: Self = Self(5);
    pub const PMEM: Self = Self(7);
    pub const PRAM: Self = Self(12);
    pub const SOFT_RESERVED: Self = Self(0xefff_ffff);

    /// The legacy kernel spelling (`usable`, `reserved`, …, `type N`).
    pub fn name(self) -> String {
        match self {
            Self::USABLE => "usable".into(),
            Self::RESERVED => "reserved".into(),
            Self::ACPI => "ACPI data".into(),
            Self::NVS => "ACPI NVS".into(),
            Self::UNUSABLE => "unusable".into(),
            Self::PMEM | Self::PRAM => format!("persistent (type {})", self.0),
            Self::SOFT_RESERVED => "soft reserved".into(),
            Self(n) => format!("type {n}"),
        }
    }
}

/// One e820 table row; `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct E820Entry {
    pub start: u64,
    pub end: u64,
    pub kind: E820Type,
}

/// What an `e820: update` / `e820: remove` line did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum E820Op {
    /// `e820: update [mem a-b] FROM ==> TO`
    Update { from: E820Type, to: E820Type },
    /// `e820: remove [mem a-b] [TYPE]`; the type is optional in the log.
    Remove { kind: Option<E820Type> },
}

/// An e820 update or remove event, in log order; `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct E820Event {
    pub start: u64,
    pub end: u64,
    pub op: E820Op,
}

/// JSON (human-readable formats) puts the operation's fields beside the range; binary
/// formats such as the app's worker messages (postcard) cannot express that flattening, so
/// they get the same data as a plain tuple.
mod e820_event_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{E820Event, E820Op, E820Type};

    #[derive(Serialize, Deserialize)]
    struct Flat {
        start: u64,
        end: u64,
        #[serde(flatten)]
        op: E820Op,
    }

    #[derive(Serialize, Deserialize)]
    enum Op {
        Update { from: E820Type, to: E820Type },
        Remove { kind: Option<E820Type> },
    }

    impl Serialize for E820Event {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let Self { start, end, op } = *self;
            if serializer.is_human_readable() {
                return Flat { start, end, op }.serialize(serializer);
            }
            let op = match op {
                E820Op::Update { from, to } => Op::Update { from, to },
                E820Op::Remove { kind } => Op::Remove { kind },
            };
            (start, end, op).serialize(serializer)
        }
    }

    impl<'de> Deserialize<'de> for E820Event {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            if deserializer.is_human_readable() {
                let Flat { start, end, op } = Flat::deserialize(deserializer)?;
                return Ok(Self { start, end, op });
            }
            let (start, end, op) = <(u64, u64, Op)>::deserialize(deserializer)?;
            let op = match op {
                Op::Update { from, to } => E820Op::Update { from, to },
                Op::Remove { kind } => E820Op::Remove { kind },
            };
            Ok(Self { start, end, op })
        }
    }
}

/// One `NAME=0x…` item of the config-table line, in firmware order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigTable {
    pub name: String,
    pub addr: u64,
}

/// `EFI v2.70 by EDK II`: the revision as printed (`2.70`, `2.7`) and the vendor string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmwareInfo {
    pub vendor: String,
    pub major: u32,
    pub minor: u32,
    /// The revision text exactly as printed, since 6.2+ drops the trailing zero.
    pub revision: String,
}

/// One `efi: memattr:` line of the Memory Attributes Table; `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemattrEntry {
    pub start: u64,
    pub end: u64,
    pub ty: MemoryType,
    pub attr: Attributes,
}

/// A `memblock=debug` line such as `memblock_reserve: [a-b] caller`; `end` is exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemblockEvent {
    /// The function name as printed (`memblock_reserve`, `__memblock_reserve`, `memblock_phys_free`, …).
    pub op: String,
    pub start: u64,
    pub end: u64,
    /// The rest of the line (`efi_memattr_init+0x51/0xa0`, or `nid=… flags=… caller`).
    pub caller: String,
}

/// Kernel options that change what the boot prints or does, derived from the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootOptions {
    /// `efi=debug`: the map is printed (and on 5.x the runtime map too).
    pub efi_debug: bool,
    /// `memblock=debug`: every memblock call is logged.
    pub memblock_debug: bool,
    /// `efi=noruntime` or `noefi`: runtime services are not used (no SetVirtualAddressMap).
    pub efi_noruntime: bool,
    /// `efi=old_map` (pre-5.x kernels).
    pub efi_old_map: bool,
    /// `mem=` limit in bytes.
    pub mem_limit: Option<u64>,
    /// Each `memmap=` argument verbatim.
    pub memmap: Vec<String>,
    /// `efi_fake_mem=` verbatim.
    pub efi_fake_mem: Option<String>,
    /// `add_efi_memmap`: the EFI map replaces e820 (old kernels).
    pub add_efi_memmap: bool,
}

impl BootOptions {
    /// Reads the options from a kernel command line; unknown words are ignored.
    pub fn from_cmdline(cmdline: &str) -> Self {
        let mut opts = Self::default();
        for word in cmdline.split_ascii_whitespace() {
            let (key, value) = word.split_once('=').unwrap_or((word, ""));
            match key {
                "efi" => {
                    for v in value.split(',') {
                        match v {
                            "debug" => opts.efi_debug = true,
                            "noruntime" => opts.efi_noruntime = true,
                            "old_map" => opts.efi_old_map = true,
                            _ => {}
                        }
                    }
                }
                "noefi" => opts.efi_noruntime = true,
                "memblock" if value == "debug" => opts.memblock_debug = true,
                "mem" => opts.mem_limit = parse_size(value),
                "memmap" => opts.memmap.push(value.to_owned()),
                "efi_fake_mem" => opts.efi_fake_mem = Some(value.to_owned()),
                "add_efi_memmap" => opts.add_efi_memmap = true,
                _ => {}
            }
        }
        opts
    }
}

/// `memparse`: a number (decimal, or hex with 0x) with an optional K/M/G/T/P/E suffix.
fn parse_size(text: &str) -> Option<u64> {
    let (radix, body) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, text),
    };
    let digits = body
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(digits);
    let base = u64::from_str_radix(number, radix).ok()?;
    let shift = match suffix {
        "" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        "T" | "t" => 40,
        "P" | "p" => 50,
        "E" | "e" => 60,
        _ => return None,
    };
    base.checked_mul(1u64 << shift)
}

/// Everything one input told about memory. Fields are empty/`None` when the input did not show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootLog {
    /// The firmware map as the kernel (or shell, or binary) showed it, in firmware order.
    pub map: Option<MemoryMap>,
    /// The map printed after SetVirtualAddressMap (`EFI runtime memory map:`) or read from sysfs.
    pub runtime_map: Option<MemoryMap>,
    /// The first e820 table printed (BIOS-provided, or extended with setup_data).
    pub e820: Vec<E820Entry>,
    pub e820_events: Vec<E820Event>,
    pub config_tables: Vec<ConfigTable>,
    pub firmware: Option<FirmwareInfo>,
    pub cmdline: Option<String>,
    /// ESRT `[start, end)` from `esrt: Reserving ESRT space from … to …`.
    pub esrt: Option<(u64, u64)>,
    pub memattr: Vec<MemattrEntry>,
    pub memblock_events: Vec<MemblockEvent>,
    /// `efi: Freeing EFI boot services memory: NK`.
    pub boot_services_freed_kib: Option<u64>,
    /// `Memory: AK/TK available`: (available, total) in KiB.
    pub memory_available_kib: Option<(u64, u64)>,
}

impl BootLog {
    /// Options implied by the command line (all defaults when there was none).
    pub fn options(&self) -> BootOptions {
        self.cmdline
            .as_deref()
            .map(BootOptions::from_cmdline)
            .unwrap_or_default()
    }
}
