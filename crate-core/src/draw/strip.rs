//! A one-lane strip of the firmware map at linear scale: the simplest picture of a map.

use plotters::prelude::*;

use super::palette::type_colour;
use crate::model::MemoryMap;

/// Draws every valid descriptor of `map` as a rectangle on a linear physical-address axis
/// spanning the map's lowest to highest address. Descriptors narrower than a pixel still get
/// one pixel, so nothing disappears.
pub fn draw_map_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    map: &MemoryMap,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let valid = || map.descriptors.iter().filter(|d| d.is_valid());
    let (Some(low), Some(high)) = (
        valid().map(|d| d.phys).min(),
        valid().filter_map(|d| d.end()).max(),
    ) else {
        return Ok(());
    };
    let (width, height) = area.dim_in_pixel();
    let span = (high - low) as f64;
    let to_x = |addr: u64| ((addr - low) as f64 / span * f64::from(width)) as i32;
    for desc in valid() {
        let end = desc.end().unwrap_or(high);
        let x0 = to_x(desc.phys);
        let x1 = to_x(end).max(x0 + 1);
        area.draw(&Rectangle::new(
            [(x0, 0), (x1, height as i32)],
            type_colour(desc.ty).filled(),
        ))?;
    }
    Ok(())
}
