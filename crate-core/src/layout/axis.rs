//! The compressed-linear address axis. Addresses run from 4 KiB pages to TiB of MMIO, so a
//! linear axis hides everything small. Instead, every interval between two region boundaries
//! gets a width that grows with the log of its size, clamped, and long stretches that no lane
//! covers are cut out and drawn as a break marker. Inside an interval the axis stays linear,
//! so every boundary keeps its exact address.

use serde::{Deserialize, Serialize};

use super::region::Lane;

/// Width, in axis units, of an interval of one 4 KiB page.
const MIN_WIDTH: f64 = 1.0;
/// No interval is wider than this, however large.
const MAX_WIDTH: f64 = 24.0;
/// Width of a cut-out gap marker.
pub const GAP_WIDTH: f64 = 3.0;
/// Uncovered stretches at least this long are cut out; shorter ones are drawn as empty space.
const GAP_MIN_BYTES: u64 = 1 << 20;

/// One interval of the axis: `[start, end)` in bytes drawn over `[x0, x1)` in axis units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start: u64,
    pub end: u64,
    pub x0: f64,
    pub x1: f64,
    /// A cut-out stretch no lane covers.
    pub gap: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    segments: Vec<Segment>,
}

/// How wide an interval of `bytes` is drawn: one unit per page, doubling size adds one unit.
fn interval_width(bytes: u64) -> f64 {
    let pages = (bytes as f64 / 4096.0).max(1.0);
    (MIN_WIDTH + pages.log2()).clamp(MIN_WIDTH, MAX_WIDTH)
}

impl Axis {
    /// The compressed axis for every boundary of every lane.
    pub fn compressed(lanes: &[&Lane]) -> Self {
        let mut cover: Vec<(u64, u64)> = lanes
            .iter()
            .flat_map(|lane| lane.regions.iter().map(|r| (r.start, r.end)))
            .collect();
        cover.sort_unstable();
        let mut bounds: Vec<u64> = cover.iter().flat_map(|&(s, e)| [s, e]).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let union = merge(cover);

        let mut segments = Vec::with_capacity(bounds.len());
        let mut x = 0.0;
        let mut u = 0;
        for pair in bounds.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            while u < union.len() && union[u].1 <= start {
                u += 1;
            }
            let covered = union.get(u).is_some_and(|&(s, _)| s <= start);
            let gap = !covered && end - start >= GAP_MIN_BYTES;
            let width = if gap {
                GAP_WIDTH
            } else {
                interval_width(end - start)
            };
            segments.push(Segment {
                start,
                end,
                x0: x,
                x1: x + width,
                gap,
            });
            x += width;
        }
        Self { segments }
    }

    /// A plain linear axis over `[start, end)`, for the overview strip (one unit per byte).
    pub fn linear(start: u64, end: u64) -> Self {
        let segments = if end > start {
            vec![Segment {
                start,
                end,
                x0: 0.0,
                x1: (end - start) as f64,
                gap: false,
            }]
        } else {
            Vec::new()
        };
        Self { segments }
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Total width in axis units.
    pub fn width(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.x1)
    }

    pub fn start(&self) -> u64 {
        self.segments.first().map_or(0, |s| s.start)
    }

    pub fn end(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.end)
    }

    /// The axis position of `addr`; addresses outside the axis clamp to its ends.
    pub fn x_of(&self, addr: u64) -> f64 {
        position(
            &self.segments,
            self.segments.partition_point(|s| s.end <= addr),
            addr,
        )
    }

    /// A cursor for positions of non-decreasing addresses, starting at `addr`: walking the
    /// segments in step is far cheaper than a binary search per address on large maps.
    pub fn cursor(&self, addr: u64) -> Cursor<'_> {
        Cursor {
            segments: &self.segments,
            i: self.segments.partition_point(|s| s.end <= addr),
        }
    }

    /// The address at axis position `x` (the inverse of [`Self::x_of`], clamped).
    pub fn addr_at(&self, x: f64) -> u64 {
        let i = self.segments.partition_point(|s| s.x1 <= x);
        match self.segments.get(i) {
            None => self.end(),
            Some(s) if x <= s.x0 => s.start,
            Some(s) => {
                let frac = (x - s.x0) / (s.x1 - s.x0);
                s.start + (frac * (s.end - s.start) as f64) as u64
            }
        }
    }

    /// The segments overlapping axis positions `[lo, hi)`.
    pub fn visible(&self, lo: f64, hi: f64) -> &[Segment] {
        let first = self.segments.partition_point(|s| s.x1 <= lo);
        let last = self.segments.partition_point(|s| s.x0 < hi);
        &self.segments[first..last.max(first)]
    }
}

/// See [`Axis::cursor`].
pub struct Cursor<'a> {
    segments: &'a [Segment],
    i: usize,
}

impl Cursor<'_> {
    /// Like [`Axis::x_of`], for an address not below the previous one.
    pub fn x_of(&mut self, addr: u64) -> f64 {
        while self.i < self.segments.len() && self.segments[self.i].end <= addr {
            self.i += 1;
        }
        position(self.segments, self.i, addr)
    }
}

/// Position of `addr` given that segment `i` is the first one ending after it.
fn position(segments: &[Segment], i: usize, addr: u64) -> f64 {
    match segments.get(i) {
        None => segments.last().map_or(0.0, |s| s.x1),
        Some(s) if addr <= s.start => s.x0,
        Some(s) => {
            let frac = (addr - s.start) as f64 / (s.end - s.start) as f64;
            s.x0 + frac * (s.x1 - s.x0)
        }
    }
}

/// Unions sorted `(start, end)` ranges.
fn merge(sorted: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::region::{Region, RegionState};

    fn lane(ranges: &[(u64, u64)]) -> Lane {
        let regions = ranges
            .iter()
            .map(|&(s, e)| Region::new(s, e, RegionState::FreeRam, ""))
            .collect();
        Lane::new("t", regions)
    }

    #[test]
    fn small_regions_stay_visible_next_to_huge_ones() {
        // A 4 KiB page beside 1 TiB of memory: linearly it would be 1/2^28 of the width.
        let lane = lane(&[(0, 0x1000), (0x1000, 0x1000 + (1 << 40))]);
        let axis = Axis::compressed(&[&lane]);
        let widths: Vec<f64> = axis.segments().iter().map(|s| s.x1 - s.x0).collect();
        assert_eq!(widths, [1.0, 24.0]);
        assert!(axis.segments().iter().all(|s| !s.gap));
    }

    #[test]
    fn long_uncovered_stretches_become_gaps_and_short_ones_do_not() {
        let lane = lane(&[
            (0, 0x1000),
            (0x2000, 0x3000),
            (0x1_0000_0000, 0x1_0000_1000),
        ]);
        let axis = Axis::compressed(&[&lane]);
        let gaps: Vec<(u64, u64)> = axis
            .segments()
            .iter()
            .filter(|s| s.gap)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(gaps, [(0x3000, 0x1_0000_0000)]);
        assert_eq!(axis.width(), 1.0 + 1.0 + 1.0 + GAP_WIDTH + 1.0);
    }

    #[test]
    fn boundaries_of_every_lane_are_kept_exactly() {
        let a = lane(&[(0, 0x10000)]);
        let b = lane(&[(0x4000, 0x5000)]);
        let axis = Axis::compressed(&[&a, &b]);
        let starts: Vec<u64> = axis.segments().iter().map(|s| s.start).collect();
        assert_eq!(starts, [0, 0x4000, 0x5000]);
        let mut cursor = axis.cursor(0);
        for addr in [0, 0x4000, 0x4800, 0x5000, 0x10000] {
            assert_eq!(axis.addr_at(axis.x_of(addr)), addr);
            assert_eq!(cursor.x_of(addr), axis.x_of(addr));
        }
    }

    #[test]
    fn positions_clamp_outside_the_axis() {
        let axis = Axis::compressed(&[&lane(&[(0x1000, 0x2000)])]);
        assert_eq!(axis.x_of(0), 0.0);
        assert_eq!(axis.x_of(u64::MAX), axis.width());
        assert_eq!(axis.addr_at(-5.0), 0x1000);
        assert_eq!(axis.addr_at(1e9), 0x2000);
        assert_eq!(Axis::default().x_of(7), 0.0);
    }
}
