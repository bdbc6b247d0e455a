//! The server: a listener, a wake-up socket for the handles, and the poll loop.
//!
//! Everything here is yours to write (lesson 05.9). The public items below are
//! what the tests use; add fields, private types and modules as you need.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::room::{Room, Token};

/// The most connections taken from the accept queue in one turn of the loop,
/// so a flood of new clients cannot starve the ones already talking.
const ACCEPTS_PER_TURN: usize = 64;

/// How long the listener is left alone after `accept` failed for lack of file
/// descriptors or memory. Polling it meanwhile would spin: it stays readable,
/// and every `accept` would fail the same way.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// What the handles ask of the loop.
#[derive(Debug)]
enum Control {
    Announce(String),
    Stop,
}

// ANCHOR: handle
/// The sending half shared by [`Stopper`] and [`Announcer`]: a queue of
/// requests, and one end of a socket pair whose other end the loop polls, so
/// that a request wakes a loop asleep in `poll` (the self-pipe trick).
#[derive(Debug, Clone)]
struct Handle {
    requests: Sender<Control>,
    wake: Arc<UnixStream>,
}

impl Handle {
    fn send(&self, control: Control) {
        // The loop has stopped and dropped the receiver: nobody to ask.
        if self.requests.send(control).is_err() {
            return;
        }
        // One byte is enough to make the other end readable. If the socket
        // buffer is full (WouldBlock), a wake-up is already pending; any other
        // error means the loop is gone. Either way there is nothing to do.
        let _ = (&*self.wake).write(&[1]);
    }
}
// ANCHOR_END: handle

/// Stops a running [`Server`] from another thread. Cloneable and `Send`.
///
/// Suggested fields: a `std::sync::mpsc::Sender` of requests, and the writing
/// end of a `std::os::unix::net::UnixStream::pair()` whose other end the poll
/// loop watches (an `Arc<UnixStream>`), so that a request wakes the loop.
#[derive(Debug, Clone)]
pub struct Stopper(Handle);

impl Stopper {
    /// Asks the server to stop: `run` closes every connection and returns
    /// `Ok(())`. Works before `run` starts too (the request waits for the
    /// loop); does nothing once `run` has ended.
    pub fn stop(&self) {
        self.0.send(Control::Stop);
    }
}

/// Sends announcements to everyone in the room from another thread.
/// Cloneable and `Send`; built like [`Stopper`].
#[derive(Debug, Clone)]
pub struct Announcer(Handle);

impl Announcer {
    /// Queues `text` for every client that has joined (not those still
    /// choosing a name), as `[admin] <line>` for each line of `text`
    /// (`str::lines`); an empty text sends nothing. Does nothing once the
    /// server has stopped.
    pub fn announce(&self, text: &str) {
        self.0.send(Control::Announce(text.to_owned()));
    }
}

/// A chat room server on one thread, multiplexing every connection with
/// `poll`. The protocol is in the crate docs and the lesson.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    /// The end of the wake-up pair the loop polls.
    woken: UnixStream,
    requests: Receiver<Control>,
    handle: Handle,
}

impl Server {
    /// Binds the listener (use `127.0.0.1:0` in tests) and prepares the
    /// wake-up socket pair. Nothing is served until [`run`](Self::run); a client
    /// may connect at once all the same (the kernel queues it).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        // Every socket the loop touches is non-blocking: `poll` tells us when
        // to try, and a wrong guess must cost a `WouldBlock`, not a stall.
        listener.set_nonblocking(true)?;
        let (woken, wake) = UnixStream::pair()?;
        woken.set_nonblocking(true)?;
        wake.set_nonblocking(true)?;
        let (requests_tx, requests) = mpsc::channel();
        Ok(Server {
            listener,
            woken,
            requests,
            handle: Handle {
                requests: requests_tx,
                wake: Arc::new(wake),
            },
        })
    }

    /// The address the listener is bound to (with the real port after `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// A handle that stops [`run`](Self::run) from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.handle.clone())
    }

    /// A handle that sends announcements from another thread.
    pub fn announcer(&self) -> Announcer {
        Announcer(self.handle.clone())
    }

    // ANCHOR: run
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
        let mut room = Room::new();
        // While `Some`, the listener is not polled until that moment.
        let mut accept_paused_until: Option<Instant> = None;
        loop {
            accept_paused_until = accept_paused_until.filter(|&until| until > Instant::now());
            let ready = self.wait(&room, accept_paused_until)?;
            room.expire(Instant::now());
            if ready.woken && self.serve_requests(&mut room) {
                return Ok(()); // dropping `room` closes every connection
            }
            if ready.listener && !self.accept(&mut room)? {
                accept_paused_until = Some(Instant::now() + ACCEPT_PAUSE);
            }
            for (token, flags) in ready.clients {
                if flags.intersects(PollFlags::POLLOUT) {
                    room.on_writable(token);
                }
                // Anything but plain writability (input, end of stream, a
                // hang-up or an error, with or without POLLIN) is found out by
                // reading: the read returns the bytes, 0 or the error.
                if flags != PollFlags::POLLOUT {
                    room.on_readable(token);
                }
            }
        }
    }
    // ANCHOR_END: run

    // ANCHOR: wait
    /// Sleeps in `poll` until a handle, the listener (unless accepting is
    /// paused until `paused_until`) or a client needs us.
    fn wait(&self, room: &Room, paused_until: Option<Instant>) -> io::Result<Ready> {
        let listener_events = match paused_until {
            Some(_) => PollFlags::empty(),
            None => PollFlags::POLLIN,
        };
        let mut fds = vec![
            PollFd::new(self.woken.as_fd(), PollFlags::POLLIN),
            PollFd::new(self.listener.as_fd(), listener_events),
        ];
        let mut tokens = Vec::new();
        for (token, client) in room.clients() {
            fds.push(PollFd::new(client.as_fd(), client.interest()));
            tokens.push(token);
        }
        // Sleep until something happens, until the next closing connection
        // must be dropped, or until accepting resumes: poll's timeout is the
        // loop's only timer.
        let timeout = match room.next_deadline().into_iter().chain(paused_until).min() {
            None => PollTimeout::NONE,
            Some(deadline) => millis_until(deadline),
        };
        loop {
            match poll(&mut fds, timeout) {
                Ok(_) => break,
                Err(Errno::EINTR) => continue, // a signal; poll again
                Err(e) => return Err(e.into()),
            }
        }
        let revents = |fd: &PollFd| fd.revents().unwrap_or(PollFlags::empty());
        Ok(Ready {
            woken: !revents(&fds[0]).is_empty(),
            listener: !revents(&fds[1]).is_empty(),
            clients: tokens
                .into_iter()
                .zip(&fds[2..])
                .map(|(token, fd)| (token, revents(fd)))
                .filter(|(_, flags)| !flags.is_empty())
                .collect(),
        })
    }
    // ANCHOR_END: wait

    /// Takes what the handles asked for. Returns true on a stop request.
    fn serve_requests(&self, room: &mut Room) -> bool {
        // Empty the wake-up socket, or poll would report it readable for ever.
        let mut bytes = [0; 64];
        while matches!((&self.woken).read(&mut bytes), Ok(n) if n > 0) {}
        while let Ok(request) = self.requests.try_recv() {
            match request {
                Control::Announce(text) => room.announce(&text),
                Control::Stop => return true,
            }
        }
        false
    }

    // ANCHOR: accept
    /// Takes waiting clients into the room. Returns false when the process is
    /// out of descriptors or memory: accepting must pause.
    fn accept(&self, room: &mut Room) -> io::Result<bool> {
        for _ in 0..ACCEPTS_PER_TURN {
            match self.listener.accept() {
                Ok((stream, _peer)) => {
                    // A socket that cannot be made non-blocking could stall the
                    // whole room: refuse that one connection (dropping it).
                    if stream.set_nonblocking(true).is_ok() {
                        // Chat lines are small and should go out at once, not
                        // wait for Nagle's algorithm to fill a segment.
                        let _ = stream.set_nodelay(true);
                        room.add(stream);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                // The client gave up before we accepted it, or a signal.
                Err(e) if is_per_connection(&e) => continue,
                Err(e) if is_out_of_resources(&e) => {
                    eprintln!("chat-server: accept: {e}; not accepting for a while");
                    return Ok(false);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
    // ANCHOR_END: accept
}

/// Milliseconds from now to `deadline`, rounded up (rounding down would wake
/// us a little early, again and again), for poll's timeout.
fn millis_until(deadline: Instant) -> PollTimeout {
    let left = deadline.saturating_duration_since(Instant::now());
    let millis = left.as_micros().div_ceil(1000);
    PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
}

/// What one `poll` reported.
struct Ready {
    woken: bool,
    listener: bool,
    clients: Vec<(Token, PollFlags)>,
}

/// Accept errors that say the process (or the system) has no descriptor or
/// memory left: the next `accept` would fail the same way, until some is freed.
fn is_out_of_resources(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error().map(Errno::from_raw),
        Some(Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM)
    )
}

/// Accept errors that concern only the connection being accepted.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    )
}
