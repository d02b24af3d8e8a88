use efiviz_core::layout::units::{grouped, hex, iec};
use yew::prelude::*;

use super::StateProps;

use super::legend::swatch;
use crate::state::Action;

/// The selected (or else hovered) region: range, size, type, attributes and what became of
/// its first byte in every step.
#[function_component(Details)]
pub fn details(props: &StateProps) -> Html {
    let state = &*props.state;
    let (Some(loaded), Some(pick)) = (&state.loaded, state.selected.or(state.hovered)) else {
        return html! {
            <aside class="details" id="details" aria-live="polite">
                <h2>{ "Details" }</h2>
                <p class="muted">{ "Hover or click a region (or a table row) to see it here." }</p>
            </aside>
        };
    };
    let Some(region) = state.region(pick) else {
        return html! {};
    };
    let facts = region
        .facts
        .iter()
        .map(|(k, v)| html! { <><dt>{ k.as_ref() }</dt><dd>{ v }</dd></> });
    let kernels = state.kernels();
    let fate = loaded.story.steps.iter().enumerate().flat_map(|(i, step)| {
        kernels.iter().map(move |&k| {
            let here = step.kernel(k).lane.region_at(region.start);
            html! {
                <tr>
                    <td>{ format!("{}. {}", i + 1, step.name) }</td>
                    <td>{ k.name().to_uppercase() }</td>
                    <td>{ here.map_or_else(|| html! { "not in this lane" },
                        |r| html! { <>{ swatch(r.state) }{ r.state.name() }</> }) }</td>
                    <td>{ here.map(|r| r.note.clone()).unwrap_or_default() }</td>
                </tr>
            }
        })
    });
    let zoom = {
        let dispatch = props.state.dispatcher();
        let (start, end) = (region.start, region.end);
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::ZoomTo { start, end }))
    };
    let what = if state.selected.is_some() {
        "Selected"
    } else {
        "Hovered"
    };
    html! {
        <aside class="details" id="details" aria-live="polite">
            <h2>{ format!("{what}: {}", region.label) }</h2>
            <dl>
                <dt>{ "Range" }</dt>
                <dd id="details-range"><code>{ format!("[{}, {})", hex(region.start), hex(region.end)) }</code></dd>
                <dt>{ "Size" }</dt>
                <dd id="details-size">{ format!("{} ({} bytes)", iec(region.size()), grouped(region.size())) }</dd>
                <dt>{ "State" }</dt>
                <dd id="details-state">{ swatch(region.state) }{ region.state.name() }</dd>
                if !region.note.is_empty() {
                    <dt>{ "Why" }</dt><dd>{ &region.note }</dd>
                }
                { for facts }
            </dl>
            <button type="button" onclick={zoom} title="Zoom to this region">{ "Zoom to region" }</button>
            <h3>{ "Fate in each step" }</h3>
            <table class="fate">
                <thead><tr><th scope="col">{ "Step" }</th><th scope="col">{ "Kernel" }</th>
                    <th scope="col">{ "State" }</th><th scope="col">{ "Why" }</th></tr></thead>
                <tbody>{ for fate }</tbody>
            </table>
        </aside>
    }
}
