//! Adapts core's backend-generic drawing to HTML canvases, and times every draw with
//! `performance.mark/measure` so the end-to-end suite can report the figures.

use efiviz_core::draw::{Theme, TimelineScene, draw_overview, draw_timeline};
use efiviz_core::layout::Lane;
use plotters::prelude::IntoDrawingArea;
use web_sys::HtmlCanvasElement;

use crate::hidpi::HiDpi;

/// Sizes the canvas's bitmap for the screen and wraps it for plotters.
fn backend(canvas: &HtmlCanvasElement) -> Result<HiDpi, String> {
    HiDpi::new(canvas)
}

/// Draws the timeline; records a `efiviz-draw` measure; returns the rectangles drawn.
pub fn paint_timeline(canvas: &HtmlCanvasElement, scene: &TimelineScene) -> Result<usize, String> {
    let performance = web_sys::window().and_then(|w| w.performance());
    if let Some(p) = &performance {
        let _ = p.mark("efiviz-draw-start");
    }
    let area = backend(canvas)?.into_drawing_area();
    let drawn = draw_timeline(&area, scene).map_err(|e| e.to_string())?;
    if let Some(p) = &performance {
        let _ = p.measure_with_start_mark("efiviz-draw", "efiviz-draw-start");
        // The first paint after an input was chosen closes the upload-to-paint measure.
        if p.get_entries_by_name_with_entry_type("efiviz-input", "mark")
            .length()
            > 0
        {
            let _ = p.measure_with_start_mark("efiviz-upload-to-paint", "efiviz-input");
            p.clear_marks_with_mark_name("efiviz-input");
        }
    }
    Ok(drawn)
}

/// Draws the overview strip of `lane` with the window `[start, end)` framed.
pub fn paint_overview(
    canvas: &HtmlCanvasElement,
    lane: &Lane,
    window: (u64, u64),
    theme: Theme,
) -> Result<(), String> {
    let area = backend(canvas)?.into_drawing_area();
    draw_overview(&area, lane, window, theme).map_err(|e| e.to_string())
}

/// Marks the moment an input arrived (file chosen, dropped, pasted, sample clicked).
pub fn mark_input() {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark("efiviz-input");
    }
}
