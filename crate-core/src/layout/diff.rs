//! Where two lanes disagree: the byte ranges whose state differs (compare mode highlights them).

use super::region::Lane;

/// Ranges `[start, end)` where `a` and `b` show a different state, or only one shows anything.
/// Adjacent differing ranges are merged.
pub fn differing(a: &Lane, b: &Lane) -> Vec<(u64, u64)> {
    let mut bounds: Vec<u64> = [a, b]
        .iter()
        .flat_map(|lane| lane.regions.iter().flat_map(|r| [r.start, r.end]))
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut out: Vec<(u64, u64)> = Vec::new();
    let (mut ia, mut ib) = (0, 0);
    for pair in bounds.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let state_a = state_at(a, &mut ia, start);
        let state_b = state_at(b, &mut ib, start);
        if state_a == state_b {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 == start => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out
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
}
