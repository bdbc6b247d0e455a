//! One client of the echo server: its socket and the bytes it is owed.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::{MAX_PENDING, READ_CHUNK};

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

/// Why [`Connection::fill`] stopped reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filled {
    /// The socket had nothing more (`WouldBlock`) or the client half-closed.
    Drained,
    /// The outbox holds [`MAX_PENDING`] bytes; the socket may hold more.
    Full,
}

/// A client's non-blocking socket and the bytes read from it, not yet echoed.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    /// Bytes read and not yet written back, oldest first. Never more than
    /// [`MAX_PENDING`]: this is where backpressure starts.
    outbox: Vec<u8>,
    /// The client shut down its sending side (a read returned 0).
    read_closed: bool,
}

impl Connection {
    /// Wraps an accepted stream. The stream must already be non-blocking: a
    /// blocking read on one client would stall every other client of the loop.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Connection {
        Connection {
            stream,
            peer,
            outbox: Vec::new(),
            read_closed: false,
        }
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
    // ANCHOR: pump
    pub fn pump(&mut self) -> io::Result<Next> {
        // Room first: on an EPOLLOUT event the outbox may be full, and reading
        // is paused until some of it is gone.
        self.flush()?;
        let filled = self.fill()?;
        // Echo what just arrived without waiting for another event.
        self.flush()?;

        if self.read_closed && self.outbox.is_empty() {
            Ok(Next::Close)
        } else if filled == Filled::Full && self.outbox.len() < MAX_PENDING {
            // Reading stopped at the cap, and the flush made room since. The
            // socket may still hold bytes that no future edge will announce.
            Ok(Next::Rearm)
        } else {
            Ok(Next::Wait)
        }
    }
    // ANCHOR_END: pump

    /// Reads until the socket is drained (`WouldBlock`), the client has
    /// half-closed, or the outbox is full.
    // ANCHOR: fill
    fn fill(&mut self) -> io::Result<Filled> {
        let mut buf = [0u8; READ_CHUNK];
        while !self.read_closed {
            let room = MAX_PENDING - self.outbox.len();
            if room == 0 {
                return Ok(Filled::Full);
            }
            let want = room.min(buf.len());
            match self.stream.read(&mut buf[..want]) {
                Ok(0) => self.read_closed = true,
                Ok(n) => self.outbox.extend_from_slice(&buf[..n]),
                // Drained: the next bytes to arrive will bring a new edge.
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Filled::Drained),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Filled::Drained)
    }
    // ANCHOR_END: fill

    /// Writes from the outbox until it is empty or the socket is full
    /// (`WouldBlock`); what is left waits for the next `EPOLLOUT` edge.
    // ANCHOR: flush
    fn flush(&mut self) -> io::Result<()> {
        let mut written = 0;
        let outcome = loop {
            if written == self.outbox.len() {
                break Ok(());
            }
            match self.stream.write(&self.outbox[written..]) {
                Ok(0) => break Err(ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        // One move of the unsent tail per flush, not one per write.
        self.outbox.drain(..written);
        outcome
    }
    // ANCHOR_END: flush
}
