use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use super::DispatchProps;

use crate::canvas::mark_input;
use crate::state::{Action, AppState};

/// "Open file…": a real file input styled as a button, so it stays keyboard- and
/// screen-reader-friendly.
#[function_component(FilePicker)]
pub fn file_picker(props: &DispatchProps) -> Html {
    let onchange = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                load_file(file, dispatch.clone());
            }
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    html! {
        <label class="button file-picker" title="Open a memory map (O)">
            <input id="file-input" type="file" class="visually-hidden" {onchange}
                aria-label="Open a memory map: dmesg, UEFI shell memmap, e820, JSON or raw descriptors" />
            { "Open file…" }
        </label>
    }
}

/// Reads `file` and hands its bytes to the reducer (used by the picker and by drag and drop).
pub fn load_file(file: File, dispatch: UseReducerDispatcher<AppState>) {
    mark_input();
    spawn_local(async move {
        let name = file.name();
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                dispatch.dispatch(Action::Load {
                    name,
                    bytes,
                    reservations: Vec::new(),
                });
            }
            Err(error) => dispatch.dispatch(Action::ReadFailed {
                name,
                message: error.as_string().unwrap_or_else(|| format!("{error:?}")),
            }),
        }
    });
}
