//! Token issuing and the refresh-token store: families, rotation, reuse detection, grace.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::prelude::*;
use serde::{Deserialize, Serialize};

/// Claims of an access token besides `iat` and `exp`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct UserClaims {
    /// Stable user id.
    pub sub: String,
    /// The user's email.
    pub email: String,
    /// Random token id, so that two tokens issued in the same second differ.
    pub jti: String,
    /// Access-token generation; `/__expire-access` moves it on, refusing older tokens.
    pub gen: u64,
}

/// A user of the demo.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct User {
    /// Stable user id.
    pub sub: String,
    /// The user's email.
    pub email: String,
}

/// Random hex string of `bytes` random bytes.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs and checks access tokens (HS256 with a per-process random key).
pub struct Signer {
    key: Hs256Key,
    ttl: Duration,
    /// Test fault (`/__faults` `omitIat`): issue tokens without `iat`.
    omit_iat: AtomicBool,
}

impl Signer {
    /// A signer with a fresh random key issuing tokens valid for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).expect("the OS random source is available");
        Self {
            key: Hs256Key::new(secret),
            ttl,
            omit_iat: AtomicBool::new(false),
        }
    }

    /// Whether tokens issued from now on leave out `iat` (a test fault).
    pub fn set_omit_iat(&self, omit: bool) {
        self.omit_iat.store(omit, Ordering::SeqCst);
    }

    /// Issues an access token for `user` in generation `gen`.
    pub fn issue(&self, user: &User, gen: u64) -> String {
        let claims = UserClaims {
            sub: user.sub.clone(),
            email: user.email.clone(),
            jti: random_hex(8),
            gen,
        };
        let ttl = chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::seconds(60));
        let mut claims =
            Claims::new(claims).set_duration_and_issuance(&TimeOptions::default(), ttl);
        if self.omit_iat.load(Ordering::SeqCst) {
            claims.issued_at = None;
        }
        Hs256
            .token(&Header::empty(), &claims, &self.key)
            .expect("HS256 signing of JSON claims cannot fail")
    }

    /// The claims of a valid token of generation `gen` (signature, `exp`), else `None`.
    pub fn verify(&self, token: &str, gen: u64) -> Option<serde_json::Value> {
        let untrusted = UntrustedToken::new(token).ok()?;
        let token: Token<UserClaims> = Hs256.validator(&self.key).validate(&untrusted).ok()?;
        let claims = token.claims();
        claims.validate_expiration(&TimeOptions::default()).ok()?;
        if claims.custom.gen != gen {
            return None;
        }
        Some(serde_json::json!({
            "sub": claims.custom.sub,
            "email": claims.custom.email,
            "iat": claims.issued_at.map(|t| t.timestamp()),
            "exp": claims.expiration.map(|t| t.timestamp()),
        }))
    }
}

/// A refresh token known to the server.
struct RefreshRecord {
    family: u64,
    user: User,
    expires: Instant,
    /// When it was rotated, and the pair it was rotated into.
    rotated: Option<(Instant, Pair)>,
    /// How many pairs were ever issued from it, counted where pairs are made (not where
    /// `rotated` is checked), so a broken guard would show as 2.
    successors: u32,
}

/// What a successful login or refresh hands out.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// The new refresh token (cookie value).
    pub refresh: String,
    /// The new access token.
    pub access: String,
    /// Whom it is for.
    pub user: User,
}

/// Why a refresh was refused, or how it succeeded.
#[derive(Debug, PartialEq)]
pub enum RefreshOutcome {
    /// Rotated: the presented token is now used. `successors` is how many pairs were ever
    /// issued from it: 1, unless rotation is broken (the load benchmark checks it).
    Rotated {
        /// The successor pair.
        pair: Pair,
        /// Pairs issued from the presented token, this one included.
        successors: u32,
    },
    /// The just-rotated token was presented again within the grace window.
    GraceReplay(Pair),
    /// A used token was presented again: the family is revoked.
    Reuse,
    /// Unknown, expired, missing or revoked.
    Rejected,
}

/// All refresh-token families.
#[derive(Default)]
pub struct Store {
    tokens: HashMap<String, RefreshRecord>,
    /// Family id -> (revoked, current refresh token).
    families: HashMap<u64, (bool, String)>,
    next_family: u64,
}

impl Store {
    /// Starts a new family for `user` (a login).
    pub fn login(&mut self, signer: &Signer, user: User, gen: u64, refresh_ttl: Duration) -> Pair {
        self.next_family += 1;
        let family = self.next_family;
        let (pair, _) = self.new_pair(signer, None, family, user, gen, refresh_ttl);
        self.families.insert(family, (false, pair.refresh.clone()));
        pair
    }

    /// A new pair of `family`, issued from token `parent` (none for a login); also returns
    /// how many pairs `parent` has now been the parent of.
    fn new_pair(
        &mut self,
        signer: &Signer,
        parent: Option<&str>,
        family: u64,
        user: User,
        gen: u64,
        refresh_ttl: Duration,
    ) -> (Pair, u32) {
        let successors = match parent.and_then(|p| self.tokens.get_mut(p)) {
            Some(parent) => {
                parent.successors += 1;
                parent.successors
            }
            None => 0,
        };
        let refresh = random_hex(32);
        let access = signer.issue(&user, gen);
        self.tokens.insert(
            refresh.clone(),
            RefreshRecord {
                family,
                user: user.clone(),
                expires: Instant::now() + refresh_ttl,
                rotated: None,
                successors: 0,
            },
        );
        let pair = Pair {
            refresh,
            access,
            user,
        };
        (pair, successors)
    }

    /// Presents refresh token `presented`: rotation, grace replay, reuse or rejection.
    pub fn refresh(
        &mut self,
        signer: &Signer,
        presented: Option<&str>,
        gen: u64,
        grace: Duration,
        refresh_ttl: Duration,
    ) -> RefreshOutcome {
        let now = Instant::now();
        let Some(record) = presented.and_then(|t| self.tokens.get(t)) else {
            return RefreshOutcome::Rejected;
        };
        let family = record.family;
        let (revoked, current) = self
            .families
            .get(&family)
            .cloned()
            .unwrap_or((true, String::new()));
        if revoked || record.expires <= now {
            return RefreshOutcome::Rejected;
        }
        if let Some((at, successor)) = &record.rotated {
            if !grace.is_zero() && now.duration_since(*at) <= grace && successor.refresh == current
            {
                return RefreshOutcome::GraceReplay(successor.clone());
            }
            self.revoke(family);
            return RefreshOutcome::Reuse;
        }
        let user = record.user.clone();
        let (pair, successors) = self.new_pair(signer, presented, family, user, gen, refresh_ttl);
        if let Some(record) = presented.and_then(|t| self.tokens.get_mut(t)) {
            record.rotated = Some((now, pair.clone()));
        }
        self.families.insert(family, (false, pair.refresh.clone()));
        RefreshOutcome::Rotated { pair, successors }
    }

    /// Revokes the family of `presented` (a logout); unknown tokens are ignored.
    pub fn logout(&mut self, presented: Option<&str>) {
        if let Some(family) = presented.and_then(|t| self.tokens.get(t)).map(|r| r.family) {
            self.revoke(family);
        }
    }

    fn revoke(&mut self, family: u64) {
        if let Some(f) = self.families.get_mut(&family) {
            f.0 = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: Duration = Duration::from_secs(604_800);

    fn user() -> User {
        User {
            sub: "user-1".into(),
            email: "demo@example.com".into(),
        }
    }

    #[test]
    fn rotation_then_reuse_revokes_the_whole_family() {
        let signer = Signer::new(Duration::from_secs(60));
        let mut store = Store::default();
        let first = store.login(&signer, user(), 0, WEEK);
        let RefreshOutcome::Rotated {
            pair: second,
            successors: 1,
        } = store.refresh(&signer, Some(&first.refresh), 0, Duration::ZERO, WEEK)
        else {
            panic!("one rotation expected")
        };
        assert_ne!(second.refresh, first.refresh);
        assert_eq!(
            store.refresh(&signer, Some(&first.refresh), 0, Duration::ZERO, WEEK),
            RefreshOutcome::Reuse
        );
        // The newest token of the family died with it.
        assert_eq!(
            store.refresh(&signer, Some(&second.refresh), 0, Duration::ZERO, WEEK),
            RefreshOutcome::Rejected
        );
    }

    #[test]
    fn grace_replays_the_same_successor() {
        let signer = Signer::new(Duration::from_secs(60));
        let mut store = Store::default();
        let first = store.login(&signer, user(), 0, WEEK);
        let grace = Duration::from_secs(5);
        let RefreshOutcome::Rotated { pair: second, .. } =
            store.refresh(&signer, Some(&first.refresh), 0, grace, WEEK)
        else {
            panic!("rotation expected")
        };
        assert_eq!(
            store.refresh(&signer, Some(&first.refresh), 0, grace, WEEK),
            RefreshOutcome::GraceReplay(second.clone())
        );
        // Once the successor itself rotated, the old token is reuse again. The replay
        // issued no second successor.
        let RefreshOutcome::Rotated { successors: 1, .. } =
            store.refresh(&signer, Some(&second.refresh), 0, grace, WEEK)
        else {
            panic!("rotation expected")
        };
        assert_eq!(store.tokens[&first.refresh].successors, 1);
        assert_eq!(
            store.refresh(&signer, Some(&first.refresh), 0, grace, WEEK),
            RefreshOutcome::Reuse
        );
    }

    #[test]
    fn a_second_pair_issued_from_one_token_is_counted() {
        // What a broken rotation guard would do: the counter the load benchmark reads sees it.
        let signer = Signer::new(Duration::from_secs(60));
        let mut store = Store::default();
        let first = store.login(&signer, user(), 0, WEEK);
        let parent = Some(first.refresh.as_str());
        let (_, once) = store.new_pair(&signer, parent, 1, user(), 0, WEEK);
        let (_, twice) = store.new_pair(&signer, parent, 1, user(), 0, WEEK);
        assert_eq!((once, twice), (1, 2));
    }

    #[test]
    fn unknown_missing_and_logged_out_tokens_are_rejected() {
        let signer = Signer::new(Duration::from_secs(60));
        let mut store = Store::default();
        assert_eq!(
            store.refresh(&signer, None, 0, Duration::ZERO, WEEK),
            RefreshOutcome::Rejected
        );
        assert_eq!(
            store.refresh(&signer, Some("nope"), 0, Duration::ZERO, WEEK),
            RefreshOutcome::Rejected
        );
        let pair = store.login(&signer, user(), 0, WEEK);
        store.logout(Some(&pair.refresh));
        assert_eq!(
            store.refresh(&signer, Some(&pair.refresh), 0, Duration::ZERO, WEEK),
            RefreshOutcome::Rejected
        );
    }

    #[test]
    fn access_tokens_verify_only_in_their_generation() {
        let signer = Signer::new(Duration::from_secs(60));
        let token = signer.issue(&user(), 3);
        let claims = signer.verify(&token, 3).expect("valid");
        assert_eq!(claims["email"], "demo@example.com");
        assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() == 60);
        assert!(signer.verify(&token, 4).is_none());
        assert!(signer.verify("garbage", 3).is_none());
        let other = Signer::new(Duration::from_secs(60));
        assert!(other.verify(&token, 3).is_none(), "signature is checked");
    }
}
