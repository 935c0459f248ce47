//! `simulate`: runs worlds of the simulator and prints one table; exits non-zero on any
//! violation. `--seeds N` (default 1000) runs seeds 1..=N; `--seed S --trace` prints one
//! world's trace, and `--svg FILE [--from MS --to MS]` draws its timeline. `--first S` starts
//! at seed S; `--stop-at-first` stops at the first failing world.

use std::process::ExitCode;
use std::time::Instant;

use tokenrelay_sim::{picture, run, Params};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let trace = args.iter().any(|a| a == "--trace");
    let svg = value("--svg");
    if let Some(seed) = value("--seed").and_then(|s| s.parse::<u64>().ok()) {
        let outcome = run(Params::draw(seed), true);
        if trace {
            for line in &outcome.trace {
                println!("{line}");
            }
        }
        if let Some(path) = svg {
            let from = value("--from").and_then(|s| s.parse().ok()).unwrap_or(0);
            let to = value("--to")
                .and_then(|s| s.parse().ok())
                .unwrap_or(u64::MAX);
            if let Err(e) = std::fs::write(&path, picture::svg(&outcome, from, to)) {
                eprintln!("simulate: cannot write {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
        println!("{:?}", outcome.params);
        for v in &outcome.violations {
            println!("{v}");
        }
        println!("1 worlds, {} violations", outcome.violations.len());
        return if outcome.violations.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let seeds: u64 = value("--seeds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let first: u64 = value("--first").and_then(|s| s.parse().ok()).unwrap_or(1);
    let started = Instant::now();
    let (mut tabs, mut events, mut faults, mut refreshes) = (0u64, 0u64, 0u64, 0u64);
    let mut per_invariant = [0u32; 8];
    let mut failing = Vec::new();
    let stop_at_first = args.iter().any(|a| a == "--stop-at-first");
    let mut ran = 0u64;
    for seed in first..first + seeds {
        ran += 1;
        let outcome = run(Params::draw(seed), false);
        tabs += outcome.params.tabs as u64;
        events += outcome.events;
        faults += u64::from(outcome.faults);
        refreshes += u64::from(outcome.refreshes);
        for v in &outcome.violations {
            per_invariant[v.invariant as usize] += 1;
        }
        if !outcome.violations.is_empty() {
            failing.push((seed, outcome.violations[0].to_string()));
            if stop_at_first {
                break;
            }
        }
    }
    let seeds = ran;
    let secs = started.elapsed().as_secs_f64();
    let violations: u32 = per_invariant.iter().sum();
    println!("| worlds | tabs | events | faults drawn | refreshes | worlds/s |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {seeds} | {tabs} | {events} | {faults} | {refreshes} | {:.0} |",
        seeds as f64 / secs
    );
    println!();
    println!("| invariant | violations |");
    println!("|---|---|");
    let names = [
        "",
        "1 no reuse",
        "2 no wrong sign-out",
        "3 calls settle",
        "4 newest token",
        "5 no loop",
        "6 one in flight",
        "7 order",
    ];
    for (i, name) in names.iter().enumerate().skip(1) {
        println!("| {name} | {} |", per_invariant[i]);
    }
    for (seed, first) in failing.iter().take(5) {
        println!("seed {seed}: {first}");
        println!("  replay: scripts/simulate --seed {seed} --trace --svg target/sim-{seed}.svg");
    }
    println!("{seeds} worlds, {violations} violations");
    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
