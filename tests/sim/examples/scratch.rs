use tokenrelay_sim::world::{run, Params};
fn main() {
    let p = Params { seed: 8058011121953124043, tabs: 3, safety_ms: 10000, liveness_ms: 90000, access_ttl_s: 20, request_timeout_ms: 500, message_delay_ms: 0, latency_ms: 130, server_error: 0.0, lost_answer: 0.0, stalled_body: 0.03115233959480321, freeze: 0.0, close: 0.0, hide: 0.018474937717813465, clock_jump: 0.0, forged: 0.0, logout: 0.0, grace_ms: None, action_every_ms: 316 };
    let o = run(p, true);
    for l in o.trace.iter() { println!("{l}"); }
    for v in o.violations { println!("{v}"); }
}
