//! The origin's localStorage entries the machine keeps across tabs and reloads: the
//! durable-logout marker `<channel>:logoutPending` and the session epoch `<channel>:epoch`,
//! the same keys and number format as the JS driver (js/lib/driver/logout.js), so JS and Rust
//! tabs read each other's. Where storage is unusable, this page's memory keeps them.

use alloc::string::String;

use crate::core::text::concat;

/// The two entries of one channel, with this page's copies.
pub(crate) struct Stored {
    marker_key: String,
    epoch_key: String,
    /// The marker where storage cannot keep it.
    marker: Option<f64>,
    /// The epoch where storage cannot keep it.
    epoch: Option<f64>,
}

/// The origin's localStorage, if the page may use it.
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// JS's `Number(text) || 0` for the numbers the drivers store.
fn number(text: &str) -> f64 {
    let n = js_sys::Number::from(wasm_bindgen::JsValue::from_str(text)).value_of();
    if n.is_nan() {
        0.0
    } else {
        n
    }
}

impl Stored {
    /// The entries of the channel `channel`.
    pub(crate) fn new(channel: &str) -> Stored {
        Stored {
            marker_key: concat(&[channel, ":logoutPending"]),
            epoch_key: concat(&[channel, ":epoch"]),
            marker: None,
            epoch: None,
        }
    }

    /// The durable-logout marker set by any tab of the origin (its epoch), if one is pending.
    pub(crate) fn marker(&self) -> Option<f64> {
        if let Some(store) = storage() {
            if let Ok(value) = store.get_item(&self.marker_key) {
                return value.map(|v| number(&v));
            }
        }
        self.marker
    }

    /// Sets the marker to `at`, or clears it (`None`).
    pub(crate) fn mark(&mut self, at: Option<f64>) {
        self.marker = at;
        if let Some(store) = storage() {
            let _ = match at {
                Some(at) => store.set_item(&self.marker_key, &js_number(at)),
                None => store.remove_item(&self.marker_key),
            };
        }
    }

    /// The session epoch stored by the origin's latest login or logout, if any.
    pub(crate) fn epoch(&self) -> Option<f64> {
        match storage().map(|s| s.get_item(&self.epoch_key)) {
            Some(Ok(Some(value))) => Some(number(&value)).filter(|n| *n != 0.0),
            _ => self.epoch,
        }
    }

    /// Stores the session epoch `at`.
    pub(crate) fn save_epoch(&mut self, at: f64) {
        self.epoch = Some(at);
        if let Some(store) = storage() {
            let _ = store.set_item(&self.epoch_key, &js_number(at));
        }
    }
}

/// JS's `String(n)`, as the JS driver writes the numbers.
fn js_number(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}
