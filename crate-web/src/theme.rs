//! The page theme: the user's stored choice (localStorage), or else the system's
//! `prefers-color-scheme`. The chosen theme goes to `<html data-theme>` for the CSS and to the
//! reducer for the charts.

use efiviz_core::draw::Theme;
use web_sys::MediaQueryList;

const STORAGE_KEY: &str = "efiviz-theme";
const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

fn name(theme: Theme) -> &'static str {
    match theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
    }
}

fn storage() -> Option<web_sys::Storage> {
    // Storage can be refused (privacy settings, sandboxed iframes): then nothing is remembered.
    web_sys::window()?.local_storage().ok()?
}

/// The theme the user chose earlier with the toggle, if any.
pub fn stored() -> Option<Theme> {
    match storage()?.get_item(STORAGE_KEY).ok()??.as_str() {
        "light" => Some(Theme::Light),
        "dark" => Some(Theme::Dark),
        _ => None,
    }
}

pub fn store(theme: Theme) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, name(theme));
    }
}

/// The media query that tracks the system's preference.
pub fn system_query() -> Option<MediaQueryList> {
    web_sys::window()?.match_media(DARK_QUERY).ok()?
}

pub fn system() -> Theme {
    if system_query().is_some_and(|q| q.matches()) {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// Points the page's CSS variables at `theme`.
pub fn apply(theme: Theme) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("data-theme", name(theme));
    }
}
