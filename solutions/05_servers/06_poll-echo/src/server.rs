//! The event loop: one thread, one `poll` call per turn, every client.

use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::{Connection, ACCEPT_PAUSE};

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
    // ANCHOR: run
    pub fn run(self) -> io::Result<()> {
        // Step 1: a non-blocking listener, so that "accept everything waiting"
        // ends with WouldBlock instead of waiting for one more client.
        self.listener.set_nonblocking(true)?;
        let mut connections: Vec<Connection> = Vec::new();
        // Set after accept ran out of descriptors: until then, no POLLIN is
        // asked for on the listener.
        let mut accept_paused_until: Option<Instant> = None;
        loop {
            accept_paused_until = accept_paused_until.filter(|&until| until > Instant::now());
            // Steps 2 and 3: say what to watch, and wait until something is ready.
            let ready = wait(
                &self.listener,
                accept_paused_until,
                &self.wake_rx,
                &connections,
            )?;
            if ready.stop {
                return Ok(());
            }
            // Step 4: the listener is readable: accept every waiting client.
            // New connections go to the end, after those `ready` describes.
            if ready.accept && !accept_all(&self.listener, &mut connections)? {
                accept_paused_until = Some(Instant::now() + ACCEPT_PAUSE);
            }
            // Steps 5 and 6: read what is readable, flush what is writable, and
            // drop the connections that are finished or failed.
            let mut events = ready.connections.into_iter();
            connections.retain_mut(|connection| match events.next() {
                Some(events) => serve(connection, events),
                None => true, // accepted this turn: poll has not seen it yet
            });
        }
    }
    // ANCHOR_END: run
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

/// What one `poll` found ready.
#[derive(Debug, Default)]
struct Ready {
    /// The wake-up channel is readable: a stop was asked for.
    stop: bool,
    /// The listener is readable: clients wait to be accepted.
    accept: bool,
    /// The `revents` of each connection, in the order of the connections.
    connections: Vec<PollFlags>,
}

// ANCHOR: interest
/// What to ask `poll` about one connection.
fn interest(connection: &Connection) -> PollFlags {
    let mut events = PollFlags::empty();
    if connection.wants_read() {
        events |= PollFlags::POLLIN;
    }
    // POLLOUT only while the outbox holds bytes. An idle socket is always
    // writable: asking anyway would make every poll return at once.
    if connection.wants_write() {
        events |= PollFlags::POLLOUT;
    }
    events
}
// ANCHOR_END: interest

// ANCHOR: wait
/// Builds the `pollfd` array, waits in `poll`, and reads the answers back.
/// While accepting is paused, the listener asks for nothing and `poll` wakes
/// up when the pause ends, whatever else happens.
fn wait(
    listener: &TcpListener,
    accept_paused_until: Option<Instant>,
    wake_rx: &UnixStream,
    connections: &[Connection],
) -> io::Result<Ready> {
    // One pollfd per descriptor: [wake-up, listener, connection 0, 1, ...].
    // Built afresh each turn (the connections change), and the kernel reads
    // all of it on every call: O(n), whatever is ready.
    let listener_events = match accept_paused_until {
        None => PollFlags::POLLIN,
        Some(_) => PollFlags::empty(),
    };
    let mut fds: Vec<PollFd> = [
        PollFd::new(wake_rx.as_fd(), PollFlags::POLLIN),
        PollFd::new(listener.as_fd(), listener_events),
    ]
    .into_iter()
    .chain(
        connections
            .iter()
            .map(|connection| PollFd::new(connection.stream().as_fd(), interest(connection))),
    )
    .collect();
    // No timeout: sleep until something is ready. A pause gives one: poll's
    // timeout is the loop's only timer.
    let timeout = match accept_paused_until {
        None => PollTimeout::NONE,
        Some(until) => millis_until(until),
    };
    match poll(&mut fds, timeout) {
        Ok(_) => {}
        // A signal interrupted the wait; no answers. Go round.
        Err(Errno::EINTR) => return Ok(Ready::default()),
        Err(e) => return Err(e.into()),
    }
    // revents: what happened, which may include POLLHUP and POLLERR even
    // though nobody asked for them.
    let revents = |fd: &PollFd| fd.revents().unwrap_or(PollFlags::empty());
    Ok(Ready {
        stop: !revents(&fds[0]).is_empty(),
        accept: revents(&fds[1]).contains(PollFlags::POLLIN),
        connections: fds[2..].iter().map(revents).collect(),
    })
}

/// Milliseconds from now to `deadline`, rounded up (rounding down would wake
/// the loop a little early, again and again), for poll's timeout.
fn millis_until(deadline: Instant) -> PollTimeout {
    let left = deadline.saturating_duration_since(Instant::now());
    PollTimeout::try_from(left.as_micros().div_ceil(1000)).unwrap_or(PollTimeout::MAX)
}
// ANCHOR_END: wait

// ANCHOR: accept_all
/// Accepts every waiting client. Returns false after running out of
/// descriptors or memory: then the listener must be left alone for a while, or
/// `poll` would report it readable again at once, for ever (the clients wait in
/// the backlog), and the loop would spin.
fn accept_all(listener: &TcpListener, connections: &mut Vec<Connection>) -> io::Result<bool> {
    loop {
        match listener.accept() {
            Ok((stream, peer)) => admit(stream, peer, connections),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(true),
            // The client gave up while it waited in the backlog, or a signal
            // came: neither concerns the listener.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionAborted | ErrorKind::Interrupted
                ) => {}
            Err(e) if is_out_of_resources(&e) => {
                eprintln!("poll-echo: accept: {e}; not accepting for a moment");
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Adds an accepted client to the loop.
fn admit(stream: TcpStream, peer: SocketAddr, connections: &mut Vec<Connection>) {
    // Linux does not pass O_NONBLOCK on from the listener.
    if let Err(e) = stream.set_nonblocking(true) {
        eprintln!("poll-echo: {peer}: {e}");
        return;
    }
    connections.push(Connection::new(stream, peer));
}
// ANCHOR_END: accept_all

/// Out of descriptors or memory: accepting again at once would fail again.
fn is_out_of_resources(e: &io::Error) -> bool {
    let errno = e.raw_os_error().map(Errno::from_raw);
    matches!(
        errno,
        Some(Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM)
    )
}

// ANCHOR: serve
/// Does what `poll` said can be done on one connection. Returns whether to
/// keep it: not when it is done, nor after an error, which concerns this
/// client only (the others go on).
fn serve(connection: &mut Connection, revents: PollFlags) -> bool {
    match do_io(connection, revents) {
        Ok(()) => !connection.is_done(),
        Err(e) => {
            eprintln!("poll-echo: {}: {e}", connection.peer());
            false
        }
    }
}

/// The `revents` that call for a read. POLLHUP and POLLERR come unasked; a
/// read says what they mean: 0 for end-of-file, or the error itself.
const READABLE: PollFlags = PollFlags::POLLIN
    .union(PollFlags::POLLHUP)
    .union(PollFlags::POLLERR);

/// The reading and writing `poll` allowed, stopping at the first error: a
/// connection that failed to read is not written to.
fn do_io(connection: &mut Connection, revents: PollFlags) -> io::Result<()> {
    if revents.intersects(READABLE) {
        connection.on_readable()?;
    }
    if revents.contains(PollFlags::POLLOUT) {
        connection.on_writable()?;
    }
    if revents.contains(PollFlags::POLLNVAL) {
        // The descriptor is not open: a bug in this program, not the client's.
        return Err(io::Error::other("poll: descriptor not open (POLLNVAL)"));
    }
    Ok(())
}
// ANCHOR_END: serve
