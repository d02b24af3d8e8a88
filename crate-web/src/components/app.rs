use yew::prelude::*;

use super::file_picker::FilePicker;
use super::gallery::Gallery;
use super::keys::use_page_input;
use super::paste_box::PasteBox;
use super::progress::Progress;
use super::rehearsal::rehearse;
use super::shared_link::{OpenInEfiviz, use_shared_link};
use super::stepper::Stepper;
use super::theme_toggle::{ThemeToggle, use_page_theme};
use super::timeline::Timeline;
use super::workspace::Workspace;
use crate::loader::Loader;
use crate::state::AppState;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer_eq(AppState::default);
    let dispatch = state.dispatcher();
    // Created once, at page load, so the worker is warm by the first upload.
    let loader = (*use_memo((), |_| Loader::new(dispatch.clone(), rehearse))).clone();
    use_page_input(dispatch.clone(), loader.clone());
    use_shared_link(dispatch.clone());
    use_page_theme(&state);
    let dragging = use_state_eq(|| false);

    // Drag and drop anywhere on the page.
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let (dragging, loader) = (dragging.clone(), loader.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let file = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                loader.load_file(file);
            }
        })
    };

    if state.embed || crate::page_url::embed_requested() {
        return html! {
            <div class="page embed">
                if let Some(message) = &state.error {
                    <p class="error" role="alert" id="load-error">{ message }</p>
                }
                if state.loaded.is_some() {
                    <Stepper state={state.clone()} />
                    <Timeline state={state.clone()} />
                    <p class="embed-footer"><OpenInEfiviz state={state.clone()} /></p>
                } else if state.error.is_none() {
                    <p class="muted">{ "This embedded view has no map in its address." }</p>
                }
            </div>
        };
    }

    html! {
        <ContextProvider<Loader> context={loader.clone()}>
        <div class={classes!("page", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
            <header class="topbar">
                <h1>{ "efiviz" }</h1>
                <p class="tagline">{ "The EFI memory map through an x86 Linux boot — before and after “Avoid the need to mangle the EFI memory map”." }</p>
                <div class="inputs">
                    <FilePicker />
                    <PasteBox />
                    <ThemeToggle state={state.clone()} />
                </div>
            </header>
            if let Some(pending) = &state.pending {
                <Progress pending={pending.clone()} />
            }
            if let Some(message) = &state.error {
                <p class="error" role="alert" id="load-error">{ message }</p>
            }
            if state.loaded.is_some() {
                <Workspace state={state.clone()} />
            } else {
                <main class="welcome">
                    <h2>{ "Load a memory map" }</h2>
                    <p>{ "Open a file, drop it anywhere on this page, or paste it (Ctrl+V). Nothing leaves your browser." }</p>
                    <p class="muted">{ "For best results boot with " }<code>{ "efi=debug memblock=debug" }</code>{ " and save " }<code>{ "dmesg" }</code>{ ". Or start with a sample:" }</p>
                    <Gallery />
                    <p class="muted">{ "Keys once a map is loaded: ←/→ step, Home/End first/last, +/− zoom, A/D pan, F fit, 1/2/3 OLD/NEW/Compare, Esc clear selection." }</p>
                </main>
            }
            <p class="drop-hint" aria-hidden="true">{ "Drop the file to load it" }</p>
        </div>
        </ContextProvider<Loader>>
    }
}
