//! A hidden run-through of the workspace when the page has loaded, so the user's first map
//! does not pay for the browser's first run of the app's code.
//!
//! V8 compiles wasm functions lazily, at their first call, and optimises them only once they
//! have run for a while; the first render of the workspace, its first chart and its first
//! decoded result each cost several times what they cost later. The worker warms up by
//! loading a sample at start (worker.rs); the page renders that sample's result once into an
//! element that is never attached to the document (nothing is laid out or shown, no id is
//! duplicated) and then takes it down.

use std::cell::RefCell;

use yew::prelude::*;

use super::workspace::Workspace;
use crate::canvas::mark;
use crate::frame::after_next_paint;
use crate::loader::Loader;
use crate::state::{Action, AppState};

/// Renders the workspace for `actions` (the warm-up's job, then its result) off the page, and
/// removes it once the panels deferred to the next frame have rendered too. Marks
/// `efiviz-warm` when done.
pub fn rehearse(actions: Vec<Action>, loader: Loader) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok());
    let Some(root) = root else {
        return;
    };
    let props = RehearsalProps {
        actions: RefCell::new(actions),
        loader,
    };
    let app = yew::Renderer::<Rehearsal>::with_root_and_props(root, props).render();
    after_next_paint(move || {
        after_next_paint(move || {
            app.destroy();
            mark("efiviz-warm");
        })
    });
}

#[derive(Properties)]
struct RehearsalProps {
    /// Taken by the first render.
    actions: RefCell<Vec<Action>>,
    loader: Loader,
}

/// Rendered once and never re-rendered with other props.
impl PartialEq for RehearsalProps {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[function_component(Rehearsal)]
fn rehearsal(props: &RehearsalProps) -> Html {
    let state = use_reducer_eq(AppState::default);
    {
        // Only the first render finds the actions; the effect runs once, after it.
        let (dispatch, actions) = (state.dispatcher(), props.actions.take());
        use_effect_with((), move |_| {
            for action in actions {
                dispatch.dispatch(action);
            }
        });
    }
    html! {
        <ContextProvider<Loader> context={props.loader.clone()}>
            <Workspace {state} />
        </ContextProvider<Loader>>
    }
}
