//! TCP: an iterative echo server and a client that half-closes.
//!
//! Read the lesson first: `book/01_networks/04_tcp-echo.md` ("TCP: connections
//! and byte streams"). Then run `cargo test` in this folder.
//!
//! Two steps, in the order of the test files:
//!
//! 1. [`serve`] and [`handle_client`] (in `src/server.rs`,
//!    `tests/01_server.rs`): accept one client, echo everything it sends until
//!    it half-closes, close, accept the next.
//! 2. [`round_trip`] (in `src/client.rs`, `tests/02_client.rs`): connect, send
//!    a payload while reading the reply, half-close, read until the server
//!    closes.
//!
//! Try it by hand: `cargo run --bin tcp-echo-server`, then in another terminal
//! `nc 127.0.0.1 7000` (type lines; Ctrl-D half-closes) or
//! `echo hello | cargo run --bin tcp-echo-client`. The example
//! `cargo run --example broken-pipe` shows end-of-file, a broken pipe and a
//! reset happen on a real connection.

mod client;
mod server;

pub use client::round_trip;
pub use server::{handle_client, serve};

/// The size of the buffer the server reads into, in bytes.
///
/// Any size works, because TCP is a byte stream: a read returns whatever has
/// arrived, up to the buffer's size, with no regard to how the peer wrote it.
pub const CHUNK: usize = 8 * 1024;
