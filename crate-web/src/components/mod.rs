//! Yew components; each renders a slice of [`crate::state::AppState`] and dispatches actions.

mod app;
mod file_picker;
mod map_strip;
mod summary;

pub use app::App;
