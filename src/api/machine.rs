//! The machine's surface for the JS driver: one method feeds an input (kind and a few plain
//! values, see js/lib/driver/pump.js), one reads the next output as a small array.

use alloc::borrow::ToOwned;
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::{channel, errors, Core};
use crate::core::machine::wire::{input, output};
use crate::core::machine::{Input, LockOutcome, Now, Output, Reply};
use crate::core::protocol::Envelope;
use crate::core::response::{is_success, AuthCall};
use crate::core::Error;

impl Core {
    /// Feeds the machine one input of `kind` (see [`input`](crate::core::machine::wire::input))
    /// read at `mono` (monotonic ms) and `wall` (epoch ms); then drain [`Core::poll`].
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
        let text = || data.as_string().unwrap_or_default();
        let input = match kind {
            input::REFRESH => Input::Refresh {
                call: id,
                proactive: flag(x),
                used: some(y),
            },
            input::LOCK => Input::Lock {
                id,
                outcome: match x as u8 {
                    1 => LockOutcome::Granted,
                    2 => LockOutcome::Unavailable,
                    3 => LockOutcome::Lost,
                    _ => LockOutcome::Refused,
                },
            },
            input::MESSAGE => match channel::read(&data) {
                Some(envelope) => Input::Message(envelope),
                None => return, // malformed: any same-origin script can post
            },
            input::FACTS => Input::Facts {
                cookies: text(),
                logout_marker: some(x),
                stored_epoch: some(y),
            },
            input::ANSWER => {
                let status = x as u16; // NaN: 0
                let token = if is_success(status) {
                    self.read_token(&text(), some(y), wall)
                } else {
                    Err(Error::BadResponse("not a success".into()))
                };
                let result = Ok(Reply { status, token });
                Input::Answer { id, result }
            }
            input::FAILED => Input::Answer {
                id,
                result: Err(errors::from_js(&data).unwrap_or(Error::Network(text()))),
            },
            input::PAGE => Input::Page { visible: flag(x) },
            input::TIMER => Input::Timer,
            input::DISPOSE => Input::Dispose,
            input::HOLDER => Input::Holder {
                client: data.as_string(),
                mine: flag(x),
            },
            input::START => Input::Start { call: id },
            input::LOGIN => Input::Login {
                call: id,
                body: text(),
            },
            input::LOGOUT => Input::Logout { call: id },
            input::ENSURE => Input::Ensure { call: id },
            input::PRESENCE => Input::Presence { others: flag(x) },
            _ => return,
        };
        let now = Now {
            monotonic_ms: mono,
            wall_ms: wall,
        };
        self.m.handle(input, now);
    }

    /// The next output as `[kind, a, b, c]` (see [`output`](crate::core::machine::wire::output)),
    /// messages already made as posted by this tab; `undefined` when none is left.
    pub fn poll(&mut self) -> JsValue {
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
            Output::LoggedOut { call, confirmed } => {
                push(output::LOGGED_OUT.into());
                push(id(call));
                push(confirmed.into());
            }
            Output::Post(message) => {
                push(output::POST.into());
                let from = self.tab.to_owned();
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
            Output::SendAuth {
                id: request,
                call,
                body,
            } => {
                push(output::SEND_AUTH.into());
                push(id(request));
                push((call as u8).into());
                push(body.map_or(JsValue::UNDEFINED, JsValue::from));
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
            Output::MarkLogout(epoch) => {
                push(output::MARK_LOGOUT.into());
                push(epoch.into());
            }
            Output::SaveEpoch(epoch) => {
                push(output::SAVE_EPOCH.into());
                push(epoch.into());
            }
            Output::QueryPresence => push(output::QUERY_PRESENCE.into()),
            Output::QueryLocks => push(output::QUERY_LOCKS.into()),
        }
        out.into()
    }

    /// When (monotonic ms) to feed the timer input; NaN: no timer.
    pub fn poll_timeout(&self) -> f64 {
        self.m.poll_timeout().unwrap_or(f64::NAN)
    }

    /// Whether the token can be used as is at `now_ms`: no restore or refresh under way, none
    /// due (`auth.fetch`'s fast path).
    pub fn settled(&self, now_ms: f64) -> bool {
        self.m.settled(now_ms)
    }

    /// The held token if valid at `now_ms`; throws `session_expired` or `not_signed_in`.
    pub fn access_token(&self, now_ms: f64) -> Result<JsValue, JsValue> {
        match self.m.usable_token(now_ms) {
            Ok(token) => Ok(JsValue::from_str(&token.jwt)),
            Err(e) => Err(errors::to_js(&e)),
        }
    }
}

/// Which auth call an output names (the driver's LOGIN, REFRESH, LOGOUT).
const _: () = {
    assert!(AuthCall::Login as u8 == 0);
    assert!(AuthCall::Refresh as u8 == 1);
    assert!(AuthCall::Logout as u8 == 2);
};
