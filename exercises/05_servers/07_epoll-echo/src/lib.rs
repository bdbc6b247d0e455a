//! epoll: an edge-triggered echo server for thousands of clients, on one thread.
//!
//! Read the lesson first: `book/05_servers/07_epoll-echo.md` ("epoll"). Then run
//! `cargo test` in this folder.
//!
//! **Linux only.** epoll is a Linux system call. On other systems this crate
//! compiles to this page and nothing else, its binary says so and exits, and its
//! tests compile to nothing; macOS and the BSDs have kqueue instead (the lesson
//! compares them).
//!
//! You write two files:
//!
//! * `src/server.rs`: [`Server`] binds, creates the epoll instance, registers
//!   the listener and a wake-up eventfd, and runs the event loop: wait for ready
//!   file descriptors, accept every waiting client, hand each ready connection to
//!   its [`Connection`], re-arm or close it as the connection says. [`Stopper`]
//!   ends the loop from another thread.
//! * `src/connection.rs`: [`Connection`] is one client's state: its non-blocking
//!   socket and the bytes read but not yet echoed. [`Connection::pump`] does all
//!   the I/O that can be done right now, because with edge-triggered epoll nobody
//!   will tell you again.
//!
//! Try it by hand: `cargo run --bin epoll-echo`, then `nc 127.0.0.1 7000` in a few
//! other terminals at once.

#[cfg(target_os = "linux")]
mod connection;
#[cfg(target_os = "linux")]
mod server;

#[cfg(target_os = "linux")]
pub use connection::{Connection, Next};
#[cfg(target_os = "linux")]
pub use server::{Server, Stopper};

/// How many bytes one `read` asks for.
///
/// A read returns at most this many bytes, however many are waiting, so a
/// server that reads once per readiness event falls behind the moment a client
/// sends more than this in one go: with edge-triggered epoll, the rest is never
/// announced again. Reading until `WouldBlock` is the only correct way.
pub const READ_CHUNK: usize = 16 * 1024;

/// The most bytes one connection holds that its client has not taken back yet.
///
/// An echo server must store what it cannot send at once (the client reads
/// slowly, or not at all). Without a cap, a client that sends and never reads
/// makes the server's memory grow without end. With the cap, the server stops
/// reading that client when its outbox is full, the kernel buffers fill up, and
/// TCP flow control makes the *client* wait: backpressure (背压).
pub const MAX_PENDING: usize = 64 * 1024;

/// How long the server waits before it accepts again after `accept` failed for
/// lack of file descriptors or memory (`EMFILE` and its kin).
///
/// The clients that could not be accepted wait in the backlog, and the
/// edge-triggered listener will not report them again. Accepting again at once
/// would fail the same way; waiting for one of the server's own connections to
/// close would strand them when descriptors come back some other way (or when
/// the server has no connection at all). So the loop waits this long, with a
/// timeout on `epoll_wait`, and tries again.
pub const ACCEPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
