//! Light and dark inks for everything around the state colours. The Okabe-Ito state colours
//! stay the same in both themes (they are mid-tones that read on either background); only the
//! page-like parts change: background, empty lanes, gap bands, outlines and marks.

use plotters::style::{BLACK, RGBColor, WHITE};

/// Which set of inks a chart is drawn with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// The non-state colours of a chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ink {
    /// Behind everything, and the cut-out gap bands.
    pub background: RGBColor,
    /// A lane with nothing drawn on it yet (future steps).
    pub lane: RGBColor,
    /// The double slash in a gap band.
    pub gap: RGBColor,
    /// The hairline between wide neighbouring regions.
    pub hairline: RGBColor,
    /// The strongest contrast: selection frame, OLD/NEW difference bars, overview frame.
    pub text: RGBColor,
    /// The hover frame.
    pub hover: RGBColor,
}

impl Theme {
    pub fn ink(self) -> Ink {
        match self {
            Self::Light => Ink {
                background: WHITE,
                lane: RGBColor(0xEE, 0xEF, 0xF1),
                gap: RGBColor(0x70, 0x70, 0x70),
                hairline: WHITE,
                text: BLACK,
                hover: RGBColor(0x33, 0x33, 0x33),
            },
            // The page's dark background (static/style.css `--bg`), so the chart sits in it.
            Self::Dark => Ink {
                background: RGBColor(0x16, 0x18, 0x1c),
                lane: RGBColor(0x2a, 0x2d, 0x33),
                gap: RGBColor(0xa0, 0xa4, 0xab),
                hairline: RGBColor(0x16, 0x18, 0x1c),
                text: RGBColor(0xf2, 0xf3, 0xf5),
                hover: RGBColor(0xc8, 0xcb, 0xd0),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of an sRGB colour.
    fn luminance(c: RGBColor) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn frames_and_marks_stand_out_in_both_themes() {
        for theme in [Theme::Light, Theme::Dark] {
            let ink = theme.ink();
            // WCAG AA for text (4.5:1) for the selection/difference ink, and 3:1 (graphics)
            // for the gap slashes and the hover frame, against both background and lane.
            for behind in [ink.background, ink.lane] {
                assert!(contrast(ink.text, behind) >= 4.5, "{theme:?} text");
                assert!(contrast(ink.gap, behind) >= 3.0, "{theme:?} gap");
                assert!(contrast(ink.hover, behind) >= 3.0, "{theme:?} hover");
            }
        }
        assert_ne!(Theme::Light.ink().background, Theme::Dark.ink().background);
    }
}
