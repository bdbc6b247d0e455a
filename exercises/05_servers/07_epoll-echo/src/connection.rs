//! One client of the echo server: its socket and the bytes it is owed.

use std::io;
use std::net::{SocketAddr, TcpStream};

/// What the event loop should do with a connection after [`Connection::pump`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing until epoll reports the socket again: every read and every write
    /// that could be done was done, up to `WouldBlock`, so the next change
    /// (new bytes, room to write, a hang-up) brings a new event.
    Wait,
    /// Unread bytes may still be waiting in the socket, but reading stopped
    /// because the outbox was full, and there is room again now. No new event
    /// will announce those bytes: ask epoll to look again (`EPOLL_CTL_MOD`).
    Rearm,
    /// The client half-closed and has been sent everything: close the
    /// connection (dropping it sends our FIN).
    Close,
}

/// A client's non-blocking socket and the bytes read from it, not yet echoed.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    // Add what you need, and set it up in `new`: the outbox (the bytes read and
    // not yet written back, oldest first) and whether the client has
    // half-closed (a read returned 0).
}

impl Connection {
    /// Wraps an accepted stream. The stream must already be non-blocking: a
    /// blocking read on one client would stall every other client of the loop.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Connection {
        Connection { stream, peer }
    }

    /// The socket, to register with epoll (or remove from it).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The client's address, for messages.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Does every read and write that can be done now; says what comes next.
    ///
    /// Called for every event epoll reports for this connection, whatever its
    /// flags (`EPOLLIN`, `EPOLLOUT`, `EPOLLRDHUP`, `EPOLLHUP`, `EPOLLERR`): the
    /// reads and writes themselves say what happened. In this order:
    ///
    /// 1. **Flush**: write from the front of the outbox until it is empty or a
    ///    write fails with `WouldBlock`. Remove only what `write` took; the
    ///    rest goes out on a later `EPOLLOUT` edge.
    /// 2. **Fill**: read (at most [`READ_CHUNK`](crate::READ_CHUNK) bytes at a
    ///    time) and append to the outbox until a read fails with `WouldBlock`,
    ///    or returns 0 (the client half-closed: remember it, read no more), or
    ///    the outbox holds [`MAX_PENDING`](crate::MAX_PENDING) bytes (stop
    ///    reading: backpressure). Never read once and stop: with edge-triggered
    ///    epoll, bytes left in the socket are never announced again.
    /// 3. **Flush** again, so what just arrived is echoed without waiting.
    ///
    /// Then: [`Next::Close`] if the client half-closed and the outbox is empty;
    /// [`Next::Rearm`] if step 2 stopped because the outbox was full and it is
    /// not full any more; otherwise [`Next::Wait`]. `Interrupted` reads and
    /// writes are retried. Any other error (a reset, a broken pipe) is
    /// returned: the caller closes this connection and serves the others.
    pub fn pump(&mut self) -> io::Result<Next> {
        todo!(
            "flush the outbox, read until WouldBlock (or 0, or a full outbox), flush \
             again, then say what comes next (lesson 05.7, 'One connection, edge-triggered')"
        )
    }
}
