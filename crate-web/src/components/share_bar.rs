use efiviz_core::layout::Rows;
use efiviz_core::share::{self, InputForm, ViewState};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::StateProps;

use crate::canvas::{PNG_MAX_SIDE, export_png};
use crate::export::{copy_text, download_bytes, file_name};
use crate::page_url::{embed_link_to, link_to, show_fragment};
use crate::state::AppState;

/// What the bar last did, shown under it until the next action.
#[derive(Clone, Debug, Default, PartialEq)]
struct Notice {
    message: String,
    /// Text the user may need to copy by hand (a link, a snippet, copied text).
    text: Option<String>,
    /// The input was too large for a link: offer it as a file.
    offer_file: bool,
    error: bool,
}

impl Notice {
    fn error(message: String) -> Self {
        Self {
            message,
            error: true,
            ..Self::default()
        }
    }
}

/// Copies `text`, then says so; when the browser refuses, the text stays visible to copy
/// by hand.
fn copy_and_tell(notice: UseStateHandle<Notice>, label: &'static str, text: String) {
    spawn_local(async move {
        let message = match copy_text(&text).await {
            Ok(()) => format!("{label} copied to the clipboard."),
            Err(_) => format!("The browser did not allow copying; select the {label} below."),
        };
        notice.set(Notice {
            message,
            text: Some(text),
            ..Notice::default()
        });
    });
}

/// The link of `view`, or a notice explaining why there is none.
fn fragment_of(view: &ViewState) -> Result<(String, InputForm), Notice> {
    share::link(view)
        .map(|link| (link.fragment, link.form))
        .map_err(|too_large| Notice {
            message: format!("Cannot make a link: {too_large}."),
            offer_file: true,
            error: true,
            ..Notice::default()
        })
}

/// A number field's value within `1..=max`, or `None`.
fn side(input: &NodeRef, max: u32) -> Option<u32> {
    let value = input.cast::<HtmlInputElement>()?.value();
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|v| (1..=max).contains(v))
}

/// Share and export: copy link, embed snippet, SVG and PNG figures, copy as text.
#[function_component(ShareBar)]
pub fn share_bar(props: &StateProps) -> Html {
    let notice = use_state(Notice::default);
    let (png_width, png_height) = (use_node_ref(), use_node_ref());
    let state: &AppState = &props.state;
    let Some(loaded) = state.loaded.clone() else {
        return html! {};
    };

    let action = |run: fn(&AppState, &UseStateHandle<Notice>)| {
        let (state, notice) = (props.state.clone(), notice.clone());
        Callback::from(move |_: MouseEvent| run(&state, &notice))
    };
    let copy_link = action(|state, notice| {
        let Some(view) = state.view_state() else {
            return;
        };
        match fragment_of(&ViewState {
            embed: false,
            ..view
        }) {
            Ok((fragment, form)) => {
                show_fragment(&fragment);
                let label = if form == InputForm::Model {
                    "link (it carries the parsed map: the input was too large, so the parse report is not included)"
                } else {
                    "link"
                };
                copy_and_tell(notice.clone(), label, link_to(&fragment));
            }
            Err(refused) => notice.set(refused),
        }
    });
    let embed = action(|state, notice| {
        let Some(view) = state.view_state() else {
            return;
        };
        match fragment_of(&ViewState {
            embed: false,
            ..view.clone()
        }) {
            Ok((fragment, _)) => {
                // Tall enough for every lane, the stepper above and the axis and link below.
                let height = Rows::DEFAULT.total(state.rows().len()) + 150;
                let snippet = format!(
                    "<iframe src=\"{}\" width=\"960\" height=\"{height}\" style=\"border:0\" title=\"efiviz: {}\" loading=\"lazy\"></iframe>",
                    embed_link_to(&fragment),
                    efiviz_core::draw::xml::escape(&view.name),
                );
                copy_and_tell(notice.clone(), "embed snippet", snippet);
            }
            Err(refused) => notice.set(refused),
        }
    });
    let copy_log = action(|state, notice| {
        let Some(loaded) = &state.loaded else { return };
        if let Some(text) = share::log_text(&loaded.story, state.step, state.focus_kernel()) {
            copy_and_tell(notice.clone(), "log lines", text);
        }
    });
    let copy_table = action(|state, notice| {
        let Some(loaded) = &state.loaded else { return };
        if let Some(text) = share::markdown_table(&loaded.story, state.step, state.focus_kernel()) {
            copy_and_tell(notice.clone(), "markdown table", text);
        }
    });
    let export_file = action(|state, notice| {
        let Some(loaded) = &state.loaded else { return };
        let name = file_name(
            &loaded.name,
            if loaded.form == InputForm::Model {
                ".json"
            } else {
                ".txt"
            },
        );
        if let Err(message) = download_bytes(&loaded.bytes, "text/plain", &name) {
            notice.set(Notice::error(message));
        }
    });
    let export_svg = {
        let (state, notice, png_width) = (props.state.clone(), notice.clone(), png_width.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(view), Some(loaded)) = (state.view_state(), &state.loaded) else {
                return;
            };
            let width = side(&png_width, PNG_MAX_SIDE).unwrap_or(1200);
            let view = ViewState {
                embed: false,
                ..view
            };
            let saved = share::svg_figure(&view, &loaded.story, width).and_then(|svg| {
                download_bytes(
                    svg.as_bytes(),
                    "image/svg+xml",
                    &file_name(&loaded.name, ".svg"),
                )
            });
            notice.set(match saved {
                Ok(()) => Notice {
                    message: "SVG saved. Drop it back on efiviz to reopen this view.".to_owned(),
                    ..Notice::default()
                },
                Err(message) => Notice::error(message),
            });
        })
    };
    let export_picture = {
        let (state, notice) = (props.state.clone(), notice.clone());
        let (png_width, png_height) = (png_width.clone(), png_height.clone());
        Callback::from(move |_: MouseEvent| {
            let size = side(&png_width, PNG_MAX_SIDE).zip(side(&png_height, PNG_MAX_SIDE));
            let Some(size) = size else {
                notice.set(Notice::error(format!(
                    "PNG size: width and height must be whole numbers from 1 to {PNG_MAX_SIDE}."
                )));
                return;
            };
            let name = state
                .loaded
                .as_ref()
                .map_or_else(String::new, |l| file_name(&l.name, ".png"));
            notice.set(match export_png(&state, size, name) {
                Ok(()) => Notice {
                    message: format!("PNG of {} × {} pixels saved.", size.0, size.1),
                    ..Notice::default()
                },
                Err(message) => Notice::error(message),
            });
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(field) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            field.select();
        }
    });

    html! {
        <div class="share-bar" role="group" aria-label="Share and export">
            <button type="button" id="copy-link" onclick={copy_link}
                title="Copy a link that opens exactly this view">{ "Copy link" }</button>
            <button type="button" id="embed-snippet" onclick={embed}
                title="Copy an <iframe> snippet that embeds this view in a web page">{ "Embed" }</button>
            <button type="button" id="copy-log" onclick={copy_log}
                title="This step as kernel log lines (efi=debug layout)">{ "Copy log lines" }</button>
            <button type="button" id="copy-table" onclick={copy_table}
                title="This step's regions as a markdown table">{ "Copy table" }</button>
            <span class="figure-export">
                <button type="button" id="export-svg" onclick={export_svg}
                    title="Save the view as an SVG figure (reopens this view when dropped on efiviz)">{ "SVG" }</button>
                <button type="button" id="export-png" onclick={export_picture}
                    title="Save the view as a PNG of the size given">{ "PNG" }</button>
                <label>{ "width " }<input id="png-width" ref={png_width} type="number" min="1"
                    max={PNG_MAX_SIDE.to_string()} value="1600" /></label>
                <label>{ "height " }<input id="png-height" ref={png_height} type="number" min="1"
                    max={PNG_MAX_SIDE.to_string()} value="900" /></label>
            </span>
            if !notice.message.is_empty() {
                <div id="share-status" role="status" class={classes!("share-status", notice.error.then_some("error"))}>
                    <p>{ &notice.message }</p>
                    if let Some(text) = &notice.text {
                        <textarea id="share-text" readonly=true rows="3" value={text.clone()}
                            onfocus={select_all.clone()} aria-label="Text to copy" />
                    }
                    if notice.offer_file {
                        <button type="button" id="export-input" onclick={export_file}>
                            { format!("Export file ({})", loaded.name) }</button>
                    }
                </div>
            }
        </div>
    }
}
