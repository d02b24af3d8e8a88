//! Colours and patterns per region state: the Okabe-Ito palette, which stays distinguishable
//! under the common forms of colour blindness, plus a pattern as a second channel so no state
//! is told apart by colour alone.

use plotters::style::RGBColor;

use crate::layout::RegionState;

/// Black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
];

/// Neutral grey for firmware-owned ranges nobody may touch.
const GREY: RGBColor = RGBColor(0xA0, 0xA0, 0xA0);

/// The texture drawn over a state's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    Solid,
    /// Lines rising to the right.
    Diagonal,
    /// Both diagonals.
    Cross,
    Vertical,
    Dots,
}

impl Pattern {
    /// A stable name, used for the legend's CSS swatches.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Solid => "solid",
            Self::Diagonal => "diagonal",
            Self::Cross => "cross",
            Self::Vertical => "vertical",
            Self::Dots => "dots",
        }
    }
}

/// Fill colour and pattern of a state.
pub fn state_style(state: RegionState) -> (RGBColor, Pattern) {
    use Pattern::*;
    use RegionState::*;
    match state {
        FreeRam => (OKABE_ITO[3], Solid),
        FreedByEfi => (OKABE_ITO[3], Diagonal),
        HeldRam => (OKABE_ITO[3], Dots),
        Loader => (OKABE_ITO[2], Solid),
        BootServices => (OKABE_ITO[1], Solid),
        RsrvKern => (OKABE_ITO[1], Cross),
        MappedBs => (OKABE_ITO[1], Vertical),
        Runtime => (OKABE_ITO[6], Solid),
        KernelImage => (OKABE_ITO[5], Solid),
        MemmapBuffer => (OKABE_ITO[4], Solid),
        LeakedBuffer => (OKABE_ITO[4], Diagonal),
        Trampoline => (OKABE_ITO[7], Dots),
        Acpi => (OKABE_ITO[7], Solid),
        Reserved => (GREY, Solid),
    }
}

/// `#rrggbb`, for HTML next to the chart (legend, table swatches).
pub fn css(colour: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_distinct_colour_and_pattern_pair() {
        let styles: Vec<_> = RegionState::ALL
            .iter()
            .map(|&s| {
                let (c, p) = state_style(s);
                (css(c), p.slug())
            })
            .collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(!styles[i + 1..].contains(a), "{a:?} is used twice");
        }
        assert_eq!(styles[0], ("#009e73".to_owned(), "solid"));
    }
}
