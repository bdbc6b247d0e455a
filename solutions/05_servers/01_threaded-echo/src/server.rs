//! The thread-per-connection server: one accept loop, one thread per client.

use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::handle_client;

/// How long [`Stopper::stop`] waits for its wake-up connection to be accepted
/// by the kernel. Loopback answers at once; this only bounds a stuck backlog.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the accept loop pauses when the system is out of descriptors or
/// memory, before it tries again.
const BACKOFF: Duration = Duration::from_millis(100);

/// An echo server that gives every connection a thread of its own.
///
/// Bind it, take its address and a [`Stopper`], call [`Server::run`] on a
/// thread; [`Stopper::stop`] from any other thread makes `run` return.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    /// The address the listener is bound to, with the port the system chose.
    addr: SocketAddr,
    /// Set by a [`Stopper`]; the accept loop looks at it after every `accept`.
    stopping: Arc<AtomicBool>,
}

/// Stops a running [`Server`] from another thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper {
    /// Where to connect to wake a blocked `accept` (see [`Stopper::stop`]).
    wake: SocketAddr,
    stopping: Arc<AtomicBool>,
}

impl Server {
    /// Binds a listener to `addr` (use `127.0.0.1:0` in tests: any free port).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        Ok(Server {
            listener,
            addr,
            stopping: Arc::default(),
        })
    }

    /// The address the server listens on, with the real port when bound to port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops [`Server::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            wake: wake_address(self.addr),
            stopping: Arc::clone(&self.stopping),
        }
    }

    /// Accepts clients until stopped, and serves each on a thread of its own
    /// with [`handle_client`](crate::handle_client).
    ///
    /// * Every accepted connection gets a new thread at once, so a slow, silent
    ///   or vanished client holds up nobody but itself.
    /// * After a [`Stopper::stop`] the loop accepts nothing more and `run`
    ///   returns `Ok(())` (also when the stop came before `run` was called).
    ///   Conversations already in progress are not cut off: their threads are
    ///   detached and end when their clients leave; `run` does not wait for them.
    /// * An error with one client is reported on stderr and ends only that
    ///   client's thread. If no thread can be started (the system is out of
    ///   threads or memory), that client's connection is closed and the server
    ///   goes on.
    /// * `accept` errors that concern one connection (`ConnectionAborted`,
    ///   `ConnectionReset`, `Interrupted`) are skipped. When the process or the
    ///   system is out of file descriptors or memory (`EMFILE`, `ENFILE`,
    ///   `ENOBUFS`, `ENOMEM`), the loop reports it, pauses briefly and tries
    ///   again. Any other `accept` error is returned.
    // ANCHOR: run
    pub fn run(self) -> io::Result<()> {
        while !self.stopping.load(Ordering::SeqCst) {
            let (stream, peer) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(err) => {
                    survive_accept_error(err)?;
                    continue;
                }
            };
            // The flag is checked again after `accept`: the connection just
            // accepted may be the Stopper's wake-up call (or a client that came
            // as we stop). Dropping it closes it.
            if self.stopping.load(Ordering::SeqCst) {
                break;
            }
            spawn_conversation(stream, peer);
        }
        // Dropping `self` closes the listener: from now on, connecting fails.
        Ok(())
    }
    // ANCHOR_END: run
}

// ANCHOR: spawn
/// Starts a thread that serves one client; never waits for it.
fn spawn_conversation(stream: TcpStream, peer: SocketAddr) {
    let spawned = thread::Builder::new()
        .name(format!("echo {peer}"))
        .spawn(move || {
            if let Err(err) = handle_client(stream) {
                eprintln!("threaded-echo: {peer}: {err}");
            }
        });
    // Dropping the JoinHandle detaches the thread: it runs on its own and its
    // resources are freed when it ends. `thread::spawn` would panic when the
    // system has no thread to give; `Builder::spawn` returns the error, and
    // the closure it did not run is dropped, which closes `stream`.
    if let Err(err) = spawned {
        eprintln!("threaded-echo: no thread for {peer}, closing its connection: {err}");
    }
}
// ANCHOR_END: spawn

// ANCHOR: accept_errors
/// Decides what a failed `accept` means: `Ok(())` to go on, `Err` to end `run`.
fn survive_accept_error(err: io::Error) -> io::Result<()> {
    match err.kind() {
        // The client gave up while it waited in the backlog, or a signal
        // interrupted the call: nothing is wrong with the server.
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted => {
            Ok(())
        }
        _ if is_out_of_resources(&err) => {
            // The connection stays in the backlog, so an immediate retry would
            // fail the same way, in a loop that burns a core. Pause instead:
            // meanwhile conversations end and give their descriptors back.
            eprintln!("threaded-echo: accept: {err}; pausing");
            thread::sleep(BACKOFF);
            Ok(())
        }
        _ => Err(err),
    }
}

fn is_out_of_resources(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}
// ANCHOR_END: accept_errors

impl Stopper {
    /// Makes [`Server::run`] return. Idempotent; does nothing once `run` has returned.
    ///
    /// Sets the stop flag, then connects to the server once: `accept` blocks in
    /// the kernel and nothing else wakes it portably, but a connection does. The
    /// loop then sees the flag and returns.
    // ANCHOR: stop
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The result does not matter: if nobody listens any more (connection
        // refused), the server has already stopped.
        let _ = TcpStream::connect_timeout(&self.wake, WAKE_TIMEOUT);
    }
    // ANCHOR_END: stop
}

/// The address to connect to in order to reach a server listening on `addr`:
/// a server bound to every interface (`0.0.0.0` or `::`) is reached on loopback.
fn wake_address(addr: SocketAddr) -> SocketAddr {
    let mut wake = addr;
    if addr.ip().is_unspecified() {
        match addr {
            SocketAddr::V4(_) => wake.set_ip(Ipv4Addr::LOCALHOST.into()),
            SocketAddr::V6(_) => wake.set_ip(Ipv6Addr::LOCALHOST.into()),
        }
    }
    wake
}
