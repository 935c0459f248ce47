//! A run's timeline as an SVG picture: one lane per tab and one for the server; Web Locks held
//! as bars, messages, requests and state changes as marks.

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
        _ => "#7f7f7f",
    }
}

/// The SVG text of `outcome`'s timeline (its run must have been traced).
pub fn svg(outcome: &Outcome) -> String {
    let marks = &outcome.marks;
    let end = marks.iter().map(|m| m.0).max().unwrap_or(1).max(1) as f64;
    let lanes: Vec<usize> = {
        let mut l: Vec<usize> = marks
            .iter()
            .map(|m| m.1)
            .filter(|l| *l != usize::MAX)
            .collect();
        l.sort_unstable();
        l.dedup();
        l.push(usize::MAX);
        l
    };
    let (width, left, lane_h) = (1600.0, 70.0, 60.0);
    let height = lane_h * lanes.len() as f64 + 60.0;
    let x = |t: u64| left + (t as f64 / end) * (width - left - 20.0);
    let y = |lane: usize| 30.0 + lane_h * lanes.iter().position(|l| *l == lane).unwrap_or(0) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{left}" y="16">seed {} · {} tabs · {} events · {} refreshes · {} violations (lanes: tabs and server; bars: refresh lock held; marks by kind)</text>"#,
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
    // Lock held: from a grant of the refresh lock to its release.
    let mut held: HashMap<(usize, String), u64> = HashMap::new();
    for (t, lane, kind, text) in marks {
        let id = text
            .split('#')
            .nth(1)
            .map(|s| s.split_whitespace().next().unwrap_or("").to_owned());
        match (*kind, id) {
            ("lock", Some(id)) if text.ends_with("Granted") => {
                held.insert((*lane, id), *t);
            }
            ("release", Some(id)) => {
                if let Some(from) = held.remove(&(*lane, id)) {
                    let _ = writeln!(
                        out,
                        r##"<rect x="{}" y="{}" width="{}" height="8" fill="#f5c542" opacity="0.8"/>"##,
                        x(from),
                        y(*lane) - 14.0,
                        (x(*t) - x(from)).max(1.0)
                    );
                }
            }
            _ => {}
        }
    }
    for (t, lane, kind, text) in marks {
        let (cx, cy) = (x(*t), y(*lane));
        let _ = writeln!(
            out,
            r#"<circle cx="{cx}" cy="{cy}" r="3" fill="{}"><title>{t} ms {}: {}</title></circle>"#,
            colour(kind),
            lane_name(*lane),
            escape(text)
        );
        if *kind == "state" || *kind == "freeze" || *kind == "thaw" || *kind == "calm" {
            let _ = writeln!(
                out,
                r#"<text x="{cx}" y="{}" fill="{}" font-size="9">{}</text>"#,
                cy + 14.0,
                colour(kind),
                escape(text)
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
