//! The efiviz browser app. Thin by design: components render state, `state` holds the pure
//! reducer, `canvas` adapts core's plotters drawing to an HTML canvas. All knowledge of
//! memory maps lives in `efiviz-core`.

mod canvas;
mod components;
mod export;
mod hidpi;
mod listener;
mod page_url;
mod samples;
mod scene;
pub mod state;
mod theme;

pub use components::App;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
