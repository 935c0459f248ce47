//! The pure core's cross-tab decisions, exported as plain functions for the JS driver.
//! Times are epoch ms, monotonic ms where the name says so; `undefined` is "none".
use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::core::coordination::{self, Claim};

/// [`coordination::is_later`].
#[wasm_bindgen(js_name = isLater)]
pub fn is_later(a: Option<f64>, b: Option<f64>) -> bool {
    coordination::is_later(a, b)
}

#[wasm_bindgen]
/// [`Claim::beats`]: whether the claim made at `at_ms` by `tab` wins over the other one.
pub fn beats(at_ms: f64, tab: String, other_at_ms: f64, other_tab: String) -> bool {
    let claim = |at_ms, tab| Claim { at_ms, tab };
    claim(at_ms, tab).beats(&claim(other_at_ms, other_tab))
}

/// [`coordination::stale_at`] (monotonic ms).
#[wasm_bindgen(js_name = staleAt)]
pub fn stale_at(last_seen_ms: f64, request_timeout_ms: f64) -> f64 {
    coordination::stale_at(last_seen_ms, request_timeout_ms)
}

/// [`coordination::claim_is_plausible`].
#[wasm_bindgen(js_name = claimIsPlausible)]
pub fn claim_is_plausible(claim_at_ms: f64, now_ms: f64, request_timeout_ms: f64) -> bool {
    coordination::claim_is_plausible(claim_at_ms, now_ms, request_timeout_ms)
}

/// [`coordination::backoff_ms`].
#[wasm_bindgen(js_name = backoffMs)]
pub fn backoff_ms(attempt: u32) -> f64 {
    coordination::backoff_ms(attempt)
}
