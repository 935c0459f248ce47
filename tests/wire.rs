//! The wire numbers of the refresh machine have one source, src/core/machine/wire.rs (and
//! `LockMode`): the JS driver's copies in js/lib/driver/ are read here and must match.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use tokenrelay::core::machine::wire::{input, output};
use tokenrelay::core::machine::LockMode;

/// Every `NAME = number` in the driver file `file` (its `const` declarations and the output
/// table of pump.js) whose name starts with `prefix` (the prefix removed).
fn js_constants(file: &str, prefix: &str) -> BTreeMap<String, u8> {
    let path = [env!("CARGO_MANIFEST_DIR"), "/js/lib/driver/", file].concat();
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut found = BTreeMap::new();
    for line in source.lines() {
        for declaration in line.split([',', ';', '.']) {
            let declaration = declaration.trim_start_matches(['/', ' ']);
            let declaration = declaration.strip_prefix("export ").unwrap_or(declaration);
            let declaration = declaration.strip_prefix("const ").unwrap_or(declaration);
            let Some((name, value)) = declaration.split_once('=') else {
                continue;
            };
            let Some(name) = name.trim().strip_prefix(prefix) else {
                continue;
            };
            if let Ok(n) = value.trim().parse::<u8>() {
                let before = found.insert(name.to_owned(), n);
                assert!(before.is_none(), "{file}: {prefix}{name} declared twice");
            }
        }
    }
    found
}

fn expect(pairs: &[(&str, u8)]) -> BTreeMap<String, u8> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn the_drivers_input_kinds_are_the_machines() {
    let rust = expect(&[
        ("REFRESH", input::REFRESH),
        ("LOCK", input::LOCK),
        ("MESSAGE", input::MESSAGE),
        ("FACTS", input::FACTS),
        ("ANSWER", input::ANSWER),
        ("FAILED", input::FAILED),
        ("PAGE", input::PAGE),
        ("TIMER", input::TIMER),
        ("DISPOSE", input::DISPOSE),
        ("HOLDER", input::HOLDER),
        ("START", input::START),
        ("LOGIN", input::LOGIN),
        ("LOGOUT", input::LOGOUT),
        ("ENSURE", input::ENSURE),
        ("PRESENCE", input::PRESENCE),
    ]);
    assert_eq!(js_constants("pump.js", "IN_"), rust);
}

#[test]
fn the_drivers_output_kinds_are_the_machines() {
    let rust = expect(&[
        ("CHANGED", output::CHANGED),
        ("RESOLVE", output::RESOLVE),
        ("REJECT", output::REJECT),
        ("POST", output::POST),
        ("REQUEST_LOCK", output::REQUEST_LOCK),
        ("RELEASE", output::RELEASE),
        ("SEND_AUTH", output::SEND_AUTH),
        ("ABORT_AUTH", output::ABORT_AUTH),
        ("READ_FACTS", output::READ_FACTS),
        ("WRITE_COOKIE", output::WRITE_COOKIE),
        ("MARK_LOGOUT", output::MARK_LOGOUT),
        ("QUERY_PRESENCE", output::QUERY_PRESENCE),
        ("QUERY_LOCKS", output::QUERY_LOCKS),
        ("LOGGED_OUT", output::LOGGED_OUT),
        ("SAVE_EPOCH", output::SAVE_EPOCH),
    ]);
    assert_eq!(js_constants("pump.js", "OUT_"), rust);
    // Each case of `perform` is the output its comment names.
    let path = [env!("CARGO_MANIFEST_DIR"), "/js/lib/driver/pump.js"].concat();
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut cases = BTreeMap::new();
    for line in source.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("case ") else {
            continue;
        };
        let (number, rest) = rest.split_once(':').expect("case N:");
        let name = rest.rsplit_once("// OUT_").expect("// OUT_NAME").1.trim();
        cases.insert(name.to_owned(), number.parse::<u8>().expect("a number"));
    }
    assert_eq!(cases, rust, "perform's cases");
}

#[test]
fn the_drivers_lock_modes_are_the_machines() {
    let js = js_constants("locks.js", "");
    for (name, mode) in [
        ("WAIT", LockMode::Wait),
        ("IF_AVAILABLE", LockMode::IfAvailable),
        ("STEAL", LockMode::Steal),
    ] {
        assert_eq!(js.get(name), Some(&(mode as u8)), "locks.js {name}");
    }
}

#[test]
fn every_kind_has_one_number() {
    let kinds = |list: &[u8]| {
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        sorted == (0..list.len() as u8).collect::<Vec<_>>()
    };
    use input::*;
    assert!(kinds(&[
        REFRESH, LOCK, MESSAGE, FACTS, ANSWER, FAILED, PAGE, TIMER, DISPOSE, HOLDER, START, LOGIN,
        LOGOUT, ENSURE, PRESENCE
    ]));
    use output::*;
    assert!(kinds(&[
        CHANGED,
        RESOLVE,
        REJECT,
        POST,
        REQUEST_LOCK,
        RELEASE,
        SEND_AUTH,
        ABORT_AUTH,
        READ_FACTS,
        WRITE_COOKIE,
        MARK_LOGOUT,
        QUERY_PRESENCE,
        QUERY_LOCKS,
        LOGGED_OUT,
        SAVE_EPOCH
    ]));
}
