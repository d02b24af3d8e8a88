//! Adapts core's backend-generic drawing to an HTML canvas.

use efiviz_core::draw::draw_map_strip;
use efiviz_core::model::MemoryMap;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Draws the map strip onto `canvas`, sized to its layout box.
pub fn draw_strip(canvas: &HtmlCanvasElement, map: &MemoryMap) -> Result<(), String> {
    canvas.set_width(canvas.client_width().max(1) as u32);
    canvas.set_height(canvas.client_height().max(1) as u32);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| "the canvas has no 2D context".to_owned())?;
    draw_map_strip(&backend.into_drawing_area(), map).map_err(|e| e.to_string())
}
