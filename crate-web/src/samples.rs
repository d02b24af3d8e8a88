//! The sample gallery: real maps from the shared fixtures and spec scenarios that show the
//! interesting OLD/NEW differences. Texts are compiled in, so the gallery works offline.

use efiviz_core::layout::{Reservation, ReservationKind};

pub struct Sample {
    pub id: &'static str,
    pub title: &'static str,
    pub blurb: &'static str,
    pub text: &'static str,
    /// Reservations the scenario's boot makes (the map alone does not say).
    pub reservations: &'static [(ReservationKind, u64, u64)],
}

impl Sample {
    /// The reservations this sample's boot makes, for the knobs.
    pub fn reservations(&self) -> Vec<Reservation> {
        self.reservations
            .iter()
            .map(|&(kind, addr, size)| Reservation { kind, addr, size })
            .collect()
    }
}

macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!("../../../shared/fixtures/", $path))
    };
}

pub const SAMPLES: &[Sample] = &[
    Sample {
        id: "qemu-ovmf",
        title: "QEMU q35 + OVMF (real boot)",
        blurb: "Debian 6.12 under QEMU/OVMF, 1 GiB, efi=debug memblock=debug serial log",
        text: fixture!("truth/q35-1G-D/serial.log"),
        reservations: &[],
    },
    Sample {
        id: "zenbook",
        title: "ASUS ZenBook UX391FA laptop",
        blurb: "AMI firmware with ESRT and TPM log, 5.3 kernel, efi=debug",
        text: fixture!("real/10-asus-ux391fa-ami-esrt-tpm-no-timestamps.txt"),
        reservations: &[],
    },
    Sample {
        id: "z77x",
        title: "Gigabyte Z77X desktop (also boots OS X)",
        blurb: "AMI firmware, 187 entries, 3.11 kernel",
        text: fixture!("real/26-gigabyte-z77x-up5-ami-187-entries.txt"),
        reservations: &[],
    },
    Sample {
        id: "nutanix",
        title: "Nutanix AHV server VM",
        blurb: "OVMF on a hypervisor, RHEL 7, quoted-printable mail archive",
        text: fixture!("real/11-nutanix-ahv-ovmf-rhel7-quoted-printable.txt"),
        reservations: &[],
    },
    Sample {
        id: "uefi-shell",
        title: "UEFI shell memmap (QEMU 128 MiB)",
        blurb: "The firmware's own view, before Linux runs",
        text: fixture!("real/14-qemu-ovmf-128m-uefi-shell-memmap.txt"),
        reservations: &[],
    },
    Sample {
        id: "s01",
        title: "Spec S01: plain map",
        blurb: "Baseline: both kernels free the same pages",
        text: include_str!("../samples/s01-plain.txt"),
        reservations: &[],
    },
    Sample {
        id: "s02",
        title: "Spec S02: ESRT split",
        blurb: "ESRT inside Boot Data: OLD splits the entry three ways",
        text: include_str!("../samples/s02-esrt-middle.txt"),
        reservations: &[(ReservationKind::Esrt, 0x4000_4f98, 56)],
    },
    Sample {
        id: "s12",
        title: "Spec S12: BGRT in Boot Code",
        blurb: "OLD cannot split Boot Code and frees the BGRT image",
        text: include_str!("../samples/s12-bgrt-in-bscode.txt"),
        reservations: &[(ReservationKind::Bgrt, 0x4000_4000, 0x3000)],
    },
    Sample {
        id: "s06",
        title: "Spec S06: BS straddling 1 MiB",
        blurb: "A Boot Services region across the 1 MiB line",
        text: include_str!("../samples/s06-straddle-1m.txt"),
        reservations: &[],
    },
    Sample {
        id: "s14",
        title: "Spec S14: Runtime Data below 1 MiB",
        blurb: "NEW drops the runtime entry from the final map",
        text: include_str!("../samples/s14-rt-below-1m.txt"),
        reservations: &[],
    },
    Sample {
        id: "s08",
        title: "Spec S08: Boot Code at page 0",
        blurb: "NEW unmaps page 0 from the EFI page table",
        text: include_str!("../samples/s08-page0.txt"),
        reservations: &[],
    },
    Sample {
        id: "s19",
        title: "Spec S19: efi=debug",
        blurb: "OLD keeps every Boot Services region; NEW still unmaps",
        text: include_str!("../samples/s19-efi-debug.txt"),
        reservations: &[],
    },
    Sample {
        id: "s17",
        title: "Spec S17: memmap tail",
        blurb: "200 one-page BS entries: OLD reallocates, NEW frees the tail",
        text: include_str!("../samples/s17-memmap-tail.txt"),
        reservations: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_samples_carry_the_spec_reservations() {
        let json: serde_json::Value =
            serde_json::from_str(fixture!("scenarios.json")).expect("scenarios.json parses");
        for (id, key, scenario) in [
            ("s02", "mem_reserve_early", "S02_esrt_middle"),
            ("s12", "mem_reserve_late", "S12_bgrt_in_bscode"),
        ] {
            let sample = SAMPLES.iter().find(|s| s.id == id).expect("sample");
            let spec = &json[scenario]["config"][key][0];
            let (kind, addr, size) = sample.reservations[0];
            assert_eq!(spec[0].as_str(), Some(kind.name()), "{id}");
            assert_eq!(spec[1].as_u64(), Some(addr), "{id}");
            assert_eq!(spec[2].as_u64(), Some(size), "{id}");
        }
    }

    #[test]
    fn ids_are_unique_and_there_are_at_least_eight() {
        assert!(SAMPLES.len() >= 8);
        for (i, s) in SAMPLES.iter().enumerate() {
            assert!(SAMPLES[i + 1..].iter().all(|t| t.id != s.id), "{}", s.id);
        }
    }
}
