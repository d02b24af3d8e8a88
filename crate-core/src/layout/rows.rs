//! Vertical placement of lanes on the chart, shared by the drawing code and hit-testing.

/// Lanes stacked top to bottom, each `height` pixels tall with `gap` pixels between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    pub height: u32,
    pub gap: u32,
}

impl Rows {
    pub const DEFAULT: Rows = Rows {
        height: 34,
        gap: 10,
    };

    /// The top pixel row of lane `i`.
    pub fn top(&self, i: usize) -> i32 {
        (i as u32 * (self.height + self.gap)) as i32
    }

    /// Total height of `n` lanes.
    pub fn total(&self, n: usize) -> u32 {
        (n as u32 * (self.height + self.gap)).saturating_sub(self.gap)
    }

    /// The lane under pixel row `y`, if `y` is on a lane and not in a gap.
    pub fn lane_at(&self, y: f64, n: usize) -> Option<usize> {
        if y < 0.0 {
            return None;
        }
        let pitch = f64::from(self.height + self.gap);
        let i = (y / pitch) as usize;
        (i < n && y - i as f64 * pitch < f64::from(self.height)).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_map_pixels_to_lanes_and_back() {
        let rows = Rows {
            height: 30,
            gap: 10,
        };
        assert_eq!(rows.top(2), 80);
        assert_eq!(rows.total(3), 110);
        assert_eq!(rows.lane_at(0.0, 3), Some(0));
        assert_eq!(rows.lane_at(29.9, 3), Some(0));
        assert_eq!(rows.lane_at(35.0, 3), None);
        assert_eq!(rows.lane_at(85.0, 3), Some(2));
        assert_eq!(rows.lane_at(125.0, 3), None);
        assert_eq!(rows.lane_at(-1.0, 3), None);
    }
}
