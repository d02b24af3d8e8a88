//! Running work once the browser has shown a frame, or has nothing else to do.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Calls `then` after the browser has painted its next frame: `requestAnimationFrame` runs
/// just before the frame's style, layout and paint, and a zero timeout queued from there runs
/// once they are done.
pub fn after_next_paint(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return then();
    };
    let on_frame = Closure::once_into_js(move || {
        let after = Closure::once_into_js(then);
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(after.unchecked_ref());
        }
    });
    if window
        .request_animation_frame(on_frame.unchecked_ref())
        .is_err()
    {
        web_sys::console::error_1(&"requestAnimationFrame failed".into());
    }
}

/// Calls `then` when the browser is next idle (after a zero timeout where there is no
/// `requestIdleCallback`): for work no frame waits for.
pub fn when_idle(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return then();
    };
    let callback = Closure::once_into_js(then);
    if window
        .request_idle_callback(callback.unchecked_ref())
        .is_err()
    {
        let _ = window.set_timeout_with_callback(callback.unchecked_ref());
    }
}
