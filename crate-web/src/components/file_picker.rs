use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::use_loader;

/// "Open file…": a real file input styled as a button, so it stays keyboard- and
/// screen-reader-friendly.
#[function_component(FilePicker)]
pub fn file_picker() -> Html {
    let loader = use_loader();
    let onchange = {
        Callback::from(move |event: Event| {
            let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                loader.load_file(file);
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
