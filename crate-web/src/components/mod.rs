//! Yew components; each renders a slice of [`crate::state::AppState`] and dispatches actions.

mod after_paint;
mod app;
mod compare_panel;
mod data_table;
mod details;
mod file_picker;
mod gallery;
mod happenings;
mod keys;
mod knobs;
mod legend;
mod memmap_view;
mod paste_box;
mod progress;
mod rehearsal;
mod report;
mod share_bar;
mod shared_link;
mod stepper;
mod summary;
mod theme_toggle;
mod timeline;
mod workspace;

pub use app::App;

use std::rc::Rc;

use yew::prelude::*;

use crate::loader::Loader;
use crate::state::{AppState, LoadedInput};

/// Props of the components that read the whole state and dispatch to it.
#[derive(Properties, PartialEq)]
pub struct StateProps {
    pub state: UseReducerHandle<AppState>,
}

/// Props of the components that show one loaded input.
#[derive(Properties, PartialEq)]
pub struct LoadedProps {
    pub loaded: Rc<LoadedInput>,
}

/// The app's loader, which every input component sends its input to.
#[hook]
fn use_loader() -> Loader {
    use_context::<Loader>().expect("the App provides the loader")
}
