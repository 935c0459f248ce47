//! A deterministic simulator of many browser tabs, each running tokenrelay's refresh
//! [`Machine`](tokenrelay::core::machine::Machine), against models of what the browser and the
//! server do: Web Locks (FIFO per name, `ifAvailable`, `steal`, released on close, kept while
//! frozen), a BroadcastChannel (per-message delay, per-sender order, a frozen tab's queue,
//! forged messages), timers (clamped while hidden, none while frozen), per-tab clocks with
//! jumps, a shared cookie jar and a server with rotation, reuse detection, an optional grace
//! window, latency, 5xx/429 and lost answers.
//!
//! One seed draws the world (its fault rates) and every event, so a failing seed replays
//! exactly. A run has a safety phase with faults, then a liveness phase without, as
//! TigerBeetle's VOPR does; the invariants are checked after every step and at the end.
#![deny(missing_docs)]

pub mod browser;
pub mod explore;
pub mod invariants;
pub mod picture;
pub mod server;
pub mod tab;
pub mod world;

pub use invariants::Violation;
pub use world::{run, Outcome, Params};
