//! The shareable view state: everything a link or an exported figure needs to reopen a view.

use crate::layout::{Axis, Kernel, Knobs, View};

/// Which kernels the timeline shows (the CLI's `--kernel`, the app's mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum KernelChoice {
    Old,
    #[default]
    New,
    /// OLD and NEW interleaved, step by step.
    Both,
}

impl KernelChoice {
    pub const ALL: [KernelChoice; 3] = [Self::Old, Self::New, Self::Both];

    /// The kernels shown, in lane order.
    pub fn kernels(self) -> &'static [Kernel] {
        match self {
            Self::Old => &[Kernel::Old],
            Self::New => &[Kernel::New],
            Self::Both => &[Kernel::Old, Kernel::New],
        }
    }

    /// The spelling in links and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Old => "old",
            Self::New => "new",
            Self::Both => "both",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What the input bytes of a state are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputForm {
    /// The bytes the user loaded, exactly.
    #[default]
    Original,
    /// efiviz JSON of the parsed model, used when the original was too large for a link: the
    /// model is the same, but the original parse report (line numbers, warnings) is gone.
    Model,
}

/// The selected region: a lane (step and kernel) and an address inside the region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    pub step: usize,
    pub kernel: Kernel,
    pub addr: u64,
}

/// One view of efiviz, independent of screen size. Fields the link did not carry are `None`
/// and mean "what the app would choose": the knobs the input implies, the whole axis.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewState {
    /// The input's display name (a file name, a sample's title).
    pub name: String,
    pub input: Vec<u8>,
    pub form: InputForm,
    pub knobs: Option<Knobs>,
    pub kernels: KernelChoice,
    /// The current step (phase) index.
    pub step: usize,
    /// The zoom window as bytes `[start, end)`; reopened with `View::around`, because axis
    /// units depend on the map and the knobs.
    pub window: Option<(u64, u64)>,
    pub selected: Option<Selection>,
    /// Embed mode: only the timeline and the stepper, read-only.
    pub embed: bool,
}

impl ViewState {
    /// The zoom window on `axis`: exactly the stored addresses, or the whole axis. (Not
    /// `View::around`, whose margins would widen the window on every re-share.)
    pub fn view_on(&self, axis: &Axis) -> View {
        match self.window {
            Some((start, end)) if axis.x_of(start) < axis.x_of(end) => View {
                lo: axis.x_of(start),
                hi: axis.x_of(end),
            },
            _ => View::fit(axis),
        }
    }

    /// Stores `view` as the addresses at its edges.
    pub fn set_view(&mut self, view: &View, axis: &Axis) {
        let (start, end) = (axis.addr_at(view.lo), axis.addr_at(view.hi));
        self.window = (start < end).then_some((start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Lane, Region, RegionState};

    #[test]
    fn a_window_survives_being_stored_as_addresses() {
        let regions = vec![
            Region::new(0, 0xa0000, RegionState::FreeRam, ""),
            Region::new(0x100000, 0x4000_0000, RegionState::FreeRam, ""),
        ];
        let axis = Axis::compressed(&[&Lane::new("t", regions)]);
        let view = View::fit(&axis).zoom(4.0, 0.3, &axis);
        let mut state = ViewState::default();
        state.set_view(&view, &axis);
        let back = state.view_on(&axis);
        // Addresses are whole bytes: the edges move by less than a byte, far below a pixel.
        assert!((back.lo - view.lo).abs() < 1e-4, "{view:?} → {back:?}");
        assert!((back.hi - view.hi).abs() < 1e-4, "{view:?} → {back:?}");
        state.window = None;
        assert_eq!(state.view_on(&axis), View::fit(&axis));
    }
}
