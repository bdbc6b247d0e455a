//! The event loop: one thread, one epoll instance, every client.

use std::collections::HashMap;
use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Instant;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};

use crate::connection::{Connection, Next};
use crate::ACCEPT_PAUSE;

/// The token epoll hands back for the listening socket.
const LISTENER: u64 = 0;
/// The token of the eventfd that [`Stopper::stop`] writes to.
const WAKER: u64 = 1;
/// Connections get tokens from here up, each a new one, never reused.
const FIRST_CONNECTION: u64 = 2;

/// How many ready file descriptors one `epoll_wait` may return. More stay on
/// the ready list for the next call; none is lost.
const EVENTS_PER_WAIT: usize = 1024;

// ANCHOR: interest
/// The listener: readable (clients wait), edge-triggered.
const LISTENER_FLAGS: EpollFlags = EpollFlags::EPOLLIN.union(EpollFlags::EPOLLET);

/// The eventfd: stop() must never block, and no program this process might
/// exec should inherit it.
const WAKER_FLAGS: EfdFlags = EfdFlags::EFD_CLOEXEC.union(EfdFlags::EFD_NONBLOCK);

/// What each connection is registered for, once, for good.
///
/// Edge-triggered (EPOLLET): an event when something changes, not for as long
/// as a condition holds. Registering IN and OUT once costs no epoll_ctl per
/// write: a socket that stays writable is not reported again, and room
/// appearing after a write found the socket full brings an event. (Any event
/// carries every flag true at that moment, so arriving data usually comes as
/// IN | OUT.) EPOLLRDHUP reports the client's FIN; EPOLLERR and EPOLLHUP are
/// always reported, asked for or not.
const CONNECTION_FLAGS: EpollFlags = EpollFlags::EPOLLIN
    .union(EpollFlags::EPOLLOUT)
    .union(EpollFlags::EPOLLRDHUP)
    .union(EpollFlags::EPOLLET);

/// A connection's registration: those flags, and its token.
fn connection_interest(token: u64) -> EpollEvent {
    EpollEvent::new(CONNECTION_FLAGS, token)
}
// ANCHOR_END: interest

/// An echo server that serves every client from one thread with epoll.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    epoll: Epoll,
    waker: Arc<EventFd>,
    connections: HashMap<u64, Connection>,
    next_token: u64,
    /// Set when `accept` failed for lack of descriptors or memory, with
    /// clients perhaps left in the backlog. No new edge will announce them:
    /// the loop accepts again once this moment has passed.
    accept_paused_until: Option<Instant>,
}

/// Stops a running [`Server`] from any thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper {
    waker: Arc<EventFd>,
}

impl Server {
    /// Binds a listening socket, creates the epoll instance and registers the
    /// listener and the wake-up eventfd with it.
    ///
    /// * The listener is non-blocking and registered `EPOLLIN | EPOLLET` with a
    ///   token of its own (say 0).
    /// * The waker is an `EventFd` (non-blocking, close-on-exec) registered
    ///   `EPOLLIN`, level-triggered, with another token (say 1): once
    ///   [`Stopper::stop`] has written to it, it stays readable.
    /// * The epoll instance is created close-on-exec
    ///   (`EpollCreateFlags::EPOLL_CLOEXEC`).
    ///
    /// Errors: the address cannot be bound (in use, not local), or the kernel
    /// refuses an epoll instance or an eventfd (out of file descriptors).
    // ANCHOR: bind
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        // With ET, accept runs until WouldBlock: it must never block.
        listener.set_nonblocking(true)?;
        // epoll_create1: the instance is a file descriptor; CLOEXEC keeps it
        // out of any program this process might exec.
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let waker = EventFd::from_flags(WAKER_FLAGS)?;
        // epoll_ctl(ADD): the u64 is ours; epoll hands it back with each event.
        epoll.add(&listener, EpollEvent::new(LISTENER_FLAGS, LISTENER))?;
        // Level-triggered: once stop() has written, the eventfd stays readable.
        epoll.add(&waker, EpollEvent::new(EpollFlags::EPOLLIN, WAKER))?;
        Ok(Server {
            listener,
            epoll,
            waker: Arc::new(waker),
            connections: HashMap::new(),
            next_token: FIRST_CONNECTION,
            accept_paused_until: None,
        })
    }
    // ANCHOR_END: bind

    /// The address the server listens on (the real port, after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// A handle that stops [`Server::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            waker: Arc::clone(&self.waker),
        }
    }

    /// Serves clients until stopped; returns `Ok(())` after [`Stopper::stop`].
    ///
    /// The loop: `epoll.wait` (no timeout; retry on `EINTR`), then for each ready
    /// event, by its token:
    ///
    /// * the waker's: return `Ok(())`;
    /// * the listener's: accept until `WouldBlock` (one edge may stand for many
    ///   clients). Skip `ConnectionAborted` and `Interrupted`; report any other
    ///   accept error on stderr and wait for the next event. After `EMFILE`,
    ///   `ENFILE`, `ENOBUFS` or `ENOMEM` (out of descriptors or memory) the
    ///   clients still in the backlog get no new edge: remember the failure,
    ///   wait with a timeout of [`ACCEPT_PAUSE`](crate::ACCEPT_PAUSE), and
    ///   accept again when it has passed. Make each accepted
    ///   stream non-blocking (it does not inherit that from the listener), set
    ///   `TCP_NODELAY`, give it a new token (never reuse one) and register it
    ///   `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET`;
    /// * a connection's: call [`Connection::pump`](crate::Connection::pump).
    ///   On [`Next::Rearm`](crate::Next::Rearm), `epoll.modify` the socket with
    ///   the same flags and token; on [`Next::Close`](crate::Next::Close) or an
    ///   error, `epoll.delete` it and drop the connection (report errors on
    ///   stderr). A token with no connection (closed earlier in the same
    ///   batch) is skipped.
    ///
    /// Returning drops every connection, which closes them: clients read
    /// end-of-file. Errors: only an `epoll_wait` failure other than `EINTR`.
    /// One client's trouble closes that client, never the server.
    // ANCHOR: run
    pub fn run(mut self) -> io::Result<()> {
        let mut events = vec![EpollEvent::empty(); EVENTS_PER_WAIT];
        loop {
            // Blocks until something is ready (returning only the ready ones),
            // or until a pause in accepting ends: the loop's only timer.
            let timeout = match self.accept_paused_until {
                None => EpollTimeout::NONE,
                Some(until) => millis_until(until),
            };
            let ready = match self.epoll.wait(&mut events, timeout) {
                Ok(ready) => ready,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            for event in &events[..ready] {
                match event.data() {
                    WAKER => return Ok(()),
                    LISTENER => self.accept_all(),
                    token => self.serve(token),
                }
            }
            // The clients a failed accept left in the backlog bring no new
            // edge: when the pause is over, go and get them.
            if self
                .accept_paused_until
                .is_some_and(|until| until <= Instant::now())
            {
                self.accept_paused_until = None;
                self.accept_all();
            }
        }
    }
    // ANCHOR_END: run

    /// Accepts every client waiting in the backlog. Edge-triggered: a crowd that
    /// arrived at once gave one event, so accept until WouldBlock.
    // ANCHOR: accept_all
    fn accept_all(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    if let Err(e) = self.register(stream, peer) {
                        eprintln!("epoll-echo: {peer}: could not register: {e}");
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                // The client gave up while it waited in the backlog.
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::ConnectionAborted | ErrorKind::Interrupted
                    ) => {}
                Err(e) => {
                    eprintln!("epoll-echo: accept failed: {e}");
                    // Out of file descriptors, most likely. The clients still in
                    // the backlog get no new edge: `run` retries for them after
                    // a pause, whoever gives descriptors back meanwhile.
                    if is_out_of_resources(&e) {
                        self.accept_paused_until = Some(Instant::now() + ACCEPT_PAUSE);
                    }
                    return;
                }
            }
        }
    }
    // ANCHOR_END: accept_all

    fn register(&mut self, stream: TcpStream, peer: SocketAddr) -> io::Result<()> {
        // An accepted socket does not inherit O_NONBLOCK from the listener.
        stream.set_nonblocking(true)?;
        // Echo each piece at once; do not let Nagle hold small replies back.
        stream.set_nodelay(true)?;
        let token = self.next_token;
        self.next_token += 1;
        // ADD also reports what is ready already: bytes the client sent before
        // this call bring an event on the next wait.
        self.epoll.add(&stream, connection_interest(token))?;
        self.connections
            .insert(token, Connection::new(stream, peer));
        Ok(())
    }

    /// Lets the connection do its I/O, then re-arms or closes it.
    // ANCHOR: serve
    fn serve(&mut self, token: u64) {
        // An event for a connection closed earlier in this batch: skip it.
        // (Tokens are never reused, so it cannot reach a newer connection.)
        let Some(connection) = self.connections.get_mut(&token) else {
            return;
        };
        let outcome = match connection.pump() {
            // epoll_ctl(MOD) looks at the socket afresh: unread bytes put it
            // back on the ready list, behind everyone already there.
            Ok(Next::Rearm) => self
                .epoll
                .modify(connection.stream(), &mut connection_interest(token))
                .map(|()| Next::Rearm)
                .map_err(io::Error::from),
            other => other,
        };
        match outcome {
            Ok(Next::Wait | Next::Rearm) => {}
            Ok(Next::Close) => self.close(token),
            Err(e) => {
                // A reset or a broken pipe: that client is gone, the rest go on.
                eprintln!("epoll-echo: {}: {e}", connection.peer());
                self.close(token);
            }
        }
    }
    // ANCHOR_END: serve

    fn close(&mut self, token: u64) {
        if let Some(connection) = self.connections.remove(&token) {
            // epoll_ctl(DEL) before the close. (Closing the last descriptor of a
            // socket removes it anyway, but a dup'ed one would keep it alive.)
            let _ = self.epoll.delete(connection.stream());
        }
    }
}

/// Milliseconds from now to `deadline`, rounded up (rounding down would wake
/// the loop a little early, again and again), for epoll_wait's timeout.
fn millis_until(deadline: Instant) -> EpollTimeout {
    let left = deadline.saturating_duration_since(Instant::now());
    EpollTimeout::try_from(left.as_micros().div_ceil(1000)).unwrap_or(EpollTimeout::MAX)
}

/// Out of descriptors or memory: accepting again at once would fail again.
fn is_out_of_resources(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error().map(Errno::from_raw),
        Some(Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM)
    )
}

// ANCHOR: stop
impl Stopper {
    /// Makes [`Server::run`] return `Ok(())`, wherever it is: write 1 to the
    /// eventfd, which makes it readable, and epoll reports it at once.
    /// Stopping twice, or before `run` started, is harmless.
    pub fn stop(&self) {
        // Only fails if the counter would overflow: it is far from that.
        let _ = self.waker.write(1);
    }
}
// ANCHOR_END: stop
