use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::use_loader;

/// A text box for pasting a log by hand (Ctrl+V anywhere else on the page works too).
#[function_component(PasteBox)]
pub fn paste_box() -> Html {
    let text = use_node_ref();
    let loader = use_loader();
    let onclick = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = text.cast::<HtmlTextAreaElement>() {
                loader.load_bytes(
                    "pasted text".to_owned(),
                    area.value().into_bytes(),
                    Vec::new(),
                );
            }
        })
    };
    html! {
        <details class="paste-box">
            <summary>{ "Paste text" }</summary>
            <label for="paste-text" class="visually-hidden">{ "Memory map text" }</label>
            <textarea id="paste-text" ref={text} rows="6"
                placeholder="Paste dmesg (efi=debug), a UEFI shell memmap, e820 lines…" />
            <button id="paste-load" type="button" {onclick}>{ "Load pasted text" }</button>
        </details>
    }
}
