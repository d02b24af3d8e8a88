//! Half-open physical ranges and the page arithmetic every phase shares.

use serde::Serialize;

/// x86 page size; EFI pages are the same size.
pub const PAGE: u64 = 4096;
/// `ISA_END_ADDRESS`: the 1 MiB line both kernels treat specially.
pub const ONE_MIB: u64 = 0x10_0000;

/// A half-open byte range `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Range {
    pub start: u64,
    pub end: u64,
}

impl Range {
    pub fn new(start: u64, end: u64) -> Self {
        Self { start, end }
    }

    pub fn len(self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// Strict overlap, the kernel's `memblock_overlaps_region` test.
    pub fn overlaps(self, other: Range) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn intersect(self, other: Range) -> Range {
        Range::new(self.start.max(other.start), self.end.min(other.end))
    }

    /// The whole pages inside the range (`PFN_UP(start)..PFN_DOWN(end)`), as `free_reserved_area` releases them.
    pub fn pages_inward(self) -> Range {
        let start = page_up(self.start);
        let end = page_down(self.end);
        if end > start {
            Range::new(start, end)
        } else {
            Range::new(start, start)
        }
    }
}

pub fn page_up(x: u64) -> u64 {
    x.checked_next_multiple_of(PAGE).unwrap_or(page_down(x))
}

pub fn page_down(x: u64) -> u64 {
    x - x % PAGE
}

/// Sorts and merges overlapping or touching ranges; drops empty ones.
pub fn coalesce(mut ranges: Vec<Range>) -> Vec<Range> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_unstable();
    let mut out: Vec<Range> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `a ∪ b` for two coalesced lists, coalesced: a linear merge, no sorting.
pub fn union(a: &[Range], b: &[Range]) -> Vec<Range> {
    let mut out: Vec<Range> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let r = if j == b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `a − b` for two coalesced lists.
pub fn subtract(a: &[Range], b: &[Range]) -> Vec<Range> {
    let mut out = Vec::new();
    let mut j = 0;
    for &r in a {
        let mut cur = r.start;
        while j < b.len() && b[j].end <= cur {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < r.end {
            if b[k].start > cur {
                out.push(Range::new(cur, b[k].start));
            }
            cur = cur.max(b[k].end);
            k += 1;
        }
        if cur < r.end {
            out.push(Range::new(cur, r.end));
        }
    }
    out
}

/// `a ∩ b` for two coalesced lists.
pub fn intersect_all(a: &[Range], b: &[Range]) -> Vec<Range> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let x = a[i].intersect(b[j]);
        if !x.is_empty() {
            out.push(x);
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// A short human list: the first four ranges, then a count.
pub fn describe(r: &[Range]) -> String {
    if r.is_empty() {
        return "nothing".into();
    }
    let mut s: Vec<String> = r
        .iter()
        .take(4)
        .map(|r| format!("[{:#x},{:#x})", r.start, r.end))
        .collect();
    if r.len() > 4 {
        s.push(format!("and {} more", r.len() - 4));
    }
    s.join(", ")
}

/// `slice.partition_point(pred)`, searched outward from `near` (an earlier answer) in growing
/// steps. Lookups made while walking an ordered map land close to each other: this touches a
/// few neighbouring items, where a binary search over a large list waits on a cache miss at
/// nearly every halving. Any `near` gives the same answer.
pub fn partition_point_near<T>(slice: &[T], near: usize, pred: impl Fn(&T) -> bool) -> usize {
    let n = slice.len();
    let near = near.min(n);
    if near < n && pred(&slice[near]) {
        // The point lies after `near`; everything before `lo` is known to satisfy `pred`.
        let (mut lo, mut step) = (near + 1, 1);
        loop {
            let probe = lo + step - 1;
            if probe >= n {
                return lo + slice[lo..].partition_point(&pred);
            }
            if !pred(&slice[probe]) {
                return lo + slice[lo..probe].partition_point(&pred);
            }
            lo = probe + 1;
            step *= 2;
        }
    }
    // The point lies at or before `near`; nothing from `hi` on satisfies `pred`.
    let (mut hi, mut step) = (near, 1);
    loop {
        if hi < step {
            return slice[..hi].partition_point(&pred);
        }
        let probe = hi - step;
        if pred(&slice[probe]) {
            return probe + 1 + slice[probe + 1..hi].partition_point(&pred);
        }
        hi = probe;
        step *= 2;
    }
}

/// Total bytes of a list.
pub fn total(ranges: &[Range]) -> u64 {
    ranges
        .iter()
        .map(|r| r.len())
        .fold(0u64, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inward_rounding_and_set_ops() {
        assert_eq!(
            Range::new(0x40004000, 0x40004f98).pages_inward().len(),
            0,
            "a sub-page gap releases nothing"
        );
        assert_eq!(
            Range::new(0x2000060, 0x2002760).pages_inward(),
            Range::new(0x2001000, 0x2002000)
        );
        let a = coalesce(vec![
            Range::new(5, 10),
            Range::new(0, 5),
            Range::new(20, 30),
        ]);
        assert_eq!(a, vec![Range::new(0, 10), Range::new(20, 30)]);
        assert_eq!(
            subtract(&a, &[Range::new(2, 3), Range::new(25, 40)]),
            vec![Range::new(0, 2), Range::new(3, 10), Range::new(20, 25)]
        );
        assert_eq!(
            intersect_all(&a, &[Range::new(8, 22)]),
            vec![Range::new(8, 10), Range::new(20, 22)]
        );
        assert_eq!(
            union(
                &a,
                &[Range::new(10, 12), Range::new(14, 20), Range::new(40, 50)]
            ),
            vec![Range::new(0, 12), Range::new(14, 30), Range::new(40, 50)]
        );
        assert_eq!(page_up(u64::MAX), page_down(u64::MAX));
    }

    /// Every answer, from every starting point (including past the end), on lists of every
    /// length up to 40: the same as a binary search.
    #[test]
    fn partition_point_near_agrees_with_partition_point() {
        for n in 0..40usize {
            let list: Vec<usize> = (0..n).collect();
            for point in 0..=n {
                for near in 0..n + 3 {
                    assert_eq!(
                        partition_point_near(&list, near, |&x| x < point),
                        point,
                        "n {n}, near {near}"
                    );
                }
            }
        }
    }
}
