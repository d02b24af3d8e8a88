//! A lane placed on an axis: each region's two positions in axis units and its state, worked
//! out once. Every redraw reads these instead of the regions, so it does no address-to-axis
//! lookups and streams 17 bytes a region instead of a whole `Region` (about a hundred).

use super::axis::Axis;
use super::region::{Lane, RegionState};

/// The regions of one lane as axis positions `[x0, x1)`, in the lane's order (index `i` here
/// is region `i` of the lane).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placed {
    xs: Vec<[f64; 2]>,
    states: Vec<RegionState>,
}

impl Placed {
    /// A lane without regions (a step not reached yet).
    pub fn empty() -> &'static Placed {
        static EMPTY: Placed = Placed {
            xs: Vec::new(),
            states: Vec::new(),
        };
        &EMPTY
    }

    pub fn new(lane: &Lane, axis: &Axis) -> Self {
        let mut cursor = axis.cursor(lane.regions.first().map_or(0, |r| r.start));
        let xs = lane
            .regions
            .iter()
            .map(|r| [cursor.x_of(r.start), cursor.x_of(r.end)])
            .collect();
        let states = lane.regions.iter().map(|r| r.state).collect();
        Self { xs, states }
    }

    pub fn len(&self) -> usize {
        self.xs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// Axis positions of region `i`.
    pub fn span(&self, i: usize) -> Option<[f64; 2]> {
        self.xs.get(i).copied()
    }

    /// Indices of the regions that show between axis positions `lo` and `hi`.
    pub fn visible(&self, lo: f64, hi: f64) -> std::ops::Range<usize> {
        let first = self.xs.partition_point(|&[_, x1]| x1 <= lo);
        let last = self.xs.partition_point(|&[x0, _]| x0 < hi);
        first..last.max(first)
    }

    /// Positions and states of the regions `range`, as two slices of the same length.
    pub fn slices(&self, range: std::ops::Range<usize>) -> (&[[f64; 2]], &[RegionState]) {
        (&self.xs[range.clone()], &self.states[range])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::region::Region;

    #[test]
    fn positions_are_the_axis_positions_of_each_region() {
        let lane = Lane::new(
            "t",
            vec![
                Region::new(0x1000, 0x3000, RegionState::FreeRam, ""),
                Region::new(0x3000, 0x4000, RegionState::Runtime, ""),
                // After a cut-out gap.
                Region::new(0x1000_0000, 0x1000_1000, RegionState::Acpi, ""),
            ],
        );
        let axis = Axis::compressed(&[&lane]);
        let placed = Placed::new(&lane, &axis);
        assert_eq!(placed.len(), 3);
        for (i, region) in lane.regions.iter().enumerate() {
            assert_eq!(
                placed.span(i),
                Some([axis.x_of(region.start), axis.x_of(region.end)])
            );
        }
        let (xs, states) = placed.slices(1..3);
        assert_eq!(xs.len(), 2);
        assert_eq!(states, [RegionState::Runtime, RegionState::Acpi]);
    }

    #[test]
    fn visible_is_the_regions_overlapping_the_window() {
        let regions = (0..10u64)
            .map(|i| Region::new(i << 12, (i + 1) << 12, RegionState::FreeRam, ""))
            .collect();
        let lane = Lane::new("t", regions);
        let axis = Axis::compressed(&[&lane]);
        let placed = Placed::new(&lane, &axis);
        // Every single page is one axis unit wide.
        assert_eq!(placed.visible(2.5, 4.0), 2..4);
        assert_eq!(placed.visible(3.0, 3.5), 3..4);
        assert_eq!(placed.visible(20.0, 30.0), 10..10);
    }
}
