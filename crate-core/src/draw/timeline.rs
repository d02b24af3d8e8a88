//! The timeline: one lane per step, x = physical address on the compressed axis.

use plotters::prelude::*;

use super::palette::state_style;
use super::pattern::draw_pattern;
use super::theme::Theme;
use crate::layout::{Axis, Kernel, Placed, RegionState, Rows, Step, View, cells};

/// Everything one frame of the timeline shows.
pub struct TimelineScene<'a> {
    /// The lanes, top to bottom, placed on `axis`.
    pub lanes: &'a [&'a Placed],
    pub axis: &'a Axis,
    pub view: View,
    pub rows: Rows,
    /// Per lane, byte ranges to mark as differing from a neighbour (compare mode).
    pub marks: &'a [&'a [(u64, u64)]],
    /// `(lane, region index)` of the selected and hovered regions.
    pub selected: Option<(usize, usize)>,
    pub hovered: Option<(usize, usize)>,
    pub theme: Theme,
}

/// Compare mode's marks for the lanes `rows` (as `(step, kernel)`): each NEW lane directly
/// under the OLD lane of the same step gets the byte ranges where the two differ, up to step
/// `upto` (later lanes are drawn empty).
pub fn compare_marks<'s>(
    rows: &[(usize, Kernel)],
    steps: &'s [Step],
    upto: usize,
) -> Vec<&'s [(u64, u64)]> {
    rows.iter()
        .enumerate()
        .map(|(i, &(step, kernel))| match i.checked_sub(1) {
            Some(above)
                if kernel == Kernel::New && rows[above] == (step, Kernel::Old) && step <= upto =>
            {
                steps.get(step).map_or(&[][..], Step::differing)
            }
            _ => &[],
        })
        .collect()
}

/// Pattern ink that shows on `colour`: dark on light fills, light on dark ones.
fn ink_for(colour: RGBColor) -> RGBAColor {
    let luma =
        0.299 * f64::from(colour.0) + 0.587 * f64::from(colour.1) + 0.114 * f64::from(colour.2);
    if luma > 110.0 {
        BLACK.mix(0.5)
    } else {
        WHITE.mix(0.7)
    }
}

/// Draws the scene; returns how many rectangles the lanes took (after level-of-detail packing).
pub fn draw_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    scene: &TimelineScene,
) -> Result<usize, DrawingAreaErrorKind<DB::ErrorType>> {
    let ink = scene.theme.ink();
    area.fill(&ink.background)?;
    let (width, _) = area.dim_in_pixel();
    let width = f64::from(width);
    let rows = scene.rows;
    // Every lane's cells as pixel boxes `(state, x0, x1, y0, y1)`.
    let mut boxes: Vec<(RegionState, i32, i32, i32, i32)> = Vec::new();
    let mut drawn = 0;
    for (i, lane) in scene.lanes.iter().enumerate() {
        let y0 = rows.top(i);
        let y1 = y0 + rows.height as i32;
        area.draw(&Rectangle::new(
            [(0, y0), (width as i32, y1)],
            ink.lane.filled(),
        ))?;
        let lane_cells = cells(lane, &scene.view, width);
        drawn += lane_cells.len();
        let lane_start = boxes.len();
        for cell in lane_cells {
            let x0 = cell.px0.round() as i32;
            let x1 = (cell.px1.round() as i32).max(x0 + 1);
            // A packed column widened to one pixel may reach into the next cell, which used
            // to be drawn over it: clip it there instead, so no two boxes overlap.
            if boxes.len() > lane_start {
                let last = boxes.len() - 1;
                boxes[last].2 = boxes[last].2.min(x0);
                if boxes[last].2 <= boxes[last].1 {
                    boxes.pop();
                }
            }
            boxes.push((cell.state, x0, x1, y0, y1));
        }
    }
    // The boxes are disjoint, so filling them grouped by colour paints the same picture, and
    // the canvas changes its fill colour once per colour instead of once per box.
    for colour in RegionState::ALL {
        let style = state_style(colour).0.filled();
        for &(_, x0, x1, y0, y1) in boxes.iter().filter(|b| b.0 == colour) {
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], style))?;
        }
    }
    for &(state, x0, x1, y0, y1) in &boxes {
        // Narrower than a pattern period, a pattern is noise; the colour says enough.
        if x1 - x0 >= 3 {
            let (colour, pattern) = state_style(state);
            draw_pattern(area, (x0, y0, x1, y1), pattern, &ink_for(colour))?;
        }
        // A hairline between wide neighbours shows where one region ends.
        if x1 - x0 >= 4 {
            area.draw(&PathElement::new([(x0, y0), (x0, y1 - 1)], ink.hairline))?;
        }
    }
    for (i, marks) in scene.marks.iter().enumerate() {
        draw_marks(area, scene, marks, rows.top(i), width)?;
    }
    draw_gaps(area, scene, width)?;
    for (target, thick, colour) in [(scene.hovered, 1, ink.hover), (scene.selected, 3, ink.text)] {
        if let Some((lane, index)) = target {
            outline(area, scene, lane, index, thick, colour, width)?;
        }
    }
    Ok(drawn)
}

/// A bar in the text ink just above the lane under every differing byte range.
fn draw_marks<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    scene: &TimelineScene,
    marks: &[(u64, u64)],
    y0: i32,
    width: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let first = marks.partition_point(|&(_, e)| scene.axis.x_of(e) <= scene.view.lo);
    for &(start, end) in &marks[first..] {
        let x0 = scene.view.to_px(scene.axis.x_of(start), width);
        if x0 > width {
            break;
        }
        let x1 = scene.view.to_px(scene.axis.x_of(end), width).max(x0 + 2.0);
        area.draw(&Rectangle::new(
            [(x0.round() as i32, y0 - 5), (x1.round() as i32, y0 - 1)],
            scene.theme.ink().text.filled(),
        ))?;
    }
    Ok(())
}

/// Cut-out gaps: a band of background across every lane with a double slash, like a broken axis.
fn draw_gaps<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    scene: &TimelineScene,
    width: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let ink = scene.theme.ink();
    let bottom = scene.rows.total(scene.lanes.len()) as i32;
    for gap in scene
        .axis
        .visible(scene.view.lo, scene.view.hi)
        .iter()
        .filter(|s| s.gap)
    {
        let x0 = scene.view.to_px(gap.x0, width).round() as i32;
        let x1 = (scene.view.to_px(gap.x1, width).round() as i32).max(x0 + 6);
        area.draw(&Rectangle::new(
            [(x0, 0), (x1, bottom)],
            ink.background.filled(),
        ))?;
        let mid = (x0 + x1) / 2;
        let style = ShapeStyle::from(&ink.gap).stroke_width(2);
        for dx in [-3, 3] {
            area.draw(&PathElement::new(
                [(mid + dx - 3, bottom), (mid + dx + 3, 0)],
                style,
            ))?;
        }
    }
    Ok(())
}

/// A frame around one region (clipped to the canvas).
fn outline<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    scene: &TimelineScene,
    lane: usize,
    index: usize,
    thick: u32,
    colour: RGBColor,
    width: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let Some([start, end]) = scene.lanes.get(lane).and_then(|l| l.span(index)) else {
        return Ok(());
    };
    let px = |x| scene.view.to_px(x, width).clamp(-4.0, width + 4.0).round() as i32;
    let x0 = px(start);
    let x1 = px(end).max(x0 + 2);
    let y0 = scene.rows.top(lane) - 2;
    let y1 = y0 + scene.rows.height as i32 + 4;
    let style = ShapeStyle::from(&colour).stroke_width(thick);
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], style))?;
    Ok(())
}
