//! Painting states onto a lane: later layers override earlier ones over exact byte ranges,
//! splitting regions where a layer starts or ends inside them.

use std::collections::BTreeMap;

use super::region::{Lane, Region, RegionState};

/// A lane under construction, keyed by region start.
pub struct Painter {
    regions: BTreeMap<u64, Region>,
}

impl Painter {
    pub fn new(base: &Lane) -> Self {
        Self {
            regions: base.regions.iter().map(|r| (r.start, r.clone())).collect(),
        }
    }

    /// Gives `[start, end)` the state `state` and the reason `note`, wherever the current
    /// region there satisfies `only`; uncovered addresses stay uncovered.
    pub fn paint(
        &mut self,
        (start, end): (u64, u64),
        state: RegionState,
        note: &str,
        only: impl Fn(&Region) -> bool,
    ) {
        if start >= end {
            return;
        }
        let hit: Vec<u64> = self
            .regions
            .range(..end)
            .rev()
            .take_while(|(_, r)| r.end > start)
            .filter(|(_, r)| only(r))
            .map(|(&s, _)| s)
            .collect();
        for key in hit {
            let Some(region) = self.regions.remove(&key) else {
                continue;
            };
            let (lo, hi) = (region.start.max(start), region.end.min(end));
            if region.start < lo {
                self.insert(region.start, lo, &region);
            }
            if hi < region.end {
                self.insert(hi, region.end, &region);
            }
            let mut painted = region;
            painted.start = lo;
            painted.end = hi;
            painted.state = state;
            painted.note = note.to_owned();
            self.regions.insert(lo, painted);
        }
    }

    fn insert(&mut self, start: u64, end: u64, like: &Region) {
        let mut piece = like.clone();
        piece.start = start;
        piece.end = end;
        self.regions.insert(start, piece);
    }

    /// Mutable access to every region, in address order (to add facts after painting).
    pub fn regions_mut(&mut self) -> impl Iterator<Item = &mut Region> {
        self.regions.values_mut()
    }

    pub fn finish(self, label: &str) -> Lane {
        Lane::new(label, self.regions.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegionState::*;

    #[test]
    fn layers_split_regions_at_exact_bytes() {
        let base = Lane::new(
            "base",
            vec![
                Region::new(0, 0x10000, BootServices, "Boot Data"),
                Region::new(0x20000, 0x30000, FreeRam, "Conventional"),
            ],
        );
        let mut painter = Painter::new(&base);
        painter.paint((0x4000, 0x5000), RsrvKern, "ESRT", |_| true);
        painter.paint((0x8000, 0x28000), FreedByEfi, "freed", |r| {
            r.state == BootServices
        });
        let lane = painter.finish("after");
        let got: Vec<_> = lane
            .regions
            .iter()
            .map(|r| (r.start, r.end, r.state, r.label.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, 0x4000, BootServices, "Boot Data"),
                (0x4000, 0x5000, RsrvKern, "Boot Data"),
                (0x5000, 0x8000, BootServices, "Boot Data"),
                (0x8000, 0x10000, FreedByEfi, "Boot Data"),
                (0x20000, 0x30000, FreeRam, "Conventional"),
            ]
        );
        assert_eq!(lane.regions[1].note, "ESRT");
    }
}
