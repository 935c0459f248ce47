//! The calls of the JS API: start, login, logout, access token and the wrapped fetch.

use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::core::claims::Receipt;
use crate::core::origin::join;
use crate::core::response::{classify_failure, is_success, AuthCall};
use crate::core::{Error, Status, Token};
use crate::web::http;
use crate::web::js::now_ms;

use super::peers::{self, ASK_WAIT_MS};
use super::presence;
use super::refresh::{refresh, Reason};
use super::{Flight, Inner};

fn auth_url(inner: &Inner, path: &str) -> String {
    join(&inner.options.api_base, path)
}

/// Posts `body` to the endpoint of `call`: the CSRF header, the request timeout, and an
/// abort on `dispose`.
async fn post_auth(
    inner: &Inner,
    call: AuthCall,
    body: Option<&str>,
) -> Result<web_sys::Response, Error> {
    let o = &inner.options;
    let path = match call {
        AuthCall::Login => &o.login_path,
        AuthCall::Refresh => &o.refresh_path,
        AuthCall::Logout => &o.logout_path,
    };
    let url = auth_url(inner, path);
    let cancel = inner.abort_signal();
    http::post_auth(
        &url,
        &o.csrf_header,
        body,
        o.request_timeout_ms,
        cancel.as_ref(),
    )
    .await
}

/// Posts to an auth endpoint and reads the token of a successful answer.
async fn token_call(inner: &Inner, call: AuthCall, body: Option<&str>) -> Result<Token, Error> {
    let response = post_auth(inner, call, body).await?;
    let status = response.status();
    if !is_success(status) {
        return Err(classify_failure(call, status));
    }
    let jwt = http::read_token(&response, &inner.options.token_field).await?;
    inner.check_alive()?;
    let receipt = Receipt {
        local_ms: now_ms(),
        server_ms: http::server_date_ms(&response),
    };
    Ok(inner.order_new(Token::decode_at(&jwt, receipt)?))
}

/// `POST refreshPath` with the refresh cookie.
pub async fn refresh_request(inner: &Inner) -> Result<Token, Error> {
    token_call(inner, AuthCall::Refresh, None).await
}

/// Restores the session: a valid token in memory, else one from another tab, else the
/// refresh cookie. "No session" is a state, not an error. Concurrent calls share one restore.
pub async fn start(inner: &Rc<Inner>) -> Result<(), Error> {
    inner.check_alive()?;
    let outcome = Flight::join_or_start(
        inner,
        |i| &i.restore,
        |inner| Box::pin(async move { restore_now(&inner).await }),
    )
    .await;
    match outcome {
        Err(Error::Disposed) => Err(Error::Disposed),
        // Every other outcome is in the state (signedOut, or an error with the status kept).
        _ => Ok(()),
    }
}

async fn restore_now(inner: &Rc<Inner>) -> Result<(), Error> {
    if peers::holds_valid_token(inner) {
        return Ok(());
    }
    let running = inner.flight.borrow().clone();
    if let Some(flight) = running {
        return flight.wait().await;
    }
    // Ask the other tabs first, when there may be any (a one-tab reload skips the wait).
    if presence::others_may_be_alive(inner).await {
        if peers::ask(inner, ASK_WAIT_MS).await {
            return Ok(());
        }
    } else {
        // As good as an unanswered question: no tab can hand over a token.
        inner.unanswered_ask.set(Some(now_ms()));
    }
    refresh(inner, Reason::Demand).await
}

/// `POST loginPath` with `body` as JSON.
pub async fn login(inner: &Rc<Inner>, body: &JsValue) -> Result<(), Error> {
    inner.check_alive()?;
    let json = js_sys::JSON::stringify(body)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::Config("the login body must be a JSON-serialisable value".into()))?;
    match token_call(inner, AuthCall::Login, Some(&json)).await {
        Ok(token) => {
            inner.check_alive()?;
            inner.generation.set(inner.generation.get() + 1);
            inner.failures.set(0);
            inner.update(|s| s.signed_in(token));
            peers::post_token(inner);
            Ok(())
        }
        Err(error) => {
            let signed_in = inner.session.borrow().token().is_some();
            let reported = error.clone();
            inner.update(move |s| {
                if signed_in {
                    s.failed(reported)
                } else {
                    s.signed_out(Some(reported))
                }
            });
            Err(error)
        }
    }
}

/// `POST logoutPath`, then the session ends here and in every tab, whatever the server said.
pub async fn logout(inner: &Rc<Inner>) -> Result<(), Error> {
    inner.check_alive()?;
    inner.generation.set(inner.generation.get() + 1);
    let held = inner.session.borrow().token().map(|t| t.jwt.clone());
    let error = match post_auth(inner, AuthCall::Logout, None).await {
        Ok(r) if is_success(r.status()) => None,
        Ok(r) => Some(classify_failure(AuthCall::Logout, r.status())),
        Err(e) => Some(e),
    };
    inner.update(|s| s.signed_out(error));
    peers::post_signed_out(inner, false, held.as_deref());
    Ok(())
}

/// Waits for a restore or refresh under way and refreshes a token that is due.
pub async fn ensure_fresh(inner: &Rc<Inner>) {
    let restoring = inner.restore.borrow().clone();
    if let Some(restore) = restoring {
        let _ = restore.wait().await;
    }
    let running = inner.flight.borrow().clone();
    if let Some(flight) = running {
        let _ = flight.wait().await;
    }
    let ahead_ms = inner.options.refresh_ahead_seconds * 1000.0;
    let due = inner
        .session
        .borrow()
        .token()
        .is_some_and(|t| t.needs_refresh(now_ms(), ahead_ms));
    if due {
        let _ = refresh(inner, Reason::Demand).await;
    }
}

/// A valid access token, refreshed first if due.
pub async fn access_token(inner: &Rc<Inner>) -> Result<String, Error> {
    inner.check_alive()?;
    ensure_fresh(inner).await;
    inner.check_alive()?;
    let session = inner.session.borrow();
    match session.token() {
        Some(t) if !t.is_expired(now_ms()) => Ok(t.jwt.clone()),
        Some(_) => Err(session.error().cloned().unwrap_or(Error::SessionExpired)),
        None if session.status() == Status::SignedOut => Err(Error::NotSignedIn),
        None => Err(session.error().cloned().unwrap_or(Error::NotSignedIn)),
    }
}
