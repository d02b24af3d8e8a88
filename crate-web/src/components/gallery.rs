use yew::prelude::*;

use super::DispatchProps;

use crate::canvas::mark_input;
use crate::samples::SAMPLES;
use crate::state::Action;

/// Sample maps, one button each: real boots and the spec's edge cases.
#[function_component(Gallery)]
pub fn gallery(props: &DispatchProps) -> Html {
    let cards = SAMPLES.iter().map(|sample| {
        let dispatch = props.dispatch.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            mark_input();
            dispatch.dispatch(Action::Load {
                name: sample.title.to_owned(),
                bytes: sample.text.as_bytes().to_vec(),
                reservations: sample.reservations(),
            });
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
