//! Chart drawing against plotters' `DrawingBackend`, so the browser canvas and the CLI's SVG
//! show the same picture.

mod palette;
mod strip;

pub use palette::{OKABE_ITO, type_colour};
pub use strip::draw_map_strip;
