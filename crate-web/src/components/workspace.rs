use yew::prelude::*;

use super::StateProps;
use super::after_paint::AfterPaint;
use super::compare_panel::ComparePanel;
use super::data_table::DataTable;
use super::details::Details;
use super::gallery::Gallery;
use super::happenings::Happenings;
use super::knobs::KnobsPanel;
use super::legend::Legend;
use super::memmap_view::MemmapArray;
use super::report::ParseReport;
use super::share_bar::ShareBar;
use super::stepper::Stepper;
use super::summary::Summary;
use super::timeline::Timeline;

/// Everything shown once a map is loaded: the sidebar, the chart and the panels under it.
#[function_component(Workspace)]
pub fn workspace(props: &StateProps) -> Html {
    let state = &props.state;
    let dispatch = state.dispatcher();
    let Some(loaded) = &state.loaded else {
        return html! {};
    };
    html! {
    <main class="workspace">
        // The chart is painted first; the sidebar and the panels under the chart
        // (hundreds of rows and cells) follow a frame later.
        <aside class="sidebar">
            <AfterPaint>
                <Summary loaded={loaded.clone()} />
                <ParseReport loaded={loaded.clone()} />
                <KnobsPanel state={state.clone()} />
                <details class="samples-menu">
                    <summary>{ "Samples" }</summary>
                    <Gallery />
                </details>
            </AfterPaint>
        </aside>
        <div class="main-column">
            <ShareBar state={state.clone()} />
            <Stepper state={state.clone()} />
            <Timeline state={state.clone()} />
            <Legend />
            <AfterPaint>
                <ComparePanel state={state.clone()} />
                <div class="panels">
                    <Happenings state={state.clone()} />
                    <Details state={state.clone()} />
                </div>
                <MemmapArray loaded={loaded.clone()} step={state.step}
                    kernel={state.focus_kernel()} />
                <DataTable loaded={loaded.clone()} step={state.step}
                    kernel={state.focus_kernel()} view={state.view}
                    selected={state.selected} dispatch={dispatch.clone()} />
            </AfterPaint>
        </div>
    </main>
    }
}
