//! Page lifecycle events (visibility, focus, network, bfcache) and the page facts they change.
//!
//! [`listen`] registers one listener and returns a [`Listener`] that removes it on drop.
//! [`visible`], [`online`] and [`persisted`] read what the events are about.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, VisibilityState};

/// A page event a driver listens to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageEvent {
    /// `visibilitychange` on `document`: the tab was shown or hidden ([`visible`]).
    VisibilityChange,
    /// `focus` on `window`: the tab got the focus back.
    Focus,
    /// `online` on `window`: the network came back.
    Online,
    /// `pagehide` on `window`: the page is unloaded or enters the back-forward cache
    /// ([`persisted`]).
    PageHide,
    /// `pageshow` on `window`: the page is shown, first or back from the back-forward cache
    /// ([`persisted`]).
    PageShow,
}

impl PageEvent {
    /// The DOM event type.
    ///
    /// # Example
    /// ```
    /// use tokenrelay::web::page::PageEvent;
    /// assert_eq!(PageEvent::PageShow.name(), "pageshow");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            PageEvent::VisibilityChange => "visibilitychange",
            PageEvent::Focus => "focus",
            PageEvent::Online => "online",
            PageEvent::PageHide => "pagehide",
            PageEvent::PageShow => "pageshow",
        }
    }
}

/// A registered page-event listener; dropping it removes it.
pub struct Listener {
    target: EventTarget,
    event: PageEvent,
    callback: Closure<dyn FnMut(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event.name(),
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

/// Calls `on_event` with each `event` of this page until the returned [`Listener`] is dropped;
/// `None` where there is no `window` (a worker).
///
/// # Example
/// ```no_run
/// use tokenrelay::web::page::{listen, visible, PageEvent};
/// let listener = listen(PageEvent::VisibilityChange, |_| {
///     let _shown = visible();
/// });
/// drop(listener); // removed
/// ```
pub fn listen(event: PageEvent, on_event: impl FnMut(Event) + 'static) -> Option<Listener> {
    let window = web_sys::window()?;
    let target: EventTarget = match event {
        PageEvent::VisibilityChange => window.document()?.into(),
        _ => window.into(),
    };
    let callback = Closure::<dyn FnMut(Event)>::new(on_event);
    target
        .add_event_listener_with_callback(event.name(), callback.as_ref().unchecked_ref())
        .ok()?;
    Some(Listener {
        target,
        event,
        callback,
    })
}

/// Whether the page is visible (`document.visibilityState == "visible"`; `true` without a
/// document).
///
/// # Example
/// ```no_run
/// let shown = tokenrelay::web::page::visible();
/// ```
pub fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() != VisibilityState::Hidden)
}

/// Whether the browser thinks it is online (`navigator.onLine`; `true` without a window).
///
/// # Example
/// ```no_run
/// let online = tokenrelay::web::page::online();
/// ```
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Whether a `pagehide` / `pageshow` event is about the back-forward cache (its `persisted`;
/// `false` for other events).
///
/// # Example
/// ```no_run
/// use tokenrelay::web::page::{listen, persisted, PageEvent};
/// let listener = listen(PageEvent::PageShow, |event| {
///     if persisted(&event) { /* back from the back-forward cache */ }
/// });
/// ```
pub fn persisted(event: &Event) -> bool {
    js_sys::Reflect::get(event, &"persisted".into())
        .map(|v| v.is_truthy())
        .unwrap_or(false)
}
