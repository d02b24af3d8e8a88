use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::DispatchProps;

use crate::canvas::mark_input;
use crate::state::Action;

/// A text box for pasting a log by hand (Ctrl+V anywhere else on the page works too).
#[function_component(PasteBox)]
pub fn paste_box(props: &DispatchProps) -> Html {
    let text = use_node_ref();
    let onclick = {
        let (text, dispatch) = (text.clone(), props.dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = text.cast::<HtmlTextAreaElement>() {
                mark_input();
                dispatch.dispatch(Action::Load {
                    name: "pasted text".to_owned(),
                    bytes: area.value().into_bytes(),
                    reservations: Vec::new(),
                });
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
