//! One client of the echo server: its socket and the bytes it is owed.

use std::io;
use std::net::{SocketAddr, TcpStream};

#[allow(unused_imports)] // you will need them
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

    /// The socket, to put in the fd sets.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The client's address, for messages.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Should the loop watch this socket for reading? Not after the client
    /// half-closed (there is nothing more to read), and not while the outbox is
    /// full (backpressure: let the bytes wait in the kernel).
    pub fn wants_read(&self) -> bool {
        let _ = (&self.outbox, self.read_closed);
        todo!(
            "true unless the client half-closed or the outbox holds MAX_PENDING bytes \
             (lesson 05.5, 'One connection')"
        )
    }

    /// Should the loop watch this socket for writing? Only while there is
    /// something to write: an idle socket is always writable, and watching it
    /// would make every `select` return at once, a busy loop.
    pub fn wants_write(&self) -> bool {
        let _ = &self.outbox;
        todo!(
            "true while the outbox holds bytes, never otherwise \
             (lesson 05.5, 'One connection')"
        )
    }

    /// Finished: the client half-closed and has been sent everything. The
    /// loop drops the connection, which closes it (the client reads
    /// end-of-file).
    pub fn is_done(&self) -> bool {
        let _ = (&self.outbox, self.read_closed);
        todo!(
            "the client half-closed and the outbox is empty \
             (lesson 05.5, 'One connection')"
        )
    }

    /// The socket is readable (or has an error or a hang-up to report): reads
    /// once, at most [`READ_CHUNK`] bytes and never past [`MAX_PENDING`],
    /// queues the bytes for the echo, and tries to send them at once.
    ///
    /// A read of 0 is end-of-file: the client half-closed; what is queued still
    /// goes out. Errors (a reset) are this connection's own: the caller drops
    /// it and goes on with the others.
    pub fn on_readable(&mut self) -> io::Result<()> {
        let _ = (&mut self.stream, &mut self.outbox, &mut self.read_closed);
        todo!(
            "read once into a buffer of at most READ_CHUNK bytes (and no more than the \
             outbox has room for); Ok(0) means the client half-closed; queue the bytes, \
             then on_writable (lesson 05.5, 'One connection')"
        )
    }

    /// The socket is writable: writes from the front of the outbox until it is
    /// empty or the socket will take no more (`WouldBlock`); the rest waits for
    /// the next time the socket is writable.
    pub fn on_writable(&mut self) -> io::Result<()> {
        let _ = (&mut self.stream, &mut self.outbox);
        todo!(
            "write from the front of the outbox until it is empty or WouldBlock; \
             remove what was written (lesson 05.5, 'One connection')"
        )
    }
}
