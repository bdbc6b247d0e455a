//! The thread-per-connection server: one accept loop, one thread per client.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

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
    pub fn run(self) -> io::Result<()> {
        let _ = (&self.listener, &self.stopping);
        todo!(
            "loop: accept, check the stop flag, start a thread per client with \
             thread::Builder (lesson 05.1, 'A thread per connection')"
        )
    }
}

impl Stopper {
    /// Makes [`Server::run`] return. Idempotent; does nothing once `run` has returned.
    ///
    /// Sets the stop flag, then connects to the server once: `accept` blocks in
    /// the kernel and nothing else wakes it portably, but a connection does. The
    /// loop then sees the flag and returns.
    pub fn stop(&self) {
        let _ = (&self.wake, &self.stopping);
        todo!(
            "set the flag, then TcpStream::connect_timeout to self.wake, ignoring \
             the result (lesson 05.1, 'Stopping a loop blocked in accept')"
        )
    }
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
