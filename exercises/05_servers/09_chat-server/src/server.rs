//! The server: a listener, a wake-up socket for the handles, and the poll loop.
//!
//! Everything here is yours to write (lesson 05.9). The public items below are
//! what the tests use; add fields, private types and modules as you need.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Stops a running [`Server`] from another thread. Cloneable and `Send`.
///
/// Suggested fields: a `std::sync::mpsc::Sender` of requests, and the writing
/// end of a `std::os::unix::net::UnixStream::pair()` whose other end the poll
/// loop watches (an `Arc<UnixStream>`), so that a request wakes the loop.
#[derive(Debug, Clone)]
pub struct Stopper {}

impl Stopper {
    /// Asks the server to stop: `run` closes every connection and returns
    /// `Ok(())`. Works before `run` starts too (the request waits for the
    /// loop); does nothing once `run` has ended.
    pub fn stop(&self) {
        todo!("queue a stop request and wake the loop (lesson 05.9, 'Waking the loop')")
    }
}

/// Sends announcements to everyone in the room from another thread.
/// Cloneable and `Send`; built like [`Stopper`].
#[derive(Debug, Clone)]
pub struct Announcer {}

impl Announcer {
    /// Queues `text` for every client that has joined (not those still
    /// choosing a name), as `[admin] <line>` for each line of `text`
    /// (`str::lines`); an empty text sends nothing. Does nothing once the
    /// server has stopped.
    pub fn announce(&self, text: &str) {
        todo!(
            "queue an announcement of {} bytes and wake the loop \
             (lesson 05.9, 'Waking the loop')",
            text.len()
        )
    }
}

/// A chat room server on one thread, multiplexing every connection with
/// `poll`. The protocol is in the crate docs and the lesson.
#[derive(Debug)]
pub struct Server {}

impl Server {
    /// Binds the listener (use `127.0.0.1:0` in tests) and prepares the
    /// wake-up socket pair. Nothing is served until [`run`](Self::run); a client
    /// may connect at once all the same (the kernel queues it).
    pub fn bind(_addr: impl ToSocketAddrs) -> io::Result<Server> {
        todo!(
            "bind a TcpListener, make it non-blocking, create the wake-up pair and the \
             request channel (lesson 05.9, 'The server')"
        )
    }

    /// The address the listener is bound to (with the real port after `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        todo!("the listener's local address")
    }

    /// A handle that stops [`run`](Self::run) from another thread.
    pub fn stopper(&self) -> Stopper {
        todo!("a Stopper sharing the request channel and the wake-up socket")
    }

    /// A handle that sends announcements from another thread.
    pub fn announcer(&self) -> Announcer {
        todo!("an Announcer sharing the request channel and the wake-up socket")
    }

    /// Serves the room until stopped; returns `Ok(())` after a stop, having
    /// closed every connection.
    ///
    /// * One thread, one loop: `poll` on the wake-up socket, the listener and
    ///   every client (`POLLIN` always, `POLLOUT` only while its outbox is not
    ///   empty); every socket non-blocking.
    /// * Broadcasting queues into outboxes and never waits for a socket. An
    ///   outbox holds at most [`OUTBOX_LIMIT`](crate::OUTBOX_LIMIT) bytes; a
    ///   line that does not fit drops that client (`* NAME was dropped (too
    ///   slow)` to the others).
    /// * Errors of one connection (reset, broken pipe, bad input) only end that
    ///   connection. When `accept` fails for lack of file descriptors or memory
    ///   (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`), the room goes on: leave the
    ///   listener out of the poll set for a short while (100 ms; the waiting
    ///   clients stay in the backlog), then try again. `run` returns an error
    ///   only if `poll` fails or `accept` fails in some other way.
    pub fn run(self) -> io::Result<()> {
        todo!("the poll loop (lesson 05.9, 'The loop')")
    }
}
