//! The exhaustive explorer at a depth `cargo test` affords: every interleaving of every
//! scenario to 14 steps keeps every property (the `explore` binary goes deeper).

use tokenrelay_sim::explore::{explore, replay, scenarios};

#[test]
fn every_interleaving_to_depth_14_keeps_every_property() {
    for scenario in scenarios() {
        let report = explore(&scenario, 14);
        if let Some((path, what)) = &report.counterexample {
            let trace = replay(&scenario, path, true).trace.unwrap_or_default();
            panic!("{}: {what}\n{}", scenario.name, trace.join("\n"));
        }
        let total = report.total();
        assert!(total.quiescent > 0, "{}: no run ended", scenario.name);
    }
}
