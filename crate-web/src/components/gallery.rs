use yew::prelude::*;

use super::use_loader;

use crate::samples::SAMPLES;

/// Sample maps, one button each: real boots and the spec's edge cases.
#[function_component(Gallery)]
pub fn gallery() -> Html {
    let loader = use_loader();
    let cards = SAMPLES.iter().map(|sample| {
        let loader = loader.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let (name, bytes) = (sample.title.to_owned(), sample.text.as_bytes().to_vec());
            loader.load_bytes(name, bytes, sample.reservations());
        });
        html! {
            <li>
                <button type="button" class="sample" data-sample={sample.id} {onclick}>
                    <strong>{ sample.title }</strong>
                    <span>{ sample.blurb }</span>
                </button>
            </li>
        }
    });
    html! {
        <nav class="gallery" aria-label="Sample maps">
            <ul>{ for cards }</ul>
        </nav>
    }
}
