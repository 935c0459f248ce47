//! Unpadded base64url decoding (RFC 4648, section 5), the encoding of a JWT's three parts.
//!
//! A few lines instead of a base64 crate: this is all the client decodes, and the crate cost
//! the wasm build about 1 KB gzip. Host tests check it against base64ct.
use alloc::vec::Vec;

/// The bytes `text` encodes, or `None` when it is not canonical unpadded base64url: a
/// character outside `A-Z a-z 0-9 - _` (padding included), a length of 4n+1, or unused
/// trailing bits that are not zero.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in text.as_bytes() {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Six bits left over cannot end a byte (length 4n+1); fewer must all be zero.
    (bits < 6 && acc == 0).then_some(bytes)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use base64ct::{Base64UrlUnpadded, Encoding};
    use proptest::prelude::*;

    #[test]
    fn decodes_the_rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("Zg", "f"),
            ("Zm8", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg", "foob"),
            ("Zm9vYmE", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ];
        for (text, bytes) in vectors {
            assert_eq!(decode(text).as_deref(), Some(bytes.as_bytes()), "{text}");
        }
        assert_eq!(decode("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
    }

    #[test]
    fn refuses_padding_other_alphabets_and_bad_lengths() {
        for text in [
            "Zg==", "Zm8=", "Z", "Zm9vY", "+/8", "Zm9v\n", "Zm 9", "Zh", "Zm9",
        ] {
            assert_eq!(decode(text), None, "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn round_trips_what_base64ct_encodes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let text = Base64UrlUnpadded::encode_string(&bytes);
            prop_assert_eq!(decode(&text), Some(bytes));
        }

        #[test]
        fn agrees_with_base64ct_on_any_text(text in "[A-Za-z0-9_=+/. -]{0,40}") {
            prop_assert_eq!(decode(&text), Base64UrlUnpadded::decode_vec(&text).ok());
        }
    }
}
