//! The view as an SVG figure that carries its own link: exported by the app and the CLI,
//! dropped back onto the app to reopen the same view.

use std::fmt;

use super::alt::alt_text;
use super::codec::{from_fragment, to_fragment};
use super::fields::DecodeError;
use super::state::ViewState;
use crate::draw::figure::{Figure, METADATA_NS, figure_svg};
use crate::draw::xml::unescape;
use crate::layout::Story;

/// Renders `state` over `story` (the story simulated from the state's input and knobs) as a
/// standalone SVG `width` pixels wide, with the state's fragment in `<metadata>`. A file has
/// no URL limit, so the original input always travels whole.
pub fn svg_figure(state: &ViewState, story: &Story, width: u32) -> Result<String, String> {
    let step = state.step.min(story.steps.len().saturating_sub(1));
    let kernels: Vec<String> = state
        .kernels
        .kernels()
        .iter()
        .map(|k| k.name().to_uppercase())
        .collect();
    let step_name = story.steps.get(step).map_or("", |s| s.name.as_str());
    let title = format!("{} — {step_name} ({})", state.name, kernels.join(" vs "));
    let alt = alt_text(&state.name, story, state.kernels, step);
    let metadata = to_fragment(state);
    figure_svg(&Figure {
        story,
        kernels: state.kernels.kernels(),
        step,
        view: state.view_on(&story.axis),
        selected: state.selected.map(|s| (s.step, s.kernel, s.addr)),
        width,
        title: &title,
        alt: &alt,
        metadata: &metadata,
    })
}

/// Why a dropped SVG did not reopen a view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SvgStateError {
    /// No efiviz view element: an SVG from elsewhere, or one an editor stripped.
    NotEfiviz,
    Link(DecodeError),
}

impl fmt::Display for SvgStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotEfiviz => f.write_str(
                "this SVG carries no efiviz view (no <efiviz:view> element in its <metadata>)",
            ),
            Self::Link(e) => write!(f, "the view stored in this SVG is damaged: {e}"),
        }
    }
}

impl std::error::Error for SvgStateError {}

/// The view stored in an SVG that [`svg_figure`] wrote: the text of the element in
/// efiviz's namespace, whatever prefix an editor gave it.
pub fn state_from_svg(text: &str) -> Result<ViewState, SvgStateError> {
    // Start at <metadata>: the title may quote anything, even the namespace (its `<` is
    // escaped, so only a real element matches).
    let metadata = text.find("<metadata").unwrap_or(0);
    let ns_at = text[metadata..]
        .find(METADATA_NS)
        .ok_or(SvgStateError::NotEfiviz)?
        + metadata;
    let open_end = text[ns_at..].find('>').ok_or(SvgStateError::NotEfiviz)? + ns_at + 1;
    let close = text[open_end..]
        .find("</")
        .ok_or(SvgStateError::NotEfiviz)?
        + open_end;
    let raw = &text[open_end..close];
    let fragment = unescape(raw.trim()).ok_or_else(|| {
        SvgStateError::Link(DecodeError::new(
            "metadata",
            "XML text with valid entities",
            raw,
        ))
    })?;
    from_fragment(&fragment).map_err(SvgStateError::Link)
}
