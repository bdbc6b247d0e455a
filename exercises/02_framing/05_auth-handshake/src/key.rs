//! The shared secret, checked once, when it is made.

use std::error::Error;
use std::fmt;

// ANCHOR: key_type
/// The shortest key accepted, in bytes: the length of a SHA-256 output.
///
/// RFC 2104, the HMAC specification, section 3: a key shorter than the hash's
/// output "is strongly discouraged as it would decrease the security strength of
/// the function".
pub const MIN_KEY_LEN: usize = 32;

/// A shared secret of at least [`MIN_KEY_LEN`] bytes.
///
/// The only way to get one is [`Key::new`], so a server cannot run the handshake
/// with an empty or a short key: every HMAC under an empty key is one anyone can
/// compute. Its `Debug` output shows the length, never the bytes, so a key that
/// ends up in a log message gives nothing away.
#[derive(Clone)]
pub struct Key(Vec<u8>);

/// Why some bytes are not accepted as a [`Key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// No bytes at all: an `AUTH_KEY` set to "", say.
    Empty,
    /// Fewer than [`MIN_KEY_LEN`] bytes; `len` is how many there were.
    TooShort { len: usize },
}
// ANCHOR_END: key_type

impl Key {
    /// Accepts `bytes` as a key if there are at least [`MIN_KEY_LEN`] of them,
    /// keeping a copy; [`KeyError::Empty`] for none, [`KeyError::TooShort`] for
    /// one to `MIN_KEY_LEN - 1`.
    ///
    /// The length is all this can check: 32 bytes of `a` pass, and are no secret.
    /// A real key is random bytes (see the lesson).
    pub fn new(_bytes: &[u8]) -> Result<Key, KeyError> {
        todo!("Key::new: refuse no bytes and fewer than MIN_KEY_LEN bytes, keep a copy of the rest (lesson 02.5, 'Where the key comes from')")
    }
}

impl Key {
    /// The key's bytes, for computing a tag.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({} bytes, not shown)", self.0.len())
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Empty => write!(f, "the key is empty"),
            KeyError::TooShort { len } => write!(
                f,
                "the key has {len} bytes; at least {MIN_KEY_LEN} are needed"
            ),
        }
    }
}

impl Error for KeyError {}
