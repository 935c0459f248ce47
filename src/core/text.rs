//! Whole numbers as decimal text without `core::fmt`, whose machinery costs the wasm build
//! kilobytes per use site; messages are joined with `concat` instead of `format!`.
use alloc::{string::String, vec::Vec};

/// `n` in decimal, as `n.to_string()` writes it.
pub fn decimal(mut n: u64) -> String {
    // Least significant digit first, then reversed: no indexing, so no panic path.
    let mut digits = Vec::with_capacity(20); // u64::MAX has 20 digits
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().copied().map(char::from).collect()
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
}
