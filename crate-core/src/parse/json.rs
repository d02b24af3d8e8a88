//! efiviz's own JSON document (schema in `docs/json-schema.md`): addresses and masks as
//! lowercase `0x…` strings, numbers for types. Writing then reading gives the same [`BootLog`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Format;
use super::report::{Confidence, Report, Severity};
use crate::model::{
    Attributes, BootLog, BootOptions, ConfigTable, Descriptor, E820Entry, E820Event, E820Op,
    E820Type, FirmwareInfo, MemattrEntry, MemblockEvent, MemoryMap, MemoryType,
};

/// A u64 written as a `0x…` lowercase hex string; reading also accepts a plain JSON number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hex(pub u64);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{:x}", self.0))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, so a bad value is named in the error.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Hex;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a 0x… hex string or a non-negative integer")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Hex, E> {
                Ok(Hex(n))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Hex, E> {
                u64::try_from(n).map(Hex).map_err(|_| {
                    E::custom(format!(
                        "negative number {n}; addresses, page counts and attributes are unsigned"
                    ))
                })
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Hex, E> {
                Err(E::custom(format!("{n} is not a whole number")))
            }
            fn visit_str<E: serde::de::Error>(self, t: &str) -> Result<Hex, E> {
                super::scan::number64(t)
                    .map(Hex)
                    .ok_or_else(|| E::custom(format!("expected a 0x… hex string, got `{t}`")))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDesc {
    #[serde(rename = "type")]
    pub ty: u32,
    /// Output only: the kernel's short name or `type=N`.
    #[serde(default, skip_deserializing)]
    pub type_name: String,
    pub phys: Hex,
    pub pages: Hex,
    pub attr: Hex,
    #[serde(default = "zero")]
    pub virt: Hex,
    /// Output only: empty or running past 2^64 (the kernel would drop it).
    #[serde(default, skip_deserializing)]
    pub invalid: bool,
}

fn zero() -> Hex {
    Hex(0)
}

impl From<&Descriptor> for JsonDesc {
    fn from(d: &Descriptor) -> Self {
        Self {
            ty: d.ty.0,
            type_name: d.ty.display_name(),
            phys: Hex(d.phys),
            pages: Hex(d.num_pages),
            attr: Hex(d.attr.0),
            virt: Hex(d.virt),
            invalid: !d.is_valid(),
        }
    }
}

impl From<&JsonDesc> for Descriptor {
    fn from(j: &JsonDesc) -> Self {
        Descriptor {
            ty: MemoryType(j.ty),
            phys: j.phys.0,
            num_pages: j.pages.0,
            virt: j.virt.0,
            attr: Attributes(j.attr.0),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonE820 {
    pub start: Hex,
    /// Exclusive.
    pub end: Hex,
    #[serde(rename = "type")]
    pub kind: u32,
    #[serde(default, skip_deserializing)]
    pub type_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonE820Event {
    /// `update` or `remove`.
    pub op: String,
    pub start: Hex,
    pub end: Hex,
    /// For updates: the old type; for removes: the type if printed.
    #[serde(default)]
    pub from: Option<u32>,
    /// For updates: the new type.
    #[serde(default)]
    pub to: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonMemattr {
    pub start: Hex,
    pub end: Hex,
    #[serde(rename = "type")]
    pub ty: u32,
    pub attr: Hex,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonMemblock {
    pub op: String,
    pub start: Hex,
    pub end: Hex,
    pub caller: String,
}

/// The whole document. Fields marked output-only are ignored when reading.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JsonDoc {
    /// The boot map; empty when the input had none.
    pub descriptors: Vec<JsonDesc>,
    #[serde(default = "default_desc_size", deserialize_with = "desc_size")]
    pub desc_size: u32,
    #[serde(default = "one")]
    pub desc_version: u32,
    #[serde(default)]
    pub runtime_map: Option<Vec<JsonDesc>>,
    #[serde(default)]
    pub e820: Vec<JsonE820>,
    #[serde(default)]
    pub e820_events: Vec<JsonE820Event>,
    /// Name → address, in firmware order.
    #[serde(default)]
    pub config_tables: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub firmware: Option<FirmwareInfo>,
    #[serde(default)]
    pub cmdline: Option<String>,
    /// Output only: what the command line implies.
    #[serde(default, skip_deserializing)]
    pub options: BootOptions,
    /// `[start, end)` as two hex strings.
    #[serde(default)]
    pub esrt: Option<[Hex; 2]>,
    #[serde(default)]
    pub memattr: Vec<JsonMemattr>,
    #[serde(default)]
    pub memblock_events: Vec<JsonMemblock>,
    #[serde(default)]
    pub boot_services_freed_kib: Option<u64>,
    #[serde(default)]
    pub memory_available_kib: Option<[u64; 2]>,
    /// Output only: the parse report.
    #[serde(default, skip_deserializing)]
    pub report: Option<Report>,
}

fn default_desc_size() -> u32 {
    crate::model::EFI_DESC_DEFAULT_SIZE
}

/// A descriptor size no descriptor fits in is refused, as the binary reader refuses it.
fn desc_size<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let size = u32::deserialize(d)?;
    match super::binary::too_small(size) {
        None => Ok(size),
        Some(reason) => Err(serde::de::Error::custom(reason)),
    }
}

fn one() -> u32 {
    1
}

fn descs(list: &[Descriptor]) -> Vec<JsonDesc> {
    list.iter().map(JsonDesc::from).collect()
}

/// Builds the document for a log (and optionally its report).
pub fn to_doc(log: &BootLog, report: Option<&Report>) -> JsonDoc {
    let map = log.map.clone().unwrap_or_default();
    // One geometry per document: the boot map's, else the runtime map's (fuzz: json target).
    let geometry = log
        .map
        .as_ref()
        .or(log.runtime_map.as_ref())
        .unwrap_or(&map);
    JsonDoc {
        descriptors: descs(&map.descriptors),
        desc_size: geometry.desc_size,
        desc_version: geometry.desc_version,
        runtime_map: log.runtime_map.as_ref().map(|m| descs(&m.descriptors)),
        e820: log
            .e820
            .iter()
            .map(|e| JsonE820 {
                start: Hex(e.start),
                end: Hex(e.end),
                kind: e.kind.0,
                type_name: e.kind.name(),
            })
            .collect(),
        e820_events: log.e820_events.iter().map(event_to_json).collect(),
        config_tables: log
            .config_tables
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    serde_json::Value::String(format!("0x{:x}", t.addr)),
                )
            })
            .collect(),
        firmware: log.firmware.clone(),
        cmdline: log.cmdline.clone(),
        options: log.options(),
        esrt: log.esrt.map(|(s, e)| [Hex(s), Hex(e)]),
        memattr: log
            .memattr
            .iter()
            .map(|m| JsonMemattr {
                start: Hex(m.start),
                end: Hex(m.end),
                ty: m.ty.0,
                attr: Hex(m.attr.0),
            })
            .collect(),
        memblock_events: log
            .memblock_events
            .iter()
            .map(|m| JsonMemblock {
                op: m.op.clone(),
                start: Hex(m.start),
                end: Hex(m.end),
                caller: m.caller.clone(),
            })
            .collect(),
        boot_services_freed_kib: log.boot_services_freed_kib,
        memory_available_kib: log.memory_available_kib.map(|(a, t)| [a, t]),
        report: report.cloned(),
    }
}

fn event_to_json(e: &E820Event) -> JsonE820Event {
    let (op, from, to) = match e.op {
        E820Op::Update { from, to } => ("update", Some(from.0), Some(to.0)),
        E820Op::Remove { kind } => ("remove", kind.map(|k| k.0), None),
    };
    JsonE820Event {
        op: op.into(),
        start: Hex(e.start),
        end: Hex(e.end),
        from,
        to,
    }
}

fn event_from_json(e: &JsonE820Event) -> Result<E820Event, String> {
    let op = match (e.op.as_str(), e.from, e.to) {
        ("update", Some(from), Some(to)) => E820Op::Update {
            from: E820Type(from),
            to: E820Type(to),
        },
        ("remove", kind, None) => E820Op::Remove {
            kind: kind.map(E820Type),
        },
        _ => {
            return Err(format!(
                "bad e820 event `{}` (update needs from and to; remove takes from only)",
                e.op
            ));
        }
    };
    Ok(E820Event {
        start: e.start.0,
        end: e.end.0,
        op,
    })
}

/// The document as pretty JSON text.
pub fn to_string(log: &BootLog, report: Option<&Report>) -> String {
    serde_json::to_string_pretty(&to_doc(log, report))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Reads a document back into a [`BootLog`].
pub fn from_doc(doc: &JsonDoc) -> Result<BootLog, String> {
    let config_tables = doc
        .config_tables
        .iter()
        .map(|(name, v)| {
            let addr = v
                .as_str()
                .and_then(super::scan::number64)
                .or_else(|| v.as_u64())
                .ok_or_else(|| format!("config table `{name}`: expected a 0x… address"))?;
            Ok(ConfigTable {
                name: name.clone(),
                addr,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let map = |list: &[JsonDesc]| MemoryMap {
        descriptors: list.iter().map(Descriptor::from).collect(),
        desc_size: doc.desc_size,
        desc_version: doc.desc_version,
    };
    Ok(BootLog {
        map: (!doc.descriptors.is_empty()).then(|| map(&doc.descriptors)),
        runtime_map: doc.runtime_map.as_deref().map(map),
        e820: doc
            .e820
            .iter()
            .map(|e| E820Entry {
                start: e.start.0,
                end: e.end.0,
                kind: E820Type(e.kind),
            })
            .collect(),
        e820_events: doc
            .e820_events
            .iter()
            .map(event_from_json)
            .collect::<Result<_, _>>()?,
        config_tables,
        firmware: doc.firmware.clone(),
        cmdline: doc.cmdline.clone(),
        esrt: doc.esrt.map(|[s, e]| (s.0, e.0)),
        memattr: doc
            .memattr
            .iter()
            .map(|m| MemattrEntry {
                start: m.start.0,
                end: m.end.0,
                ty: MemoryType(m.ty),
                attr: Attributes(m.attr.0),
            })
            .collect(),
        memblock_events: doc
            .memblock_events
            .iter()
            .map(|m| MemblockEvent {
                op: m.op.clone(),
                start: m.start.0,
                end: m.end.0,
                caller: m.caller.clone(),
            })
            .collect(),
        boot_services_freed_kib: doc.boot_services_freed_kib,
        memory_available_kib: doc.memory_available_kib.map(|[a, t]| (a, t)),
    })
}

/// Parses JSON input; a malformed document gives an empty log and an error naming the line.
pub fn parse(input: &[u8]) -> (BootLog, Report) {
    let mut report = Report::new(Format::Json);
    let result = serde_json::from_slice::<JsonDoc>(input)
        .map_err(|e| (e.line(), e.to_string()))
        .and_then(|doc| from_doc(&doc).map_err(|e| (0, e)));
    match result {
        Ok(log) => {
            if let Some(map) = &log.map {
                report.map_flags = super::MapFlags::of(&map.descriptors);
            }
            let no_entries = log.map.is_none()
                && log
                    .runtime_map
                    .as_ref()
                    .is_none_or(|m| m.descriptors.is_empty());
            report.confidence = if no_entries {
                report.add(
                    0,
                    "",
                    Severity::Warning,
                    "the document lists no descriptors (`descriptors` and `runtime_map` are empty)",
                );
                Confidence::Low
            } else {
                Confidence::High
            };
            (log, report)
        }
        Err((line, reason)) => {
            report.add(
                line,
                "",
                Severity::Error,
                format!("not an efiviz JSON document: {reason}"),
            );
            (BootLog::default(), report)
        }
    }
}
