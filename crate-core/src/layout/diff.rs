//! Where two lanes disagree: the byte ranges whose state differs (compare mode highlights them).

use super::region::Lane;

/// Ranges `[start, end)` where `a` and `b` show a different state, or only one shows anything.
/// Adjacent differing ranges are merged. One pass over both lanes (sorted and disjoint by
/// construction): compare mode computes this for every step of maps of 100,000 regions.
pub fn differing(a: &Lane, b: &Lane) -> Vec<(u64, u64)> {
    let mut bounds = merged(boundaries(a), boundaries(b));
    let Some(mut start) = bounds.next() else {
        return Vec::new();
    };
    let mut out: Vec<(u64, u64)> = Vec::new();
    let (mut ia, mut ib) = (0, 0);
    for end in bounds {
        if end == start {
            continue;
        }
        if state_at(a, &mut ia, start) != state_at(b, &mut ib, start) {
            match out.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => out.push((start, end)),
            }
        }
        start = end;
    }
    out
}

/// Every region's start and end, in address order.
fn boundaries(lane: &Lane) -> impl Iterator<Item = u64> + '_ {
    lane.regions.iter().flat_map(|r| [r.start, r.end])
}

/// Two ascending sequences as one ascending sequence (equal values both kept).
fn merged(a: impl Iterator<Item = u64>, b: impl Iterator<Item = u64>) -> impl Iterator<Item = u64> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x <= y => a.next(),
        (Some(_), Some(_)) => b.next(),
        (Some(_), None) => a.next(),
        (None, _) => b.next(),
    })
}

/// The state at `addr`, advancing the cursor `i` (addresses only grow between calls).
fn state_at(lane: &Lane, i: &mut usize, addr: u64) -> Option<super::RegionState> {
    while *i < lane.regions.len() && lane.regions[*i].end <= addr {
        *i += 1;
    }
    lane.regions
        .get(*i)
        .filter(|r| r.start <= addr)
        .map(|r| r.state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::region::{Region, RegionState::*};

    #[test]
    fn differences_are_exact_and_merged() {
        let old = Lane::new(
            "old",
            vec![
                Region::new(0, 0x4000, BootServices, ""),
                Region::new(0x4000, 0x5000, RsrvKern, ""),
                Region::new(0x5000, 0x10000, BootServices, ""),
            ],
        );
        let new = Lane::new(
            "new",
            vec![
                Region::new(0, 0x4000, FreeRam, ""),
                Region::new(0x4000, 0x5000, RsrvKern, ""),
                Region::new(0x5000, 0x10000, FreeRam, ""),
                Region::new(0x10000, 0x11000, FreeRam, ""),
            ],
        );
        assert_eq!(differing(&old, &new), [(0, 0x4000), (0x5000, 0x11000)]);
        assert_eq!(differing(&old, &old), []);
    }
    /// The state of `lane` at `addr`, found by looking at every region.
    fn state_of(lane: &Lane, addr: u64) -> Option<crate::layout::RegionState> {
        lane.regions
            .iter()
            .find(|r| r.start <= addr && addr < r.end)
            .map(|r| r.state)
    }

    proptest::proptest! {
        /// Every address of the ranges differs, and every address outside them agrees
        /// (checked at each region boundary and just before it); ranges are merged.
        #[test]
        fn differences_match_a_byte_by_byte_reading(
            a in proptest::collection::vec((0u64..64, 1u64..16, 0usize..4), 0..24),
            b in proptest::collection::vec((0u64..64, 1u64..16, 0usize..4), 0..24),
        ) {
            const STATES: [crate::layout::RegionState; 4] = [BootServices, RsrvKern, FreeRam, Runtime];
            let lane = |spec: &[(u64, u64, usize)]| {
                let mut at = 0;
                let regions = spec.iter().map(|&(gap, len, state)| {
                    let start = at + gap;
                    at = start + len;
                    Region::new(start, at, STATES[state], "")
                });
                Lane::new("", regions.collect())
            };
            let (a, b) = (lane(&a), lane(&b));
            let found = differing(&a, &b);
            for pair in found.windows(2) {
                proptest::prop_assert!(pair[0].1 < pair[1].0, "sorted, merged: {:?}", found);
            }
            let inside = |addr: u64| found.iter().any(|&(s, e)| s <= addr && addr < e);
            let probes = a.regions.iter().chain(&b.regions).flat_map(|r| [r.start, r.end, r.end.saturating_sub(1)]);
            for addr in probes {
                proptest::prop_assert_eq!(inside(addr), state_of(&a, addr) != state_of(&b, addr), "at {:#x}: {:?}", addr, found);
            }
        }
    }
}
