//! select: an echo server that serves every client from one thread.
//!
//! Read the lesson first: `book/05_servers/05_select-echo.md` ("select"). Then
//! run `cargo test` in this folder. Unix only (select exists on Windows too, but
//! only for sockets, and this crate uses Unix sockets to wake its loop).
//!
//! You write two files:
//!
//! * `src/connection.rs`: [`Connection`] is one client's state: its
//!   non-blocking socket and the bytes read from it but not yet echoed (its
//!   outbox). It says whether it wants to be watched for reading or writing,
//!   and does the reading and writing when `select` says it can.
//! * `src/server.rs`: [`Server::run`] is the event loop. Build the fd sets, call
//!   `select`, accept every waiting client, serve each ready connection, drop
//!   the finished ones, go round again, until a [`Stopper`] wakes it.
//!
//! `Server::bind`, `Server::stopper` and `Stopper::stop` are written for you.
//!
//! Try it by hand: `cargo run --bin select-echo`, then `nc 127.0.0.1 7000` in
//! a few other terminals at once.

mod connection;
mod server;

pub use connection::Connection;
pub use server::{Server, Stopper};

/// The highest file descriptor number `select` can watch, plus one (1024 on
/// Linux and macOS). An `fd_set` is a bitmap of this many bits; a descriptor
/// beyond it has no bit, so the server refuses such a connection.
pub use nix::sys::select::FD_SETSIZE;

/// How many bytes one `read` asks for.
///
/// `select` is level-triggered: a socket with bytes left after one read is
/// reported again by the next `select`. So one read per readiness is enough,
/// and it is fair: a client that sends a lot cannot keep the loop to itself.
pub const READ_CHUNK: usize = 16 * 1024;

/// The most bytes one connection holds that its client has not taken back yet.
///
/// An echo server must keep what the client's socket will not take at once. A
/// client that sends and never reads would make that grow without end; with a
/// cap, the server stops reading from it while its outbox is full, the kernel
/// buffers fill, and TCP flow control makes the *client* wait: backpressure
/// (背压).
pub const MAX_PENDING: usize = 64 * 1024;

/// How long the server leaves its listener alone after `accept` failed for lack
/// of file descriptors or memory (`EMFILE` and its kin).
///
/// The clients that could not be accepted wait in the backlog, so the listener
/// stays readable: watching it meanwhile would make every `select` return at
/// once, a busy loop. Not watching it for good would strand those clients when
/// descriptors come back. So the loop pauses, and `select`'s timeout ends the
/// pause.
pub const ACCEPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
