//! jwt-compact's claims decoding alone, exported to JS: what it costs in wasm.

use wasm_bindgen::prelude::*;

#[global_allocator]
// SAFETY: single-threaded wasm, as in tokenrelay.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// The `exp` claim of `jwt` in seconds, or a negative number when it cannot be read.
#[wasm_bindgen]
pub fn expiry(jwt: &str) -> f64 {
    let Ok(token) = jwt_compact::UntrustedToken::new(jwt) else {
        return -1.0;
    };
    match token.deserialize_claims_unchecked::<jwt_compact::Empty>() {
        Ok(claims) => claims.expiration.map_or(-2.0, |t| t.timestamp() as f64),
        Err(_) => -3.0,
    }
}
