//! The BroadcastChannel between tabs, carrying versioned JSON text.

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use crate::core::protocol::Envelope;

/// An open channel; closed when dropped.
pub struct Channel {
    channel: BroadcastChannel,
    _listener: EventListener,
}

impl Channel {
    /// Opens the channel `name` and calls `on_message` with every well-formed message from
    /// other tabs. Returns `None` where BroadcastChannel is unavailable.
    pub fn open(name: &str, on_message: impl Fn(Envelope) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(name).ok()?;
        let listener = EventListener::new(&channel, "message", move |event| {
            let data = event
                .dyn_ref::<MessageEvent>()
                .map_or(JsValue::UNDEFINED, MessageEvent::data);
            if let Some(envelope) = data.as_string().as_deref().and_then(Envelope::decode) {
                on_message(envelope);
            }
        });
        Some(Self {
            channel,
            _listener: listener,
        })
    }

    /// Posts a message to the other tabs (the sender never receives its own message).
    pub fn post(&self, envelope: &Envelope) {
        let _ = self
            .channel
            .post_message(&JsValue::from_str(&envelope.encode()));
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
