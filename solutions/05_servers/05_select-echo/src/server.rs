//! The event loop: one thread, one `select` call per turn, every client.

use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Instant;

use nix::errno::Errno;
use nix::sys::select::{select, FdSet};
use nix::sys::time::{TimeVal, TimeValLike};

use crate::{Connection, ACCEPT_PAUSE, FD_SETSIZE};

/// An echo server that serves every client from one thread with `select`.
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
    /// Errors: the address cannot be bound (in use, not local), the process is
    /// out of file descriptors, or it already has so many open that the new
    /// ones are [`FD_SETSIZE`](crate::FD_SETSIZE) or more: `select` could
    /// never watch them.
    // ANCHOR: bind
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let (wake_tx, wake_rx) = UnixStream::pair()?;
        // stop() must never block, even if nobody reads the channel any more.
        wake_tx.set_nonblocking(true)?;
        // Better an error now than a panic in the first FdSet::insert.
        selectable(&listener)?;
        selectable(&wake_rx)?;
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
    /// * A connection whose file descriptor is [`FD_SETSIZE`](crate::FD_SETSIZE)
    ///   or more cannot be put in an `fd_set`: it is closed at once, with a
    ///   line on stderr that says why, and the server goes on.
    /// * When `accept` fails for lack of resources (`EMFILE`, `ENFILE`,
    ///   `ENOBUFS`, `ENOMEM`), the server says so on stderr and leaves the
    ///   listener out of the read set for [`ACCEPT_PAUSE`](crate::ACCEPT_PAUSE)
    ///   (the waiting clients stay in the backlog), then tries again: the
    ///   timeout of `select` is the timer, so the retry comes even when no
    ///   connection of this server closes. `Interrupted` and
    ///   `ConnectionAborted` are skipped.
    /// * Errors: `select` failing (other than `EINTR`), or `accept` failing in
    ///   any other way. Returning drops every connection, which closes them.
    // ANCHOR: run
    pub fn run(self) -> io::Result<()> {
        // Step 1: a non-blocking listener, so that "accept everything waiting"
        // ends with WouldBlock instead of waiting for one more client.
        self.listener.set_nonblocking(true)?;
        let mut connections: Vec<Connection> = Vec::new();
        // Set after accept ran out of descriptors: until then, the listener
        // stays out of the read set.
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
                None => true, // accepted this turn: select has not seen it yet
            });
        }
    }
    // ANCHOR_END: run
}

impl Stopper {
    /// Makes [`Server::run`] return `Ok(())`: one byte on the wake-up channel
    /// makes its end readable, and `select` returns. Stopping twice, or before
    /// `run` started, is harmless.
    // ANCHOR: stop
    pub fn stop(&self) {
        // A full channel (WouldBlock) already holds a wake-up: nothing is lost.
        let _ = (&*self.wake_tx).write(&[1]);
    }
    // ANCHOR_END: stop
}

// ANCHOR: ready
/// What one `select` found ready.
#[derive(Debug, Default)]
struct Ready {
    /// The wake-up channel is readable: a stop was asked for.
    stop: bool,
    /// The listener is readable: clients wait to be accepted.
    accept: bool,
    /// One entry per connection, in the order of the connections passed in.
    connections: Vec<Events>,
}

/// Which of the two sets one connection's socket came back in.
#[derive(Clone, Copy, Debug, Default)]
struct Events {
    readable: bool,
    writable: bool,
}
// ANCHOR_END: ready

// ANCHOR: wait
/// Builds the fd sets, waits in `select`, and reads the answer back. While
/// accepting is paused, the listener is left out and `select` wakes up when
/// the pause ends, whatever else happens.
fn wait(
    listener: &TcpListener,
    accept_paused_until: Option<Instant>,
    wake_rx: &UnixStream,
    connections: &[Connection],
) -> io::Result<Ready> {
    // select overwrites the sets with its answer, so they are built afresh on
    // every turn: that is O(n) work before the kernel's own O(n) scan.
    let mut readable = FdSet::new();
    let mut writable = FdSet::new();
    let mut highest = wake_rx.as_raw_fd();
    readable.insert(wake_rx.as_fd());
    if accept_paused_until.is_none() {
        readable.insert(listener.as_fd());
        highest = highest.max(listener.as_raw_fd());
    }
    for connection in connections {
        let fd = connection.stream().as_fd();
        if connection.wants_read() {
            readable.insert(fd);
        }
        if connection.wants_write() {
            writable.insert(fd);
        }
        highest = highest.max(fd.as_raw_fd());
    }
    // No timeout (None) means: wait as long as it takes. A pause gives one:
    // select's timeout is the loop's only timer.
    let mut timeout = accept_paused_until.map(|until| {
        let left = until.saturating_duration_since(Instant::now());
        TimeVal::microseconds(i64::try_from(left.as_micros()).unwrap_or(i64::MAX))
    });
    // nfds is the highest descriptor plus one: the kernel looks at bits
    // 0..nfds of each set. No exception set: that is for TCP urgent data, not
    // for errors.
    match select(
        highest + 1,
        &mut readable,
        &mut writable,
        None,
        timeout.as_mut(),
    ) {
        Ok(_) => {}
        // A signal interrupted the wait; the sets hold no answer. Go round.
        Err(Errno::EINTR) => return Ok(Ready::default()),
        Err(e) => return Err(e.into()),
    }
    // select keeps only the bits it was given and found ready: a paused
    // listener, left out, cannot come back readable.
    Ok(Ready {
        stop: readable.contains(wake_rx.as_fd()),
        accept: readable.contains(listener.as_fd()),
        connections: connections
            .iter()
            .map(|connection| {
                let fd = connection.stream().as_fd();
                Events {
                    readable: readable.contains(fd),
                    writable: writable.contains(fd),
                }
            })
            .collect(),
    })
}
// ANCHOR_END: wait

// ANCHOR: accept_all
/// Accepts every waiting client. Returns false after running out of
/// descriptors or memory: then the listener must be left alone for a while, or
/// `select` would report it readable again at once, for ever (the clients wait
/// in the backlog), and the loop would spin.
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
                eprintln!("select-echo: accept: {e}; not accepting for a moment");
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Adds an accepted client to the loop, or refuses it with a reason.
fn admit(stream: TcpStream, peer: SocketAddr, connections: &mut Vec<Connection>) {
    let fd = stream.as_raw_fd();
    // An fd_set has FD_SETSIZE bits: a higher descriptor cannot be watched
    // (nix's FdSet::insert would panic, C's FD_SET would write past the set).
    if usize::try_from(fd).map_or(true, |fd| fd >= FD_SETSIZE) {
        eprintln!(
            "select-echo: {peer}: refused: its file descriptor {fd} is beyond what select \
             can watch (FD_SETSIZE = {FD_SETSIZE}); closing it"
        );
        return; // dropping the stream closes the connection
    }
    // Linux does not pass O_NONBLOCK on from the listener.
    if let Err(e) = stream.set_nonblocking(true) {
        eprintln!("select-echo: {peer}: {e}");
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
/// Does what `select` said can be done on one connection. Returns whether to
/// keep it: not when it is done, nor after an error, which concerns this
/// client only (the others go on).
fn serve(connection: &mut Connection, events: Events) -> bool {
    match do_io(connection, events) {
        Ok(()) => !connection.is_done(),
        Err(e) => {
            eprintln!("select-echo: {}: {e}", connection.peer());
            false
        }
    }
}

/// The reading and writing `select` allowed, stopping at the first error: a
/// connection that failed to read is not written to.
fn do_io(connection: &mut Connection, events: Events) -> io::Result<()> {
    if events.readable {
        connection.on_readable()?;
    }
    if events.writable {
        connection.on_writable()?;
    }
    Ok(())
}
// ANCHOR_END: serve

/// Checks that `socket`'s descriptor has a bit in an `fd_set`.
fn selectable(socket: &impl AsRawFd) -> io::Result<()> {
    let fd = socket.as_raw_fd();
    if usize::try_from(fd).is_ok_and(|fd| fd < crate::FD_SETSIZE) {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "file descriptor {fd} is beyond what select can watch (FD_SETSIZE = {})",
            crate::FD_SETSIZE
        )))
    }
}
