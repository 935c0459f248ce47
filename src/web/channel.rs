//! BroadcastChannel: messages between the tabs of the origin.
//!
//! A [`Channel`] is opened with the function that receives every message other pages (and
//! other channels of this page) post on the same name; the sender never receives its own.
//! Dropping it stops the listener and closes the channel.

use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

/// An open BroadcastChannel and its message listener. Dropping it closes both.
pub struct Channel {
    channel: BroadcastChannel,
    /// Kept alive while the channel is open; unset from the channel before it is freed.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    /// Opens the channel `name`; `on_message` receives the `data` of each message, as
    /// structured-cloned by the browser (any value: read it defensively, any script of the
    /// origin can post).
    ///
    /// # Errors
    /// The browser's exception when it has no BroadcastChannel or refuses the name.
    ///
    /// # Example
    /// ```no_run
    /// use tokenrelay::web::channel::Channel;
    /// let channel = Channel::open("app.session", |data| {
    ///     let _ = data.as_string();
    /// })?;
    /// channel.post(&"hello".into())?;
    /// # Ok::<(), wasm_bindgen::JsValue>(())
    /// ```
    pub fn open(
        name: &str,
        mut on_message: impl FnMut(JsValue) + 'static,
    ) -> Result<Self, JsValue> {
        let channel = BroadcastChannel::new(name)?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            on_message(event.data())
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Self {
            channel,
            _on_message: on_message,
        })
    }

    /// Posts `message` to every other channel of this name in the origin.
    ///
    /// # Errors
    /// The browser's exception: `DataCloneError` for a value that cannot be cloned,
    /// `InvalidStateError` once closed.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(channel: &tokenrelay::web::channel::Channel) -> Result<(), wasm_bindgen::JsValue> {
    /// channel.post(&js_sys::JSON::parse(r#"{"kind":"hello"}"#)?)?;
    /// # Ok(()) }
    /// ```
    pub fn post(&self, message: &JsValue) -> Result<(), JsValue> {
        self.channel.post_message(message)
    }

    /// Closes the channel and stops its listener (what a drop does).
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(channel: tokenrelay::web::channel::Channel) {
    /// channel.close();
    /// # }
    /// ```
    pub fn close(self) {}
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
