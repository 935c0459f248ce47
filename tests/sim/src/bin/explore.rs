//! `explore`: every interleaving of two tabs and a server to a stated depth, one table per
//! scenario; exits non-zero on any violation and prints the first counterexample's steps.
//! `--depth N` (default 18) bounds the steps after the start; `--scenario NAME` runs one
//! scenario (a name of the table).

use std::process::ExitCode;
use std::time::Instant;

use tokenrelay_sim::explore::{explore, replay, scenarios, Report};

/// The depth of a full run: the five scenarios in about 75 s (dev profile, one core); the
/// shortest takeover race takes 18 steps.
const DEFAULT_DEPTH: usize = 18;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let depth = value("--depth")
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_DEPTH);
    let only = value("--scenario");
    let chosen: Vec<_> = scenarios()
        .into_iter()
        .filter(|s| only.as_deref().is_none_or(|o| o == s.name))
        .collect();
    if chosen.is_empty() {
        eprintln!("explore: no scenario named {only:?}");
        return ExitCode::FAILURE;
    }
    let (mut nodes, mut violations) = (0u64, 0u64);
    for scenario in &chosen {
        let started = Instant::now();
        let report = explore(scenario, depth);
        print_table(&report, started.elapsed().as_secs_f64());
        let total = report.total();
        nodes += total.nodes;
        violations += total.violations;
        if let Some((path, what)) = &report.counterexample {
            println!("counterexample ({} steps): {what}", path.len());
            let m = replay(scenario, path, true);
            for line in m.trace.iter().flatten() {
                println!("  {line}");
            }
            println!();
        }
    }
    println!("{nodes} interleavings, {violations} violations");
    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_table(report: &Report, seconds: f64) {
    let s = &report.scenario;
    println!(
        "{} (work {:?}, logout {:?}, freeze {:?}), depth {}, {seconds:.1} s",
        s.name, s.work, s.logout, s.freeze, report.depth
    );
    println!("| depth | nodes | distinct | quiescent | max pending | violations |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let total = report.total();
    let rows = report
        .rows
        .iter()
        .enumerate()
        .map(|(d, r)| (d.to_string(), r));
    for (d, r) in rows.chain([("all".to_string(), &total)]) {
        println!(
            "| {d} | {} | {} | {} | {} | {} |",
            r.nodes, r.distinct, r.quiescent, r.max_pending, r.violations
        );
    }
    println!();
}
