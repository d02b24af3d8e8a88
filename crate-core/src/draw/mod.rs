//! Chart drawing against plotters' `DrawingBackend`, so the browser canvas and the CLI's SVG
//! show the same picture. Only shapes are drawn here; text (labels, details) is the caller's.

mod overview;
mod palette;
mod pattern;
mod timeline;

pub use overview::draw_overview;
pub use palette::{OKABE_ITO, Pattern, css, state_style};
pub use timeline::{TimelineScene, draw_timeline};
