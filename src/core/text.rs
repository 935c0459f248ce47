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

#[cfg(test)]
mod tests {
    use super::*;

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
