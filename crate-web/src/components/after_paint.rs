use yew::prelude::*;

use crate::frame::after_next_paint;

#[derive(Properties, PartialEq)]
pub struct AfterPaintProps {
    pub children: Html,
}

/// Shows its children only after the frame it first appeared in has been painted, so panels
/// that are not the chart (hundreds of rows and cells) do not delay the chart's first paint.
/// It defers once, when mounted: later loads and steps update the children at once.
#[function_component(AfterPaint)]
pub fn after_paint(props: &AfterPaintProps) -> Html {
    let shown = use_state_eq(|| false);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| after_next_paint(move || shown.set(true)));
    }
    if *shown {
        props.children.clone()
    } else {
        html! { <div class="after-paint" aria-busy="true" /> }
    }
}
