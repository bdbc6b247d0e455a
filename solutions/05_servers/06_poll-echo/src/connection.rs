//! One client of the echo server: its socket and the bytes it is owed.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::{MAX_PENDING, READ_CHUNK};

/// A client's non-blocking socket and the bytes read from it, not yet echoed.
///
/// The event loop asks it what to watch ([`wants_read`](Self::wants_read),
/// [`wants_write`](Self::wants_write)), tells it what is ready
/// ([`on_readable`](Self::on_readable), [`on_writable`](Self::on_writable)),
/// and drops it when it [`is_done`](Self::is_done) or one of those calls fails.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    /// Bytes read and not yet written back, oldest first; at most
    /// [`MAX_PENDING`].
    outbox: Vec<u8>,
    /// The client shut down its sending side (a read returned 0).
    read_closed: bool,
}

impl Connection {
    /// Wraps an accepted stream. The stream must already be non-blocking: one
    /// blocking read or write would stall every other client of the loop.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Connection {
        Connection {
            stream,
            peer,
            outbox: Vec::new(),
            read_closed: false,
        }
    }

    /// The socket, to put in a `pollfd`.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The client's address, for messages.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    // ANCHOR: interest
    /// Should the loop watch this socket for reading? Not after the client
    /// half-closed (there is nothing more to read), and not while the outbox is
    /// full (backpressure: let the bytes wait in the kernel).
    pub fn wants_read(&self) -> bool {
        !self.read_closed && self.outbox.len() < MAX_PENDING
    }

    /// Should the loop watch this socket for writing? Only while there is
    /// something to write: an idle socket is always writable, and watching it
    /// would make every `poll` return at once, a busy loop.
    pub fn wants_write(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// Finished: the client half-closed and has been sent everything. The
    /// loop drops the connection, which closes it (the client reads
    /// end-of-file).
    pub fn is_done(&self) -> bool {
        self.read_closed && self.outbox.is_empty()
    }
    // ANCHOR_END: interest

    // ANCHOR: on_readable
    /// The socket is readable (or has an error or a hang-up to report): reads
    /// once, at most [`READ_CHUNK`] bytes and never past [`MAX_PENDING`],
    /// queues the bytes for the echo, and tries to send them at once.
    ///
    /// A read of 0 is end-of-file: the client half-closed; what is queued still
    /// goes out. Errors (a reset) are this connection's own: the caller drops
    /// it and goes on with the others.
    pub fn on_readable(&mut self) -> io::Result<()> {
        let free = MAX_PENDING.saturating_sub(self.outbox.len());
        let room = free.min(READ_CHUNK);
        // With no room, a read into an empty buffer would return 0 and look
        // like end-of-file: skip it, the bytes wait in the kernel.
        if room > 0 && !self.read_closed {
            let mut buf = [0u8; READ_CHUNK];
            match self.stream.read(&mut buf[..room]) {
                Ok(0) => self.read_closed = true,
                Ok(n) => self.outbox.extend_from_slice(&buf[..n]),
                // Readiness is a hint, not a promise: "not now" is fine.
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                Err(e) => return Err(e),
            }
        }
        // Usually the socket has room: echo now rather than one loop later.
        self.on_writable()
    }
    // ANCHOR_END: on_readable

    // ANCHOR: on_writable
    /// The socket is writable: writes from the front of the outbox until it is
    /// empty or the socket will take no more (`WouldBlock`); the rest waits for
    /// the next time the socket is writable.
    pub fn on_writable(&mut self) -> io::Result<()> {
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
        // Remove what the kernel took, once, keeping the rest in order.
        self.outbox.drain(..written);
        outcome
    }
    // ANCHOR_END: on_writable
}
