//! The three cryptographic pieces of the handshake.

use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::Sha256;

use crate::{NONCE_LEN, TAG_LEN};

// ANCHOR: constant_time_eq
/// Compares two byte strings in time that depends only on their lengths.
///
/// Returns `true` when `a` and `b` have the same length and the same bytes.
/// Slices of different lengths are unequal at once (a length is not a secret: every
/// tag is [`TAG_LEN`] bytes). For equal lengths, every byte pair is looked at,
/// whether or not an earlier pair differed: `a == b` stops at the first difference,
/// and how long it took tells an attacker how many leading bytes were right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // No `if` and no early `return` inside the loop: each pair adds its difference
    // bits to `diff`, and the loop always runs to the end.
    let diff = a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y));
    // `black_box` hides `diff` from the optimiser, so it cannot notice that the
    // answer is settled once `diff` is non-zero and turn the loop back into an
    // early exit. (The `subtle` crate, used by `hmac`, goes further still.)
    std::hint::black_box(diff) == 0
}
// ANCHOR_END: constant_time_eq

// ANCHOR: compute_tag
type HmacSha256 = Hmac<Sha256>;

/// The answer to a challenge: HMAC-SHA256 (RFC 2104) of `nonce` under `key`.
///
/// Works for a key and a message of any length (HMAC hashes an over-long key first),
/// so the RFC 4231 test vectors apply.
pub fn compute_tag(key: &[u8], nonce: &[u8]) -> [u8; TAG_LEN] {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail here; the
    // `Result` exists for MACs with fixed key sizes.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts a key of any length");
    mac.update(nonce);
    mac.finalize().into_bytes().into()
}
// ANCHOR_END: compute_tag

// ANCHOR: fresh_nonce
/// A fresh challenge: [`NONCE_LEN`] bytes from the operating system's random
/// number generator (the Rust spelling of Python's `os.urandom(32)`).
///
/// Fails only if the OS cannot provide randomness; the error is returned as an
/// `io::Error` rather than ever falling back to a predictable nonce.
pub fn fresh_nonce() -> std::io::Result<[u8; NONCE_LEN]> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(std::io::Error::other)?;
    Ok(nonce)
}
// ANCHOR_END: fresh_nonce
