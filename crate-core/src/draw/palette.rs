//! Colours: the Okabe-Ito palette, which stays distinguishable under the common forms of
//! colour blindness.

use plotters::style::RGBColor;

use crate::model::MemoryType;

/// Black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
];

/// The colour of a firmware memory type in the map strip.
pub fn type_colour(ty: MemoryType) -> RGBColor {
    match ty {
        MemoryType::CONVENTIONAL => OKABE_ITO[3],
        MemoryType::BOOT_SERVICES_CODE | MemoryType::BOOT_SERVICES_DATA => OKABE_ITO[1],
        MemoryType::RUNTIME_SERVICES_CODE | MemoryType::RUNTIME_SERVICES_DATA => OKABE_ITO[6],
        MemoryType::LOADER_CODE | MemoryType::LOADER_DATA => OKABE_ITO[2],
        MemoryType::ACPI_RECLAIM | MemoryType::ACPI_NVS => OKABE_ITO[7],
        MemoryType::MMIO | MemoryType::MMIO_PORT_SPACE => OKABE_ITO[5],
        MemoryType::PERSISTENT | MemoryType::UNACCEPTED => OKABE_ITO[4],
        _ => OKABE_ITO[0],
    }
}
