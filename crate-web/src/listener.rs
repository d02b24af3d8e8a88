//! A DOM event listener that removes itself when dropped, so an effect's cleanup is just
//! dropping it.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::EventTarget;

pub struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn Fn()>,
}

impl Listener {
    /// Calls `handler` on every `event` at `target` until the listener is dropped.
    pub fn new(target: EventTarget, event: &'static str, handler: impl Fn() + 'static) -> Self {
        let callback = Closure::<dyn Fn()>::new(handler);
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Self {
            target,
            event,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}
