//! poll: an echo server for hundreds of clients, on one thread.
//!
//! Read the lesson first: `book/05_servers/06_poll-echo.md` ("poll"). Then run
//! `cargo test` in this folder. Unix only.
//!
//! You write two files:
//!
//! * `src/connection.rs`: [`Connection`] is one client's state: its
//!   non-blocking socket and its outbox, the bytes read from it but not yet
//!   echoed. It says what it wants to be watched for (`POLLIN` while it can
//!   take more, `POLLOUT` only while it has something to send) and does the
//!   reading and writing when `poll` says it can.
//! * `src/server.rs`: [`Server::run`] is the event loop. Build the array of
//!   `pollfd`s, call `poll`, accept every waiting client, serve each connection
//!   whose `revents` say it is ready, drop the finished ones, go round again,
//!   until a [`Stopper`] wakes it.
//!
//! `Server::bind`, `Server::stopper` and `Stopper::stop` are written for you.
//! If you did the select exercise, `src/connection.rs` is the same idea.
//!
//! Try it by hand: `cargo run --bin poll-echo`, then `nc 127.0.0.1 7000` in a
//! few other terminals at once.

mod connection;
mod server;

pub use connection::Connection;
pub use server::{Server, Stopper};

/// How many bytes one `read` asks for.
///
/// `poll` is level-triggered: a socket with bytes left after one read is
/// reported again by the next `poll`. So one read per readiness is enough, and
/// it is fair: a client that sends a lot cannot keep the loop to itself.
pub const READ_CHUNK: usize = 16 * 1024;

/// The most bytes one connection holds that its client has not taken back yet.
///
/// An echo server must keep what the client's socket will not take at once. A
/// client that sends and never reads would make that grow without end; with a
/// cap, the server stops asking for `POLLIN` on that connection while its
/// outbox is full, the kernel buffers fill, and TCP flow control makes the
/// *client* wait: backpressure (背压).
pub const MAX_PENDING: usize = 64 * 1024;

/// How long the server leaves its listener alone after `accept` failed for lack
/// of file descriptors or memory (`EMFILE` and its kin).
///
/// The clients that could not be accepted wait in the backlog, so the listener
/// keeps reporting `POLLIN`: asking for it meanwhile would make every `poll`
/// return at once, a busy loop. Never asking again would strand those clients
/// when descriptors come back. So the loop pauses, and `poll`'s timeout ends
/// the pause.
pub const ACCEPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
