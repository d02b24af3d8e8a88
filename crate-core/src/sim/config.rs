//! Simulator knobs (spec §5.1 defaults), the scenario-file shape, `--set KEY=VALUE`, and what a
//! parsed boot log implies.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Attributes, BootLog, Descriptor, E820Entry, E820Type, MemoryMap, MemoryType};

use super::ranges::ONE_MIB;

/// An `efi_mem_reserve` caller (ESRT, MOKvar, BGRT).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemReserve {
    pub name: String,
    pub addr: u64,
    pub size: u64,
    /// The ESRT rule: only reserve when `addr` lies in a Boot Data descriptor.
    pub only_if_boot_data: bool,
}

/// A reservation made while parsing config tables or by early setup code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainReserve {
    pub name: String,
    pub addr: u64,
    pub size: u64,
    /// Reserved with `memblock_reserve_kern` (initrd, setup_data: correction N1).
    pub kern: bool,
}

/// Every knob of one simulated boot. Field names are the `config` keys of scenarios.json.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Kernel word size: 64 or 32.
    pub bits: u32,
    /// 64-bit kernel on 32-bit firmware.
    pub mixed: bool,
    /// `efi=debug`.
    pub efi_dbg: bool,
    /// SetVirtualAddressMap returns an error.
    pub svam_fail: bool,
    /// Booted by kexec (`efi_setup` set): the map is the previous kernel's final map.
    pub kexec: bool,
    /// `[_text, _end)`.
    pub kernel: (u64, u64),
    /// Physical address of the firmware memmap buffer.
    pub memmap: u64,
    pub desc_size: u32,
    /// `real_mode_size_needed()`.
    pub rm_size: u64,
    /// Start of the BIOS/EBDA reservation up to 1 MiB.
    pub bios_start: u64,
    /// An explicit firmware e820 table instead of the one derived from the EFI map.
    pub e820: Option<Vec<E820Entry>>,
    /// `mem=` limit in bytes.
    pub mem_limit: Option<u64>,
    /// Early `efi_mem_reserve` calls (memblock limit 1 MiB).
    pub mem_reserve_early: Vec<MemReserve>,
    /// Late `efi_mem_reserve` calls (after `init_mem_mapping`).
    pub mem_reserve_late: Vec<PlainReserve>,
    /// Config-table reservations: TPM log, MEMATTR, MEMRESERVE.
    pub cfg_rsv: Vec<PlainReserve>,
    /// Early setup reservations: initrd, setup_data, brk.
    pub early_rsv: Vec<PlainReserve>,
    /// `CONFIG_EFI_SOFT_RESERVE` (SP conventional memory is soft-reserved and not mapped).
    pub soft_reserve: bool,
    /// `NR_CPUS`, which sizes the static `memblock.reserved` array (D20).
    pub nr_cpus: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bits: 64,
            mixed: false,
            efi_dbg: false,
            svam_fail: false,
            kexec: false,
            kernel: (0x100_0000, 0x200_0000),
            memmap: 0x200_0018,
            desc_size: 48,
            rm_size: 0x6000,
            bios_start: 0x9_f000,
            e820: None,
            mem_limit: None,
            mem_reserve_early: Vec::new(),
            mem_reserve_late: Vec::new(),
            cfg_rsv: Vec::new(),
            early_rsv: Vec::new(),
            soft_reserve: true,
            nr_cpus: 64,
        }
    }
}

/// A firmware map plus knobs: everything [`super::simulate`] needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimInput {
    pub config: SimConfig,
    /// The firmware map in firmware order (never sorted).
    pub descs: Vec<Descriptor>,
    /// Display ids, one per descriptor (`B0`, `mem12`, …); split pieces append `a`, `b`, ….
    /// Shared with every entry and mapping the simulation makes, never copied.
    pub ids: Vec<Arc<str>>,
}

fn num(v: &Value) -> Result<u64, String> {
    match v {
        Value::Number(n) => n.as_u64().ok_or_else(|| format!("not a u64: {n}")),
        Value::String(s) => parse_u64(s),
        other => Err(format!("expected a number, got {other}")),
    }
}

/// Decimal or `0x` hex.
pub fn parse_u64(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("not a number: `{s}`"))
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim() {
        "true" | "1" | "yes" | "on" | "True" => Ok(true),
        "false" | "0" | "no" | "off" | "False" => Ok(false),
        other => Err(format!("not a boolean: `{other}`")),
    }
}

fn arr(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected an array, got {v}"))
}

fn item(a: &[Value], i: usize) -> Result<&Value, String> {
    a.get(i).ok_or_else(|| format!("missing element {i}"))
}

fn name_of(v: &Value) -> String {
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string())
}

impl SimConfig {
    /// Applies one scenarios.json config key with a JSON value.
    pub fn set_json(&mut self, key: &str, v: &Value) -> Result<(), String> {
        let as_bool = |v: &Value| match v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) => parse_bool(s),
            Value::Number(n) => Ok(n.as_u64() != Some(0)),
            other => Err(format!("expected a boolean, got {other}")),
        };
        match key {
            "bits" => {
                self.bits = match num(v)? {
                    32 => 32,
                    64 => 64,
                    n => return Err(format!("bits must be 32 or 64, not {n}")),
                }
            }
            "mixed" => self.mixed = as_bool(v)?,
            "efi_dbg" => self.efi_dbg = as_bool(v)?,
            "svam_fail" => self.svam_fail = as_bool(v)?,
            "kexec" => self.kexec = as_bool(v)?,
            "soft_reserve" => self.soft_reserve = as_bool(v)?,
            "kernel" => {
                let a = arr(v)?;
                self.kernel = (num(item(a, 0)?)?, num(item(a, 1)?)?);
            }
            "memmap" => self.memmap = num(v)?,
            "desc_size" => {
                self.desc_size = u32::try_from(num(v)?)
                    .ok()
                    .filter(|&d| d >= 40)
                    .ok_or("desc_size must be at least 40")?
            }
            "rm_size" => self.rm_size = num(v)?,
            "bios_start" => self.bios_start = num(v)?.min(ONE_MIB),
            "nr_cpus" => self.nr_cpus = u32::try_from(num(v)?).map_err(|e| e.to_string())?,
            "mem" | "mem_limit" => self.mem_limit = if v.is_null() { None } else { Some(num(v)?) },
            "e820" => {
                self.e820 = if v.is_null() {
                    None
                } else {
                    Some(
                        arr(v)?
                            .iter()
                            .map(|e| {
                                let e = arr(e)?;
                                Ok(E820Entry {
                                    start: num(item(e, 0)?)?,
                                    end: num(item(e, 1)?)?,
                                    kind: E820Type(
                                        u32::try_from(num(item(e, 2)?)?)
                                            .map_err(|x| x.to_string())?,
                                    ),
                                })
                            })
                            .collect::<Result<_, String>>()?,
                    )
                }
            }
            "mem_reserve_early" => {
                self.mem_reserve_early = arr(v)?
                    .iter()
                    .map(|e| {
                        let e = arr(e)?;
                        Ok(MemReserve {
                            name: name_of(item(e, 0)?),
                            addr: num(item(e, 1)?)?,
                            size: num(item(e, 2)?)?,
                            only_if_boot_data: e.get(3).map(as_bool).transpose()?.unwrap_or(false),
                        })
                    })
                    .collect::<Result<_, String>>()?
            }
            "mem_reserve_late" | "cfg_rsv" | "early_rsv" => {
                let list = arr(v)?
                    .iter()
                    .map(|e| {
                        let e = arr(e)?;
                        Ok(PlainReserve {
                            name: name_of(item(e, 0)?),
                            addr: num(item(e, 1)?)?,
                            size: num(item(e, 2)?)?,
                            kern: e
                                .get(3)
                                .map(as_bool)
                                .transpose()?
                                .unwrap_or(key == "early_rsv"),
                        })
                    })
                    .collect::<Result<_, String>>()?;
                match key {
                    "mem_reserve_late" => self.mem_reserve_late = list,
                    "cfg_rsv" => self.cfg_rsv = list,
                    _ => self.early_rsv = list,
                }
            }
            other => return Err(format!("unknown config key `{other}`")),
        }
        Ok(())
    }

    /// `--set KEY=VALUE`: VALUE is JSON in the scenarios.json shape, or a plain form
    /// (`0x1000`, `true`, `0x1000000,0x2000000` for pairs, `NAME:ADDR:SIZE;…` for lists,
    /// `START-END:TYPE;…` for e820).
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("`{assignment}`: expected KEY=VALUE"))?;
        let key = key.trim();
        let value = value.trim();
        if let Ok(v) = serde_json::from_str::<Value>(value) {
            if self.set_json(key, &v).is_ok() {
                return Ok(());
            }
        }
        let v = match key {
            "kernel" => {
                let (a, b) = value.split_once(',').ok_or("kernel=START,END expected")?;
                Value::Array(vec![Value::String(a.into()), Value::String(b.into())])
            }
            "e820" => Value::Array(
                split_list(value)
                    .map(|e| {
                        let (r, t) = e.split_once(':').ok_or("e820=START-END:TYPE;… expected")?;
                        let (s, x) = r.split_once('-').ok_or("e820=START-END:TYPE;… expected")?;
                        Ok(serde_json::json!([
                            parse_u64(s)?,
                            parse_u64(x)?,
                            parse_u64(t)?
                        ]))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            "mem_reserve_early" | "mem_reserve_late" | "cfg_rsv" | "early_rsv" => Value::Array(
                split_list(value)
                    .map(|e| {
                        let parts: Vec<&str> = e.split(':').collect();
                        let [name, addr, size, rest @ ..] = parts.as_slice() else {
                            return Err(format!("{key}=NAME:ADDR:SIZE[:FLAG];… expected"));
                        };
                        let mut item = vec![
                            Value::String((*name).into()),
                            Value::String((*addr).into()),
                            Value::String((*size).into()),
                        ];
                        if let Some(flag) = rest.first() {
                            item.push(Value::Bool(parse_bool(flag)?));
                        }
                        Ok(Value::Array(item))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            _ => match parse_bool(value) {
                Ok(b) if !value.chars().all(|c| c.is_ascii_digit()) => Value::Bool(b),
                _ => Value::String(value.into()),
            },
        };
        self.set_json(key, &v)
            .map_err(|e| format!("--set {key}: {e}"))
    }
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty())
}

impl SimInput {
    /// Reads the `{config, descs}` shape of one scenarios.json entry.
    pub fn from_scenario(v: &Value) -> Result<Self, String> {
        let mut config = SimConfig::default();
        if let Some(cfg) = v.get("config").and_then(Value::as_object) {
            for (k, val) in cfg {
                config
                    .set_json(k, val)
                    .map_err(|e| format!("config.{k}: {e}"))?;
            }
        }
        let mut descs = Vec::new();
        let mut ids = Vec::new();
        for (i, d) in arr(v.get("descs").ok_or("missing `descs`")?)?
            .iter()
            .enumerate()
        {
            let field = |k: &str| d.get(k).ok_or_else(|| format!("descs[{i}]: missing `{k}`"));
            let ty = match field("type")? {
                Value::String(s) => MemoryType::from_short_name(s)
                    .or_else(|| {
                        s.strip_prefix("type=")
                            .and_then(|n| n.parse().ok())
                            .map(MemoryType)
                    })
                    .ok_or_else(|| format!("descs[{i}]: unknown type `{s}`"))?,
                other => MemoryType(u32::try_from(num(other)?).map_err(|e| e.to_string())?),
            };
            descs.push(Descriptor {
                ty,
                phys: num(field("phys")?)?,
                num_pages: num(field("pages")?)?,
                virt: d.get("virt").map(num).transpose()?.unwrap_or(0),
                attr: Attributes(num(field("attr")?)?),
            });
            ids.push(
                d.get("id")
                    .map(name_of)
                    .unwrap_or_else(|| format!("mem{i:02}"))
                    .into(),
            );
        }
        Ok(Self { config, descs, ids })
    }

    /// A map with kernel-style ids `memNN` and default knobs.
    pub fn from_map(map: &MemoryMap) -> Self {
        let config = SimConfig {
            desc_size: map.desc_size.max(40),
            ..SimConfig::default()
        };
        Self {
            config,
            descs: map.descriptors.clone(),
            ids: (0..map.descriptors.len())
                .map(|i| format!("mem{i:02}").into())
                .collect(),
        }
    }

    /// Everything a parsed log says: the firmware map, e820, command line (`efi=debug`, `mem=`),
    /// the ESRT, and — when `memblock=debug` was on — the memmap buffer, kernel image, trampoline
    /// size, config-table reservations and the BGRT image. Missing facts keep their defaults.
    pub fn from_boot_log(log: &BootLog) -> Option<Self> {
        let map = log.map.as_ref()?;
        let mut input = Self::from_map(map);
        super::derive::apply_boot_log(&mut input.config, &input.descs, log);
        Some(input)
    }
}
