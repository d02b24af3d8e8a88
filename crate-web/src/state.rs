//! The app's state and the one pure function that changes it. Components only dispatch
//! [`Action`]s, so every transition is testable without a browser.

use std::rc::Rc;

use efiviz_core::draw::Theme;
use efiviz_core::layout::{Kernel, Knobs, Lane, Region, Reservation, Story, View, simulated_story};
use efiviz_core::parse::{Parsed, Severity, parse};
use efiviz_core::sim::SimInput;

/// A map the user loaded successfully, with the story of its boot.
#[derive(Debug)]
pub struct LoadedInput {
    pub name: String,
    pub parsed: Parsed,
    /// What the input implies for the simulator, before the user's knobs.
    pub input: SimInput,
    pub story: Story,
}

/// Two loads are equal only when they are the same load: comparing 100 000-region stories
/// on every hover would cost more than the render it saves, and reloading identical bytes is
/// still a new load.
impl PartialEq for LoadedInput {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl LoadedInput {
    /// Parsed input → simulator input (`None` without a map) and the knobs it implies.
    fn derive(parsed: &Parsed) -> Option<(SimInput, Knobs)> {
        let input = SimInput::from_boot_log(&parsed.log)?;
        let knobs = Knobs::from_config(&input.config);
        Some((input, knobs))
    }

    /// Simulates `input` with `knobs` applied (all in core).
    fn new(name: String, parsed: Parsed, input: SimInput, knobs: &Knobs) -> Self {
        let tuned = SimInput {
            config: knobs.apply(&input.config),
            ..input.clone()
        };
        Self {
            name,
            parsed,
            story: simulated_story(&tuned),
            input,
        }
    }
}

/// Which kernel's lanes the timeline shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    Old,
    #[default]
    New,
    /// OLD and NEW interleaved, step by step.
    Compare,
}

/// A point the user hovers or selected: a lane (step and kernel) and an address in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick {
    pub step: usize,
    pub kernel: Kernel,
    pub addr: u64,
}

#[derive(Debug, PartialEq)]
pub struct AppState {
    /// The last input that contained a map; a failed load never replaces it.
    pub loaded: Option<Rc<LoadedInput>>,
    /// Why the most recent load failed, until the next successful one.
    pub error: Option<String>,
    pub knobs: Knobs,
    /// The current step; lanes after it are not drawn yet.
    pub step: usize,
    pub mode: Mode,
    /// The visible window of the timeline's axis.
    pub view: View,
    pub hovered: Option<Pick>,
    pub selected: Option<Pick>,
    /// The inks the charts are drawn with (the page's CSS follows the same choice).
    pub theme: Theme,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            loaded: None,
            error: None,
            knobs: Knobs::default(),
            step: 0,
            mode: Mode::default(),
            view: View { lo: 0.0, hi: 1.0 },
            hovered: None,
            selected: None,
            theme: Theme::default(),
        }
    }
}

/// How to move through the steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Previous,
    Next,
    First,
    Last,
    To(usize),
}

#[derive(Debug)]
pub enum Action {
    /// The bytes of a file, a sample or pasted text, with a name to show for it. The knobs
    /// start from what the input implies, plus `reservations` (samples bring their own).
    Load {
        name: String,
        bytes: Vec<u8>,
        reservations: Vec<Reservation>,
    },
    /// The browser could not read the file at all.
    ReadFailed {
        name: String,
        message: String,
    },
    Step(Move),
    SetMode(Mode),
    SetKnobs(Knobs),
    /// Zoom by `factor` (> 1 zooms in) around `anchor` (0..1 across the window).
    Zoom {
        factor: f64,
        anchor: f64,
    },
    /// Pan by a fraction of the window width.
    Pan(f64),
    /// Frame the selected region; if it already is framed, or nothing is selected, show all.
    Fit,
    /// Zoom so that `[start, end)` fills the window.
    ZoomTo {
        start: u64,
        end: u64,
    },
    Hover(Option<Pick>),
    Select(Option<Pick>),
    /// Select the region before (-1) or after (+1) the selected one in the current step's
    /// lane, or the first region in view when nothing is selected; the view follows.
    SelectAdjacent(isize),
    SetTheme(Theme),
}

impl AppState {
    /// The lanes the timeline shows, top to bottom, as `(step, kernel)`.
    pub fn rows(&self) -> Vec<(usize, Kernel)> {
        let steps = self.loaded.as_ref().map_or(0, |l| l.story.steps.len());
        (0..steps)
            .flat_map(|step| self.kernels().iter().map(move |&k| (step, k)))
            .collect()
    }

    /// The kernels the current mode shows, in lane order.
    pub fn kernels(&self) -> &'static [Kernel] {
        match self.mode {
            Mode::Old => &[Kernel::Old],
            Mode::New => &[Kernel::New],
            Mode::Compare => &[Kernel::Old, Kernel::New],
        }
    }

    /// The kernel whose state the table, the step log and the memmap view follow.
    pub fn focus_kernel(&self) -> Kernel {
        match self.mode {
            Mode::Old => Kernel::Old,
            Mode::New | Mode::Compare => Kernel::New,
        }
    }

    pub fn lane(&self, step: usize, kernel: Kernel) -> Option<&Lane> {
        let loaded = self.loaded.as_ref()?;
        Some(&loaded.story.steps.get(step)?.kernel(kernel).lane)
    }

    /// The region under a pick.
    pub fn region(&self, pick: Pick) -> Option<&Region> {
        self.lane(pick.step, pick.kernel)?.region_at(pick.addr)
    }

    /// The region `delta` places from the selection in the current step's lane, with its range.
    fn adjacent(&self, delta: isize) -> Option<(Pick, u64, u64)> {
        let kernel = self.focus_kernel();
        let lane = self.lane(self.step, kernel)?;
        let index = match self.selected.and_then(|p| lane.index_at(p.addr)) {
            Some(i) => i.checked_add_signed(delta)?,
            None => {
                let axis = self.axis()?;
                lane.overlapping(axis.addr_at(self.view.lo), u64::MAX).start
            }
        };
        let region = lane.regions.get(index)?;
        let pick = Pick {
            step: self.step,
            kernel,
            addr: region.start,
        };
        Some((pick, region.start, region.end))
    }

    fn step_count(&self) -> usize {
        self.loaded.as_ref().map_or(0, |l| l.story.steps.len())
    }
}

/// Applies `action` to `state`, returning the next state.
pub fn reduce(state: &AppState, action: Action) -> AppState {
    let mut next = AppState {
        loaded: state.loaded.clone(),
        error: state.error.clone(),
        knobs: state.knobs.clone(),
        ..*state
    };
    match action {
        Action::Load {
            name,
            bytes,
            reservations,
        } => {
            let parsed = parse(&bytes, None);
            match LoadedInput::derive(&parsed) {
                Some((input, mut knobs)) => {
                    knobs.reservations.extend(reservations);
                    let loaded = LoadedInput::new(name, parsed, input, &knobs);
                    next.view = View::fit(&loaded.story.axis);
                    next.step = loaded.story.steps.len() - 1;
                    next.loaded = Some(Rc::new(loaded));
                    next.knobs = knobs;
                    next.error = None;
                    next.hovered = None;
                    next.selected = None;
                }
                None => next.error = Some(no_map_message(&name, &parsed)),
            }
        }
        Action::ReadFailed { name, message } => {
            next.error = Some(format!("Could not read {name}: {message}"));
        }
        Action::Step(movement) => {
            let last = state.step_count().saturating_sub(1);
            next.step = match movement {
                Move::Previous => state.step.saturating_sub(1),
                Move::Next => (state.step + 1).min(last),
                Move::First => 0,
                Move::Last => last,
                Move::To(step) => step.min(last),
            };
        }
        Action::SetMode(mode) => next.mode = mode,
        Action::SetKnobs(knobs) => {
            if let Some(loaded) = &state.loaded {
                let (name, parsed) = (loaded.name.clone(), loaded.parsed.clone());
                let rebuilt = LoadedInput::new(name, parsed, loaded.input.clone(), &knobs);
                next.step = next.step.min(rebuilt.story.steps.len().saturating_sub(1));
                next.loaded = Some(Rc::new(rebuilt));
            }
            next.knobs = knobs;
        }
        Action::Zoom { factor, anchor } => {
            if let Some(axis) = state.axis() {
                next.view = state.view.zoom(factor, anchor, axis);
            }
        }
        Action::Pan(fraction) => {
            if let Some(axis) = state.axis() {
                next.view = state.view.pan(fraction, axis);
            }
        }
        Action::Fit => {
            // Perfetto's F: first frame the selected region, pressed again show everything.
            if let Some(axis) = state.axis() {
                let around = state
                    .selected
                    .and_then(|p| state.region(p))
                    .map(|r| View::around(r.start, r.end, axis));
                next.view = match around {
                    Some(view) if view != state.view => view,
                    _ => View::fit(axis),
                };
            }
        }
        Action::ZoomTo { start, end } => {
            if let Some(axis) = state.axis() {
                next.view = View::around(start, end, axis);
            }
        }
        Action::SetTheme(theme) => next.theme = theme,
        Action::Hover(pick) => next.hovered = pick,
        Action::Select(pick) => next.selected = pick,
        Action::SelectAdjacent(delta) => {
            if let Some((pick, start, end)) = state.adjacent(delta) {
                next.selected = Some(pick);
                if let Some(axis) = state.axis() {
                    let (lo, hi) = (axis.x_of(start), axis.x_of(end));
                    if lo < state.view.lo || hi > state.view.hi {
                        next.view = View::around(start, end, axis);
                    }
                }
            }
        }
    }
    next
}

impl AppState {
    fn axis(&self) -> Option<&efiviz_core::layout::Axis> {
        self.loaded.as_ref().map(|l| &l.story.axis)
    }
}

/// Names the input and, when the parser saw something that looked like a map line but could
/// not read it, the first such line.
fn no_map_message(name: &str, parsed: &Parsed) -> String {
    let mut message = format!("No EFI memory map found in {name}.");
    let worst = parsed
        .report
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .or_else(|| parsed.report.diagnostics.first());
    if let Some(d) = worst {
        message.push_str(&format!(" Line {}: {}.", d.line, d.reason));
    }
    message
}

impl yew::Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(reduce(&self, action))
    }
}

#[cfg(test)]
mod tests;
