use efiviz_core::share::{ViewState, from_fragment};
use yew::prelude::*;

use crate::listener::Listener;
use crate::page_url::{embed_requested, fragment, link_to};
use crate::state::{Action, AppState};

/// Opens the view in the page's fragment, now and whenever the fragment changes (a pasted
/// link, the back button). A page opened as `?embed` stays in embed mode.
#[hook]
pub fn use_shared_link(dispatch: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| {
        let open = move || {
            let Some(text) = fragment() else { return };
            dispatch.dispatch(match from_fragment(&text) {
                Ok(view) => Action::Restore(Box::new(ViewState {
                    embed: view.embed || embed_requested(),
                    ..view
                })),
                Err(problem) => Action::RestoreFailed(problem.to_string()),
            });
        };
        open();
        let listener = web_sys::window().map(|w| Listener::new(w.into(), "hashchange", open));
        move || drop(listener)
    });
}

/// "Open in efiviz" for an embedded view: the full app with the same view, in a new tab
/// (never in the frame's parent). The address is made when the link is used, from the view
/// as it is then.
#[function_component(OpenInEfiviz)]
pub fn open_in_efiviz(props: &super::StateProps) -> Html {
    let anchor = use_node_ref();
    let onclick = {
        let (state, anchor) = (props.state.clone(), anchor.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(view) = state.view_state() else {
                return;
            };
            let fragment = efiviz_core::share::to_fragment(&ViewState {
                embed: false,
                ..view
            });
            if let Some(anchor) = anchor.cast::<web_sys::HtmlAnchorElement>() {
                anchor.set_href(&link_to(&fragment));
            }
        })
    };
    html! {
        <a id="open-in-efiviz" class="open-in-efiviz" ref={anchor} href={link_to("")}
            target="_blank" rel="noopener" {onclick}>{ "Open in efiviz ↗" }</a>
    }
}
