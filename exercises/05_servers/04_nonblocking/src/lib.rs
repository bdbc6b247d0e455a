//! Blocking, non-blocking, timeouts: three ways to wait (or not) for a socket.
//!
//! Read the lesson first: `book/05_servers/04_nonblocking.md` ("Blocking,
//! non-blocking, timeouts"). Then run `cargo test` in this folder.
//!
//! Three functions, in this order (the lesson's):
//!
//! * [`try_read`] (in `src/read.rs`): one attempt on a **non-blocking** stream;
//!   "nothing has arrived" is the answer [`ReadOutcome::NotYet`], not an error.
//! * [`accept_ready`] (in `src/accept.rs`): takes every connection that is
//!   waiting on a non-blocking listener, and stops at "no more for now".
//! * [`read_with_deadline`] (in `src/deadline.rs`): waits on a **blocking**
//!   stream, but never past a deadline, using the stream's read timeout.
//!
//! The multiplexed servers of the next lessons (select, poll, epoll) are built
//! from exactly these pieces. `cargo run --example busy-poll` shows what a
//! non-blocking read in a loop, without a way to wait, costs.

mod accept;
mod deadline;
mod read;

pub use accept::accept_ready;
pub use deadline::read_with_deadline;
pub use read::try_read;

// ANCHOR: outcome
/// What one read found: bytes, the end of the stream, or nothing yet.
///
/// The three answers a reader must tell apart. A real failure (the peer reset
/// the connection, the socket is invalid) is none of them: it is an `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOutcome {
    /// This many bytes, at least one, were read into the start of the buffer.
    Data(usize),
    /// End-of-file: the peer has shut down its sending side and every byte it
    /// sent has been read. Every later read gives `Eof` again.
    Eof,
    /// Nothing to read yet: "not now", not an error. On a non-blocking stream,
    /// no byte had arrived; with a deadline, the deadline came first. The
    /// connection is fine, and bytes may arrive later.
    NotYet,
}
// ANCHOR_END: outcome
