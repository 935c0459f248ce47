//! The wasm's exports to the JS driver: plain functions of a client's handle, over one table of
//! the page's [`Core`]s.
//!
//! An exported class (`#[wasm_bindgen] impl Core`) costs about 200 bytes of wasm per method:
//! each one checks its pointer and borrow, and carries the error text of a failed check. One
//! table does that once, in [`core`]: about 0.4 KB gzip less (measured with 14 methods).
use alloc::vec::Vec;
use core::cell::{RefCell, RefMut};

use wasm_bindgen::prelude::*;

use super::Core;

// The table below is shared without a lock: sound only while the module runs on one thread.
#[cfg(target_feature = "atomics")]
compile_error!("the table of clients assumes a wasm module without threads");

/// The page's clients; a handle is an index, a `None` slot a freed client.
struct Cores(RefCell<Vec<Option<Core>>>);

// SAFETY: wasm32 without the `atomics` feature (checked above) has one thread.
unsafe impl Sync for Cores {}

static CORES: Cores = Cores(RefCell::new(Vec::new()));

/// The client `handle`, borrowed until the returned guard drops. A call made while another
/// call of this module runs (a JS callback re-entering it) traps, as wasm-bindgen's borrow
/// check did. A freed or unknown handle throws, after the borrow is given back (a throw runs
/// no destructor). One function, not inlined: the exports stay small.
#[inline(never)]
fn core(handle: u32) -> RefMut<'static, Core> {
    let cores = CORES.0.borrow_mut();
    RefMut::filter_map(cores, |cores| {
        cores.get_mut(handle as usize).and_then(Option::as_mut)
    })
    .unwrap_or_else(|cores| {
        drop(cores);
        wasm_bindgen::throw_str("tokenrelay: no such client")
    })
}

/// Reads and validates `options` for the tab `tab` (`locks`: the browser has Web Locks) and
/// returns the new client's handle; throws a `config` `TokenRelayError` naming the option.
#[wasm_bindgen(js_name = coreNew)]
pub fn core_new(options: JsValue, tab: JsValue, locks: bool) -> Result<u32, JsValue> {
    let core = Core::new(options, tab.as_string().unwrap_or_default(), locks)?;
    let mut cores = CORES.0.borrow_mut();
    let handle = match cores.iter().position(Option::is_none) {
        Some(free) => {
            cores[free] = Some(core);
            free
        }
        None => {
            cores.push(Some(core));
            cores.len() - 1
        }
    };
    Ok(handle as u32)
}

/// Frees the client `handle` (its driver was collected); the handle may be reused.
#[wasm_bindgen(js_name = coreFree)]
pub fn core_free(handle: u32) {
    let freed = CORES
        .0
        .borrow_mut()
        .get_mut(handle as usize)
        .and_then(Option::take);
    drop(freed); // outside the borrow: dropping releases JS values
}

/// [`Core::config`].
#[wasm_bindgen(js_name = coreConfig)]
pub fn core_config(handle: u32) -> JsValue {
    core(handle).config()
}

/// [`Core::cross_site`].
#[wasm_bindgen(js_name = coreCrossSite)]
pub fn core_cross_site(handle: u32, cross: bool) {
    core(handle).cross_site(cross);
}

/// [`Core::relative`].
#[wasm_bindgen(js_name = coreRelative)]
pub fn core_relative(handle: u32, target: JsValue) -> JsValue {
    core(handle).relative(&target.as_string().unwrap_or_default())
}

/// [`Core::state`].
#[wasm_bindgen(js_name = coreState)]
pub fn core_state(handle: u32) -> JsValue {
    core(handle).state()
}

/// [`Core::order`], NaN without a token.
#[wasm_bindgen(js_name = coreOrder)]
pub fn core_order(handle: u32) -> f64 {
    core(handle).order().unwrap_or(f64::NAN)
}

/// [`Core::bearer`].
#[wasm_bindgen(js_name = coreBearer)]
pub fn core_bearer(handle: u32) -> JsValue {
    core(handle).bearer()
}

/// [`Core::input`].
#[wasm_bindgen(js_name = coreInput)]
#[allow(clippy::too_many_arguments)]
pub fn core_input(
    handle: u32,
    kind: u8,
    id: u32,
    x: f64,
    y: f64,
    data: JsValue,
    mono: f64,
    wall: f64,
) {
    core(handle).input(kind, id, x, y, data, mono, wall);
}

/// [`Core::poll`].
#[wasm_bindgen(js_name = corePoll)]
pub fn core_poll(handle: u32) -> JsValue {
    core(handle).poll()
}

/// [`Core::poll_timeout`].
#[wasm_bindgen(js_name = corePollTimeout)]
pub fn core_poll_timeout(handle: u32) -> f64 {
    core(handle).poll_timeout()
}

/// [`Core::settled`].
#[wasm_bindgen(js_name = coreSettled)]
pub fn core_settled(handle: u32, now_ms: f64) -> bool {
    core(handle).settled(now_ms)
}

/// [`Core::access_token`]: the token, or the error (returned, not thrown: the driver throws
/// it).
#[wasm_bindgen(js_name = coreAccessToken)]
pub fn core_access_token(handle: u32, now_ms: f64) -> JsValue {
    core(handle).access_token(now_ms).unwrap_or_else(|e| e)
}
