//! One connection's state: the socket, the name once joined, what has been read
//! but not yet understood, and what must be written but has not been yet.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::poll::PollFlags;

use crate::lines::{LineBuffer, LineError};
use crate::{MAX_LINE, OUTBOX_LIMIT};

/// How much one `read` takes from a client. One read per client per turn of the
/// loop keeps a client that sends a lot from starving the others.
const READ_CHUNK: usize = 8 * 1024;

// ANCHOR: outbox
/// Lines waiting to be written to one client, oldest first, at most `limit`
/// bytes.
#[derive(Debug)]
pub struct Outbox {
    buf: Vec<u8>,
    limit: usize,
}

/// The outbox has no room for a line: its client is not reading fast enough.
#[derive(Debug)]
pub struct Full;

impl Outbox {
    pub fn new(limit: usize) -> Self {
        Outbox {
            buf: Vec::new(),
            limit,
        }
    }

    /// Queues `line` and its `\n`, whole or not at all: a client must never
    /// receive half a line followed by the next one.
    pub fn push_line(&mut self, line: &str) -> Result<(), Full> {
        if self.buf.len() + line.len() + 1 > self.limit {
            return Err(Full);
        }
        self.buf.extend_from_slice(line.as_bytes());
        self.buf.push(b'\n');
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Writes as much as the socket takes now, without ever blocking: stops at
    /// `WouldBlock` and keeps the rest for the next `POLLOUT`.
    pub fn flush_to(&mut self, mut socket: impl Write) -> io::Result<()> {
        while !self.buf.is_empty() {
            match socket.write(&self.buf) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.buf.drain(..n);
                }
                // The socket takes no more now (a non-blocking write never
                // sleeps, so no signal can interrupt it: no EINTR to retry).
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
// ANCHOR_END: outbox

/// What one read from a client brought.
#[derive(Debug)]
pub enum Received {
    /// Zero or more complete lines (a partial one stays buffered).
    Lines(Vec<String>),
    /// The lines before the error, then the error; nothing after it is read.
    Error(Vec<String>, LineError),
    /// The client closed its sending side: end of stream.
    Eof,
    /// The connection failed (reset by the peer, or another error).
    Failed,
}

// ANCHOR: client
/// One connected client, joined or still choosing a name.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    /// `None` until a name is accepted (and again once closing): such a client
    /// is not in the room and receives nothing but replies to its own lines.
    pub name: Option<String>,
    lines: LineBuffer,
    pub outbox: Outbox,
    closing: Option<Closing>,
}

impl Client {
    /// Wraps an accepted, non-blocking stream.
    pub fn new(stream: TcpStream) -> Self {
        Client {
            stream,
            name: None,
            lines: LineBuffer::new(MAX_LINE),
            outbox: Outbox::new(OUTBOX_LIMIT),
            closing: None,
        }
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Reads once (the socket is readable, so this does not block) and returns
    /// the lines that became complete.
    pub fn receive(&mut self) -> Received {
        let mut chunk = [0; READ_CHUNK];
        let n = match read_once(&self.stream, &mut chunk) {
            ReadOutcome::Bytes(n) => n,
            ReadOutcome::Nothing => return Received::Lines(Vec::new()),
            ReadOutcome::End => return Received::Eof,
            ReadOutcome::Failed => return Received::Failed,
        };
        self.lines.extend(&chunk[..n]);
        let mut lines = Vec::new();
        loop {
            match self.lines.next_line() {
                Ok(Some(line)) => lines.push(line),
                Ok(None) => return Received::Lines(lines),
                Err(e) => return Received::Error(lines, e),
            }
        }
    }

    /// Writes what the outbox holds, as far as the socket takes it now.
    pub fn flush(&mut self) -> io::Result<()> {
        self.outbox.flush_to(&self.stream)
    }
}

/// What one read from a client's socket brought.
enum ReadOutcome {
    Bytes(usize),
    /// A spurious wake-up or a signal: nothing to do this turn.
    Nothing,
    /// End of stream: the peer has closed its sending side.
    End,
    /// Reset by the peer, or any other failure: the peer is gone.
    Failed,
}

/// Reads once into `chunk`, for both a client in the room and a closing one.
/// The socket is non-blocking, so this never waits.
fn read_once(mut stream: &TcpStream, chunk: &mut [u8]) -> ReadOutcome {
    match stream.read(chunk) {
        Ok(0) => ReadOutcome::End,
        Ok(n) => ReadOutcome::Bytes(n),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
            ReadOutcome::Nothing
        }
        Err(_) => ReadOutcome::Failed,
    }
}
// ANCHOR_END: client

// ANCHOR: interest
impl Client {
    /// What `poll` should watch this socket for.
    pub fn interest(&self) -> PollFlags {
        let mut events = PollFlags::empty();
        // Input, unless the peer has closed its side: a socket at end of
        // stream is always readable, and poll would wake us for ever.
        if !self.closing.as_ref().is_some_and(|c| c.peer_done) {
            events |= PollFlags::POLLIN;
        }
        // Output only while there is something to write; an idle socket is
        // always writable, and the same would happen.
        if !self.outbox.is_empty() {
            events |= PollFlags::POLLOUT;
        }
        events
    }
}
// ANCHOR_END: interest

// ANCHOR: closing
/// How long a closing connection may take to say goodbye (see
/// [`Client::start_closing`]).
const LINGER_TIME: Duration = Duration::from_secs(2);
/// How much input of a closing connection we read and throw away before we
/// stop being polite and drop it.
const LINGER_BYTES: usize = 64 * 1024;

/// A connection on its way out: its last lines are being written.
#[derive(Debug)]
struct Closing {
    deadline: Instant,
    /// We have sent FIN (`shutdown(Write)`) after the last byte of the outbox.
    shut_down: bool,
    /// The peer has sent FIN: nothing more will come.
    peer_done: bool,
    /// Input read and thrown away since closing began.
    discarded: usize,
}

impl Client {
    /// Starts a graceful close: `last_line` (if any, and if it fits) is
    /// queued, the outbox is written out as the socket takes it, then FIN is
    /// sent, and the connection is dropped once the peer has closed too, or
    /// after [`LINGER_TIME`] at the latest.
    ///
    /// Why not just drop the socket? Closing a socket whose receive buffer
    /// still holds unread bytes (a client in the middle of a too-long line)
    /// sends a reset, and a reset throws away everything our kernel has not
    /// sent yet: a client that is behind would never get the lines queued for
    /// it, nor our last line. So we keep reading, and throw away what comes,
    /// until the client closes its side (a "lingering close").
    pub fn start_closing(&mut self, last_line: Option<&str>, now: Instant, peer_done: bool) {
        if let Some(line) = last_line {
            // A client too far behind to take its last line loses it.
            let _ = self.outbox.push_line(line);
        }
        self.closing = Some(Closing {
            deadline: now + LINGER_TIME,
            shut_down: false,
            peer_done,
            discarded: 0,
        });
    }

    pub fn is_closing(&self) -> bool {
        self.closing.is_some()
    }

    /// When a closing connection must be dropped, whatever its state.
    pub fn deadline(&self) -> Option<Instant> {
        self.closing.as_ref().map(|closing| closing.deadline)
    }

    /// Reads and discards input of a closing connection.
    pub fn discard_input(&mut self) {
        let Some(closing) = &mut self.closing else {
            return;
        };
        let mut chunk = [0; READ_CHUNK];
        match read_once(&self.stream, &mut chunk) {
            ReadOutcome::Bytes(n) => closing.discarded += n,
            ReadOutcome::Nothing => {}
            // End of stream, or a reset: nobody is left to read our last line.
            ReadOutcome::End | ReadOutcome::Failed => closing.peer_done = true,
        }
    }

    /// Moves a closing connection on: writes what the socket takes, sends FIN
    /// once the outbox is empty. Returns true when the connection is finished
    /// and may be dropped.
    pub fn finish_closing(&mut self) -> bool {
        let flushed = self.flush();
        let Some(closing) = &mut self.closing else {
            return false;
        };
        if flushed.is_err() || closing.discarded > LINGER_BYTES {
            return true;
        }
        if self.outbox.is_empty() && !closing.shut_down {
            closing.shut_down = true;
            // FIN goes out after every byte already written.
            if self.stream.shutdown(Shutdown::Write).is_err() {
                return true;
            }
        }
        closing.shut_down && closing.peer_done
    }
}
// ANCHOR_END: closing

impl AsFd for Client {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}
