//! The efiviz browser app. Thin by design: components render state, `state` holds the pure
//! reducer, `canvas` adapts core's plotters drawing to an HTML canvas, `loader` and `worker`
//! run `job` (parse + simulate) in a web worker over `wire` messages. All knowledge of
//! memory maps lives in `efiviz-core`.

mod canvas;
mod components;
mod export;
mod frame;
mod hidpi;
pub mod job;
mod listener;
mod loader;
mod page_url;
mod placing;
mod samples;
mod scene;
pub mod state;
mod theme;
pub mod wire;
mod worker;

pub use components::App;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}

/// The worker binary's entry point: serve parse and simulate requests from the page.
pub fn run_worker() {
    worker::run();
}
