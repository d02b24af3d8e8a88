//! Level of detail: what one lane looks like at a given zoom, in pixel columns. Regions
//! narrower than a pixel are packed together and drawn in the colour of the one that covers
//! most of the column, so a lane of 100 000 regions costs at most a few thousand rectangles.

use super::placed::Placed;
use super::region::RegionState;
use super::view::View;

/// One rectangle to draw: pixel columns `[px0, px1)`, standing for `count` regions starting
/// at index `first` of the lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    pub px0: f64,
    pub px1: f64,
    pub state: RegionState,
    pub first: usize,
    pub count: usize,
}

/// The state that covered most of a packed cell, given the width each state covered (the
/// lowest state on a tie).
fn dominant(widths: &[f64; RegionState::ALL.len()]) -> RegionState {
    let mut best = 0;
    for (i, w) in widths.iter().enumerate() {
        if *w > widths[best] {
            best = i;
        }
    }
    RegionState::ALL[best]
}

/// The cells of `lane` (placed on the view's axis) visible through `view` on a canvas
/// `width_px` wide.
pub fn cells(lane: &Placed, view: &View, width_px: f64) -> Vec<Cell> {
    // `View::to_px` with its division taken out of the loop: this runs for every region.
    let scale = width_px / view.span();
    let left = |x: f64| ((x - view.lo) * scale).max(-1.0);
    let right = |x: f64| ((x - view.lo) * scale).min(width_px + 1.0);
    let range = lane.visible(view.lo, view.hi);
    let (xs, states) = lane.slices(range.clone());
    let mut out: Vec<Cell> = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let [x0, x1] = xs[i];
        let (px0, px1) = (left(x0), right(x1));
        let mut cell = Cell {
            px0,
            px1,
            state: states[i],
            first: range.start + i,
            count: 1,
        };
        i += 1;
        if px1 - px0 < 1.0 {
            // Narrower than a pixel: pack in every following region that starts in the same
            // pixel column and is narrower than a pixel too. The test and the widths are in
            // axis units, which spares a conversion per region (only the largest width
            // matters, and scaling keeps the order).
            let column_end = view.lo + (px0.floor() + 1.0) / scale;
            let pixel = 1.0 / scale;
            let mut widths = [0.0; RegionState::ALL.len()];
            widths[cell.state as usize] = x1 - x0;
            let mut last_x1 = x1;
            while let Some(&[x0, x1]) = xs.get(i) {
                if x0 >= column_end || x1 - x0 >= pixel {
                    break;
                }
                widths[states[i] as usize] += x1 - x0;
                last_x1 = x1;
                i += 1;
            }
            cell.count = range.start + i - cell.first;
            if cell.count > 1 {
                cell.state = dominant(&widths);
            }
            // Regions are sorted and apart, so the last one packed ends the cell; a packed
            // column is at least one pixel wide, so it stays visible.
            cell.px1 = right(last_x1).max(cell.px0 + 1.0);
        }
        out.push(cell);
    }
    coalesce(out)
}

/// Joins touching packed cells of the same state, so a run of tiny regions of one kind is
/// one rectangle (fewer canvas calls); single wide regions stay separate to keep their edges.
fn coalesce(cells: Vec<Cell>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::with_capacity(cells.len());
    for cell in cells {
        match out.last_mut() {
            Some(last)
                if last.count > 1
                    && cell.count > 1
                    && last.state == cell.state
                    && cell.px0 <= last.px1 + 0.5 =>
            {
                last.px1 = last.px1.max(cell.px1);
                last.count += cell.count;
            }
            _ => out.push(cell),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::axis::Axis;
    use crate::layout::region::{Lane, Region};

    /// `n` adjacent single pages, alternating between two states.
    fn pages(n: u64) -> Lane {
        let regions = (0..n)
            .map(|i| {
                let state = if i % 3 == 0 {
                    RegionState::Runtime
                } else {
                    RegionState::FreeRam
                };
                Region::new(i * 0x1000, (i + 1) * 0x1000, state, "")
            })
            .collect();
        Lane::new("t", regions)
    }

    /// The cells of `lane` on its own compressed axis.
    fn cells_of(lane: &Lane, view: impl Fn(&Axis) -> View, width_px: f64) -> Vec<Cell> {
        let axis = Axis::compressed(&[lane]);
        cells(&Placed::new(lane, &axis), &view(&axis), width_px)
    }

    #[test]
    fn wide_regions_get_one_cell_each() {
        let lane = pages(10);
        let cells = cells_of(&lane, View::fit, 1000.0);
        assert_eq!(cells.len(), 10);
        assert_eq!((cells[3].px0, cells[3].px1), (300.0, 400.0));
        assert_eq!(cells[3].state, RegionState::Runtime);
    }

    #[test]
    fn a_hundred_thousand_regions_pack_into_pixel_columns() {
        let lane = pages(100_000);
        let cells = cells_of(&lane, View::fit, 1000.0);
        assert_eq!(cells.iter().map(|c| c.count).sum::<usize>(), 100_000);
        // Two of every three pages are free RAM, so that colour wins every column, and the
        // columns join into one rectangle.
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].state, RegionState::FreeRam);
        assert_eq!((cells[0].px0, cells[0].px1.round()), (0.0, 1000.0));
    }

    #[test]
    fn only_the_visible_window_is_laid_out() {
        let lane = pages(100);
        let cells = cells_of(&lane, |_| View { lo: 10.0, hi: 20.0 }, 100.0);
        let firsts: Vec<usize> = cells.iter().map(|c| c.first).collect();
        // Region 20 starts at the window's right edge: none of it shows.
        assert_eq!(firsts, (10..20).collect::<Vec<_>>());
    }
}
