//! Component tests: the real App mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use efiviz_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{DataTransfer, Document, Element, File, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A real HP Stream 13 dmesg (old `type=N, attr=` layout); its header says 54 entries.
const HP_STREAM: &str =
    include_str!("../../../shared/fixtures/real/24-hp-stream13-baytrail-insyde-2gb.txt");

fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

fn mount() -> Element {
    let root = document().create_element("div").expect("create div");
    document()
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append root");
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

/// Waits for the browser to run pending tasks (file reads, Yew re-renders).
async fn settle() {
    for _ in 0..20 {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .expect("window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .expect("setTimeout");
        });
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .expect("timer");
    }
}

async fn choose_file(root: &Element, name: &str, contents: &str) {
    let parts = js_sys::Array::of1(&contents.into());
    let file = File::new_with_str_sequence(&parts, name).expect("File");
    let transfer = DataTransfer::new().expect("DataTransfer");
    transfer.items().add_with_file(&file).expect("add file");
    let input: HtmlInputElement = root
        .query_selector("#file-input")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("the file input");
    input.set_files(transfer.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch change");
    settle().await;
}

fn text_of(root: &Element, selector: &str) -> Option<String> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
}

#[wasm_bindgen_test]
async fn choosing_a_real_dmesg_shows_its_entry_count() {
    let root = mount();
    settle().await;
    choose_file(&root, "hp-stream.txt", HP_STREAM).await;
    assert_eq!(text_of(&root, "#entry-count").as_deref(), Some("54"));
    assert_eq!(
        text_of(&root, "#file-name").as_deref(),
        Some("hp-stream.txt")
    );
    assert!(text_of(&root, "#load-error").is_none());
}

#[wasm_bindgen_test]
async fn a_file_without_a_map_keeps_the_previous_one() {
    let root = mount();
    settle().await;
    choose_file(&root, "hp-stream.txt", HP_STREAM).await;
    choose_file(&root, "empty.txt", "nothing to see\n").await;
    let error = text_of(&root, "#load-error").expect("an error is shown");
    assert!(
        error.contains("No EFI memory map found in empty.txt"),
        "{error}"
    );
    assert_eq!(text_of(&root, "#entry-count").as_deref(), Some("54"));
}
