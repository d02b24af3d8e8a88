//! The timeline scene of the app state: the lanes shown (future steps empty), compare
//! marks, selection and hover. The on-screen canvas and the PNG export draw the same scene.

use efiviz_core::draw::{TimelineScene, compare_marks};
use efiviz_core::layout::{Kernel, Placed, Rows};

use crate::state::{AppState, Pick};

/// Builds the scene with lanes `rows` tall and hands it to `paint` (`None` before a load).
pub fn with_scene<R>(
    state: &AppState,
    rows: Rows,
    paint: impl FnOnce(&TimelineScene) -> R,
) -> Option<R> {
    let loaded = state.loaded.as_ref()?;
    let shown = state.rows();
    let reached = |&(step, kernel): &(usize, Kernel)| {
        let steps = &loaded.story.steps;
        (step <= state.step).then(|| &steps[step].kernel(kernel).lane)
    };
    let lanes: Vec<&Placed> = shown
        .iter()
        .map(|row| match reached(row) {
            Some(_) => loaded.story.placed(row.0, row.1),
            None => Placed::empty(),
        })
        .collect();
    // In compare mode every NEW lane is marked where it differs from the OLD lane above it.
    let marks = compare_marks(&shown, &loaded.story.steps, state.step);
    let row_of = |pick: Option<Pick>| {
        let pick = pick?;
        let row = shown.iter().position(|&r| r == (pick.step, pick.kernel))?;
        Some((row, reached(&shown[row])?.index_at(pick.addr)?))
    };
    let scene = TimelineScene {
        lanes: &lanes,
        axis: &loaded.story.axis,
        view: state.view,
        rows,
        marks: &marks,
        selected: row_of(state.selected),
        hovered: row_of(state.hovered),
        theme: state.theme,
    };
    Some(paint(&scene))
}

/// Lanes that fill `height` pixels for `count` lanes, in the on-screen proportions.
pub fn rows_filling(height: u32, count: usize) -> Rows {
    let pitch = height / count.max(1) as u32;
    let gap = pitch * Rows::DEFAULT.gap / (Rows::DEFAULT.height + Rows::DEFAULT.gap);
    Rows {
        height: pitch.saturating_sub(gap).max(1),
        gap,
    }
}
