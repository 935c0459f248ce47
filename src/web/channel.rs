//! The BroadcastChannel between tabs, carrying versioned flat objects.

use crate::web::events::EventListener;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use crate::core::protocol::{Envelope, Fields};

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
            if let Some(envelope) = read(&data).and_then(Envelope::from_fields) {
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
        let _ = self.channel.post_message(&write(&envelope.to_fields()));
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.close();
    }
}

/// Reads the fields of a received object, each with its type; anything else is absent.
fn read(data: &JsValue) -> Option<Fields> {
    if !data.is_object() || Array::is_array(data) {
        return None;
    }
    let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    Some(Fields {
        v: get("v").as_f64(),
        from: get("from").as_string(),
        kind: get("kind").as_string(),
        token: get("token").as_string(),
        obtained_at: get("obtainedAt").as_f64(),
        expires_at: get("expiresAt").as_f64(),
        order: get("order").as_f64(),
        expired: get("expired").as_bool(),
        proof: get("proof").as_string(),
        at: get("at").as_f64(),
    })
}

/// The plain object posted for `fields`.
fn write(fields: &Fields) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&object, &key.into(), &value);
    };
    let text = |v: &Option<String>| v.as_deref().map(JsValue::from_str);
    for (key, value) in [
        ("v", fields.v.map(JsValue::from)),
        ("from", text(&fields.from)),
        ("kind", text(&fields.kind)),
        ("token", text(&fields.token)),
        ("obtainedAt", fields.obtained_at.map(JsValue::from)),
        ("expiresAt", fields.expires_at.map(JsValue::from)),
        ("order", fields.order.map(JsValue::from)),
        ("expired", fields.expired.map(JsValue::from)),
        ("proof", text(&fields.proof)),
        ("at", fields.at.map(JsValue::from)),
    ] {
        if let Some(value) = value {
            set(key, value);
        }
    }
    object.into()
}
