//! What the test files share: the keys, the test's own independent HMAC and
//! framing, and the checks of a refusal.
#![allow(dead_code)] // each test file uses a different subset

use std::io::Write;
use std::net::TcpStream;

use auth_handshake::{AuthError, Key};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use testkit::expect;

/// The key every test server knows: 48 bytes.
pub const KEY: &[u8] = b"the test suite's shared secret: 32 bytes or more";

/// Another key of the same length, which no test server knows.
pub const WRONG_KEY: &[u8] = b"a wrong guess at the key, as long as the real one";

/// `bytes` as a [`Key`]; fails with a hint if `Key::new` (step 1) refuses it.
#[track_caller]
pub fn key(bytes: &[u8]) -> Key {
    expect::ok(
        &format!("Key::new of a {}-byte key", bytes.len()),
        Key::new(bytes),
        "Key::new accepts any key of MIN_KEY_LEN bytes or more (step 1, tests 01_key)",
    )
}

/// The test's own HMAC-SHA256, from the hmac crate: independent of `compute_tag`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `payload` with its 4-byte big-endian length in front.
pub fn framed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = (payload.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(payload);
    bytes
}

pub fn send(stream: &mut TcpStream, bytes: &[u8]) {
    stream
        .write_all(bytes)
        .unwrap_or_else(|e| panic!("sending {} bytes to the server failed: {e}", bytes.len()));
}

#[track_caller]
pub fn expect_refused(what: &str, result: &Result<(), AuthError>, hint: &str) {
    expect::that(
        matches!(result, Err(AuthError::Refused)),
        &format!("{what}: expected Err(AuthError::Refused)"),
        result,
        hint,
    );
}

/// What a malformed message must produce.
#[derive(Clone, Copy, Debug)]
pub enum Want {
    Protocol,
    Refused,
    UnexpectedEof,
}
