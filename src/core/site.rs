//! Sites: whether the API is on the page's site, so that its refresh cookie is first-party.
//!
//! A site is the scheme and the registrable domain of a host. Without the public-suffix list
//! (it would cost the wasm tens of kilobytes), the registrable domain is guessed: an IP address
//! or a one-label host (`localhost`) is its own site; otherwise the last two labels, or the last
//! three when the last is a two-letter country code and the one before it has at most three
//! letters (`example.co.uk`, `example.com.au`). So hosts under private suffixes such as
//! `github.io` count as one site (no warning where one would be due), and two hosts under a
//! short second-level name of a country (`a.xy.de`, `b.xy.de`) count as two.
use super::origin::origin_of;
use super::text::{rsplit_once, split, split_once};

/// Whether `api_base` is on another site than the page at `page_origin`: another scheme or
/// another registrable domain (see the module's heuristic). `false` when either has no
/// http(s) origin (an opaque `null` page origin tells nothing).
pub fn cross_site(page_origin: &str, api_base: &str) -> bool {
    match (origin_of(page_origin), origin_of(api_base)) {
        (Some(page), Some(api)) => site_of(&page) != site_of(&api),
        _ => false,
    }
}

/// The scheme and registrable domain of a normalized origin (`scheme://host[:port]`).
fn site_of(origin: &str) -> (&str, &str) {
    let (scheme, rest) = split_once(origin, b':').unwrap_or((origin, ""));
    let authority = rest.get(2..).unwrap_or_default(); // after `//`
    let host = if authority.as_bytes().first() == Some(&b'[') {
        // IPv6: its own site, brackets and all.
        split_once(authority, b']').map_or(authority, |(h, _)| h)
    } else {
        rsplit_once(authority, b':').map_or(authority, |(h, _)| h)
    };
    if host.as_bytes().first() == Some(&b'[')
        || host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return (scheme, host);
    }
    let labels = split(host, b'.').count();
    let mut keep = 2;
    let mut names = split(host, b'.').skip(labels.saturating_sub(2));
    if let (Some(second), Some(last)) = (names.next(), names.next()) {
        if last.len() == 2 && second.len() <= 3 {
            keep = 3;
        }
    }
    // The host from the start of its last `keep` labels.
    let skip = labels.saturating_sub(keep);
    let mut start = 0;
    for name in split(host, b'.').take(skip) {
        start += name.len() + 1;
    }
    (scheme, host.get(start..).unwrap_or(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_registrable_domain_is_same_site_whatever_the_port_or_subdomain() {
        for (page, api) in [
            ("http://127.0.0.1:3000", "http://127.0.0.1:8055"),
            ("http://localhost:3000", "http://localhost:8000/api"),
            ("https://app.example.com", "https://api.example.com/v1"),
            ("https://example.com", "https://auth.eu.example.com"),
            ("https://app.example.co.uk", "https://api.example.co.uk"),
            ("https://www.shop.com.au", "https://api.shop.com.au"),
            ("https://a.example.de", "https://b.example.de"),
            ("http://[::1]:3000", "http://[::1]:8000"),
        ] {
            assert!(!cross_site(page, api), "{page} {api}");
        }
    }

    #[test]
    fn another_domain_or_scheme_is_another_site() {
        for (page, api) in [
            ("https://app.example.com", "https://api.example.net"),
            (
                "https://app.example.com",
                "https://example-api.herokuapp.com",
            ),
            ("http://app.example.com", "https://api.example.com"),
            ("http://127.0.0.1:3000", "http://localhost:8000"),
            ("http://127.0.0.1:3000", "http://127.0.0.2:8000"),
            ("https://example.co.uk", "https://other.co.uk"),
            ("https://app.example.com", "https://example.com.evil.test"),
        ] {
            assert!(cross_site(page, api), "{page} {api}");
        }
    }

    #[test]
    fn the_heuristic_s_known_misses() {
        // Private suffixes are not known: two GitHub Pages sites look like one.
        assert!(!cross_site("https://a.github.io", "https://b.github.io"));
        // A short name under a country code looks like a suffix.
        assert!(cross_site("https://a.xy.de", "https://b.xy.de"));
    }

    #[test]
    fn an_opaque_or_unparsable_page_origin_tells_nothing() {
        assert!(!cross_site("null", "https://api.example.com"));
        assert!(!cross_site("https://app.example.com", "not a url"));
    }
}
