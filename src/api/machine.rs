//! The refresh machine's surface for the JS driver: one method feeds an input (kind and a few
//! plain values, see js/lib/driver/pump.js), one reads the next output as a small array.

use alloc::borrow::ToOwned;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::{channel, errors, Core};
use crate::core::machine::{Input, LockOutcome, Now, Output};
use crate::core::protocol::Envelope;
use crate::core::response::{classify_failure, is_success, AuthCall};
use crate::core::Error;

/// The kinds of input of [`Core::input`].
pub mod input {
    /// A caller wants a refresh: `id` the call, `x` 1 when proactive, `y` 1 with Web Locks.
    pub const REFRESH: u8 = 0;
    /// Lock request `id` came to `x`: 0 refused, 1 granted, 2 Web Locks unavailable.
    pub const LOCK: u8 = 1;
    /// News from the tabs: `x` when (monotonic ms) a live claim was last heard of.
    pub const NEWS: u8 = 2;
    /// `text` the page's cookies, `x` 1 when a logout is pending.
    pub const FACTS: u8 = 3;
    /// Auth answer `id`: `x` status, `y` the `Date` header (epoch ms), `text` the body.
    pub const ANSWER: u8 = 4;
    /// Auth request `id` failed with no answer: `data` the `TokenRelayError`.
    pub const FAILED: u8 = 5;
    /// The election ended: `x` 1 when won, `y` the winning claim (epoch ms).
    pub const ELECTED: u8 = 6;
    /// The timer fired.
    pub const TIMER: u8 = 7;
    /// The client is disposed.
    pub const DISPOSE: u8 = 8;
}

#[wasm_bindgen]
impl Core {
    /// Feeds the machine one input of `kind` (see [`input`]) read at `mono` (monotonic ms) and
    /// `wall` (epoch ms); then drain [`Core::poll`].
    #[allow(clippy::too_many_arguments)]
    pub fn input(
        &mut self,
        kind: u8,
        id: u32,
        x: Option<f64>,
        y: Option<f64>,
        data: JsValue,
        mono: f64,
        wall: f64,
    ) {
        let flag = |v: Option<f64>| v == Some(1.0);
        let text = data.as_string().unwrap_or_default();
        let input = match kind {
            input::REFRESH => Input::Refresh {
                call: id,
                proactive: flag(x),
                locks: flag(y),
            },
            input::LOCK => Input::Lock {
                id,
                outcome: match x {
                    Some(1.0) => LockOutcome::Granted,
                    Some(2.0) => LockOutcome::Unavailable,
                    _ => LockOutcome::Refused,
                },
            },
            input::NEWS => Input::News { last_claim_seen: x },
            input::FACTS => Input::Facts {
                cookies: text,
                logout_pending: flag(x),
            },
            input::ANSWER => {
                let status = x.unwrap_or(0.0) as u16;
                let result = if is_success(status) {
                    self.read_token(&text, y, wall)
                } else {
                    Err(classify_failure(AuthCall::Refresh, status))
                };
                Input::Answer { id, result }
            }
            input::FAILED => Input::Answer {
                id,
                result: Err(errors::from_js(&data).unwrap_or(Error::Network(text))),
            },
            input::ELECTED => Input::Elected {
                won: flag(x),
                claim_at_ms: y.unwrap_or(wall),
            },
            input::TIMER => Input::Timer,
            input::DISPOSE => Input::Dispose,
            _ => return,
        };
        let now = Now {
            monotonic_ms: mono,
            wall_ms: wall,
        };
        self.m.handle(input, now);
    }

    /// The next output as `[kind, a, b, c]` (see js/lib/driver/pump.js), messages already
    /// made as posted by tab `from`; `undefined` when none is left.
    pub fn poll(&mut self, from: &str) -> JsValue {
        let Some(output) = self.m.poll_output() else {
            return JsValue::UNDEFINED;
        };
        let out = Array::new();
        let push = |v: JsValue| {
            out.push(&v);
        };
        let id = |v: u32| JsValue::from_f64(v.into());
        match output {
            Output::Changed => push(0.into()),
            Output::Resolve(call) => {
                push(1.into());
                push(id(call));
            }
            Output::Reject(call, error) => {
                push(2.into());
                push(id(call));
                push(errors::to_js(&error));
            }
            Output::Post(message) => {
                push(3.into());
                let from = from.to_owned();
                push(channel::write(&Envelope { from, message }));
            }
            Output::RequestLock {
                id: lock,
                name,
                mode,
            } => {
                push(4.into());
                push(id(lock));
                push((mode as u8).into());
                push(name.into());
            }
            Output::Release(lock) => {
                push(5.into());
                push(id(lock));
            }
            Output::SendAuth { id: request, .. } => {
                push(6.into());
                push(id(request));
            }
            Output::AbortAuth(request) => {
                push(7.into());
                push(id(request));
            }
            Output::ReadFacts => push(8.into()),
            Output::WriteCookie(text) => {
                push(9.into());
                push(text.into());
            }
            Output::Elect(before) => {
                push(10.into());
                push(before.into());
            }
            Output::EndElection => push(11.into()),
        }
        out.into()
    }

    /// When (monotonic ms) to feed the timer input; `undefined`: no timer.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.m.poll_timeout()
    }

    /// Whether a refresh flight is under way in this tab.
    pub fn flying(&self) -> bool {
        self.m.flying()
    }

    /// Consecutive transient refresh failures (the backoff of the refresh timer).
    pub fn failures(&self) -> u32 {
        self.m.failures()
    }

    /// A token arrived some other way (login, a peer): the failures are over.
    #[wasm_bindgen(js_name = clearFailures)]
    pub fn clear_failures(&mut self) {
        self.m.clear_failures();
    }

    /// A sign-out or a login: a flight under way must not sign in with its answer.
    pub fn fence(&mut self) {
        self.m.fence();
    }

    /// This tab asked the others for a newer token at `at_ms` (epoch) and got none.
    #[wasm_bindgen(js_name = unansweredAsk)]
    pub fn unanswered_ask(&mut self, at_ms: f64) {
        self.m.note_unanswered_ask(at_ms);
    }
}
