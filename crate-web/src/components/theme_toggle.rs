use efiviz_core::draw::Theme;
use yew::prelude::*;

use super::StateProps;

use crate::listener::Listener;
use crate::state::{Action, AppState};
use crate::theme;

/// Applies the theme: the stored choice, else the system setting, followed live until the
/// user chooses. Used by the whole app, embedded or not.
#[hook]
pub fn use_page_theme(state: &UseReducerHandle<AppState>) {
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            dispatch.dispatch(Action::SetTheme(
                theme::stored().unwrap_or_else(theme::system),
            ));
            let listener = theme::system_query().map(|query| {
                Listener::new(query.into(), "change", move || {
                    if theme::stored().is_none() {
                        dispatch.dispatch(Action::SetTheme(theme::system()));
                    }
                })
            });
            move || drop(listener)
        });
    }
    use_effect_with(state.theme, |&current| theme::apply(current));
}

/// The dark-mode switch; once pressed, the choice is remembered in this browser.
#[function_component(ThemeToggle)]
pub fn theme_toggle(props: &StateProps) -> Html {
    let current = props.state.theme;
    let onclick = {
        let dispatch = props.state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let next = match current {
                Theme::Light => Theme::Dark,
                Theme::Dark => Theme::Light,
            };
            theme::store(next);
            dispatch.dispatch(Action::SetTheme(next));
        })
    };
    html! {
        <button type="button" id="theme-toggle" class="theme-toggle" {onclick}
            aria-pressed={(current == Theme::Dark).to_string()}
            title="Dark mode (follows the system setting until you choose)">{ "Dark mode" }</button>
    }
}
