//! Chart drawing against plotters' `DrawingBackend`, so the browser canvas and the CLI's SVG
//! show the same picture. Only shapes are drawn here; text (labels, details) is the caller's,
//! except in [`figure`], the standalone SVG export, which has no caller to hold its text.

pub mod figure;
mod overview;
mod palette;
mod pattern;
mod theme;
mod timeline;
pub mod xml;

pub use overview::draw_overview;
pub use palette::{OKABE_ITO, Pattern, css, state_style};
pub use theme::{Ink, Theme};
pub use timeline::{TimelineScene, compare_marks, draw_timeline};
