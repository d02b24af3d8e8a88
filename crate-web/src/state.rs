//! The app's state and the one pure function that changes it. Components only dispatch
//! [`Action`]s, so every transition is testable without a browser.

use std::rc::Rc;

use efiviz_core::draw::Theme;
use efiviz_core::layout::{Kernel, Knobs, Lane, Region, Story, View};
use efiviz_core::parse::Parsed;
use efiviz_core::share::{
    InputForm, KernelChoice, Selection, SvgStateError, ViewState, state_from_svg,
};
use efiviz_core::sim::SimInput;
use serde::{Deserialize, Serialize};

use crate::job;

/// A map the user loaded successfully, with the story of its boot.
#[derive(Debug)]
pub struct LoadedInput {
    pub name: String,
    /// The bytes as loaded, for links and "Export file".
    pub bytes: Rc<[u8]>,
    /// Whether `bytes` are the user's original or efiviz JSON of its model (a link too large
    /// for the original carries the model; the original's parse report is then gone).
    pub form: InputForm,
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

/// Where a load or a re-simulation running in the worker has got to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Reading,
    Parsing,
    Simulating,
    /// The result is crossing to the page and being drawn.
    Drawing,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Self::Reading => "reading",
            Self::Parsing => "parsing",
            Self::Simulating => "simulating",
            Self::Drawing => "drawing",
        }
    }
}

/// Where a load's bytes came from.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub bytes: Rc<[u8]>,
    pub form: InputForm,
}

/// What a job in the worker was started for.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// Loading the input called `name`.
    Load { name: String },
    /// Re-running both kernels with `knobs`.
    Simulate { knobs: Knobs },
}

/// The job in flight; only replies carrying its `id` are applied, so a newer job
/// supersedes an older one.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub id: u64,
    pub job: Job,
    pub stage: Stage,
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
    /// The load or re-simulation running in the worker, if any.
    pub pending: Option<Pending>,
    pub knobs: Knobs,
    /// The current step; lanes after it are not drawn yet.
    pub step: usize,
    /// Which kernels the timeline shows (OLD, NEW, or both interleaved: compare mode).
    pub mode: KernelChoice,
    /// The visible window of the timeline's axis.
    pub view: View,
    pub hovered: Option<Pick>,
    pub selected: Option<Pick>,
    /// The inks the charts are drawn with (the page's CSS follows the same choice).
    pub theme: Theme,
    /// Embed mode: only the timeline and the stepper, read-only.
    pub embed: bool,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            loaded: None,
            error: None,
            pending: None,
            knobs: Knobs::default(),
            step: 0,
            mode: KernelChoice::default(),
            view: View { lo: 0.0, hi: 1.0 },
            hovered: None,
            selected: None,
            theme: Theme::default(),
            embed: false,
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
    /// A job went to the worker; it supersedes any job still running.
    Started {
        id: u64,
        job: Job,
    },
    /// The worker reached `stage` of job `id`.
    Progress {
        id: u64,
        stage: Stage,
    },
    /// Job `id` loaded a map: it replaces the previous one, with the knobs it implies.
    Loaded {
        id: u64,
        loaded: Box<LoadedInput>,
        knobs: Knobs,
    },
    /// Job `id` re-simulated the loaded map with `knobs`.
    Simulated {
        id: u64,
        story: Box<Story>,
        knobs: Knobs,
    },
    /// Job `id` failed, or (`id: None`) an input was refused before any job started.
    Failed {
        id: Option<u64>,
        message: String,
    },
    /// The user stopped the job in flight.
    Cancelled,
    Step(Move),
    SetMode(KernelChoice),
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
    /// Reopen a shared view (a link, an exported SVG): its input, knobs and view.
    Restore(Box<ViewState>),
    /// A shared view could not be read (the message names the field and what was expected).
    RestoreFailed(String),
}

impl Action {
    /// The action for what job `id`'s load produced.
    pub fn load_result(id: u64, result: Result<(LoadedInput, Knobs), String>) -> Self {
        match result {
            Ok((loaded, knobs)) => Self::Loaded {
                id,
                loaded: Box::new(loaded),
                knobs,
            },
            Err(message) => Self::Failed {
                id: Some(id),
                message,
            },
        }
    }
}

impl AppState {
    /// The knobs to show: those a re-simulation in flight asked for, so a control the user
    /// just changed keeps its new value until the worker answers; otherwise the current ones.
    pub fn shown_knobs(&self) -> &Knobs {
        match &self.pending {
            Some(Pending {
                job: Job::Simulate { knobs },
                ..
            }) => knobs,
            _ => &self.knobs,
        }
    }

    /// The lanes the timeline shows, top to bottom, as `(step, kernel)`.
    pub fn rows(&self) -> Vec<(usize, Kernel)> {
        let steps = self.loaded.as_ref().map_or(0, |l| l.story.steps.len());
        (0..steps)
            .flat_map(|step| self.kernels().iter().map(move |&k| (step, k)))
            .collect()
    }

    /// The kernels the current mode shows, in lane order.
    pub fn kernels(&self) -> &'static [Kernel] {
        self.mode.kernels()
    }

    /// The kernel whose state the table, the step log and the memmap view follow.
    pub fn focus_kernel(&self) -> Kernel {
        match self.mode {
            KernelChoice::Old => Kernel::Old,
            KernelChoice::New | KernelChoice::Both => Kernel::New,
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
        pending: state.pending.clone(),
        knobs: state.knobs.clone(),
        ..*state
    };
    // Replies to a job that was cancelled or superseded change nothing.
    let current = |id: u64| state.pending.as_ref().is_some_and(|p| p.id == id);
    match action {
        // An embedded view is read-only: drops, pastes and knobs do not replace it.
        Action::Started { .. } if state.embed => {}
        Action::Started { id, job } => {
            next.pending = Some(Pending {
                id,
                job,
                stage: Stage::Reading,
            });
        }
        Action::Progress { id, stage } => {
            if let Some(pending) = next.pending.as_mut().filter(|p| p.id == id) {
                pending.stage = stage;
            }
        }
        Action::Loaded { id, loaded, knobs } if current(id) => {
            show(&mut next, *loaded, knobs);
            next.pending = None;
        }
        Action::Simulated { id, story, knobs } if current(id) => {
            if let Some(loaded) = &state.loaded {
                next.step = next.step.min(story.steps.len().saturating_sub(1));
                next.loaded = Some(Rc::new(LoadedInput {
                    name: loaded.name.clone(),
                    bytes: loaded.bytes.clone(),
                    form: loaded.form,
                    parsed: loaded.parsed.clone(),
                    input: loaded.input.clone(),
                    story: *story,
                }));
                next.knobs = knobs;
            }
            next.pending = None;
        }
        Action::Failed { id: None, message } => next.error = Some(message),
        Action::Failed {
            id: Some(id),
            message,
        } if current(id) => {
            next.error = Some(message);
            next.pending = None;
        }
        Action::Loaded { .. } | Action::Simulated { .. } | Action::Failed { .. } => {}
        Action::Cancelled => next.pending = None,
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
        Action::Restore(view) => restore(&mut next, &view),
        Action::RestoreFailed(message) => {
            next.error = Some(format!("This link could not be opened: {message}."));
        }
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

/// Makes `loaded` the loaded input, with its knobs and the whole map in view.
fn show(next: &mut AppState, loaded: LoadedInput, knobs: Knobs) {
    next.view = View::fit(&loaded.story.axis);
    next.step = loaded.story.steps.len().saturating_sub(1);
    next.loaded = Some(Rc::new(loaded));
    next.knobs = knobs;
    next.error = None;
    next.hovered = None;
    next.selected = None;
}

/// Loads a shared view's input with its knobs, then shows exactly its kernels, step, window
/// and selection. Runs here, not in the worker: a link's input is small (docs/share.md).
fn restore(next: &mut AppState, view: &ViewState) {
    let source = Source {
        name: view.name.clone(),
        bytes: view.input.as_slice().into(),
        form: view.form,
    };
    let tune = |knobs: &mut Knobs| {
        if let Some(shared) = &view.knobs {
            *knobs = shared.clone();
        }
    };
    match job::load(source, tune, |_| {}) {
        Ok((loaded, knobs)) => show(next, loaded, knobs),
        Err(message) => return next.error = Some(message),
    }
    next.embed = view.embed;
    next.mode = view.kernels;
    let last = next.step_count().saturating_sub(1);
    next.step = view.step.min(last);
    if let Some(axis) = next.axis() {
        next.view = view.view_on(axis);
    }
    next.selected = view.selected.map(|s| Pick {
        step: s.step.min(last),
        kernel: s.kernel,
        addr: s.addr,
    });
}

/// What a load's bytes lead to, decided before any parsing.
pub enum Route {
    /// An efiviz SVG export: reopen the view stored in it.
    Restore(Box<ViewState>),
    /// An SVG that is not one (the message says why).
    Refuse(String),
    /// Anything else: parse and simulate it (in the worker).
    Parse,
}

pub fn route(name: &str, bytes: &[u8]) -> Route {
    match efiviz_svg(bytes) {
        Some(Ok(view)) => Route::Restore(Box::new(view)),
        Some(Err(problem)) => Route::Refuse(format!("{name}: {problem}.")),
        None => Route::Parse,
    }
}

/// `Some` when `bytes` are an SVG: the view an efiviz export stored in it, or why not.
fn efiviz_svg(bytes: &[u8]) -> Option<Result<ViewState, SvgStateError>> {
    // Look at the start first: validating a 200 MB journal as UTF-8 just to find it is no
    // SVG would block the page for a noticeable moment.
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let start = start.trim_start_matches('\u{feff}').trim_start();
    if !(start.starts_with("<svg") || start.starts_with("<?xml")) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let svg = head.starts_with("<svg") || (head.starts_with("<?xml") && text.contains("<svg"));
    svg.then(|| state_from_svg(text))
}

impl AppState {
    /// The current view as a shareable state (`None` before a map is loaded).
    pub fn view_state(&self) -> Option<ViewState> {
        let loaded = self.loaded.as_ref()?;
        let mut view = ViewState {
            name: loaded.name.clone(),
            input: loaded.bytes.to_vec(),
            form: loaded.form,
            knobs: Some(self.knobs.clone()),
            kernels: self.mode,
            step: self.step,
            window: None,
            selected: self.selected.map(|p| Selection {
                step: p.step,
                kernel: p.kernel,
                addr: p.addr,
            }),
            embed: self.embed,
        };
        view.set_view(&self.view, &loaded.story.axis);
        Some(view)
    }

    fn axis(&self) -> Option<&efiviz_core::layout::Axis> {
        self.loaded.as_ref().map(|l| &l.story.axis)
    }
}

impl yew::Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(reduce(&self, action))
    }
}

#[cfg(test)]
mod tests;
