//! The page's own address: the fragment a link carries, the `?embed` flag, and the URLs the
//! app hands out (links, the embed snippet, "open in efiviz"). Nothing here navigates: the
//! app never moves the page, or a parent page when it is embedded.

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The fragment without `#`, if there is one.
pub fn fragment() -> Option<String> {
    let hash = location()?.hash().ok()?;
    let text = hash.strip_prefix('#').unwrap_or(&hash);
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether the page was opened as `…?embed` (the snippet's form; `embed=1` in the fragment
/// works too).
pub fn embed_requested() -> bool {
    location()
        .and_then(|l| l.search().ok())
        .is_some_and(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .any(|pair| pair == "embed" || pair.starts_with("embed="))
        })
}

/// This page's address without query and fragment: where the app lives, sub-path included.
fn app_address() -> String {
    location()
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default()
}

/// The full app showing `fragment`.
pub fn link_to(fragment: &str) -> String {
    format!("{}#{fragment}", app_address())
}

/// The embeddable page showing `fragment`.
pub fn embed_link_to(fragment: &str) -> String {
    format!("{}?embed#{fragment}", app_address())
}

/// Shows `fragment` in the address bar without a reload and without a history entry (and
/// without a `hashchange`, so the view is not restored onto itself).
pub fn show_fragment(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("#{fragment}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
