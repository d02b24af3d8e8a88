//! The whole boot as the app shows it: steps, each with one lane per kernel, what happened
//! and what was printed. [`super::simulated`] builds it from the simulator's snapshots.

use std::cell::OnceCell;

use serde::{Deserialize, Serialize};

use super::axis::Axis;
use super::diff::differing;
use super::placed::Placed;
use super::region::{Lane, RegionState};
use super::simulated::Findings;
use crate::model::Descriptor;

pub use crate::sim::Kernel;

fn index(kernel: Kernel) -> usize {
    match kernel {
        Kernel::Old => 0,
        Kernel::New => 1,
    }
}

/// One thing a kernel did during a step, with where in the code and the spec it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Happening {
    pub function: String,
    pub rule: String,
    pub patch: Option<String>,
    pub text: String,
}

/// One entry of the `efi.memmap` array as a cell of the memmap view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemmapCell {
    pub label: String,
    pub start: u64,
    pub end: u64,
    pub state: RegionState,
    /// Past the valid entries (NEW's in-place filter leaves these behind).
    pub stale: bool,
    /// Created by a split (OLD).
    pub split: bool,
}

/// The `efi.memmap` object after a step: where its buffer is and what it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemmapView {
    /// Buffer address, when known.
    pub phys: Option<u64>,
    pub capacity_bytes: u64,
    pub desc_size: u32,
    pub cells: Vec<MemmapCell>,
    /// The valid entries as descriptors (for printing them as the kernel would).
    pub descriptors: Vec<Descriptor>,
    /// Reallocations, frees, leaks and the freed tail, in order.
    pub notes: Vec<String>,
}

/// One kernel's view of one step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelStep {
    /// The address space after the step.
    pub lane: Lane,
    pub happenings: Vec<Happening>,
    /// Kernel log lines printed during the step.
    pub log: Vec<String>,
    pub memmap: MemmapView,
}

/// A step of the boot (firmware map, reserve, mm_init, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// Where it happens in the kernel.
    pub function: String,
    kernels: [KernelStep; 2],
    /// Byte ranges where the two kernels' lanes differ: compare mode marks them on every
    /// redraw, so they are worked out once, with the story.
    differing: Vec<(u64, u64)>,
}

impl Step {
    pub fn new(name: &str, function: &str, old: KernelStep, new: KernelStep) -> Self {
        Self {
            name: name.to_owned(),
            function: function.to_owned(),
            differing: differing(&old.lane, &new.lane),
            kernels: [old, new],
        }
    }

    /// Where the OLD and NEW lanes of this step differ (see [`differing`]).
    pub fn differing(&self) -> &[(u64, u64)] {
        &self.differing
    }

    pub fn kernel(&self, kernel: Kernel) -> &KernelStep {
        &self.kernels[index(kernel)]
    }

    /// Mutable access, so a story can travel in pieces (the app's worker sends one
    /// kernel step at a time) and be put back together.
    pub fn kernel_mut(&mut self, kernel: Kernel) -> &mut KernelStep {
        &mut self.kernels[index(kernel)]
    }
}

/// All steps plus the one axis they share, so lanes line up across steps and kernels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub steps: Vec<Step>,
    pub axis: Axis,
    /// What compare mode lists (empty before simulation).
    pub findings: Findings,
    /// Each lane placed on `axis`, worked out on its first draw (a pure function of the
    /// fields above, so not sent and not compared).
    #[serde(skip)]
    placed: PlacedLanes,
}

/// Per step, the OLD and NEW lanes placed on the story's axis and on their overview's linear
/// axis (see [`Story::placed`] and [`Story::overview`]), each filled when first asked.
#[derive(Clone, Debug, Default)]
struct PlacedLanes(OnceCell<Vec<[OnceCell<Placed>; 4]>>);

impl PartialEq for PlacedLanes {
    /// Derived data: two stories are equal when what it is derived from is.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Story {
    pub fn new(steps: Vec<Step>) -> Self {
        let lanes: Vec<&Lane> = steps
            .iter()
            .flat_map(|s| s.kernels.iter().map(|k| &k.lane))
            .collect();
        let axis = Axis::compressed(&lanes);
        Self {
            steps,
            axis,
            findings: Findings::default(),
            placed: PlacedLanes::default(),
        }
    }

    pub fn with_findings(mut self, findings: Findings) -> Self {
        self.findings = findings;
        self
    }

    /// The lane of `kernel` at `step` placed on the story's axis (an empty lane past the last
    /// step). The story must not change after its first call, as drawing never changes it.
    pub fn placed(&self, step: usize, kernel: Kernel) -> &Placed {
        self.memo(step, kernel, false, |lane| Placed::new(lane, &self.axis))
    }

    /// The overview strip's lane: the lane of `kernel` at `step` placed on a linear axis over
    /// its own extent, and that axis.
    pub fn overview(&self, step: usize, kernel: Kernel) -> (&Placed, Axis) {
        let lane = self.steps.get(step).map(|s| &s.kernel(kernel).lane);
        let axis = match lane.map(|l| (l.regions.first(), l.regions.last())) {
            Some((Some(first), Some(last))) => Axis::linear(first.start, last.end),
            _ => Axis::default(),
        };
        let placed = self.memo(step, kernel, true, |lane| Placed::new(lane, &axis));
        (placed, axis)
    }

    fn memo(
        &self,
        step: usize,
        kernel: Kernel,
        overview: bool,
        place: impl FnOnce(&Lane) -> Placed,
    ) -> &Placed {
        let lanes = self
            .placed
            .0
            .get_or_init(|| self.steps.iter().map(|_| Default::default()).collect());
        let slot = index(kernel) + if overview { 2 } else { 0 };
        match (lanes.get(step), self.steps.get(step)) {
            (Some(slots), Some(s)) => slots[slot].get_or_init(|| place(&s.kernel(kernel).lane)),
            _ => Placed::empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::region::Region;

    fn step(old: &[(u64, u64)], new: &[(u64, u64)]) -> Step {
        let kernel = |ranges: &[(u64, u64)]| KernelStep {
            lane: Lane::new(
                "t",
                ranges
                    .iter()
                    .map(|&(s, e)| Region::new(s, e, RegionState::FreeRam, ""))
                    .collect(),
            ),
            ..KernelStep::default()
        };
        Step::new("s", "f", kernel(old), kernel(new))
    }

    #[test]
    fn lanes_are_placed_on_the_story_axis_once() {
        let story = Story::new(vec![
            step(&[(0x1000, 0x3000)], &[(0x1000, 0x2000), (0x2000, 0x3000)]),
            step(&[(0x1000, 0x3000)], &[(0x8000_0000, 0x8000_1000)]),
        ]);
        for (i, s) in story.steps.iter().enumerate() {
            for kernel in [Kernel::Old, Kernel::New] {
                let placed = story.placed(i, kernel);
                assert_eq!(*placed, Placed::new(&s.kernel(kernel).lane, &story.axis));
                assert!(std::ptr::eq(placed, story.placed(i, kernel)), "memoised");
            }
        }
        assert!(
            story.placed(2, Kernel::Old).is_empty(),
            "past the last step"
        );
        // The same story, placed or not, is equal: the placing is derived data.
        assert_eq!(story, story.clone());
        assert_eq!(
            story,
            Story::new(story.steps.clone()).with_findings(story.findings.clone())
        );
    }

    #[test]
    fn the_overview_is_placed_on_a_linear_axis_over_its_lane() {
        let story = Story::new(vec![step(&[(0x1000, 0x2000), (0x10_0000, 0x10_1000)], &[])]);
        let (placed, axis) = story.overview(0, Kernel::Old);
        assert_eq!((axis.start(), axis.end()), (0x1000, 0x10_1000));
        // Linear: one axis unit per byte from the lane's start.
        assert_eq!(
            placed.span(1),
            Some([(0x10_0000 - 0x1000) as f64, (0x10_1000 - 0x1000) as f64])
        );
        let (empty, _) = story.overview(0, Kernel::New);
        assert!(empty.is_empty());
    }
}
