//! Step 1, the key: `Key::new` refuses an empty or short key, so no server can
//! ever run the handshake with one.
//!
//! The lesson: (lesson 02.5, 'Where the key comes from').

use auth_handshake::{Key, KeyError, MIN_KEY_LEN};
use testkit::expect;

#[test]
fn an_empty_key_is_refused() {
    expect::eq(
        "Key::new of no bytes at all",
        &Key::new(b"").map(|key| key.as_bytes().to_vec()),
        &Err(KeyError::Empty),
        "an empty key is what an unset setting reads as; every tag under it can be \
         computed by anyone, so refuse it with KeyError::Empty",
    );
}

#[test]
fn keys_shorter_than_the_hash_output_are_refused() {
    for len in [1, 4, 16, 20, MIN_KEY_LEN - 1] {
        expect::eq(
            &format!("Key::new of {len} bytes"),
            &Key::new(&vec![0x5a; len]).map(|key| key.as_bytes().to_vec()),
            &Err(KeyError::TooShort { len }),
            "RFC 2104: a key shorter than the hash's output (32 bytes for SHA-256) \
             weakens HMAC; refuse it with KeyError::TooShort and its length",
        );
    }
}

#[test]
fn keys_of_at_least_32_bytes_are_kept_as_given() {
    for len in [MIN_KEY_LEN, MIN_KEY_LEN + 1, 64, 200] {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let key = expect::ok(
            &format!("Key::new of {len} bytes"),
            Key::new(&bytes),
            "MIN_KEY_LEN bytes or more are a key: the limit itself is allowed",
        );
        expect::eq(
            &format!("the bytes of a {len}-byte key"),
            key.as_bytes(),
            bytes.as_slice(),
            "keep an exact copy of the bytes given",
        );
    }
}

#[test]
fn a_key_in_a_log_message_shows_its_length_not_its_bytes() {
    let key = expect::ok(
        "Key::new of a 48-byte key",
        Key::new(&[0x5a; 48]),
        "MIN_KEY_LEN bytes or more are a key",
    );
    expect::eq(
        "a 48-byte key printed with {:?}",
        format!("{key:?}").as_str(),
        "Key(48 bytes, not shown)",
        "Key's Debug (given) prints the length only, so a key that ends up in a log \
         message gives nothing away",
    );
}
