//! Axis labels: exact boundary addresses, thinned so they do not overlap.

use super::axis::Axis;
use super::view::View;

/// One label: the pixel column and the exact address of a boundary; `gap` marks the start
/// of a cut-out stretch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tick {
    pub px: f64,
    pub addr: u64,
    pub gap: bool,
}

/// Boundaries visible through `view`, at least `spacing` pixels apart, left to right.
pub fn ticks(axis: &Axis, view: &View, width_px: f64, spacing: f64) -> Vec<Tick> {
    let mut out: Vec<Tick> = Vec::new();
    let segments = axis.visible(view.lo, view.hi);
    let last = segments.last().map(|s| (s.x1, s.end));
    let points = segments
        .iter()
        .map(|s| (s.x0, s.start, s.gap))
        .chain(last.map(|(x, addr)| (x, addr, false)));
    for (x, addr, gap) in points {
        let px = view.to_px(x, width_px);
        if !(0.0..=width_px).contains(&px) {
            continue;
        }
        if out.last().is_none_or(|t| px - t.px >= spacing) {
            out.push(Tick { px, addr, gap });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::region::{Lane, Region, RegionState};

    #[test]
    fn labels_are_exact_boundaries_spaced_apart() {
        let regions = (0..8)
            .map(|i| Region::new(i * 0x1000, (i + 1) * 0x1000, RegionState::FreeRam, ""))
            .collect();
        let lane = Lane::new("t", regions);
        let axis = Axis::compressed(&[&lane]);
        let view = View::fit(&axis);
        let all = ticks(&axis, &view, 800.0, 50.0);
        let addrs: Vec<u64> = all.iter().map(|t| t.addr).collect();
        assert_eq!(addrs, (0..=8).map(|i| i * 0x1000).collect::<Vec<_>>());
        let thinned = ticks(&axis, &view, 800.0, 150.0);
        let addrs: Vec<u64> = thinned.iter().map(|t| t.addr).collect();
        assert_eq!(addrs, [0, 0x2000, 0x4000, 0x6000, 0x8000]);
    }
}
