//! Text without core's heavier machinery: whole numbers as decimal without `core::fmt` (it
//! costs the wasm build kilobytes per use site; messages are joined with `concat` instead of
//! `format!`), and splits at an ASCII byte without core's char searchers and their slicing
//! panics.
use alloc::string::String;

/// `n` in decimal, as `n.to_string()` writes it.
pub fn decimal(n: u64) -> String {
    // Most significant digit first, by a power of ten: no buffer to index or reverse, so no
    // panic path. `unit` grows to 10^19 at most, below u64::MAX.
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    let mut out = String::new();
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit == 1 {
            return out;
        }
        unit /= 10;
    }
}

/// `bytes` as text when they are UTF-8, exactly as `String::from_utf8` accepts them (host
/// tests compare the two), decoded one character at a time: core's validator, built for
/// speed, costs about 0.7 KB of wasm, and a token's header and payload are short.
pub fn utf8(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while let [first, tail @ ..] = rest {
        // Continuation bytes to read, the smallest code point of that length, the lead bits.
        let (len, least, lead) = match *first {
            0x00..=0x7f => (0, 0, *first),
            0xc0..=0xdf => (1, 0x80, first & 0x1f),
            0xe0..=0xef => (2, 0x800, first & 0x0f),
            0xf0..=0xf7 => (3, 0x1_0000, first & 0x07),
            _ => return None,
        };
        let mut code = u32::from(lead);
        for byte in tail.get(..len)? {
            if byte & 0xc0 != 0x80 {
                return None;
            }
            code = (code << 6) | u32::from(byte & 0x3f);
        }
        if code < least {
            return None; // overlong
        }
        text.push(char::from_u32(code)?); // not a surrogate, not above U+10FFFF
        rest = tail.get(len..)?;
    }
    Some(text)
}

/// `parts.concat()` without the slice joining of `[&str]::concat` (and its panic paths).
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `s.split_once(sep)` for an ASCII `sep`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    cut(s, i)
}

/// `s.rsplit_once(sep)` for an ASCII `sep`.
pub fn rsplit_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == sep)?;
    cut(s, i)
}

/// `s.split(sep)` for an ASCII `sep`.
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        let (part, after) = split_once(r, sep).map_or((r, None), |(a, b)| (a, Some(b)));
        rest = after;
        Some(part)
    })
}

/// The text before and after the (ASCII) byte at `i`.
fn cut(s: &str, i: usize) -> Option<(&str, &str)> {
    Some((s.get(..i)?, s.get(i + 1..)?))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn utf8_accepts_what_from_utf8_accepts(bytes in proptest::collection::vec(any::<u8>(), 0..24)) {
            prop_assert_eq!(utf8(&bytes), String::from_utf8(bytes.clone()).ok());
        }

        #[test]
        fn utf8_reads_any_text(text in ".{0,24}") {
            prop_assert_eq!(utf8(text.as_bytes()), Some(text));
        }
    }

    #[test]
    fn utf8_refuses_the_classic_bad_sequences() {
        for bad in [
            &b"\xc0\x80"[..],        // overlong NUL
            b"\xe0\x80\xaf",         // overlong '/'
            b"\xed\xa0\x80",         // a surrogate
            b"\xf4\x90\x80\x80",     // above U+10FFFF
            b"\xf8\x88\x80\x80\x80", // five bytes
            b"\x80",                 // a lone continuation
            b"\xe2\x82",             // cut short
            b"a\xffb",
        ] {
            assert_eq!(utf8(bad), None, "{bad:?}");
            assert!(String::from_utf8(bad.to_vec()).is_err());
        }
        assert_eq!(utf8("é€😀".as_bytes()).as_deref(), Some("é€😀"));
    }

    #[test]
    fn decimal_matches_to_string() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            401,
            65_535,
            1_700_000_000_123,
            u64::MAX,
        ] {
            assert_eq!(decimal(n), n.to_string());
        }
        let mut n = 1u64;
        while let Some(next) = n.checked_mul(7) {
            assert_eq!(decimal(n - 1), (n - 1).to_string());
            n = next;
        }
    }

    #[test]
    fn byte_splits_match_the_char_ones() {
        for s in ["", "a", ".", "a.b", "a..b.", ".a.", "é.ü.日本", "no dots"] {
            assert_eq!(split_once(s, b'.'), s.split_once('.'), "{s}");
            assert_eq!(rsplit_once(s, b'.'), s.rsplit_once('.'), "{s}");
            assert_eq!(
                split(s, b'.').collect::<Vec<_>>(),
                s.split('.').collect::<Vec<_>>()
            );
        }
    }
}
