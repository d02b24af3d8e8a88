//! Getting things out of the page: file downloads and the clipboard. Downloads are object URLs
//! of in-page data, so nothing is requested from anywhere.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `blob` as a download called `file_name`.
pub fn download_blob(blob: &Blob, file_name: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let url = Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The download has its own reference to the data by now.
    let _ = Url::revoke_object_url(&url);
    Ok(())
}

/// Offers `bytes` as a download of type `mime`.
pub fn download_bytes(bytes: &[u8], mime: &str, file_name: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    download_blob(&blob, file_name)
}

/// Puts `text` on the clipboard. Fails when the browser refuses (no permission, not a
/// secure context); callers then show the text to copy by hand.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// A file name from the input's name: its stem plus `suffix`, unsafe characters replaced.
pub fn file_name(input_name: &str, suffix: &str) -> String {
    let stem = input_name
        .rsplit_once('.')
        .map_or(input_name, |(stem, _)| stem);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let safe = if safe.is_empty() {
        "efiviz".to_owned()
    } else {
        safe
    };
    format!("{safe}{suffix}")
}
