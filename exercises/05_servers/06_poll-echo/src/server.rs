//! The event loop: one thread, one `poll` call per turn, every client.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::sync::Arc;

/// An echo server that serves every client from one thread with `poll`.
///
/// Bind it, take a [`Stopper`] for later, and call [`Server::run`] on a thread
/// of its own (or on the main thread, as the `src/bin` program does).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    /// The loop's end of the wake-up channel: readable once a stop was asked.
    wake_rx: UnixStream,
    /// The other end, shared with every [`Stopper`].
    wake_tx: Arc<UnixStream>,
}

/// Stops a running [`Server`] from any thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper {
    wake_tx: Arc<UnixStream>,
}

impl Server {
    /// Binds a listening socket to `addr` (use `127.0.0.1:0` in tests: any free
    /// port) and creates the wake-up channel (a connected pair of Unix sockets).
    ///
    /// Errors: the address cannot be bound (in use, not local), or the process
    /// is out of file descriptors.
    // ANCHOR: bind
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let (wake_tx, wake_rx) = UnixStream::pair()?;
        // stop() must never block, even if nobody reads the channel any more.
        wake_tx.set_nonblocking(true)?;
        Ok(Server {
            listener,
            addr,
            wake_rx,
            wake_tx: Arc::new(wake_tx),
        })
    }
    // ANCHOR_END: bind

    /// The address the server listens on (the real port, after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops [`Server::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            wake_tx: Arc::clone(&self.wake_tx),
        }
    }

    /// Serves clients until stopped; returns `Ok(())` after [`Stopper::stop`]
    /// (also when the stop came before `run` was called).
    ///
    /// * One thread serves every client: a silent, slow or vanished client
    ///   holds up nobody. Each connection is echoed byte for byte; what its
    ///   socket will not take at once waits in its outbox.
    /// * A client that half-closes gets the rest of its echo, then the
    ///   connection is closed. A client's error (a reset) closes that
    ///   connection only, with a line on stderr.
    /// * There is no limit on descriptor numbers (`poll` has no `FD_SETSIZE`);
    ///   the limit on open files (`ulimit -n`) is the only one.
    /// * When `accept` fails for lack of resources (`EMFILE`, `ENFILE`,
    ///   `ENOBUFS`, `ENOMEM`), the server says so on stderr and stops asking
    ///   for `POLLIN` on the listener for [`ACCEPT_PAUSE`](crate::ACCEPT_PAUSE)
    ///   (the waiting clients stay in the backlog), then tries again: the
    ///   timeout of `poll` is the timer, so the retry comes even when no
    ///   connection of this server closes. `Interrupted` and
    ///   `ConnectionAborted` are skipped.
    /// * Errors: `poll` failing (other than `EINTR`), or `accept` failing in
    ///   any other way. Returning drops every connection, which closes them.
    pub fn run(self) -> io::Result<()> {
        let _ = (&self.listener, &self.wake_rx);
        todo!(
            "the six steps: make the listener non-blocking; loop {{ build a Vec<PollFd>: \
             the waker (POLLIN), the listener (POLLIN), each connection (POLLIN if \
             wants_read, POLLOUT if wants_write); poll; stop if the waker has revents; \
             accept every waiting client (after EMFILE, no POLLIN on the listener for \
             ACCEPT_PAUSE, and a poll timeout that ends the pause); serve each \
             connection by its revents (POLLIN, POLLHUP, POLLERR: on_readable; POLLOUT: \
             on_writable); drop the done and failed ones }} \
             (lesson 05.6, 'An echo server on poll')"
        )
    }
}

impl Stopper {
    /// Makes [`Server::run`] return `Ok(())`: one byte on the wake-up channel
    /// makes its end readable, and `poll` returns. Stopping twice, or before
    /// `run` started, is harmless.
    // ANCHOR: stop
    pub fn stop(&self) {
        // A full channel (WouldBlock) already holds a wake-up: nothing is lost.
        let _ = (&*self.wake_tx).write(&[1]);
    }
    // ANCHOR_END: stop
}
