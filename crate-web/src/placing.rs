//! Places every lane of a newly loaded story on its axes while the page is idle, one lane per
//! idle callback. Placing a lane reads all its regions (a few milliseconds at 100 000); done
//! here, the first draw of a lane the user has not looked at yet (compare mode, the other
//! kernel, the overview of another step) only reads the placed positions and fits in a frame.

use std::rc::Rc;

use efiviz_core::layout::Kernel;

use crate::frame::when_idle;
use crate::state::LoadedInput;

/// One lane to place: `(step, kernel, for the overview strip)` (named apart from core's `Lane`).
type ToPlace = (usize, Kernel, bool);

pub fn place_when_idle(loaded: Rc<LoadedInput>) {
    let steps = loaded.story.steps.len();
    // Popped from the end: the timeline's lanes first (compare mode shows all of them), in
    // step order, then the overview's.
    let todo: Vec<ToPlace> = [true, false]
        .into_iter()
        .flat_map(|overview| {
            (0..steps)
                .rev()
                .flat_map(move |step| [Kernel::New, Kernel::Old].map(|k| (step, k, overview)))
        })
        .collect();
    place_next(loaded, todo);
}

fn place_next(loaded: Rc<LoadedInput>, mut todo: Vec<ToPlace>) {
    when_idle(move || {
        // Only this task holds the story: a newer load replaced it and it will not be drawn.
        if Rc::strong_count(&loaded) == 1 {
            return;
        }
        let Some((step, kernel, overview)) = todo.pop() else {
            return;
        };
        if overview {
            loaded.story.overview(step, kernel);
        } else {
            loaded.story.placed(step, kernel);
        }
        place_next(loaded, todo);
    });
}
