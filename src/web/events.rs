//! A DOM event listener that is removed when dropped (the shape of gloo-events'
//! `EventListener`, in a few lines of our own and without an options object per listener).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// A registered listener; dropping it calls
/// [`removeEventListener`](https://developer.mozilla.org/docs/Web/API/EventTarget/removeEventListener).
#[must_use = "the listener is removed when dropped"]
pub struct EventListener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl EventListener {
    /// Calls `callback` with every `event` dispatched to `target`
    /// ([`addEventListener`](https://developer.mozilla.org/docs/Web/API/EventTarget/addEventListener)).
    pub fn new(
        target: &EventTarget,
        event: &'static str,
        mut callback: impl FnMut(&Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(move |e: Event| callback(&e));
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Self {
            target: target.clone(),
            event,
            callback,
        }
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let function = self.callback.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, function);
    }
}
