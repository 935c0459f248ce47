//! Client options: defaults and validation (the JS side only converts types).
use alloc::{string::String, vec, vec::Vec};

use super::error::Error;
use super::origin::{join, origin_of, AllowList};
use super::response::AuthCall;
use super::text::{concat, decimal};

/// The options of an `AuthClient`, with the defaults of the JS API.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Options {
    /// Absolute http(s) URL of the API; relative request targets are appended to it.
    pub api_base: String,
    /// Other origins that may receive the token.
    pub allowed_origins: Vec<String>,
    /// Path of the login call.
    pub login_path: String,
    /// Path of the refresh call.
    pub refresh_path: String,
    /// Path of the logout call.
    pub logout_path: String,
    /// Where the JWT is in login and refresh answers: a field of the JSON body, or a dotted
    /// path into nested objects (`"data.access_token"`).
    pub token_field: String,
    /// Refresh this long before `exp` (capped at half the token's lifetime).
    pub refresh_ahead_seconds: f64,
    /// A refresh younger than this (by the cooldown cookie) is not repeated.
    pub cooldown_ms: f64,
    /// Name of the cooldown cookie.
    pub cooldown_cookie: String,
    /// Name of the BroadcastChannel and of the Web Lock.
    pub channel: String,
    /// Static header sent on every auth call with the value `tokenrelay`; `None`: none (the
    /// calls are then protected by `SameSite` cookies and CORS alone, or by [`Options::csrf`]).
    pub csrf_header: Option<String>,
    /// Double-submit CSRF: the value of a cookie the page can read, sent in a header on every
    /// auth call (read at each call). `None`: off.
    pub csrf: Option<Csrf>,
    /// JSON text sent as the body of the refresh call (`None`: no body).
    pub refresh_body: Option<String>,
    /// JSON text sent as the body of the logout call (`None`: no body).
    pub logout_body: Option<String>,
    /// Statuses of `auth.fetch` answers (to a request sent with a token) that lead to one
    /// refresh and one retry.
    pub retry_on: Vec<u16>,
    /// Bound on each login, refresh and logout request.
    pub request_timeout_ms: f64,
    /// Serialise refreshes across tabs with Web Locks where the browser has them.
    pub use_web_locks: bool,
}

/// Double-submit CSRF: the cookie the value is read from and the header it is sent in.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Csrf {
    /// Name of the cookie (readable by the page: not `HttpOnly`, a path and domain that
    /// include the page).
    pub cookie: String,
    /// Name of the header.
    pub header: String,
}

/// Value of the static CSRF header on auth calls.
pub const CSRF_HEADER_VALUE: &str = "tokenrelay";

impl Options {
    /// Default options for an API at `api_base` (not yet validated).
    pub fn new(api_base: impl Into<String>) -> Self {
        Self {
            api_base: api_base.into(),
            allowed_origins: Vec::new(),
            login_path: "/auth/login".into(),
            refresh_path: "/auth/refresh".into(),
            logout_path: "/auth/logout".into(),
            token_field: "accessToken".into(),
            refresh_ahead_seconds: 30.0,
            cooldown_ms: 5000.0,
            cooldown_cookie: "lastTokenRefresh".into(),
            channel: "tokenrelay".into(),
            csrf_header: Some("X-Requested-With".into()),
            csrf: None,
            refresh_body: None,
            logout_body: None,
            retry_on: vec![401],
            request_timeout_ms: 10_000.0,
            use_web_locks: true,
        }
    }

    /// The URL of the auth call `call`: its path joined to `api_base`.
    ///
    /// # Example
    /// ```
    /// use tokenrelay::core::{response::AuthCall, Options};
    /// let o = Options::new("https://api.example.com/");
    /// assert_eq!(o.auth_url(AuthCall::Refresh), "https://api.example.com/auth/refresh");
    /// ```
    pub fn auth_url(&self, call: AuthCall) -> String {
        let path = match call {
            AuthCall::Login => &self.login_path,
            AuthCall::Refresh => &self.refresh_path,
            AuthCall::Logout => &self.logout_path,
        };
        join(&self.api_base, path)
    }

    /// Checks every option and returns the allow-list of origins that may get the token.
    ///
    /// # Errors
    /// `config`, with a message that names the offending option.
    pub fn validate(&self) -> Result<AllowList, Error> {
        self.check()
            .map_err(|(option, rule)| config(option, rule))?;
        in_range(
            "refreshAheadSeconds",
            self.refresh_ahead_seconds,
            0.0,
            86_400.0,
        )?;
        in_range("cooldownMs", self.cooldown_ms, 0.0, 3_600_000.0)?;
        in_range("requestTimeoutMs", self.request_timeout_ms, 1.0, 600_000.0)?;
        let mut origins = Vec::new();
        for url in core::iter::once(&self.api_base).chain(&self.allowed_origins) {
            // Every one parsed in `check`.
            let origin = origin_of(url).unwrap_or_default();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(AllowList::new(origins))
    }

    /// The first option that breaks its rule, and the rule; `in_range` errors are made there.
    fn check(&self) -> Result<(), Bad> {
        origin_of(&self.api_base)
            .ok_or(("apiBase", "must be an absolute http(s) URL, ASCII host"))?;
        for o in &self.allowed_origins {
            origin_of(o).ok_or(("allowedOrigins", ORIGINS))?;
        }
        for (name, path) in [
            ("loginPath", &self.login_path),
            ("refreshPath", &self.refresh_path),
            ("logoutPath", &self.logout_path),
        ] {
            if path.trim_ascii().is_empty() {
                return Err((name, "must not be empty"));
            }
        }
        // No empty name in the path: not blank, no dot first, last or twice in a row.
        let mut before = b'.';
        for b in self.token_field.bytes() {
            if b == b'.' && before == b'.' {
                break;
            }
            before = b;
        }
        if before == b'.' || self.token_field.trim_ascii().is_empty() {
            return Err(("tokenField", "must be a field name or dotted path"));
        }
        cookie_name("cooldownCookie", &self.cooldown_cookie)?;
        non_empty("channel", &self.channel)?;
        if let Some(header) = &self.csrf_header {
            header_name("csrfHeader", header)?;
        }
        if let Some(csrf) = &self.csrf {
            cookie_name("csrf.cookie", &csrf.cookie)?;
            header_name("csrf.header", &csrf.header)?;
        }
        for (name, body) in [
            ("refreshBody", &self.refresh_body),
            ("logoutBody", &self.logout_body),
        ] {
            if let Some(body) = body {
                non_empty(name, body)?;
            }
        }
        if self.retry_on.iter().any(|s| !(400..600).contains(s)) {
            return Err(("retryOn", RETRY_ON));
        }
        Ok(())
    }
}

/// What `allowedOrigins` must be (its type and its entries).
pub const ORIGINS: &str = "must list absolute http(s) origins, ASCII hosts";
/// What `retryOn` must be (its type and its entries).
pub const RETRY_ON: &str = "must list HTTP statuses from 400 to 599";

/// An option and the rule its value breaks (made into one `config` error by [`config`]).
pub(crate) type Bad = (&'static str, &'static str);

/// The `config` error of `option`, which breaks `rule`.
pub fn config(option: &str, rule: &str) -> Error {
    Error::Config(concat(&[option, " ", rule]))
}

fn non_empty(option: &'static str, value: &str) -> Result<(), Bad> {
    if value.trim_ascii().is_empty() {
        return Err((option, "must not be empty"));
    }
    Ok(())
}

fn in_range(option: &str, value: f64, min: f64, max: f64) -> Result<(), Error> {
    if !value.is_finite() || value < min || value > max {
        // Whole numbers only: formatting floats would cost the wasm build ~14 KB.
        let (min, max) = (decimal(min as u64), decimal(max as u64));
        let rule = concat(&[option, " must be a number from ", &min, " to ", &max]);
        return Err(Error::Config(rule));
    }
    Ok(())
}

/// RFC 7230 token characters: what a header name or cookie name may contain.
fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        ..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
                )
        })
}

fn header_name(option: &'static str, value: &str) -> Result<(), Bad> {
    if !is_token(value) {
        return Err((option, "must be a valid HTTP header name"));
    }
    Ok(())
}

fn cookie_name(option: &'static str, value: &str) -> Result<(), Bad> {
    if !is_token(value) {
        return Err((option, "must be a valid cookie name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_and_message(opts: &Options) -> (String, String) {
        let err = opts.validate().unwrap_err();
        (err.code().to_owned(), err.to_string())
    }

    #[test]
    fn defaults_are_valid_and_allow_the_api_origin() {
        let list = Options::new("http://127.0.0.1:8000/").validate().unwrap();
        assert_eq!(list.origins(), ["http://127.0.0.1:8000"]);
    }

    #[test]
    fn allowed_origins_are_normalized_and_deduplicated() {
        let mut o = Options::new("https://api.test");
        o.allowed_origins = vec!["https://API.test:443".into(), "https://files.test/".into()];
        assert_eq!(
            o.validate().unwrap().origins(),
            ["https://api.test", "https://files.test"]
        );
    }

    #[test]
    fn bad_api_base_is_a_config_error_naming_it() {
        for base in ["", "ftp://x", "not a url", "/api", "http://"] {
            let (code, msg) = code_and_message(&Options::new(base));
            assert_eq!(code, "config");
            assert!(msg.contains("apiBase"), "{msg}");
        }
    }

    #[test]
    fn the_options_of_other_backends_are_valid() {
        let mut o = Options::new("http://127.0.0.1:8055");
        o.token_field = "data.access_token".into();
        o.csrf_header = None;
        o.csrf = Some(Csrf {
            cookie: "csrf_refresh_token".into(),
            header: "X-CSRF-TOKEN".into(),
        });
        o.refresh_body = Some(r#"{"mode":"cookie"}"#.into());
        o.logout_body = Some("{}".into());
        o.retry_on = vec![401, 403, 422];
        assert!(o.validate().is_ok());
        o.retry_on = Vec::new(); // never retried
        assert!(o.validate().is_ok());
    }

    #[test]
    fn each_bad_option_names_itself() {
        type Edit = fn(&mut Options);
        let cases: [(&str, Edit); 20] = [
            ("allowedOrigins", |o| {
                o.allowed_origins = vec!["nope".into()]
            }),
            ("loginPath", |o| o.login_path = " ".into()),
            ("refreshPath", |o| o.refresh_path = String::new()),
            ("logoutPath", |o| o.logout_path = String::new()),
            ("tokenField", |o| o.token_field = String::new()),
            ("tokenField", |o| o.token_field = "data.".into()),
            ("tokenField", |o| o.token_field = "a..b".into()),
            ("tokenField", |o| o.token_field = ".a".into()),
            ("csrf.cookie", |o| {
                o.csrf = Some(Csrf {
                    cookie: "a;b".into(),
                    header: "X-CSRF-TOKEN".into(),
                })
            }),
            ("csrf.header", |o| {
                o.csrf = Some(Csrf {
                    cookie: "csrf_refresh_token".into(),
                    header: String::new(),
                })
            }),
            ("refreshBody", |o| o.refresh_body = Some(" ".into())),
            ("logoutBody", |o| o.logout_body = Some(String::new())),
            ("retryOn", |o| o.retry_on = vec![401, 200]),
            ("retryOn", |o| o.retry_on = vec![600]),
            ("cooldownCookie", |o| o.cooldown_cookie = "a b;".into()),
            ("channel", |o| o.channel = String::new()),
            ("csrfHeader", |o| o.csrf_header = Some("X Bad:".into())),
            ("refreshAheadSeconds", |o| o.refresh_ahead_seconds = -1.0),
            ("cooldownMs", |o| o.cooldown_ms = f64::NAN),
            ("requestTimeoutMs", |o| o.request_timeout_ms = 0.0),
        ];
        for (name, edit) in cases {
            let mut o = Options::new("http://127.0.0.1:8000");
            edit(&mut o);
            let (code, msg) = code_and_message(&o);
            assert_eq!(code, "config", "{name}");
            assert!(msg.contains(name), "{name}: {msg}");
        }
    }
}
