//! Textures drawn over a filled rectangle, clipped to it by construction.

use plotters::prelude::*;

use super::palette::Pattern;

/// Pixel distance between pattern lines.
const PITCH: i32 = 6;

/// Draws `pattern` inside `[x0, x1) × [y0, y1)` in `ink`.
pub fn draw_pattern<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    pattern: Pattern,
    ink: &RGBAColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    match pattern {
        Pattern::Solid => Ok(()),
        Pattern::Diagonal => diagonals(area, (x0, y0, x1, y1), false, ink),
        Pattern::Cross => {
            diagonals(area, (x0, y0, x1, y1), false, ink)?;
            diagonals(area, (x0, y0, x1, y1), true, ink)
        }
        Pattern::Vertical => {
            let first = x0 + (PITCH - x0.rem_euclid(PITCH)) % PITCH;
            for x in (first..x1).step_by(PITCH as usize) {
                area.draw(&PathElement::new([(x, y0), (x, y1 - 1)], ink))?;
            }
            Ok(())
        }
        Pattern::Dots => {
            for y in (y0 + 2..y1 - 1).step_by(PITCH as usize) {
                let first = x0 + 2 + (PITCH - (x0 + 2).rem_euclid(PITCH)) % PITCH;
                for x in (first..x1 - 1).step_by(PITCH as usize) {
                    area.draw(&Rectangle::new([(x, y), (x + 2, y + 2)], ink.filled()))?;
                }
            }
            Ok(())
        }
    }
}

/// 45° lines spaced [`PITCH`] apart, aligned to the canvas so neighbouring cells line up.
fn diagonals<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    falling: bool,
    ink: &RGBAColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let h = y1 - y0;
    // Each line is x - c = distance from the bottom (rising) or from the top (falling).
    let start = (x0 - h).div_euclid(PITCH) * PITCH;
    for c in (start..x1).step_by(PITCH as usize) {
        let sx = x0.max(c);
        let ex = x1.min(c + h);
        if sx >= ex {
            continue;
        }
        let (sy, ey) = if falling {
            (y0 + (sx - c), y0 + (ex - c))
        } else {
            (y1 - (sx - c), y1 - (ex - c))
        };
        area.draw(&PathElement::new([(sx, sy), (ex, ey)], ink))?;
    }
    Ok(())
}
