//! A run's timeline as an SVG picture: one lane per tab and one for the server; the refresh
//! lock held (yellow bars), frozen spells (blue bars), refresh requests (red lines from the tab
//! to the server's answer), state changes (labels), violations (red rules).

use std::collections::HashMap;
use std::fmt::Write;

use crate::world::{lane_name, Outcome};

/// The colour of a mark's kind.
fn colour(kind: &str) -> &'static str {
    match kind {
        "send" => "#d62728",
        "server" => "#9467bd",
        "post" => "#1f77b4",
        "token" => "#2ca02c",
        "state" => "#000000",
        "freeze" | "thaw" => "#17becf",
        "abort" | "out" => "#ff7f0e",
        "call" => "#8c564b",
        _ => "#9a9a9a",
    }
}

/// The number after `#` in a mark's text (a lock or request id).
fn id_of(text: &str) -> Option<String> {
    let rest = text.split('#').nth(1)?;
    Some(rest.chars().take_while(char::is_ascii_digit).collect())
}

/// The SVG text of `outcome`'s timeline between `from` and `to` (sim ms); its run must have
/// been traced.
pub fn svg(outcome: &Outcome, from: u64, to: u64) -> String {
    let marks: Vec<_> = outcome
        .marks
        .iter()
        .filter(|m| m.0 >= from && m.0 <= to)
        .collect();
    let to = to
        .min(marks.iter().map(|m| m.0).max().unwrap_or(to))
        .max(from + 1);
    let mut lanes: Vec<usize> = marks
        .iter()
        .map(|m| m.1)
        .filter(|l| *l != usize::MAX)
        .collect();
    lanes.sort_unstable();
    lanes.dedup();
    lanes.push(usize::MAX);
    let (width, left, lane_h) = (1600.0, 70.0, 70.0);
    let height = lane_h * lanes.len() as f64 + 50.0;
    let x = |t: u64| {
        left + ((t.clamp(from, to) - from) as f64 / (to - from) as f64) * (width - left - 20.0)
    };
    let y = |lane: usize| 40.0 + lane_h * lanes.iter().position(|l| *l == lane).unwrap_or(0) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{left}" y="16">seed {} · {} tabs · {} events · {} refreshes · {} violations · {from}–{to} ms. Yellow: refresh lock held. Blue: frozen. Red lines: refresh requests. Dots: messages (blue), adoptions (green), aborts (orange).</text>"#,
        outcome.params.seed,
        outcome.params.tabs,
        outcome.events,
        outcome.refreshes,
        outcome.violations.len()
    );
    for lane in &lanes {
        let ly = y(*lane);
        let _ = writeln!(
            out,
            r##"<text x="4" y="{}">{}</text><line x1="{left}" y1="{ly}" x2="{}" y2="{ly}" stroke="#ddd"/>"##,
            ly + 4.0,
            lane_name(*lane),
            width - 20.0
        );
    }
    let bar = |out: &mut String, lane: usize, a: u64, b: u64, dy: f64, fill: &str| {
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="7" fill="{fill}" opacity="0.85"/>"#,
            x(a),
            y(lane) + dy,
            (x(b) - x(a)).max(1.5)
        );
    };
    let mut held: HashMap<(usize, String), u64> = HashMap::new();
    let mut frozen: HashMap<usize, u64> = HashMap::new();
    let mut sent: HashMap<String, (u64, usize)> = HashMap::new();
    for (t, lane, kind, text) in &marks {
        match *kind {
            "lock" if text.ends_with("Granted") && !text.contains(':') => {
                if let Some(id) = id_of(text) {
                    held.insert((*lane, id), *t);
                }
            }
            "release" => {
                if let Some(a) = id_of(text).and_then(|id| held.remove(&(*lane, id))) {
                    bar(&mut out, *lane, a, *t, -16.0, "#f5c542");
                }
            }
            "freeze" => {
                frozen.insert(*lane, *t);
            }
            "thaw" => {
                if let Some(a) = frozen.remove(lane) {
                    bar(&mut out, *lane, a, *t, 9.0, "#9edae5");
                }
            }
            "send" => {
                if let Some(id) = id_of(text) {
                    sent.insert(format!("tab{lane}#{id}"), (*t, *lane));
                }
            }
            "server" => {
                let key = text
                    .split_whitespace()
                    .nth(1)
                    .zip(id_of(text))
                    .map(|(tab, id)| format!("{tab}#{id}"));
                if let Some((a, l)) = key.and_then(|k| sent.remove(&k)) {
                    let _ = writeln!(
                        out,
                        r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d62728" stroke-width="1.2"/>"##,
                        x(a),
                        y(l),
                        x(*t),
                        y(usize::MAX)
                    );
                }
            }
            _ => {}
        }
    }
    for ((lane, _), a) in held {
        bar(&mut out, lane, a, to, -16.0, "#f5c542");
    }
    for (lane, a) in frozen {
        bar(&mut out, lane, a, to, 9.0, "#9edae5");
    }
    let mut stagger: HashMap<usize, usize> = HashMap::new();
    for (t, lane, kind, text) in &marks {
        let (cx, cy) = (x(*t), y(*lane));
        let _ = writeln!(
            out,
            r#"<circle cx="{cx}" cy="{cy}" r="2.5" fill="{}"><title>{t} ms {}: {}</title></circle>"#,
            colour(kind),
            lane_name(*lane),
            escape(text)
        );
        if matches!(*kind, "state" | "calm" | "out") {
            let n = stagger.entry(*lane).or_default();
            *n += 1;
            let dy = 28.0 + 10.0 * (*n % 3) as f64;
            let _ = writeln!(
                out,
                r#"<text x="{cx}" y="{}" fill="{}" font-size="9">{}</text>"#,
                cy + dy,
                colour(kind),
                escape(text)
            );
        }
    }
    for v in &outcome.violations {
        if v.at >= from && v.at <= to {
            let vx = x(v.at);
            let _ = writeln!(
                out,
                r##"<line x1="{vx}" y1="24" x2="{vx}" y2="{}" stroke="red" stroke-dasharray="4 3"/><text x="{}" y="{}" fill="red">{}</text>"##,
                height - 20.0,
                vx + 3.0,
                height - 8.0,
                escape(&v.to_string())
            );
        }
    }
    let _ = writeln!(out, "</svg>");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
