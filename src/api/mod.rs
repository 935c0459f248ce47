//! The wasm's JS API: `Core`, one per `AuthClient`, which holds the options, the session and
//! its token, and the pure core's decisions. The JS driver (js/lib/driver/) does the I/O
//! around it. The package's TypeScript types are written once, by hand, in js/lib/types.d.ts.
use alloc::{borrow::ToOwned, string::String};

mod channel;
mod decide;
mod errors;
mod js;
mod machine;
mod options;
pub(crate) mod state;

pub use errors::is_token_relay_error;

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::core::claims::{next_order, Receipt};
use crate::core::machine::{token_message, Machine};
use crate::core::options::CSRF_HEADER_VALUE;
use crate::core::origin::{is_absolute, join, AllowList};
use crate::core::protocol::{signature_of, Envelope, Message};
use crate::core::response::{classify_failure, AuthCall};
use crate::core::{Error, Options, Token};
use js::set;

/// What [`Core::read`] found in a message from another tab.
pub mod heard {
    /// Malformed, or of another protocol version: ignored.
    pub const NOTHING: u8 = 0;
    /// A token that is not newer than the one held (or expired): not taken.
    pub const OLD_TOKEN: u8 = 1;
    /// A newer token, now held: the state changed.
    pub const TOKEN: u8 = 2;
    /// A question for the held token.
    pub const ASK: u8 = 3;
    /// A sign-out proven by the signature of the held token: the session is over.
    pub const SIGNED_OUT: u8 = 4;
    /// A sign-out without the proof of the held token: ask the server instead.
    pub const UNPROVEN_SIGN_OUT: u8 = 5;
    /// A sign-out while no token is held: nothing to drop.
    pub const IDLE_SIGN_OUT: u8 = 6;
    /// A claim to refresh (`at`), or a liveness mark.
    pub const CLAIM: u8 = 7;
    /// The sender's refresh ended without a token.
    pub const RELEASED: u8 = 8;
    /// A token message whose token does not decode: not taken.
    pub const BAD_TOKEN: u8 = 9;
}

/// What [`Core::post`] writes for the other tabs.
pub mod say {
    /// The held token.
    pub const TOKEN: u8 = 0;
    /// A question for a newer token.
    pub const ASK: u8 = 1;
    /// The session is over (`expired`: the refresh token was rejected), with the proof.
    pub const SIGNED_OUT: u8 = 2;
    /// A claim to refresh made at `at`.
    pub const CLAIM: u8 = 3;
    /// This tab's refresh ended without a token.
    pub const RELEASED: u8 = 4;
}

/// The options, session and token of one client.
#[wasm_bindgen]
pub struct Core {
    options: Options,
    allow: AllowList,
    /// The session and the refresh flight (src/core/machine/).
    m: Machine,
    /// `Bearer <jwt>` as a JS string, for the token of the given order.
    bearer: Option<(f64, JsValue)>,
    /// The state object of the given revision.
    state: Option<(u64, JsValue)>,
    /// The largest token order seen in this browser (see [`next_order`]).
    order_floor: f64,
    /// A token received from the server, not yet taken (the driver may drop it: a sign-out
    /// came first).
    received: Option<Token>,
}

/// `Err` as the JS `TokenRelayError` it is thrown as.
fn thrown<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|e| errors::to_js(&e))
}

#[wasm_bindgen]
impl Core {
    /// Reads and validates `options`; throws a `config` `TokenRelayError` naming the option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Core, JsValue> {
        let options = thrown(options::read(&options))?;
        let allow = thrown(options.validate())?;
        Ok(Core {
            m: Machine::new(&options),
            options,
            allow,
            bearer: None,
            state: None,
            order_floor: 0.0,
            received: None,
        })
    }

    /// The validated options the driver needs: `{ origins, loginUrl, refreshUrl, logoutUrl,
    /// channel, csrfHeader, csrfValue, staleBound, requestTimeoutMs, useWebLocks }`.
    pub fn config(&self) -> JsValue {
        let o = &self.options;
        let config: JsValue = js_sys::Object::new().into();
        let origins: Array = self
            .allow
            .origins()
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect();
        set(&config, "origins", &origins);
        for (key, path) in [
            ("loginUrl", &o.login_path),
            ("refreshUrl", &o.refresh_path),
            ("logoutUrl", &o.logout_path),
        ] {
            set(&config, key, &join(&o.api_base, path).into());
        }
        set(&config, "apiBase", &o.api_base.as_str().into());
        set(&config, "channel", &o.channel.as_str().into());
        set(&config, "csrfHeader", &o.csrf_header.as_str().into());
        set(&config, "csrfValue", &CSRF_HEADER_VALUE.into());
        set(&config, "staleBound", &self.m.stale_bound_ms().into());
        set(&config, "requestTimeoutMs", &o.request_timeout_ms.into());
        set(&config, "useWebLocks", &o.use_web_locks.into());
        config
    }

    /// A relative request target appended to `apiBase`; `undefined` for an absolute URL
    /// (the browser's URL parser reads those).
    pub fn relative(&self, target: &str) -> JsValue {
        if is_absolute(target) {
            return JsValue::UNDEFINED;
        }
        JsValue::from_str(&join(&self.options.api_base, target))
    }

    /// The state object; the same frozen object until the state changes.
    pub fn state(&mut self) -> JsValue {
        let revision = self.m.session.revision();
        match &self.state {
            Some((rev, value)) if *rev == revision => value.clone(),
            _ => {
                let value = state::to_js(&self.m.session);
                self.state = Some((revision, value.clone()));
                value
            }
        }
    }

    /// `state.status`.
    pub fn status(&self) -> JsValue {
        JsValue::from_str(self.m.session.status().as_str())
    }

    /// The order of the held token (a larger one is newer); `undefined` without a token.
    pub fn order(&self) -> Option<f64> {
        self.m.session.token().map(|t| t.order_ms)
    }

    /// The `Authorization` value for the held token (built once per token, so a request does
    /// not copy the JWT out of wasm memory again); `undefined` without a token.
    pub fn bearer(&mut self) -> JsValue {
        let Some(token) = self.m.session.token() else {
            return JsValue::UNDEFINED;
        };
        match &self.bearer {
            Some((order, value)) if *order == token.order_ms => value.clone(),
            _ => {
                let value = JsValue::from_str(&["Bearer ", &token.jwt].concat());
                self.bearer = Some((token.order_ms, value.clone()));
                value
            }
        }
    }

    /// The held token, for `accessToken()`; `undefined` without one.
    pub fn jwt(&self) -> JsValue {
        let token = self.m.session.token();
        token.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t.jwt))
    }

    /// Whether a token is held that is still valid at `now_ms`.
    pub fn valid(&self, now_ms: f64) -> bool {
        self.m
            .session
            .token()
            .is_some_and(|t| !t.is_expired(now_ms))
    }

    /// Whether the held token should be refreshed before it is used at `now_ms`.
    pub fn due(&self, now_ms: f64) -> bool {
        let ahead = self.refresh_ahead_ms();
        self.m
            .session
            .token()
            .is_some_and(|t| t.needs_refresh(now_ms, ahead))
    }

    /// When (epoch ms) the held token is due for a refresh; NaN without a token.
    #[wasm_bindgen(js_name = dueAt)]
    pub fn due_at(&self) -> f64 {
        let ahead = self.refresh_ahead_ms();
        let due = self.m.session.token().map(|t| t.refresh_due_at_ms(ahead));
        due.unwrap_or(f64::NAN)
    }

    /// Reads the token of a successful login answer and keeps it until [`Core::sign_in`]:
    /// `text` its body, `server_ms` its `Date` header (NaN or `undefined` when unreadable),
    /// `now_ms` the local time of receipt. Throws `bad_response` (not JSON, no string token
    /// field) or `bad_token`.
    pub fn receive(&mut self, text: &str, server_ms: f64, now_ms: f64) -> Result<(), JsValue> {
        let server_ms = (!server_ms.is_nan()).then_some(server_ms);
        self.received = Some(thrown(self.read_token(text, server_ms, now_ms))?);
        Ok(())
    }

    /// Takes the received token: status `signedIn` when `take`, else the token is dropped (a
    /// sign-out came first). Returns whether the state changed.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&mut self, take: bool) -> bool {
        match self.received.take() {
            Some(token) if take => self.m.session.signed_in(token),
            _ => false,
        }
    }

    /// A call failed with `error` (a `TokenRelayError`) without ending the session.
    pub fn fail(&mut self, error: &JsValue) -> bool {
        let error = errors::from_js(error).unwrap_or(Error::Network("unknown error".into()));
        self.m.session.failed(error)
    }

    /// The session is over, with `error` (a `TokenRelayError`) or none (`undefined`): the
    /// token is dropped. Returns whether the state changed.
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&mut self, error: &JsValue) -> bool {
        self.m.session.signed_out(errors::from_js(error))
    }

    /// The last failure as a `TokenRelayError`; `undefined` when none.
    pub fn error(&self) -> JsValue {
        self.m
            .session
            .error()
            .map_or(JsValue::UNDEFINED, errors::to_js)
    }

    /// The message `what` (see [`say`]) from tab `from` as the object to post; `at` is the
    /// time of a claim, `expired` tells a rejected session from a logout. `undefined` for a
    /// token message without a token.
    pub fn post(&self, what: u8, from: String, at: f64, expired: bool) -> JsValue {
        let token = self.m.session.token();
        let message = match what {
            say::TOKEN => match token {
                Some(t) => token_message(t),
                None => return JsValue::UNDEFINED,
            },
            say::ASK => Message::Ask,
            say::SIGNED_OUT => Message::SignedOut {
                expired,
                proof: token.map(|t| signature_of(&t.jwt).to_owned()),
            },
            say::CLAIM => Message::Claim { at_ms: at },
            _ => Message::Released,
        };
        channel::write(&Envelope { from, message })
    }

    /// What the message `data` of another tab is (see [`heard`]); a newer valid token in it
    /// is taken at once.
    pub fn read(&mut self, data: &JsValue, now_ms: f64) -> u8 {
        let Some(envelope) = channel::read(data) else {
            return heard::NOTHING;
        };
        match envelope.message {
            Message::Token {
                jwt,
                obtained_at_ms,
                expires_at_ms,
                order_ms,
            } => {
                let Ok(token) = Token::decode(&jwt, obtained_at_ms) else {
                    return heard::BAD_TOKEN;
                };
                let token = token.as_described(expires_at_ms, order_ms);
                self.saw_order(token.order_ms);
                if self.m.session.adopt(token, now_ms) {
                    heard::TOKEN
                } else {
                    heard::OLD_TOKEN
                }
            }
            Message::Ask => heard::ASK,
            Message::SignedOut { proof, .. } => match self.m.session.token() {
                Some(t) if proof.as_deref() == Some(signature_of(&t.jwt)) => heard::SIGNED_OUT,
                Some(_) => heard::UNPROVEN_SIGN_OUT,
                None => heard::IDLE_SIGN_OUT,
            },
            Message::Claim { .. } => heard::CLAIM,
            Message::Released => heard::RELEASED,
        }
    }
}

impl Core {
    /// The token in the body `text` of a successful login or refresh answer, ordered after
    /// every token seen.
    ///
    /// # Errors
    /// `bad_response` (not JSON, no string token field) or `bad_token`.
    fn read_token(
        &mut self,
        text: &str,
        server_ms: Option<f64>,
        now_ms: f64,
    ) -> Result<Token, Error> {
        let jwt = token_field(text, &self.options.token_field)?;
        let receipt = Receipt {
            local_ms: now_ms,
            server_ms: server_ms.filter(|ms| ms.is_finite()),
        };
        let mut token = Token::decode_at(&jwt, receipt)?;
        token.order_ms = next_order(token.obtained_at_ms, self.order_floor);
        self.saw_order(token.order_ms);
        Ok(token)
    }

    /// The `refreshAheadSeconds` option in ms.
    fn refresh_ahead_ms(&self) -> f64 {
        self.options.refresh_ahead_seconds * 1000.0
    }

    /// Remembers a token order seen, so the next own token is ordered after it.
    fn saw_order(&mut self, order_ms: f64) {
        if order_ms > self.order_floor {
            self.order_floor = order_ms;
        }
    }
}

/// The `TokenRelayError` for an auth call's non-2xx `status`: `call` 0 login, 1 refresh,
/// 2 logout.
#[wasm_bindgen]
pub fn failure(call: u8, status: u16) -> JsValue {
    let call = match call {
        0 => AuthCall::Login,
        1 => AuthCall::Refresh,
        _ => AuthCall::Logout,
    };
    errors::to_js(&classify_failure(call, status))
}

/// The JWT in field `field` of a JSON response body.
///
/// # Errors
/// `bad_response` when the body is not a JSON object or the field is missing or not a string.
fn token_field(text: &str, field: &str) -> Result<String, Error> {
    let json = JSON::parse(text)
        .map_err(|_| Error::BadResponse("the response body is not JSON".into()))?;
    if !json.is_object() {
        return Err(Error::BadResponse(
            "the response body is not a JSON object".into(),
        ));
    }
    Reflect::get(&json, &field.into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            Error::BadResponse(["the response has no string field `", field, "`"].concat())
        })
}
