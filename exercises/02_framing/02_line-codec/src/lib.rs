//! Delimiter framing: a stream of bytes cut into lines.
//!
//! Read the lesson first: `book/02_framing/02_line-codec.md` ("Delimiter framing:
//! lines"). Then run `cargo test` in this folder.
//!
//! * [`LineDecoder`] (in `src/decoder.rs`) turns bytes, fed in whatever pieces the
//!   network delivers, into complete lines. It does no I/O at all, which is what
//!   makes it easy to test under every way of cutting the stream.
//! * [`handle_client`] and [`serve`] (in `src/server.rs`) put the decoder behind a
//!   TCP socket: a server that answers every line with `echo: <line>`.
//! * [`LineError`] (in `src/error.rs`, already written) says what can go wrong.
//!
//! Try the server by hand: `cargo run --bin line-echo`, then `nc 127.0.0.1 7878`.

mod decoder;
mod error;
mod server;

pub use decoder::LineDecoder;
pub use error::LineError;
pub use server::{handle_client, serve};

/// The longest line the `line-echo` binary accepts, in bytes, line ending not
/// counted.
pub const DEFAULT_MAX_LINE: usize = 8 * 1024;
