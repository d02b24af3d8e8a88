//! Adapts core's backend-generic drawing to HTML canvases, and times every draw with
//! `performance.mark/measure` so the end-to-end suite can report the figures.

use efiviz_core::draw::{Theme, TimelineScene, draw_overview, draw_timeline};
use efiviz_core::layout::{Axis, Placed};
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, HtmlCanvasElement, PerformanceEntry};

use crate::export::download_blob;
use crate::frame::after_next_paint;
use crate::hidpi::HiDpi;
use crate::scene::{rows_filling, with_scene};
use crate::state::AppState;

/// Sizes the canvas's bitmap for the screen and wraps it for plotters.
fn backend(canvas: &HtmlCanvasElement) -> Result<HiDpi, String> {
    HiDpi::new(canvas)
}

/// Draws the timeline; records a `efiviz-draw` measure; returns the rectangles drawn.
pub fn paint_timeline(canvas: &HtmlCanvasElement, scene: &TimelineScene) -> Result<usize, String> {
    // The start-up rehearsal draws on a canvas off the page; its draws are not the user's.
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .filter(|_| canvas.is_connected());
    if let Some(p) = &performance {
        let _ = p.mark("efiviz-draw-start");
    }
    let drawn = {
        // Dropped before the measure: the backend strokes its last paths then.
        let area = backend(canvas)?.into_drawing_area();
        draw_timeline(&area, scene).map_err(|e| e.to_string())?
    };
    if let Some(p) = &performance {
        let _ = p.measure_with_start_mark("efiviz-draw", "efiviz-draw-start");
        // The first draw after an input was chosen closes the upload-to-paint measure once
        // the browser has painted it (the frame's layout and paint count too).
        let input = p.get_entries_by_name_with_entry_type("efiviz-input", "mark");
        if let Some(start) = input
            .get(0)
            .dyn_ref::<PerformanceEntry>()
            .map(|e| e.start_time())
        {
            p.clear_marks_with_mark_name("efiviz-input");
            after_next_paint(move || {
                let now = web_sys::window()
                    .and_then(|w| w.performance())
                    .map_or(start, |p| p.now());
                record_measure("efiviz-upload-to-paint", start, now - start);
            });
        }
    }
    Ok(drawn)
}

/// Draws the overview strip of a lane placed on its linear axis, with the window
/// `[start, end)` framed.
pub fn paint_overview(
    canvas: &HtmlCanvasElement,
    (lane, axis): (&Placed, &Axis),
    window: (u64, u64),
    theme: Theme,
) -> Result<(), String> {
    let area = backend(canvas)?.into_drawing_area();
    draw_overview(&area, (lane, axis), window, theme).map_err(|e| e.to_string())
}

/// Marks the moment an input arrived (file chosen, dropped, pasted, sample clicked).
pub fn mark_input() {
    mark("efiviz-input");
}

/// A performance mark for the end-to-end suite's figures.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Records a measure `name` of `duration` ms from `start` (for sums of several spans, which
/// marks cannot express).
pub fn record_measure(name: &str, start: f64, duration: f64) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"start".into(), &start.into());
    let _ = js_sys::Reflect::set(&options, &"duration".into(), &duration.into());
    let measure = js_sys::Reflect::get(&performance, &"measure".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(measure) = measure {
        let _ = measure.call2(&performance, &name.into(), &options);
    }
}

/// Largest PNG side in pixels: browsers refuse canvases much beyond this.
pub const PNG_MAX_SIDE: u32 = 8192;

/// Draws the current view (the same scene as the screen, lanes stretched to fill) on a new
/// `width` × `height` canvas and offers it as a PNG download called `file_name`.
pub fn export_png(
    state: &AppState,
    (width, height): (u32, u32),
    file_name: String,
) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not a canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let rows = rows_filling(height, state.rows().len());
    with_scene(state, rows, |scene| {
        draw_timeline(&backend.into_drawing_area(), scene).map_err(|e| e.to_string())
    })
    .ok_or("no map is loaded")??;
    let saved = Closure::once_into_js(move |blob: Option<Blob>| {
        let result = blob
            .ok_or_else(|| "the browser made no PNG".to_owned())
            .and_then(|blob| download_blob(&blob, &file_name));
        if let Err(message) = result {
            web_sys::console::error_1(&message.into());
        }
    });
    canvas
        .to_blob(saved.unchecked_ref())
        .map_err(|e| format!("{e:?}"))
}
