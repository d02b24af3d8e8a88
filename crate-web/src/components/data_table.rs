use efiviz_core::layout::units::{hex, iec};
use yew::prelude::*;

use std::rc::Rc;

use efiviz_core::layout::{Kernel, View};

use super::legend::swatch;
use crate::state::{Action, AppState, LoadedInput, Pick};

/// Rows rendered at most; the rest are reached by zooming the chart (the table follows it).
const MAX_ROWS: usize = 500;

/// Only what the table depends on, so hovering the chart does not re-render it.
#[derive(Properties, PartialEq)]
pub struct DataTableProps {
    pub loaded: Rc<LoadedInput>,
    pub step: usize,
    pub kernel: Kernel,
    pub view: View,
    pub selected: Option<Pick>,
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// The current step as a table, synced with the chart: it lists the regions in the visible
/// window, and selecting a row selects the region (Enter or click). The screen-reader path.
#[function_component(DataTable)]
pub fn data_table(props: &DataTableProps) -> Html {
    let (kernel, step) = (props.kernel, props.step);
    let Some(lane) = props
        .loaded
        .story
        .steps
        .get(step)
        .map(|s| &s.kernel(kernel).lane)
    else {
        return html! {};
    };
    let axis = &props.loaded.story.axis;
    let range = lane.overlapping(
        axis.addr_at(props.view.lo),
        axis.addr_at(props.view.hi).saturating_add(1),
    );
    let total = range.len();
    // The row holding the selected address in this step, whichever lane it was picked in.
    let selected = props.selected.and_then(|p| lane.index_at(p.addr));
    let rows = range.take(MAX_ROWS).map(|i| {
        let region = &lane.regions[i];
        let pick = Pick {
            step,
            kernel,
            addr: region.start,
        };
        let select = {
            let dispatch = props.dispatch.clone();
            move || dispatch.dispatch(Action::Select(Some(pick)))
        };
        let onclick = {
            let select = select.clone();
            Callback::from(move |_: MouseEvent| select())
        };
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                select();
            }
        });
        let is_selected = selected == Some(i);
        html! {
            <tr tabindex="0" aria-selected={is_selected.to_string()}
                class={classes!(is_selected.then_some("selected"))} {onclick} {onkeydown}>
                <td class="num">{ i }</td>
                <td><code>{ hex(region.start) }</code></td>
                <td><code>{ hex(region.end) }</code></td>
                <td class="num">{ iec(region.size()) }</td>
                <td>{ swatch(region.state) }{ region.state.name() }</td>
                <td>{ &region.label }</td>
                <td>{ &region.note }</td>
            </tr>
        }
    });
    html! {
        <section class="data-table" aria-label="Regions of the current step">
            <h2>{ format!("Regions in view: {} ({} kernel, step {})", total, kernel.name().to_uppercase(), step + 1) }</h2>
            <div class="table-scroll">
                <table id="data-table">
                    <caption class="visually-hidden">
                        { "Regions of the current step in the visible window. Press Enter on a row to select it." }
                    </caption>
                    <thead><tr>
                        <th scope="col">{ "#" }</th><th scope="col">{ "Start" }</th>
                        <th scope="col">{ "End (exclusive)" }</th><th scope="col">{ "Size" }</th>
                        <th scope="col">{ "State" }</th><th scope="col">{ "What" }</th><th scope="col">{ "Why" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            if total > MAX_ROWS {
                <p class="muted">{ format!("Showing the first {MAX_ROWS} of {total}; zoom in to see the rest.") }</p>
            }
        </section>
    }
}
