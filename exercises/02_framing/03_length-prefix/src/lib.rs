//! Length-prefix framing: every message is sent as a 4-byte big-endian length,
//! then that many bytes of payload.
//!
//! Read the lesson first: `book/02_framing/03_length-prefix.md` ("Length-prefix
//! framing"). Then run `cargo test` in this folder.
//!
//! ```text
//! +----+----+----+----+----+----+----+----+----+
//! | 00 | 00 | 00 | 05 | 68 | 65 | 6c | 6c | 6f |   one frame: "hello"
//! +----+----+----+----+----+----+----+----+----+
//!  length (u32, big-endian)  payload (5 bytes)
//! ```
//!
//! * [`encode`] and [`FrameDecoder`] (in `src/codec.rs`) turn payloads into bytes
//!   and bytes, fed in any pieces, back into payloads. They do no I/O.
//! * [`read_frame`] and [`write_frame`] (in `src/blocking.rs`) do the same on
//!   anything that implements `Read` or `Write`: a `TcpStream`, a file, a slice.
//! * [`FrameError`] (in `src/error.rs`, already written) says what can go wrong.
//!
//! Try it by hand: `cargo run --bin frame-echo`, then in another terminal
//! `cargo run --bin frame-send -- hello "two words" ""`.

mod blocking;
mod codec;
mod error;

pub use blocking::{read_frame, write_frame};
pub use codec::{encode, FrameDecoder};
pub use error::FrameError;

/// Bytes in a frame header: the payload's length as a big-endian `u32`.
pub const HEADER_LEN: usize = 4;

/// The payload limit of the `frame-echo` and `frame-send` binaries: 1 MiB.
pub const DEFAULT_MAX_FRAME: usize = 1024 * 1024;
