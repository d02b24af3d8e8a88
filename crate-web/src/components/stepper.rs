use efiviz_core::share::KernelChoice;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::StateProps;
use crate::state::{Action, Move};

/// Previous/next, a slider over the steps, the step's name, and the kernel/compare switch.
#[function_component(Stepper)]
pub fn stepper(props: &StateProps) -> Html {
    let state = &*props.state;
    let Some(loaded) = &state.loaded else {
        return html! {};
    };
    let steps = &loaded.story.steps;
    let last = steps.len().saturating_sub(1);
    let step = &steps[state.step.min(last)];
    let go = |movement: Move| {
        let dispatch = props.state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Step(movement)))
    };
    let oninput = {
        let dispatch = props.state.dispatcher();
        Callback::from(move |event: InputEvent| {
            let value = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|input| input.value().parse::<usize>().ok());
            if let Some(step) = value {
                dispatch.dispatch(Action::Step(Move::To(step)));
            }
        })
    };
    let mode_button = |mode: KernelChoice, label: &str, key: &str| {
        let dispatch = props.state.dispatcher();
        let onclick = Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::SetMode(mode)));
        html! {
            <button type="button" id={format!("mode-{}", label.to_lowercase())}
                aria-pressed={(state.mode == mode).to_string()} {onclick}
                title={format!("{label} ({key})")}>{ label }</button>
        }
    };
    html! {
        <div class="stepper" role="group" aria-label="Boot steps">
            <button type="button" id="step-prev" onclick={go(Move::Previous)}
                disabled={state.step == 0} title="Previous step (←)">{ "◀ Prev" }</button>
            <input id="step-slider" type="range" min="0" max={last.to_string()}
                value={state.step.to_string()} {oninput} aria-label="Step"
                aria-valuetext={step.name.clone()} />
            <button type="button" id="step-next" onclick={go(Move::Next)}
                disabled={state.step >= last} title="Next step (→)">{ "Next ▶" }</button>
            <p class="step-name" aria-live="polite">
                <span id="step-index">{ format!("Step {} of {}", state.step + 1, steps.len()) }</span>
                { ": " }<strong id="step-name">{ &step.name }</strong>
                <code class="muted step-function">{ &step.function }</code>
            </p>
            <div class="modes" role="group" aria-label="Kernel">
                { mode_button(KernelChoice::Old, "OLD", "1") }
                { mode_button(KernelChoice::New, "NEW", "2") }
                { mode_button(KernelChoice::Both, "Compare", "3") }
            </div>
        </div>
    }
}
