//! The firmware map as a lane: what each descriptor is before the kernel touches anything.

use super::region::{Lane, Region, RegionState};
use super::units::hex;
use crate::model::{Attributes, Descriptor, MemoryType};

/// The display state of a firmware memory type.
pub fn type_state(ty: MemoryType) -> RegionState {
    match ty {
        MemoryType::CONVENTIONAL => RegionState::FreeRam,
        MemoryType::LOADER_CODE | MemoryType::LOADER_DATA => RegionState::Loader,
        t if t.is_boot_services() => RegionState::BootServices,
        MemoryType::RUNTIME_SERVICES_CODE | MemoryType::RUNTIME_SERVICES_DATA => {
            RegionState::Runtime
        }
        MemoryType::ACPI_RECLAIM | MemoryType::ACPI_NVS => RegionState::Acpi,
        _ => RegionState::Reserved,
    }
}

/// Attribute bits as the kernel's tokens (`RUN|WB|WT|WC|UC`), plus any unknown bits in hex.
pub fn attr_tokens(attr: Attributes) -> String {
    let mut tokens: Vec<String> = Attributes::COLUMNS
        .iter()
        .filter(|(bit, _, _)| attr.contains(*bit))
        .map(|(_, name, _)| (*name).to_owned())
        .collect();
    let unknown = attr.0 & !Attributes::KNOWN_MASK;
    if unknown != 0 {
        tokens.push(format!("{unknown:#x}"));
    }
    if tokens.is_empty() {
        "none".to_owned()
    } else {
        tokens.join("|")
    }
}

/// The region for descriptor `index`, with the facts the details panel lists.
pub fn descriptor_region(index: usize, desc: &Descriptor) -> Option<Region> {
    let end = desc.end().filter(|_| desc.is_valid())?;
    let region = Region::new(desc.phys, end, type_state(desc.ty), desc.ty.display_name())
        .with_fact("Descriptor", format!("mem{index:02}"))
        .with_fact(
            "Type",
            format!("{} ({})", desc.ty.display_name(), desc.ty.0),
        )
        .with_fact(
            "Attributes",
            format!("{} ({:#x})", attr_tokens(desc.attr), desc.attr.0),
        );
    Some(if desc.virt != 0 {
        region.with_fact("VA", hex(desc.virt))
    } else {
        region
    })
}

/// One lane with every valid descriptor; invalid (empty or overflowing) ones are left out.
pub fn firmware_lane(label: &str, descs: &[Descriptor]) -> Lane {
    let regions = descs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| descriptor_region(i, d))
        .map(|r| r.with_note("as the firmware described it"))
        .collect();
    Lane::new(label, regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(ty: MemoryType, phys: u64, num_pages: u64, attr: u64) -> Descriptor {
        Descriptor {
            ty,
            phys,
            num_pages,
            virt: 0,
            attr: Attributes(attr),
        }
    }

    #[test]
    fn descriptors_become_regions_with_their_facts() {
        let descs = [
            desc(MemoryType::CONVENTIONAL, 0, 0x9f, 0xf),
            desc(
                MemoryType::RUNTIME_SERVICES_DATA,
                0x7f100000,
                0x100,
                (1 << 63) | 0xf,
            ),
            desc(MemoryType::BOOT_SERVICES_DATA, 0x40000000, 0, 0xf),
            desc(MemoryType(0x7000_0001), 0x9f000, 0x61, 0x4000 | (1 << 40)),
        ];
        let lane = firmware_lane("firmware", &descs);
        let states: Vec<_> = lane.regions.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [
                RegionState::FreeRam,
                RegionState::Reserved,
                RegionState::Runtime
            ]
        );
        assert_eq!(lane.regions[2].end, 0x7f200000);
        assert_eq!(
            lane.regions[2].facts[2].1,
            "RUN|WB|WT|WC|UC (0x800000000000000f)"
        );
        assert_eq!(lane.regions[1].label, "type=1879048193");
        assert_eq!(
            lane.regions[1].facts[2].1,
            "XP|0x10000000000 (0x10000004000)"
        );
    }
}
