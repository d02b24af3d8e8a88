use yew::prelude::*;

use super::use_loader;

use crate::state::{Job, Pending};

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub pending: Pending,
}

/// What the worker is doing, with a Cancel button; whatever was loaded before stays.
#[function_component(Progress)]
pub fn progress(props: &ProgressProps) -> Html {
    let loader = use_loader();
    let what = match &props.pending.job {
        Job::Load { name } => format!("Loading {name}"),
        Job::Simulate { .. } => "Re-running both kernels".to_owned(),
    };
    let stage = props.pending.stage.name();
    let oncancel = Callback::from(move |_: MouseEvent| loader.cancel());
    html! {
        <div class="progress" id="load-progress" role="status" data-stage={stage}>
            <progress aria-label="Working" />
            <span>{ format!("{what}: {stage}…") }</span>
            <button type="button" id="cancel-load" onclick={oncancel}>{ "Cancel" }</button>
        </div>
    }
}
