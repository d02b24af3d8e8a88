use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::state::{Action, AppState};

#[derive(Properties, PartialEq)]
pub struct FilePickerProps {
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// A file input; the chosen file's bytes go to the reducer as [`Action::Load`].
#[function_component(FilePicker)]
pub fn file_picker(props: &FilePickerProps) -> Html {
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
                spawn_local(read_file(file, dispatch.clone()));
            }
        })
    };
    html! {
        <label class="file-picker">
            { "Open a memory map (dmesg, UEFI shell memmap, e820, JSON, raw descriptors): " }
            <input id="file-input" type="file" {onchange} />
        </label>
    }
}

async fn read_file(file: File, dispatch: UseReducerDispatcher<AppState>) {
    let name = file.name();
    match JsFuture::from(file.array_buffer()).await {
        Ok(buffer) => {
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            dispatch.dispatch(Action::Load { name, bytes });
        }
        Err(error) => dispatch.dispatch(Action::ReadFailed {
            name,
            message: error.as_string().unwrap_or_else(|| format!("{error:?}")),
        }),
    }
}
