use yew::prelude::*;

use super::file_picker::FilePicker;
use super::map_strip::MapStrip;
use super::summary::Summary;
use crate::state::AppState;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let dispatch = state.dispatcher();
    html! {
        <>
            <header>
                <h1>{ "efiviz" }</h1>
                <p>{ "The EFI memory map through an x86 Linux boot." }</p>
            </header>
            <main>
                <FilePicker {dispatch} />
                if let Some(message) = &state.error {
                    <p class="error" role="alert" id="load-error">{ message }</p>
                }
                if let Some(loaded) = &state.loaded {
                    <Summary loaded={loaded.clone()} />
                    <MapStrip loaded={loaded.clone()} />
                }
            </main>
        </>
    }
}
