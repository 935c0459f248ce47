//! The wasm's JS API: `Core`, one per `AuthClient`, which holds the options, the session and
//! its token, and the pure core's decisions. The JS driver (js/lib/driver/) does the I/O
//! around it. The package's TypeScript types are written once, by hand, in js/lib/types.d.ts.
use alloc::string::String;

pub(crate) mod channel;
mod errors;
mod exports;
mod js;
mod machine;
mod options;
pub(crate) mod state;

pub use errors::is_token_relay_error;

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::JsValue;

use crate::core::claims::Receipt;
use crate::core::machine::Machine;
use crate::core::options::CSRF_HEADER_VALUE;
use crate::core::origin::{is_absolute, join, AllowList};
use crate::core::response::AuthCall;
use crate::core::text::{concat, split};
use crate::core::{Error, Token};
use js::set;

/// The options, session and token of one client (the JS driver reaches it through the
/// functions of `exports.rs`).
pub struct Core {
    allow: AllowList,
    /// The session and the protocol (src/core/machine/).
    m: Machine,
    /// This tab's id on the channel.
    tab: String,
    /// `Bearer <jwt>` as a JS string, for the token of the given order.
    bearer: Option<(f64, JsValue)>,
    /// The state object of the given revision.
    state: Option<(u64, JsValue)>,
}

/// `Err` as the JS `TokenRelayError` it is thrown as.
fn thrown<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|e| errors::to_js(&e))
}

impl Core {
    /// Reads and validates `options` for the tab `tab` (`locks`: the browser has Web Locks);
    /// throws a `config` `TokenRelayError` naming the option.
    pub fn new(options: JsValue, tab: String, locks: bool) -> Result<Core, JsValue> {
        let options = thrown(options::read(&options))?;
        let allow = thrown(options.validate())?;
        Ok(Core {
            m: Machine::new(options, tab.clone(), locks),
            tab,
            allow,
            bearer: None,
            state: None,
        })
    }

    /// The validated options the driver needs: `{ origins, loginUrl, refreshUrl, logoutUrl,
    /// apiBase, channel, csrfHeader (null: none), csrfValue, csrf ([cookie, header], or
    /// null), retryOn, useWebLocks }`.
    pub fn config(&self) -> JsValue {
        let o = self.m.options();
        let config: JsValue = js_sys::Object::new().into();
        let origins: Array = self
            .allow
            .origins()
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect();
        set(&config, "origins", &origins);
        for (key, call) in [
            ("loginUrl", AuthCall::Login),
            ("refreshUrl", AuthCall::Refresh),
            ("logoutUrl", AuthCall::Logout),
        ] {
            set(&config, key, &o.auth_url(call).into());
        }
        set(&config, "apiBase", &o.api_base.as_str().into());
        set(&config, "channel", &o.channel.as_str().into());
        let header = o
            .csrf_header
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from);
        set(&config, "csrfHeader", &header);
        set(&config, "csrfValue", &CSRF_HEADER_VALUE.into());
        let csrf = o.csrf.as_ref().map_or(JsValue::NULL, |c| {
            [&c.cookie, &c.header]
                .iter()
                .map(|s| JsValue::from_str(s))
                .collect::<Array>()
                .into()
        });
        set(&config, "csrf", &csrf);
        let retry: Array = o.retry_on.iter().map(|s| JsValue::from(*s)).collect();
        set(&config, "retryOn", &retry);
        set(&config, "useWebLocks", &o.use_web_locks.into());
        config
    }

    /// Tells the machine that `apiBase` is on another site than the page (the driver's guess,
    /// js/lib/driver/site.js): a refused restore then says the browser may have dropped the
    /// refresh cookie.
    pub fn cross_site(&mut self, cross: bool) {
        self.m.set_cross_site(cross);
    }

    /// A relative request target appended to `apiBase`; `undefined` for an absolute URL
    /// (the browser's URL parser reads those).
    pub fn relative(&self, target: &str) -> JsValue {
        if is_absolute(target) {
            return JsValue::UNDEFINED;
        }
        JsValue::from_str(&join(&self.m.options().api_base, target))
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
                let value = JsValue::from_str(&concat(&["Bearer ", &token.jwt]));
                self.bearer = Some((token.order_ms, value.clone()));
                value
            }
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
        read_token(&mut self.m, text, server_ms, now_ms)
    }
}

/// The token in the body `text` of a successful login or refresh answer of `machine`'s
/// client, received at `now_ms` (`server_ms`: the answer's `Date`), ordered after every token
/// seen (the JS driver's `Core` and the Rust driver read answers alike).
///
/// # Errors
/// `bad_response` (not JSON, no string token field) or `bad_token`.
pub(crate) fn read_token(
    machine: &mut Machine,
    text: &str,
    server_ms: Option<f64>,
    now_ms: f64,
) -> Result<Token, Error> {
    let jwt = token_field(text, &machine.options().token_field)?;
    let receipt = Receipt {
        local_ms: now_ms,
        server_ms: server_ms.filter(|ms| ms.is_finite()),
    };
    let token = Token::decode_at(&jwt, receipt)?;
    Ok(machine.order_received(token))
}

/// The JWT at `field` (a name, or a dotted path into nested objects) of a JSON response body.
///
/// # Errors
/// `bad_response` when the body is not a JSON object or the field is missing or not a string.
fn token_field(text: &str, field: &str) -> Result<String, Error> {
    // Not JSON, or JSON that is no object.
    let json = JSON::parse(text)
        .ok()
        .filter(JsValue::is_object)
        .ok_or_else(|| Error::BadResponse("the response body is not a JSON object".into()))?;
    let mut value = json;
    for name in split(field, b'.') {
        // Only objects are walked into: a string's `length` is no field of the answer.
        value = if value.is_object() {
            Reflect::get(&value, &name.into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
    }
    value.as_string().ok_or_else(|| {
        Error::BadResponse(concat(&["the response has no string field `", field, "`"]))
    })
}
