//! The simulation knobs the user can turn, and how they map onto the simulator's config.

use serde::{Deserialize, Serialize};

use crate::sim::{MemReserve, PlainReserve, SimConfig};

/// What a user-added reservation stands for; each enters the boot at a different point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReservationKind {
    /// ESRT: early `efi_mem_reserve`, only when it lies in Boot Data.
    Esrt,
    /// MOKvar table: early `efi_mem_reserve`.
    Mokvar,
    /// BGRT image: late `efi_mem_reserve` (after `efi_reserve_boot_services`).
    Bgrt,
    /// TPM event log: a plain config-table `memblock_reserve`.
    TpmLog,
}

impl ReservationKind {
    pub const ALL: [ReservationKind; 4] = [Self::Esrt, Self::Mokvar, Self::Bgrt, Self::TpmLog];

    pub fn name(self) -> &'static str {
        match self {
            Self::Esrt => "ESRT",
            Self::Mokvar => "MOKvar",
            Self::Bgrt => "BGRT",
            Self::TpmLog => "TPM log",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub kind: ReservationKind,
    pub addr: u64,
    pub size: u64,
}

/// Everything about the boot that the map itself does not say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knobs {
    /// The kernel image `[_text, _end)`.
    pub kernel: (u64, u64),
    pub bits32: bool,
    /// 64-bit kernel on 32-bit firmware.
    pub mixed: bool,
    pub efi_debug: bool,
    pub svam_fail: bool,
    /// A kexec'd second kernel.
    pub kexec: bool,
    pub reservations: Vec<Reservation>,
}

impl Default for Knobs {
    /// The spec's fixture conventions (kernel at 16..32 MiB, native 64-bit, nothing special).
    fn default() -> Self {
        Self::from_config(&SimConfig::default())
    }
}

/// Config-table reservations that the TPM event-log code makes (named after their caller
/// when derived from a log).
fn is_tpm(name: &str) -> bool {
    name.to_ascii_lowercase().contains("tpm")
}

impl Knobs {
    /// The knobs as `config` sets them.
    pub fn from_config(config: &SimConfig) -> Self {
        let early = config.mem_reserve_early.iter().filter_map(|r| {
            let kind = match r.name.as_str() {
                "ESRT" => ReservationKind::Esrt,
                "MOKvar" => ReservationKind::Mokvar,
                _ => return None,
            };
            Some((kind, r.addr, r.size))
        });
        let late = config
            .mem_reserve_late
            .iter()
            .map(|r| (ReservationKind::Bgrt, r.addr, r.size));
        let tpm = config
            .cfg_rsv
            .iter()
            .filter(|r| is_tpm(&r.name))
            .map(|r| (ReservationKind::TpmLog, r.addr, r.size));
        Self {
            kernel: config.kernel,
            bits32: config.bits == 32,
            mixed: config.mixed,
            efi_debug: config.efi_dbg,
            svam_fail: config.svam_fail,
            kexec: config.kexec,
            reservations: early
                .chain(late)
                .chain(tpm)
                .map(|(kind, addr, size)| Reservation { kind, addr, size })
                .collect(),
        }
    }

    /// `base` with these knobs applied; everything the knobs do not cover is kept.
    pub fn apply(&self, base: &SimConfig) -> SimConfig {
        let mut config = base.clone();
        config.kernel = self.kernel;
        config.bits = if self.bits32 { 32 } else { 64 };
        config.mixed = self.mixed;
        config.efi_dbg = self.efi_debug;
        config.svam_fail = self.svam_fail;
        config.kexec = self.kexec;
        config.mem_reserve_early.clear();
        config.mem_reserve_late.clear();
        config.cfg_rsv.retain(|r| !is_tpm(&r.name));
        for r in &self.reservations {
            let plain = PlainReserve {
                name: r.kind.name().to_owned(),
                addr: r.addr,
                size: r.size,
                kern: false,
            };
            match r.kind {
                ReservationKind::Esrt | ReservationKind::Mokvar => {
                    config.mem_reserve_early.push(MemReserve {
                        name: r.kind.name().to_owned(),
                        addr: r.addr,
                        size: r.size,
                        only_if_boot_data: r.kind == ReservationKind::Esrt,
                    });
                }
                ReservationKind::Bgrt => config.mem_reserve_late.push(plain),
                ReservationKind::TpmLog => config.cfg_rsv.push(plain),
            }
        }
        config
    }
}

/// Reads a number as the kernel command line would: `0x` hex or decimal, with an optional
/// K/M/G suffix. Used by the knob editors.
pub fn parse_number(text: &str) -> Option<u64> {
    let text = text.trim().replace('_', "");
    let (body, shift) = match text.char_indices().last() {
        Some((i, 'K' | 'k')) => (&text[..i], 10),
        Some((i, 'M' | 'm')) => (&text[..i], 20),
        Some((i, 'G' | 'g')) => (&text[..i], 30),
        _ => (text.as_str(), 0),
    };
    let value = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => body.parse().ok()?,
    };
    value.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_the_command_line() {
        assert_eq!(parse_number("0x40005000"), Some(0x4000_5000));
        assert_eq!(parse_number(" 4096 "), Some(4096));
        assert_eq!(parse_number("16M"), Some(16 << 20));
        assert_eq!(parse_number("0x1_0000"), Some(0x10000));
        assert_eq!(parse_number("0xzz"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("99999999999G"), None);
        assert_eq!(
            ReservationKind::from_name("BGRT"),
            Some(ReservationKind::Bgrt)
        );
    }

    #[test]
    fn knobs_round_trip_through_the_simulator_config() {
        let mut base = SimConfig::default();
        base.cfg_rsv.push(PlainReserve {
            name: "efi_memattr_init".to_owned(),
            addr: 0x5000_0000,
            size: 0x1000,
            kern: false,
        });
        let reservation = |kind, addr, size| Reservation { kind, addr, size };
        let knobs = Knobs {
            kernel: (0x200_0000, 0x300_0000),
            bits32: true,
            efi_debug: true,
            reservations: vec![
                reservation(ReservationKind::Esrt, 0x4000_4f98, 56),
                reservation(ReservationKind::Bgrt, 0x4000_4000, 0x3000),
                reservation(ReservationKind::TpmLog, 0x4000_6000, 0x1800),
            ],
            ..Knobs::default()
        };
        let config = knobs.apply(&base);
        assert_eq!(config.bits, 32);
        assert!(config.efi_dbg && config.mem_reserve_early[0].only_if_boot_data);
        assert_eq!(config.mem_reserve_late[0].addr, 0x4000_4000);
        // The memattr reservation the log showed is kept next to the user's TPM log.
        assert_eq!(config.cfg_rsv.len(), 2);
        assert_eq!(Knobs::from_config(&config), knobs);
    }
}
