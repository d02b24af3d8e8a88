//! Level of detail: what one lane looks like at a given zoom, in pixel columns. Regions
//! narrower than a pixel are packed together and drawn in the colour of the one that covers
//! most of the column, so a lane of 100 000 regions costs at most a few thousand rectangles.

use super::axis::Axis;
use super::region::{Lane, RegionState};
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

type Widths = [f64; RegionState::ALL.len()];

/// A packed cell takes the state that covered most of it (the lowest state on a tie).
fn finish((mut cell, widths): (Cell, Widths)) -> Cell {
    let mut best = 0;
    for (i, w) in widths.iter().enumerate() {
        if *w > widths[best] {
            best = i;
        }
    }
    if cell.count > 1 {
        cell.state = RegionState::ALL[best];
    }
    cell
}

/// The cells of `lane` visible through `view` on a canvas `width_px` wide.
pub fn cells(lane: &Lane, axis: &Axis, view: &View, width_px: f64) -> Vec<Cell> {
    let (lo, hi) = (axis.addr_at(view.lo), axis.addr_at(view.hi));
    let range = lane.overlapping(lo, hi.saturating_add(1));
    let mut out: Vec<Cell> = Vec::new();
    // The packed cell being built, with the width each state contributed to it.
    let mut pending: Option<(Cell, Widths)> = None;
    let mut cursor = axis.cursor(lo);
    // Adjacent regions share a boundary: reuse its position instead of computing it twice.
    let mut last_end: Option<(u64, f64)> = None;
    for i in range {
        let region = &lane.regions[i];
        let start_px = match last_end {
            Some((addr, px)) if addr == region.start => px,
            _ => view.to_px(cursor.x_of(region.start), width_px),
        };
        let end_px = view.to_px(cursor.x_of(region.end), width_px);
        last_end = Some((region.end, end_px));
        let px0 = start_px.max(-1.0);
        let px1 = end_px.min(width_px + 1.0);
        if px1 - px0 >= 1.0 {
            out.extend(pending.take().map(finish));
            out.push(Cell {
                px0,
                px1,
                state: region.state,
                first: i,
                count: 1,
            });
            continue;
        }
        let width = px1 - px0;
        match &mut pending {
            Some((cell, widths)) if px0 < cell.px0.floor() + 1.0 => {
                cell.px1 = cell.px1.max(px1);
                cell.count += 1;
                widths[region.state as usize] += width;
            }
            _ => {
                out.extend(pending.take().map(finish));
                let cell = Cell {
                    px0,
                    px1,
                    state: region.state,
                    first: i,
                    count: 1,
                };
                let mut widths = [0.0; RegionState::ALL.len()];
                widths[region.state as usize] = width;
                pending = Some((cell, widths));
            }
        }
    }
    out.extend(pending.map(finish));
    // A packed column is at least one pixel wide, so it stays visible.
    for cell in &mut out {
        cell.px1 = cell.px1.max(cell.px0 + 1.0);
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
    use crate::layout::region::Region;

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

    #[test]
    fn wide_regions_get_one_cell_each() {
        let lane = pages(10);
        let axis = Axis::compressed(&[&lane]);
        let cells = cells(&lane, &axis, &View::fit(&axis), 1000.0);
        assert_eq!(cells.len(), 10);
        assert_eq!((cells[3].px0, cells[3].px1), (300.0, 400.0));
        assert_eq!(cells[3].state, RegionState::Runtime);
    }

    #[test]
    fn a_hundred_thousand_regions_pack_into_pixel_columns() {
        let lane = pages(100_000);
        let axis = Axis::compressed(&[&lane]);
        let cells = cells(&lane, &axis, &View::fit(&axis), 1000.0);
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
        let axis = Axis::compressed(&[&lane]);
        let view = View { lo: 10.0, hi: 20.0 };
        let cells = cells(&lane, &axis, &view, 100.0);
        let firsts: Vec<usize> = cells.iter().map(|c| c.first).collect();
        assert_eq!(firsts, (10..=20).collect::<Vec<_>>());
    }
}
