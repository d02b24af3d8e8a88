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

/// Sends a bubbling keydown for `key` to `target`.
fn press_on(target: &web_sys::EventTarget, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("KeyboardEvent");
    target.dispatch_event(&event).expect("dispatch keydown");
}

/// A key pressed with nothing in particular focused.
fn press(key: &str) {
    press_on(&document().body().expect("body"), key);
}

fn click(root: &Element, selector: &str) {
    let element: web_sys::HtmlElement = root
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .unwrap_or_else(|| panic!("{selector} exists"));
    element.click();
}

#[wasm_bindgen_test]
async fn a_gallery_sample_loads_and_the_keys_step_through_all_seven_phases() {
    let root = mount();
    settle().await;
    click(&root, "[data-sample=\"s02\"]");
    settle().await;
    // S02 has 11 descriptors (scenarios.json); the app opens at the last of 7 phases.
    assert_eq!(text_of(&root, "#entry-count").as_deref(), Some("11"));
    assert_eq!(
        text_of(&root, "#step-index").as_deref(),
        Some("Step 7 of 7")
    );
    press("Home");
    settle().await;
    assert_eq!(
        text_of(&root, "#step-name").as_deref(),
        Some("firmware map")
    );
    press("ArrowRight");
    settle().await;
    assert_eq!(
        text_of(&root, "#step-index").as_deref(),
        Some("Step 2 of 7")
    );
    // The sample's ESRT is in the knobs, so OLD's reserve step splits the Boot Data entry.
    let reservations = text_of(&root, "#reservations").unwrap_or_default();
    assert!(
        reservations.contains("ESRT at 0x40004f98, 56 bytes"),
        "{reservations}"
    );
    press("1");
    settle().await;
    let happened = text_of(&root, "#happenings").unwrap_or_default();
    assert!(happened.contains("efi_arch_mem_reserve()"), "{happened}");
}

#[wasm_bindgen_test]
async fn compare_mode_lists_the_differences_the_spec_names() {
    let root = mount();
    settle().await;
    click(&root, "[data-sample=\"s02\"]");
    settle().await;
    click(&root, "#mode-compare");
    settle().await;
    let panel = text_of(&root, "#differences").unwrap_or_default();
    // docs/kernel-model.md §5.2: S02 shows D1, D6, D12 and D19.
    for id in ["D1", "D6", "D12", "D19"] {
        assert!(panel.contains(id), "{id} in {panel}");
    }
    assert_eq!(
        root.query_selector_all(".kernel-tag.old")
            .map(|l| l.length())
            .ok(),
        Some(7)
    );
}

#[wasm_bindgen_test]
async fn enter_on_a_table_row_selects_its_region() {
    let root = mount();
    settle().await;
    choose_file(&root, "hp-stream.txt", HP_STREAM).await;
    let row: web_sys::HtmlElement = root
        .query_selector("#data-table tbody tr")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("a table row");
    let start = row
        .query_selector("td:nth-child(2)")
        .ok()
        .flatten()
        .and_then(|c| c.text_content())
        .expect("a start address");
    press_on(&row, "Enter");
    settle().await;
    let range = text_of(&root, "#details-range").expect("details shown");
    assert!(
        range.starts_with(&format!("[{start}, ")),
        "{range} vs {start}"
    );
    assert!(
        text_of(&root, "#details h2")
            .unwrap_or_default()
            .starts_with("Selected: ")
    );
}
