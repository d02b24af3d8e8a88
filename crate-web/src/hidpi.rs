//! A canvas backend that keeps every coordinate in CSS pixels while the bitmap has
//! `devicePixelRatio` times as many, so the chart is sharp on high-density screens and the
//! layout, hit-testing and core drawing code never see the ratio. It draws rectangles and
//! paths itself, setting the context's colours only when they change: plotters' canvas
//! backend formats and passes a colour string for every shape, which was most of the cost of
//! drawing a chart of thousands of cells.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub struct HiDpi {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    /// The canvas's layout size in CSS pixels.
    css: (u32, u32),
    /// The context's fill colour and stroke (colour, width), once this backend has set them.
    fill: Option<Rgba>,
    stroke: Option<(Rgba, u32)>,
    /// Whether paths drawn in the current stroke style await one `stroke()` (a pattern's
    /// hatching is dozens of short lines; stroking each alone dominated the draw).
    open_path: bool,
}

/// A colour as plotters gives it, comparable.
#[derive(Clone, Copy, PartialEq)]
struct Rgba((u8, u8, u8), f64);

impl Rgba {
    fn of(color: BackendColor) -> Self {
        Self(color.rgb, color.alpha)
    }

    fn css(self) -> String {
        let Self((r, g, b), a) = self;
        format!("rgba({r},{g},{b},{a})")
    }
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
        let bitmap = (
            (f64::from(css.0) * ratio).round() as u32,
            (f64::from(css.1) * ratio).round() as u32,
        );
        // Setting a size, even the same one, reallocates the bitmap: only on a change. Every
        // drawing fills its whole area first, so an old picture never shows through.
        if (canvas.width(), canvas.height()) != bitmap {
            canvas.set_width(bitmap.0);
            canvas.set_height(bitmap.1);
        }
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or_else(|| "the canvas has no 2D context".to_owned())?;
        // Scale so CSS-pixel coordinates land right (set, not multiplied: the context keeps
        // its transform from the last draw when the size did not change).
        context
            .set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)
            .map_err(|e| format!("{e:?}"))?;
        let inner = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| "the canvas has no 2D context".to_owned())?;
        Ok(Self {
            inner,
            context,
            css,
            fill: None,
            stroke: None,
            open_path: false,
        })
    }

    /// Before plotters' own backend draws: it sets the context's colours behind our back.
    fn forget_styles(&mut self) {
        self.stroke_paths();
        self.fill = None;
        self.stroke = None;
    }

    /// Strokes the paths awaiting it; every other kind of drawing calls this first, so shapes
    /// keep the order they were drawn in.
    fn stroke_paths(&mut self) {
        if self.open_path {
            self.context.stroke();
            self.open_path = false;
        }
    }

    fn set_fill(&mut self, color: Rgba) {
        self.stroke_paths();
        if self.fill != Some(color) {
            self.context.set_fill_style_str(&color.css());
            self.fill = Some(color);
        }
    }

    fn set_stroke(&mut self, color: Rgba, width: u32) {
        self.stroke_paths();
        if self.stroke != Some((color, width)) {
            self.context.set_stroke_style_str(&color.css());
            self.context.set_line_width(f64::from(width));
            self.stroke = Some((color, width));
        }
    }
}

/// Plotters does not always present a canvas drawing: the last paths are stroked here.
impl Drop for HiDpi {
    fn drop(&mut self) {
        self.stroke_paths();
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
        self.stroke_paths();
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error> {
        self.forget_styles();
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error> {
        self.forget_styles();
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let (w, h) = (
            f64::from(bottom_right.0 - upper_left.0),
            f64::from(bottom_right.1 - upper_left.1),
        );
        if fill {
            self.set_fill(Rgba::of(color));
            self.context.fill_rect(x, y, w, h);
        } else {
            self.set_stroke(Rgba::of(color), style.stroke_width());
            self.context.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let pen = (Rgba::of(color), style.stroke_width());
        if !(self.open_path && self.stroke == Some(pen)) {
            self.set_stroke(pen.0, pen.1);
            self.context.begin_path();
            self.open_path = true;
        }
        let mut points = path.into_iter();
        if let Some((x, y)) = points.next() {
            self.context.move_to(f64::from(x), f64::from(y));
            for (x, y) in points {
                self.context.line_to(f64::from(x), f64::from(y));
            }
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        self.forget_styles();
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Error> {
        self.forget_styles();
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Error> {
        self.forget_styles();
        self.inner.draw_text(text, style, pos)
    }
}
