//! Origins: parsing `apiBase`, joining relative paths, and the allow-list for the token.
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use super::text::{concat, rsplit_once, split_once};

/// The scheme-host-port origin of an absolute `http:` or `https:` URL, serialized as browsers
/// do (`http://127.0.0.1:8000`): lower-case, default port dropped, no trailing slash.
///
/// Returns `None` for anything that is not an absolute http(s) URL with a host, and for a
/// host that is not ASCII: browsers serialize an internationalized host in its punycode form
/// (`xn--bcher-kva.example`), which is what the allow-list must hold to match.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim_ascii();
    // Splits at ASCII bytes (super::text), not `split_once("://")`: a string needle pulls
    // core's two-way searcher (~3 KB of wasm), a char one its char searcher.
    let (scheme, rest) = split_once(url, b':')?;
    let rest = rest.strip_prefix("//")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    // Browsers end the authority of http(s) URLs at a backslash too.
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'\\' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    let host_port = rsplit_once(authority, b'@').map_or(authority, |(_, hp)| hp);
    let (host, port) = split_host_port(host_port)?;
    // ASCII only (see above); byte tests, not `char::is_whitespace` and its Unicode table.
    if host.is_empty() || host.bytes().any(|b| !b.is_ascii_graphic() || b == b'\\') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    match port {
        Some(p) if p != default_port => Some(concat(&[&scheme, "://", &host, ":", p])),
        _ => Some(concat(&[&scheme, "://", &host])),
    }
}

/// Splits `host[:port]` (IPv6 in brackets); the port must be a valid u16 when present.
fn split_host_port(host_port: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if host_port.starts_with("[") {
        let (inside, after) = split_once(host_port, b']')?;
        // The host keeps its brackets (`]` is one byte).
        let host = host_port.get(..inside.len() + 1)?;
        match after {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(":")?)),
        }
    } else {
        match rsplit_once(host_port, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    match port {
        Some("") => Some((host, None)),
        Some(p) => {
            p.parse::<u16>().ok()?;
            Some((host, Some(p)))
        }
        None => Some((host, None)),
    }
}

/// Whether `s` is an absolute URL (has a scheme such as `https:`) or protocol-relative (`//`).
pub fn is_absolute(s: &str) -> bool {
    if s.starts_with("//") {
        return true;
    }
    let Some((scheme, _)) = split_once(s, b':') else {
        return false;
    };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Resolves a request target against `api_base`: absolute URLs are kept, anything else is
/// appended to the base (so a base may carry a prefix such as `/v1`, as axios' `baseURL` does).
pub fn join(api_base: &str, target: &str) -> String {
    if is_absolute(target) {
        return target.to_owned();
    }
    let kept = api_base
        .bytes()
        .rposition(|b| b != b'/')
        .map_or(0, |i| i + 1);
    let base = api_base.get(..kept).unwrap_or_default(); // without its trailing slashes
    if target.is_empty() {
        return base.to_owned();
    }
    if matches!(target.as_bytes().first(), Some(b'/' | b'?' | b'#')) {
        concat(&[base, target])
    } else {
        concat(&[base, "/", target])
    }
}

/// The origins that may receive the access token: `apiBase`'s origin and `allowedOrigins`.
#[derive(Clone, Default, PartialEq, Eq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct AllowList {
    origins: Vec<String>,
}

impl AllowList {
    /// An allow-list of already normalized origins (see [`origin_of`]).
    pub fn new(origins: Vec<String>) -> Self {
        Self { origins }
    }

    /// Whether a request to `origin` (as the browser serializes it) may carry the token.
    /// `"null"` (opaque origins such as `data:` URLs) never matches.
    pub fn allows(&self, origin: &str) -> bool {
        origin != "null" && self.origins.iter().any(|o| o == origin)
    }

    /// The normalized origins in the list.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_normalized_like_browsers() {
        assert_eq!(
            origin_of("http://127.0.0.1:8000").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            origin_of("HTTPS://Api.Example.COM:443/v1/").as_deref(),
            Some("https://api.example.com")
        );
        assert_eq!(
            origin_of("http://example.com:80?x#y").as_deref(),
            Some("http://example.com")
        );
        assert_eq!(
            origin_of("http://user:pw@host:81/p").as_deref(),
            Some("http://host:81")
        );
        assert_eq!(
            origin_of("http://[::1]:8000/").as_deref(),
            Some("http://[::1]:8000")
        );
        assert_eq!(
            origin_of(" https://x.test ").as_deref(),
            Some("https://x.test")
        );
    }

    #[test]
    fn non_http_or_hostless_urls_have_no_origin() {
        for bad in [
            "ftp://x",
            "not a url",
            "",
            "/relative",
            "http://",
            "http://:80",
            "http://h:99999",
            "http://h:x",
            "javascript:alert(1)",
            "http://a b",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_host_that_is_not_ascii_has_no_origin_its_punycode_form_does() {
        // Browsers serialize `https://bücher.example` as its punycode form, so the Unicode
        // form in an allow-list would never match; Unicode whitespace is no host either.
        for bad in [
            "https://b\u{fc}cher.example",
            "https://a\u{a0}b.example",
            "http://a\u{3000}b",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
        assert_eq!(
            origin_of("https://xn--bcher-kva.example/x").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
    }

    #[test]
    fn a_backslash_ends_the_authority_as_in_browsers() {
        // `new URL("http://evil.test\\@api.test/")` goes to evil.test.
        assert_eq!(
            origin_of("http://evil.test\\@api.test/").as_deref(),
            Some("http://evil.test")
        );
    }

    #[test]
    fn absolute_urls_are_detected() {
        assert!(is_absolute("https://x"));
        assert!(is_absolute("//cdn.test/a"));
        assert!(is_absolute("mailto:x"));
        assert!(!is_absolute("/api/me"));
        assert!(!is_absolute("api/me"));
        assert!(!is_absolute("a/b:c"));
        assert!(!is_absolute("1http://x"));
    }

    #[test]
    fn relative_targets_join_the_base_like_axios() {
        let base = "http://127.0.0.1:8000";
        assert_eq!(join(base, "/api/me"), "http://127.0.0.1:8000/api/me");
        assert_eq!(join("http://h/v1/", "/api/me"), "http://h/v1/api/me");
        assert_eq!(join("http://h/v1", "api/me"), "http://h/v1/api/me");
        assert_eq!(join("http://h/v1", "?q=1"), "http://h/v1?q=1");
        assert_eq!(join("http://h/v1", ""), "http://h/v1");
        assert_eq!(join(base, "https://other.test/x"), "https://other.test/x");
    }

    #[test]
    fn allow_list_matches_exact_origins_only() {
        let list = AllowList::new(vec![
            "http://127.0.0.1:8000".into(),
            "https://api.test".into(),
        ]);
        assert!(list.allows("http://127.0.0.1:8000"));
        assert!(list.allows("https://api.test"));
        assert!(!list.allows("http://127.0.0.1:3000"));
        assert!(!list.allows("http://localhost:8000"));
        assert!(!list.allows("https://api.test.evil.test"));
        assert!(!list.allows("http://api.test"));
        assert!(!list.allows("null"));
        assert!(!AllowList::default().allows("null"));
    }
}
