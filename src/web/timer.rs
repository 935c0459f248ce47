//! A `setTimeout` that is cancelled when dropped (the shape of gloo-timers' `Timeout`, in a
//! few lines of our own).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global [`setTimeout`](https://developer.mozilla.org/docs/Web/API/Window/setTimeout)
    /// (window or worker).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: u32) -> JsValue;
    /// The global
    /// [`clearTimeout`](https://developer.mozilla.org/docs/Web/API/Window/clearTimeout).
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A scheduled callback; dropping it cancels the callback if it has not run yet.
#[must_use = "the timeout is cancelled when dropped"]
pub struct Timeout {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `callback` once after `ms` milliseconds.
    pub fn new(ms: u32, callback: impl FnOnce() + 'static) -> Self {
        let callback = Closure::once(callback);
        let id = set_timeout(callback.as_ref(), ms);
        Self {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}
