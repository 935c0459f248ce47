//! The model server: one refresh-token family with rotation and reuse detection (a presented
//! token that was already rotated revokes the family, unless it is within the grace window),
//! access tokens minted as JWTs with `iat` and `exp` by the server's clock.

use std::collections::HashMap;

use base64ct::{Base64UrlUnpadded, Encoding};
use tokenrelay::core::claims::Receipt;
use tokenrelay::core::machine::{Machine, Reply};
use tokenrelay::core::response::AuthCall;
use tokenrelay::core::{Error, Token};

/// What the server answered a refresh.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Rotated: the new refresh token (Set-Cookie) and access token.
    Rotated {
        /// The new refresh token.
        refresh: u64,
        /// The new access token.
        jwt: String,
    },
    /// Within the grace window: the successor issued before, again.
    Replay {
        /// The successor's refresh token.
        refresh: u64,
        /// Its access token.
        jwt: String,
    },
    /// Refused with this status (401: no valid token or reuse; 5xx, 429: trouble).
    Status(u16),
    /// A logout: done, the refresh cookie cleared.
    LoggedOut,
}

/// The server's state and counters.
#[derive(Default)]
pub struct Server {
    /// The refresh token valid now (`None`: no session).
    pub current: Option<u64>,
    /// Rotated tokens: their successor and when (ms) they were rotated.
    rotated: HashMap<u64, (u64, u64, String)>,
    /// The family was revoked (reuse) or logged out.
    pub revoked: bool,
    next: u64,
    /// How long a rotated token may be presented again for the same successor (ms).
    pub grace_ms: Option<u64>,
    /// Access-token lifetime (s).
    pub access_ttl_s: u64,
    /// Reuse detections (a rotated token presented outside the grace window).
    pub reuse_detections: u32,
    /// Rotations made.
    pub rotations: u32,
    /// Refresh requests processed.
    pub refresh_requests: u32,
    /// The newest access token issued.
    pub newest_jwt: Option<String>,
    /// When (sim ms) each access token issued expires.
    expiry: HashMap<String, u64>,
    /// The login (family) each access token was issued to.
    family_of: HashMap<String, u64>,
    /// The current login (family).
    pub family: u64,
    /// Logouts processed.
    pub logouts: u32,
}

impl Verdict {
    /// The complete answer a tab's machine reads for this verdict, received at `local_ms`
    /// with the server's clock at `server_ms`: a rotated token is decoded and ordered by
    /// `machine`; `None` (no verdict) is a failure without an answer.
    pub fn reply(
        verdict: Option<Verdict>,
        local_ms: f64,
        server_ms: f64,
        machine: &mut Machine,
    ) -> Result<Reply, Error> {
        let no_token = |why: &str| Err(Error::BadResponse(why.into()));
        match verdict {
            Some(Verdict::Rotated { jwt, .. } | Verdict::Replay { jwt, .. }) => {
                let receipt = Receipt {
                    local_ms,
                    server_ms: Some(server_ms),
                };
                let token = Token::decode_at(&jwt, receipt).map(|t| machine.order_received(t));
                Ok(Reply { status: 200, token })
            }
            Some(Verdict::LoggedOut) => Ok(Reply {
                status: 204,
                token: no_token("no body"),
            }),
            Some(Verdict::Status(status)) => Ok(Reply {
                status,
                token: no_token("no token"),
            }),
            None => Err(Error::Network("no answer".into())),
        }
    }
}

impl Server {
    /// A server whose access tokens live `access_ttl_s`, with an optional grace window.
    pub fn new(access_ttl_s: u64, grace_ms: Option<u64>) -> Server {
        Server {
            access_ttl_s,
            grace_ms,
            ..Server::default()
        }
    }

    /// A login at `now_ms`: a new family; returns the refresh token and the access token.
    pub fn login(&mut self, now_ms: u64) -> (u64, String) {
        self.family += 1;
        self.revoked = false;
        self.rotated.clear();
        let refresh = self.fresh_id();
        self.current = Some(refresh);
        (refresh, self.mint(now_ms))
    }

    /// The request `call` (presenting the refresh cookie `presented`) at `now_ms`.
    pub fn answer(&mut self, call: AuthCall, presented: Option<u64>, now_ms: u64) -> Verdict {
        match call {
            AuthCall::Refresh => self.refresh(presented, now_ms),
            AuthCall::Login => {
                let (refresh, jwt) = self.login(now_ms);
                Verdict::Rotated { refresh, jwt }
            }
            AuthCall::Logout => {
                self.logout();
                Verdict::LoggedOut
            }
        }
    }

    /// A refresh presenting `presented` at `now_ms`.
    pub fn refresh(&mut self, presented: Option<u64>, now_ms: u64) -> Verdict {
        self.refresh_requests += 1;
        let Some(presented) = presented else {
            return Verdict::Status(401);
        };
        if self.revoked {
            return Verdict::Status(401);
        }
        if self.current == Some(presented) {
            let refresh = self.fresh_id();
            let jwt = self.mint(now_ms);
            self.rotated
                .insert(presented, (refresh, now_ms, jwt.clone()));
            self.current = Some(refresh);
            self.rotations += 1;
            return Verdict::Rotated { refresh, jwt };
        }
        match self.rotated.get(&presented) {
            Some((successor, at, jwt))
                if self
                    .grace_ms
                    .is_some_and(|g| now_ms.saturating_sub(*at) <= g)
                    && self.current == Some(*successor) =>
            {
                Verdict::Replay {
                    refresh: *successor,
                    jwt: jwt.clone(),
                }
            }
            Some(_) => {
                self.reuse_detections += 1;
                self.revoked = true;
                self.current = None;
                Verdict::Status(401)
            }
            None => Verdict::Status(401),
        }
    }

    /// A logout: the family is revoked.
    pub fn logout(&mut self) {
        self.logouts += 1;
        self.revoked = true;
        self.current = None;
    }

    /// The login (family) `jwt` was issued to.
    pub fn family(&self, jwt: &str) -> Option<u64> {
        self.family_of.get(jwt).copied()
    }

    /// Whether `jwt` was issued to the current, live login.
    pub fn is_live(&self, jwt: &str) -> bool {
        !self.session_over() && self.family_of.get(jwt) == Some(&self.family)
    }

    /// Whether the API refuses the access token `jwt` at `now_ms` (expired, or not ours).
    pub fn access_expired(&self, jwt: &str, now_ms: u64) -> bool {
        self.expiry.get(jwt).is_none_or(|exp| *exp <= now_ms)
    }

    /// Whether the refresh token `refresh` belongs to the current login (current, or rotated
    /// from it).
    pub fn holds(&self, refresh: u64) -> bool {
        self.current == Some(refresh) || self.rotated.contains_key(&refresh)
    }

    /// Whether the session is over for the server.
    pub fn session_over(&self) -> bool {
        self.revoked || self.current.is_none()
    }

    fn fresh_id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// An access token issued at `now_ms`: a JWT with `iat`, `exp` and a unique `jti`.
    fn mint(&mut self, now_ms: u64) -> String {
        let iat = now_ms / 1000;
        let id = self.fresh_id();
        let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = [
            r#"{"sub":"u1","iat":"#,
            &iat.to_string(),
            r#","exp":"#,
            &(iat + self.access_ttl_s).to_string(),
            r#","jti":"#,
            &id.to_string(),
            "}",
        ]
        .concat();
        let payload = Base64UrlUnpadded::encode_string(claims.as_bytes());
        let signature = Base64UrlUnpadded::encode_string(format!("signature {id}").as_bytes());
        let jwt = [header, payload, signature].join(".");
        self.newest_jwt = Some(jwt.clone());
        self.expiry
            .insert(jwt.clone(), (iat + self.access_ttl_s) * 1000);
        self.family_of.insert(jwt.clone(), self.family);
        jwt
    }
}
