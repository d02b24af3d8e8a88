//! The overview strip: one lane at true linear scale, with the timeline's visible window
//! marked, so the user sees where the compressed view is in the real address space.

use plotters::prelude::*;

use super::palette::state_style;
use super::theme::Theme;
use crate::layout::{Axis, Placed, View, cells};

/// Draws `lane`, placed on the linear `axis` over its extent (see `Story::overview`), across
/// the whole strip and frames `[window_start, window_end)`.
pub fn draw_overview<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    (lane, axis): (&Placed, &Axis),
    (window_start, window_end): (u64, u64),
    theme: Theme,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let ink = theme.ink();
    area.fill(&ink.background)?;
    if lane.is_empty() {
        return Ok(());
    }
    let (width, height) = area.dim_in_pixel();
    let (width_f, height) = (f64::from(width), height as i32);
    let view = View::fit(axis);
    for cell in cells(lane, &view, width_f) {
        let x0 = cell.px0.round() as i32;
        let x1 = (cell.px1.round() as i32).max(x0 + 1);
        let (colour, _) = state_style(cell.state);
        area.draw(&Rectangle::new([(x0, 0), (x1, height)], colour.filled()))?;
    }
    let px = |addr| view.to_px(axis.x_of(addr), width_f).round() as i32;
    let (x0, x1) = (px(window_start), px(window_end).max(px(window_start) + 3));
    let veil = ink.background.mix(0.65).filled();
    area.draw(&Rectangle::new([(0, 0), (x0, height)], veil))?;
    area.draw(&Rectangle::new([(x1, 0), (width as i32, height)], veil))?;
    area.draw(&Rectangle::new(
        [(x0, 0), (x1 - 1, height - 1)],
        ShapeStyle::from(&ink.text).stroke_width(2),
    ))?;
    Ok(())
}
