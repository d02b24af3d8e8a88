use efiviz_core::draw::{css, state_style};
use efiviz_core::layout::RegionState;
use yew::prelude::*;

/// Colour plus pattern of every state, drawn with the same palette as the chart.
#[function_component(Legend)]
pub fn legend() -> Html {
    let items = RegionState::ALL
        .iter()
        .map(|&state| html! { <li>{ swatch(state) }{ state.name() }</li> });
    html! {
        <ul class="legend" aria-label="Legend">
            { for items }
            <li><span class="swatch gap" aria-hidden="true"></span>{ "cut-out gap (no memory)" }</li>
            <li><span class="swatch diff" aria-hidden="true"></span>{ "differs between OLD and NEW" }</li>
        </ul>
    }
}

/// A small coloured, patterned box for `state` (legend, table, details).
pub fn swatch(state: RegionState) -> Html {
    let (colour, pattern) = state_style(state);
    html! {
        <span class={classes!("swatch", pattern.slug())} aria-hidden="true"
            style={format!("background-color: {}", css(colour))}></span>
    }
}
