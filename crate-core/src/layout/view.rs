//! The visible window of the axis, and the zoom/pan/fit operations the keys and mouse map to.

use super::axis::Axis;

/// The narrowest window, in axis units (a quarter of a single page's width).
const MIN_SPAN: f64 = 0.25;

/// The visible part `[lo, hi)` of an axis, in axis units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub lo: f64,
    pub hi: f64,
}

impl View {
    /// The whole axis.
    pub fn fit(axis: &Axis) -> Self {
        Self {
            lo: 0.0,
            hi: axis.width().max(MIN_SPAN),
        }
    }

    pub fn span(&self) -> f64 {
        self.hi - self.lo
    }

    /// Zooms by `factor` (> 1 zooms in) keeping the point at `anchor` (0..1 across the
    /// window) where it is, as wheel zoom does under the mouse.
    pub fn zoom(self, factor: f64, anchor: f64, axis: &Axis) -> Self {
        if !(factor.is_finite() && factor > 0.0) {
            return self;
        }
        let anchor = anchor.clamp(0.0, 1.0);
        let pivot = self.lo + anchor * self.span();
        let span = (self.span() / factor).max(MIN_SPAN);
        Self {
            lo: pivot - anchor * span,
            hi: pivot + (1.0 - anchor) * span,
        }
        .clamped(axis)
    }

    /// Moves the window by `fraction` of its own width (negative = towards low addresses).
    pub fn pan(self, fraction: f64, axis: &Axis) -> Self {
        if !fraction.is_finite() {
            return self;
        }
        let shift = fraction * self.span();
        Self {
            lo: self.lo + shift,
            hi: self.hi + shift,
        }
        .clamped(axis)
    }

    /// A window showing `[start, end)` with a margin on each side.
    pub fn around(start: u64, end: u64, axis: &Axis) -> Self {
        let (x0, x1) = (axis.x_of(start), axis.x_of(end));
        let margin = ((x1 - x0) * 0.25).max(MIN_SPAN);
        Self {
            lo: x0 - margin,
            hi: x1 + margin,
        }
        .clamped(axis)
    }

    /// Keeps the window inside the axis without changing its width where possible.
    fn clamped(self, axis: &Axis) -> Self {
        let width = axis.width().max(MIN_SPAN);
        let span = self.span().clamp(MIN_SPAN, width);
        let lo = self.lo.clamp(0.0, width - span);
        Self { lo, hi: lo + span }
    }

    /// Pixel column of axis position `x` in a canvas `width_px` wide.
    pub fn to_px(&self, x: f64, width_px: f64) -> f64 {
        (x - self.lo) / self.span() * width_px
    }

    /// Axis position of pixel column `px`.
    pub fn from_px(&self, px: f64, width_px: f64) -> f64 {
        self.lo + px / width_px.max(1.0) * self.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::region::{Lane, Region, RegionState};

    fn axis() -> Axis {
        let regions = (0..10)
            .map(|i| Region::new(i * 0x1000, (i + 1) * 0x1000, RegionState::FreeRam, ""))
            .collect();
        Axis::compressed(&[&Lane::new("t", regions)])
    }

    #[test]
    fn zoom_keeps_the_anchor_still_and_stays_inside() {
        let axis = axis();
        let view = View::fit(&axis);
        assert_eq!(view, View { lo: 0.0, hi: 10.0 });
        let zoomed = view.zoom(2.0, 0.5, &axis);
        assert_eq!(zoomed, View { lo: 2.5, hi: 7.5 });
        let out = zoomed.zoom(0.1, 0.5, &axis);
        assert_eq!(out, view);
        assert_eq!(view.zoom(f64::NAN, 0.5, &axis), view);
    }

    #[test]
    fn pan_stops_at_the_ends() {
        let axis = axis();
        let view = View::fit(&axis).zoom(5.0, 0.0, &axis);
        assert_eq!(view, View { lo: 0.0, hi: 2.0 });
        assert_eq!(view.pan(1.0, &axis), View { lo: 2.0, hi: 4.0 });
        assert_eq!(view.pan(-3.0, &axis), view);
        assert_eq!(view.pan(100.0, &axis), View { lo: 8.0, hi: 10.0 });
    }

    #[test]
    fn around_a_region_shows_it_with_margins() {
        let axis = axis();
        let view = View::around(0x4000, 0x6000, &axis);
        assert_eq!(view, View { lo: 3.5, hi: 6.5 });
        assert_eq!(view.to_px(4.0, 300.0), 50.0);
        assert_eq!(view.from_px(50.0, 300.0), 4.0);
    }
}
