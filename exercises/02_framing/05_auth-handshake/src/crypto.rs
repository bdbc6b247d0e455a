//! The three cryptographic pieces of the handshake.

use crate::{NONCE_LEN, TAG_LEN};

/// Compares two byte strings in time that depends only on their lengths.
///
/// Returns `true` when `a` and `b` have the same length and the same bytes.
/// Slices of different lengths are unequal at once (a length is not a secret: every
/// tag is [`TAG_LEN`] bytes). For equal lengths, every byte pair is looked at,
/// whether or not an earlier pair differed: `a == b` stops at the first difference,
/// and how long it took tells an attacker how many leading bytes were right.
pub fn constant_time_eq(_a: &[u8], _b: &[u8]) -> bool {
    todo!("constant_time_eq: compare the lengths, then fold every byte pair into one accumulator and test it once (lesson 02.5, 'Comparing the answer in constant time')")
}

/// The answer to a challenge: HMAC-SHA256 (RFC 2104) of `nonce` under `key`.
///
/// Works for a key and a message of any length (HMAC hashes an over-long key first),
/// so the RFC 4231 test vectors apply.
pub fn compute_tag(_key: &[u8], _nonce: &[u8]) -> [u8; TAG_LEN] {
    todo!("compute_tag: HMAC-SHA256 with the hmac and sha2 crates (lesson 02.5, 'Computing the answer: HMAC, not a plain hash')")
}

/// A fresh challenge: [`NONCE_LEN`] bytes from the operating system's random
/// number generator (the Rust spelling of Python's `os.urandom(32)`).
///
/// Fails only if the OS cannot provide randomness; the error is returned as an
/// `io::Error` rather than ever falling back to a predictable nonce.
pub fn fresh_nonce() -> std::io::Result<[u8; NONCE_LEN]> {
    todo!("fresh_nonce: fill an array from the operating system's generator, rand::rngs::OsRng (lesson 02.5, 'The nonce must be fresh and unpredictable')")
}
