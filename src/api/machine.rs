//! The refresh machine's surface for the JS driver: one method feeds an input (kind and a few
//! plain values, see js/lib/driver/pump.js), one reads the next output as a small array.

use alloc::borrow::ToOwned;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::{channel, errors, Core};
use crate::core::machine::wire::{input, output};
use crate::core::machine::{Input, LockOutcome, Now, Output};
use crate::core::protocol::Envelope;
use crate::core::response::{classify_failure, is_success, AuthCall};
use crate::core::Error;

#[wasm_bindgen]
impl Core {
    /// Feeds the machine one input of `kind` (see [`input`](crate::core::machine::wire::input)) read at `mono` (monotonic ms) and
    /// `wall` (epoch ms); then drain [`Core::poll`].
    #[allow(clippy::too_many_arguments)]
    pub fn input(
        &mut self,
        kind: u8,
        id: u32,
        x: f64,
        y: f64,
        data: JsValue,
        mono: f64,
        wall: f64,
    ) {
        // `undefined` arrives as NaN: no value.
        let some = |v: f64| (!v.is_nan()).then_some(v);
        let flag = |v: f64| v == 1.0;
        let text = data.as_string().unwrap_or_default();
        let input = match kind {
            input::REFRESH => Input::Refresh {
                call: id,
                proactive: flag(x),
                locks: flag(y),
            },
            input::LOCK => Input::Lock {
                id,
                outcome: if x == 1.0 {
                    LockOutcome::Granted
                } else if x == 2.0 {
                    LockOutcome::Unavailable
                } else if x == 3.0 {
                    LockOutcome::Lost
                } else {
                    LockOutcome::Refused
                },
            },
            input::NEWS => Input::News {
                last_claim_seen: some(x),
            },
            input::FACTS => Input::Facts {
                cookies: text,
                logout_pending: flag(x),
            },
            input::ANSWER => {
                let status = x as u16; // NaN: 0
                let result = if is_success(status) {
                    self.read_token(&text, some(y), wall)
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
                claim_at_ms: some(y).unwrap_or(wall),
            },
            input::TIMER => Input::Timer,
            input::DISPOSE => Input::Dispose,
            input::HOLDER => Input::Holder {
                client: data.as_string(),
                mine: flag(x),
            },
            _ => return,
        };
        let now = Now {
            monotonic_ms: mono,
            wall_ms: wall,
        };
        self.m.handle(input, now);
    }

    /// The next output as `[kind, a, b, c]` (see [`output`](crate::core::machine::wire::output)), messages already
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
            Output::Changed => push(output::CHANGED.into()),
            Output::Resolve(call) => {
                push(output::RESOLVE.into());
                push(id(call));
            }
            Output::Reject(call, error) => {
                push(output::REJECT.into());
                push(id(call));
                push(errors::to_js(&error));
            }
            Output::Post(message) => {
                push(output::POST.into());
                let from = from.to_owned();
                push(channel::write(&Envelope { from, message }));
            }
            Output::RequestLock {
                id: lock,
                name,
                mode,
            } => {
                push(output::REQUEST_LOCK.into());
                push(id(lock));
                push((mode as u8).into());
                push(name.into());
            }
            Output::Release(lock) => {
                push(output::RELEASE.into());
                push(id(lock));
            }
            Output::SendAuth { id: request, .. } => {
                push(output::SEND_AUTH.into());
                push(id(request));
            }
            Output::AbortAuth(request) => {
                push(output::ABORT_AUTH.into());
                push(id(request));
            }
            Output::ReadFacts => push(output::READ_FACTS.into()),
            Output::WriteCookie(text) => {
                push(output::WRITE_COOKIE.into());
                push(text.into());
            }
            Output::Elect(before) => {
                push(output::ELECT.into());
                push(before.into());
            }
            Output::EndElection => push(output::END_ELECTION.into()),
            Output::QueryLocks => push(output::QUERY_LOCKS.into()),
        }
        out.into()
    }

    /// When (monotonic ms) to feed the timer input; NaN: no timer.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> f64 {
        self.m.poll_timeout().unwrap_or(f64::NAN)
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
