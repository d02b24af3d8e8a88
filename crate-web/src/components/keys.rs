//! Page-wide input that is not tied to one element: keyboard shortcuts, paste, drag and drop.

use efiviz_core::share::KernelChoice;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{ClipboardEvent, Element, KeyboardEvent};
use yew::prelude::*;

use crate::loader::Loader;
use crate::state::{Action, AppState, Move};

/// The action a key stands for, if any (Perfetto-style WASD plus Python-Tutor-style stepping).
pub fn key_action(key: &str) -> Option<Action> {
    Some(match key {
        "ArrowLeft" | "," => Action::Step(Move::Previous),
        "ArrowRight" | "." => Action::Step(Move::Next),
        "Home" => Action::Step(Move::First),
        "End" => Action::Step(Move::Last),
        "+" | "=" | "w" | "W" => Action::Zoom {
            factor: 1.5,
            anchor: 0.5,
        },
        "-" | "_" | "s" | "S" => Action::Zoom {
            factor: 1.0 / 1.5,
            anchor: 0.5,
        },
        "a" | "A" => Action::Pan(-0.25),
        "d" | "D" => Action::Pan(0.25),
        "f" | "F" => Action::Fit,
        "1" => Action::SetMode(KernelChoice::Old),
        "2" => Action::SetMode(KernelChoice::New),
        "3" => Action::SetMode(KernelChoice::Both),
        "]" => Action::SelectAdjacent(1),
        "[" => Action::SelectAdjacent(-1),
        "Escape" => Action::Select(None),
        _ => return None,
    })
}

/// True when the event comes from a text field, where keys and paste belong to the field.
fn in_text_field(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Installs the document-wide keyboard and paste listeners for as long as the app lives.
#[hook]
pub fn use_page_input(dispatch: UseReducerDispatcher<AppState>, loader: Loader) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let on_key = {
            Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() || in_text_field(e.target()) {
                    return;
                }
                // Keys on a focused button or table row act on it, not on the chart.
                if e.key() == " " || e.key() == "Enter" {
                    return;
                }
                if let Some(action) = key_action(&e.key()) {
                    e.prevent_default();
                    dispatch.dispatch(action);
                }
            })
        };
        let on_paste = Closure::<dyn Fn(ClipboardEvent)>::new(move |e: ClipboardEvent| {
            if in_text_field(e.target()) {
                return;
            }
            let text = e.clipboard_data().and_then(|d| d.get_data("text").ok());
            if let Some(text) = text.filter(|t| !t.is_empty()) {
                e.prevent_default();
                loader.load_bytes("pasted text".to_owned(), text.into_bytes(), Vec::new());
            }
        });
        if let Some(document) = &document {
            let _ = document
                .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            let _ = document
                .add_event_listener_with_callback("paste", on_paste.as_ref().unchecked_ref());
        }
        move || {
            if let Some(document) = document {
                let _ = document.remove_event_listener_with_callback(
                    "keydown",
                    on_key.as_ref().unchecked_ref(),
                );
                let _ = document.remove_event_listener_with_callback(
                    "paste",
                    on_paste.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
