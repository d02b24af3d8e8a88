//! The simulation knobs the user can turn, independent of how the simulator spells them.

/// What a user-added reservation stands for; each enters the boot at a different point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub kind: ReservationKind,
    pub addr: u64,
    pub size: u64,
}

/// Everything about the boot that the map itself does not say.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The spec's fixture conventions: kernel at 16 MiB..32 MiB, native 64-bit, nothing special.
    fn default() -> Self {
        Self {
            kernel: (0x100_0000, 0x200_0000),
            bits32: false,
            mixed: false,
            efi_debug: false,
            svam_fail: false,
            kexec: false,
            reservations: Vec::new(),
        }
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
}
