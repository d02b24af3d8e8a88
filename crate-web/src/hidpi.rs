//! A canvas backend that keeps every coordinate in CSS pixels while the bitmap has
//! `devicePixelRatio` times as many, so the chart is sharp on high-density screens and the
//! layout, hit-testing and core drawing code never see the ratio.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub struct HiDpi {
    inner: CanvasBackend,
    /// The canvas's layout size in CSS pixels.
    css: (u32, u32),
}

impl HiDpi {
    /// Sizes `canvas`'s bitmap to its layout box times the device pixel ratio.
    pub fn new(canvas: &HtmlCanvasElement) -> Result<Self, String> {
        let ratio = web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .max(1.0);
        let css = (
            canvas.client_width().max(1) as u32,
            canvas.client_height().max(1) as u32,
        );
        canvas.set_width((f64::from(css.0) * ratio).round() as u32);
        canvas.set_height((f64::from(css.1) * ratio).round() as u32);
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or_else(|| "the canvas has no 2D context".to_owned())?;
        // Resizing reset the transform; scale once so CSS-pixel coordinates land right.
        context.scale(ratio, ratio).map_err(|e| format!("{e:?}"))?;
        let inner = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| "the canvas has no 2D context".to_owned())?;
        Ok(Self { inner, css })
    }
}

type Error = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

/// Everything but the size is the canvas backend's own.
impl DrawingBackend for HiDpi {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.css
    }

    fn ensure_prepared(&mut self) -> Result<(), Error> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Error> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Error> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Error> {
        self.inner.draw_text(text, style, pos)
    }
}
