//! Yew components; each renders a slice of [`crate::state::AppState`] and dispatches actions.

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
mod report;
mod stepper;
mod summary;
mod timeline;

pub use app::App;
