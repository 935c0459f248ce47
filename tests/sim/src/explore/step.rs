//! How one event happens: the explorer's driver. It feeds the machine its input and carries
//! out every output as the browser and the server would (as `world.rs` does for the random
//! simulator): locks asked for and released, messages queued on the channel, requests put on
//! the wire, the facts read at once.

use tokenrelay::core::machine::{Input, LockMode, LockOutcome, Now, Output};
use tokenrelay::core::protocol::Envelope;
use tokenrelay::core::response::AuthCall;

use super::model::{Answer, Event, Model, Req, Stage, Work, EPOCH_MS};
use crate::browser::LockEvents;
use crate::server::Verdict;

impl Model {
    /// The tab's clocks now.
    fn now(&self) -> Now {
        Now {
            monotonic_ms: self.t as f64,
            wall_ms: (self.t + EPOCH_MS) as f64,
        }
    }

    fn note(&mut self, line: String) {
        if let Some(trace) = &mut self.trace {
            trace.push(line);
        }
    }

    /// Makes `e` happen.
    pub fn apply(&mut self, e: &Event) {
        if let Event::Timer(tab) = *e {
            if let Some(d) = self.deadline(tab) {
                self.t = self.t.max(d); // time moves to the deadline
            }
        }
        self.note(format!("t={} {e:?}", self.t - self.t0.min(self.t)));
        match *e {
            Event::Work(tab) => {
                self.tabs[tab].done.insert("work");
                let used = self.start_order;
                match self.scenario.work[tab] {
                    Some(Work::Refresh) => self.call(tab, |call| Input::Refresh {
                        call,
                        proactive: false,
                        used,
                    }),
                    _ => self.call(tab, |call| Input::Ensure { call }),
                }
            }
            Event::Logout(tab) => {
                self.tabs[tab].done.insert("logout");
                self.logged_out = true;
                self.call(tab, |call| Input::Logout { call });
            }
            Event::Freeze(tab) => {
                self.tabs[tab].done.insert("freeze");
                self.tabs[tab].frozen = true;
            }
            Event::Thaw(tab) => {
                self.tabs[tab].frozen = false;
                self.input(tab, Input::Page { visible: true });
            }
            Event::Deliver(from) => {
                if let Some(message) = self.channel[from].pop_front() {
                    let from_id = format!("tab{from}");
                    let envelope = Envelope {
                        from: from_id,
                        message,
                    };
                    self.input(1 - from, Input::Message(envelope));
                }
            }
            Event::Browser(seq) => {
                if let Some(i) = self.pending.iter().position(|p| p.0 == seq) {
                    let (_, tab, answer) = self.pending.remove(i);
                    let input = match answer {
                        Answer::Lock(id, outcome) => Input::Lock { id, outcome },
                        Answer::Holder(client, mine) => Input::Holder { client, mine },
                        Answer::Presence => Input::Presence { others: true },
                    };
                    self.input(tab, input);
                }
            }
            Event::Arrive(r) => self.arrive(r),
            Event::Headers(r) => {
                match &self.reqs[r].verdict {
                    Some(Verdict::Rotated { refresh, .. } | Verdict::Replay { refresh, .. }) => {
                        self.jar.refresh = Some(*refresh);
                    }
                    Some(Verdict::LoggedOut) => self.jar.refresh = None,
                    _ => {}
                }
                self.reqs[r].stage = Stage::Headed;
            }
            Event::Body(r) => self.body(r),
            Event::Timer(tab) => self.input(tab, Input::Timer),
        }
        super::check::observe(self);
    }

    /// A new call of the tab's caller.
    pub(crate) fn call(&mut self, tab: usize, input: impl FnOnce(u32) -> Input) {
        let t = &mut self.tabs[tab];
        t.next_call += 1;
        t.calls.insert(t.next_call);
        let call = t.next_call;
        self.input(tab, input(call));
    }

    /// Feeds `input` to the tab's machine and carries out every output.
    pub(crate) fn input(&mut self, tab: usize, input: Input) {
        self.feed(tab, input);
        while let Some(out) = self.tabs[tab].machine.poll_output() {
            self.perform(tab, out);
        }
    }

    /// Feeds `input` and records it in the tab's history.
    fn feed(&mut self, tab: usize, input: Input) {
        let now = self.now();
        let t = &mut self.tabs[tab];
        t.history = super::digest(&(t.history, self.t, format!("{input:?}")));
        t.machine.handle(input, now);
    }

    fn perform(&mut self, tab: usize, out: Output) {
        if self.trace.is_some() && !matches!(out, Output::Changed) {
            self.note(format!("    tab{tab} {out:?}"));
        }
        match out {
            Output::Changed => {}
            Output::Resolve(call) | Output::Reject(call, _) | Output::LoggedOut { call, .. } => {
                self.tabs[tab].calls.remove(&call);
            }
            Output::Post(message) => self.channel[tab].push_back(message),
            Output::RequestLock { id, name, mode } => {
                self.stolen |= mode == LockMode::Steal;
                if mode == LockMode::Wait {
                    self.queued.push((tab, id, name.clone()));
                }
                let ev = self.locks.request(&name, mode, (tab, id));
                self.answer_locks(ev);
            }
            Output::Release(id) => {
                self.queued.retain(|q| (q.0, q.1) != (tab, id));
                let ev = self.locks.release((tab, id));
                self.answer_locks(ev);
            }
            Output::SendAuth { id, call, .. } => self.reqs.push(Req {
                tab,
                id,
                call,
                presented: self.jar.refresh,
                stage: Stage::Sent,
                aborted: false,
                verdict: None,
                sent_at: self.t,
            }),
            Output::AbortAuth(id) => {
                let Some(req) = self.reqs.iter_mut().find(|r| (r.tab, r.id) == (tab, id)) else {
                    return;
                };
                req.aborted = true;
                if req.stage == Stage::Answered {
                    self.lost |= matches!(req.verdict, Some(Verdict::Rotated { .. }));
                }
                if req.stage != Stage::Sent {
                    req.stage = Stage::Done;
                }
            }
            Output::ReadFacts => {
                let cookies = self.jar.document_cookie();
                let logout_marker = self.marker.map(|(_, wall)| wall as f64);
                self.feed(
                    tab,
                    Input::Facts {
                        cookies,
                        logout_marker,
                        stored_epoch: None,
                    },
                );
            }
            Output::QueryLocks => {
                let holder = self.locks.holder(&self.options.channel);
                let client = holder.map(|(t, _)| format!("client{t}"));
                let mine = holder.is_some_and(|(t, _)| t == tab);
                self.browser(tab, Answer::Holder(client, mine));
            }
            Output::QueryPresence => self.browser(tab, Answer::Presence),
            Output::WriteCookie(assignment) => self.jar.assign(&assignment),
            Output::MarkLogout(epoch) => self.marker = epoch.map(|e| (tab, e as u64)),
            Output::SaveEpoch(_) => {} // both tabs live from the start: none opens later
        }
    }

    fn browser(&mut self, tab: usize, answer: Answer) {
        self.seq += 1;
        self.pending.push((self.seq, tab, answer));
    }

    fn answer_locks(&mut self, ev: LockEvents) {
        let outcomes = [
            (ev.stolen, LockOutcome::Lost),
            (ev.granted, LockOutcome::Granted),
            (ev.refused, LockOutcome::Refused),
        ];
        for (who, outcome) in outcomes {
            for (tab, id) in who {
                self.queued.retain(|q| (q.0, q.1) != (tab, id));
                self.browser(tab, Answer::Lock(id, outcome));
            }
        }
    }

    fn arrive(&mut self, r: usize) {
        let now = self.t + EPOCH_MS;
        let presented = self.reqs[r].presented;
        if self.t > self.reqs[r].sent_at + self.options.request_timeout_ms as u64 {
            // Slower than `requestTimeoutMs`: a live tab gave up on it and every tab may take
            // its sender for dead, so what it rotates counts as a lost answer.
            self.lost = true;
        }
        let verdict = match self.reqs[r].call {
            AuthCall::Refresh => {
                if let Some(p) = presented {
                    *self.presented.entry(p).or_default() += 1;
                }
                self.server.refresh(presented, now)
            }
            call => self.server.answer(call, presented, now),
        };
        self.note(format!("    server: {verdict:?}"));
        let req = &mut self.reqs[r];
        if req.aborted {
            // The tab gave up on it: whatever the server did with it, the answer is lost.
            self.lost = true;
            req.stage = Stage::Done;
        } else {
            req.stage = Stage::Answered;
        }
        req.verdict = Some(verdict);
    }

    fn body(&mut self, r: usize) {
        self.reqs[r].stage = Stage::Done;
        let (tab, id) = (self.reqs[r].tab, self.reqs[r].id);
        let now = self.now();
        let verdict = self.reqs[r].verdict.clone();
        let machine = &mut self.tabs[tab].machine;
        let result = Verdict::reply(verdict, now.wall_ms, now.wall_ms, machine);
        self.input(tab, Input::Answer { id, result });
    }
}
