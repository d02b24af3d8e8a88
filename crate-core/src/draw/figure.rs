//! The timeline as a standalone SVG figure, readable without the app: a title, lane labels,
//! exact hex boundary labels, the overview strip and a legend around the same plotters
//! drawing the canvas shows. Text is written as plain `<text>` elements (no font files, no
//! text measuring), so the figure renders the same wherever it is opened.

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::overview::draw_overview;
use super::palette::{css, state_style};
use super::theme::Theme;
use super::timeline::{TimelineScene, compare_marks, draw_timeline};
use super::xml::escape;
use crate::layout::units::short_hex;
use crate::layout::{Kernel, Lane, Placed, Region, RegionState, Rows, Story, View, ticks};

/// Namespace of the view element inside `<metadata>`.
pub const METADATA_NS: &str = "urn:efiviz:view";
/// Minimum distance between two boundary labels, in pixels (the app uses the same).
pub const TICK_SPACING: f64 = 96.0;
/// Narrowest figure that still fits labels, chart and legend.
pub const MIN_WIDTH: u32 = 480;

const PAD: u32 = 16;
const LABEL_W: u32 = 250;
const TITLE_H: u32 = 44;
const TICKS_H: u32 = 30;
const OVERVIEW_H: u32 = 14;
const LEGEND_ROW: u32 = 20;
const LEGEND_COL: u32 = 290;
const SANS: &str = "font-family=\"sans-serif\"";
const MONO: &str = "font-family=\"monospace\"";

/// What the figure shows and says.
pub struct Figure<'a> {
    pub story: &'a Story,
    /// Kernels per step, in lane order.
    pub kernels: &'a [Kernel],
    /// Steps `0..=step` are drawn.
    pub step: usize,
    pub view: View,
    /// `(step, kernel, address)` of the selected region.
    pub selected: Option<(usize, Kernel, u64)>,
    /// Total width in pixels (at least [`MIN_WIDTH`]).
    pub width: u32,
    pub title: &'a str,
    /// The figure described in words: `<title>` gets the title, `<desc>` this.
    pub alt: &'a str,
    /// Text for `<metadata>` (escaped here), e.g. the view's link fragment.
    pub metadata: &'a str,
}

/// The lanes the figure draws, top to bottom, as `(step, kernel)`.
pub fn figure_rows(steps: usize, step: usize, kernels: &[Kernel]) -> Vec<(usize, Kernel)> {
    (0..steps.min(step + 1))
        .flat_map(|s| kernels.iter().map(move |&k| (s, k)))
        .collect()
}

/// Every state drawn in `lanes`, in legend order.
pub fn states_shown(lanes: &[&Lane]) -> Vec<RegionState> {
    RegionState::ALL
        .into_iter()
        .filter(|&s| lanes.iter().any(|l| l.regions.iter().any(|r| r.state == s)))
        .collect()
}

/// Renders `fig` to a complete SVG document.
pub fn figure_svg(fig: &Figure) -> Result<String, String> {
    let width = fig.width.max(MIN_WIDTH);
    let chart_x = PAD + LABEL_W;
    let chart_w = width - chart_x - PAD;
    let rows = figure_rows(fig.story.steps.len(), fig.step, fig.kernels);
    let lanes: Vec<&Lane> = rows
        .iter()
        .map(|&(s, k)| &fig.story.steps[s].kernel(k).lane)
        .collect();
    let placed: Vec<&Placed> = rows.iter().map(|&(s, k)| fig.story.placed(s, k)).collect();
    let lanes_h = Rows::DEFAULT.total(lanes.len()).max(1);
    let ticks_y = TITLE_H + lanes_h;
    let overview_y = ticks_y + TICKS_H;
    let legend_y = overview_y + OVERVIEW_H + PAD;
    let states = states_shown(&lanes);
    let per_row = ((width - 2 * PAD) / LEGEND_COL).max(1) as usize;
    let legend_h = states.len().div_ceil(per_row) as u32 * LEGEND_ROW;
    let height = legend_y + legend_h + PAD + 14;

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"efiviz-title efiviz-desc\">\n\
         <title id=\"efiviz-title\">{}</title>\n<desc id=\"efiviz-desc\">{}</desc>\n\
         <metadata><efiviz:view xmlns:efiviz=\"{METADATA_NS}\">{}</efiviz:view></metadata>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        escape(fig.title),
        escape(fig.alt),
        escape(fig.metadata)
    );
    let _ = writeln!(
        svg,
        "<text x=\"{PAD}\" y=\"26\" {SANS} font-size=\"16\" font-weight=\"bold\">{}</text>",
        escape(fig.title)
    );

    // The chart: the same drawing as the app's canvas, nested so it is clipped to its box.
    let marks = compare_marks(&rows, &fig.story.steps, fig.step);
    let row_of = |(step, kernel, addr): (usize, Kernel, u64)| {
        let row = rows.iter().position(|&r| r == (step, kernel))?;
        Some((row, lanes[row].index_at(addr)?))
    };
    let scene = TimelineScene {
        lanes: &placed,
        axis: &fig.story.axis,
        view: fig.view,
        rows: Rows::DEFAULT,
        marks: &marks,
        selected: fig.selected.and_then(row_of),
        hovered: None,
        // A figure is a light document (white page, dark text) wherever it is pasted.
        theme: Theme::Light,
    };
    nest(&mut svg, (chart_x, TITLE_H), (chart_w, lanes_h), |area| {
        draw_timeline(area, &scene).map(|_| ())
    })?;
    lane_labels(&mut svg, fig, &rows);
    tick_labels(&mut svg, fig, (chart_x, ticks_y), chart_w);

    // The overview follows the last lane drawn, as the app's follows the focused kernel.
    if let Some(&(step, kernel)) = rows.last() {
        let axis = &fig.story.axis;
        let window = (axis.addr_at(fig.view.lo), axis.addr_at(fig.view.hi));
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" {SANS} font-size=\"11\" text-anchor=\"end\" fill=\"#444\">overview (linear)</text>",
            chart_x - 8,
            overview_y + 11
        );
        nest(
            &mut svg,
            (chart_x, overview_y),
            (chart_w, OVERVIEW_H),
            |area| {
                let (lane, axis) = fig.story.overview(step, kernel);
                draw_overview(area, (lane, &axis), window, Theme::Light)
            },
        )?;
    }
    legend(&mut svg, &states, legend_y, per_row)?;
    let _ = writeln!(
        svg,
        "<text x=\"{PAD}\" y=\"{}\" {SANS} font-size=\"10\" fill=\"#666\">Drawn by efiviz; drop this file on efiviz to reopen the view.</text>",
        height - 8
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Draws with plotters' SVG backend into a `w`×`h` box at `(x, y)` of the figure.
fn nest<F>(svg: &mut String, (x, y): (u32, u32), (w, h): (u32, u32), draw: F) -> Result<(), String>
where
    F: FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
{
    let mut inner = String::new();
    {
        let area = SVGBackend::with_string(&mut inner, (w, h)).into_drawing_area();
        draw(&area).map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())?;
    }
    // plotters writes a root `<svg …>`; placed inside ours it becomes a clipped viewport.
    let body = inner
        .strip_prefix("<svg ")
        .ok_or("the SVG backend wrote no <svg> element")?;
    let _ = write!(svg, "<svg x=\"{x}\" y=\"{y}\" {body}");
    if !svg.ends_with('\n') {
        svg.push('\n');
    }
    Ok(())
}

/// `N. step name` and the kernel, left of each lane; the current step in bold.
fn lane_labels(svg: &mut String, fig: &Figure, rows: &[(usize, Kernel)]) {
    let rows_layout = Rows::DEFAULT;
    for (i, &(step, kernel)) in rows.iter().enumerate() {
        let y = TITLE_H as i32 + rows_layout.top(i) + rows_layout.height as i32 / 2 + 4;
        let weight = if step == fig.step { "bold" } else { "normal" };
        let _ = writeln!(
            svg,
            "<text class=\"lane-label\" x=\"{PAD}\" y=\"{y}\" {SANS} font-size=\"12\" font-weight=\"{weight}\">{}. {}</text>",
            step + 1,
            escape(&fig.story.steps[step].name)
        );
        let _ = writeln!(
            svg,
            "<text class=\"kernel-tag\" x=\"{}\" y=\"{y}\" {SANS} font-size=\"11\" font-weight=\"bold\" text-anchor=\"end\">{}</text>",
            PAD + LABEL_W - 8,
            kernel.name().to_uppercase()
        );
    }
}

/// Exact boundary addresses under the chart; starts of cut-out gaps in grey.
fn tick_labels(svg: &mut String, fig: &Figure, (x0, y0): (u32, u32), chart_w: u32) {
    let w = f64::from(chart_w);
    let mut labelled = ticks(&fig.story.axis, &fig.view, w, TICK_SPACING);
    // A figure has no pan to reveal where the range ends: the last boundary always gets its
    // label, in place of a neighbour too close to it.
    if let Some(end) = ticks(&fig.story.axis, &fig.view, w, 0.0).pop() {
        if labelled.last() != Some(&end) {
            if labelled
                .last()
                .is_some_and(|t| end.px - t.px < TICK_SPACING)
            {
                labelled.pop();
            }
            labelled.push(end);
        }
    }
    for tick in labelled {
        let x = f64::from(x0) + tick.px;
        // Labels at the very ends are anchored inwards so they stay inside the figure.
        let anchor = if tick.px < 40.0 {
            "start"
        } else if tick.px > w - 40.0 {
            "end"
        } else {
            "middle"
        };
        let fill = if tick.gap { "#777" } else { "#222" };
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{y0}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"{fill}\"/>\n\
             <text class=\"tick\" x=\"{x:.1}\" y=\"{}\" {MONO} font-size=\"11\" text-anchor=\"{anchor}\" fill=\"{fill}\">{}</text>",
            y0 + 5,
            y0 + 17,
            short_hex(tick.addr)
        );
    }
}

/// A swatch (drawn by the timeline code itself, pattern included) and a name per state.
fn legend(svg: &mut String, states: &[RegionState], y0: u32, per_row: usize) -> Result<(), String> {
    for (i, &state) in states.iter().enumerate() {
        let x = PAD + (i % per_row) as u32 * LEGEND_COL;
        let y = y0 + (i / per_row) as u32 * LEGEND_ROW;
        let swatch = Lane::new("", vec![Region::new(0, 1, state, "")]);
        let axis = crate::layout::Axis::linear(0, 1);
        let placed = Placed::new(&swatch, &axis);
        let lanes = [&placed];
        let scene = TimelineScene {
            lanes: &lanes,
            axis: &axis,
            view: View::fit(&axis),
            rows: Rows { height: 14, gap: 0 },
            marks: &[],
            selected: None,
            hovered: None,
            theme: Theme::Light,
        };
        nest(svg, (x, y), (28, 14), |area| {
            draw_timeline(area, &scene).map(|_| ())
        })?;
        let _ = writeln!(
            svg,
            "<text class=\"legend\" data-colour=\"{}\" x=\"{}\" y=\"{}\" {SANS} font-size=\"12\">{}</text>",
            css(state_style(state).0),
            x + 36,
            y + 11,
            escape(state.name())
        );
    }
    Ok(())
}
