//! The process-per-connection server: accept, fork, reap.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use nix::sys::resource::{getrlimit, Resource};

/// The longest the accept loop waits for a client before it looks for
/// children to reap. A child that exits is reaped at most this long after.
pub const REAP_INTERVAL: Duration = Duration::from_millis(50);

/// How long [`Stopper::stop`] waits for its wake-up connection.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// The most descriptors a child closes one by one when the system has no
/// `close_range` (see [`child::close_inherited_fds`](crate::child::close_inherited_fds)).
const FD_LIMIT_CAP: u64 = 1 << 16;

/// An echo server that forks a child process for every connection.
///
/// Bind it, take its address and a [`Stopper`], call [`Server::run`] on a
/// thread; [`Stopper::stop`] from any other thread makes `run` return.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    /// Children start with `pid <their pid>\n` (see [`Server::with_pid_greeting`]).
    greeting: bool,
    /// Descriptors below this number may be open; a child closes them all
    /// but its connection. Read once here: after `fork` the child may only
    /// make async-signal-safe calls.
    fd_limit: RawFd,
}

/// Stops a running [`Server`] from another thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper {
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
            greeting: false,
            fd_limit: descriptor_limit(),
        })
    }

    /// Makes every child begin its conversation with one line, `pid <n>\n`,
    /// where `n` is the child's process id in decimal, then echo as usual.
    ///
    /// The line comes from the process that serves the connection, so a client
    /// (a test) can see which process serves it. Off by default: a plain echo
    /// server sends nothing but the echo.
    pub fn with_pid_greeting(mut self) -> Server {
        self.greeting = true;
        self
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

    /// Accepts clients until stopped, and serves each in a child process.
    ///
    /// * After `accept`, the server forks. The child runs [`child::serve`](crate::child::serve)
    ///   and never comes back. The parent closes its copy of the connection at
    ///   once (otherwise the client would never read end-of-file when the child
    ///   closes) and remembers the child's pid.
    /// * Children that have exited are reaped with `waitpid(pid, WNOHANG)`, by
    ///   pid, only this server's own children. The loop waits for a client at
    ///   most [`REAP_INTERVAL`] at a time, so a child that exits is reaped
    ///   within that time even when no client comes: no zombie stays behind.
    /// * After a [`Stopper::stop`] the loop accepts nothing more; every child
    ///   still serving is killed (`SIGKILL`: the child has nothing to save, and
    ///   the signal cannot be caught or ignored) and reaped. `run` returns
    ///   `Ok(())` when no child of this server is left, alive or zombie. The same
    ///   cleanup happens before `run` returns an error.
    /// * If `fork` fails (out of processes or memory), that client's connection
    ///   is closed and the server goes on. `accept` errors are handled like
    ///   the threaded server's: skipped when they concern one connection,
    ///   retried after a pause when the system is out of resources, returned
    ///   otherwise.
    pub fn run(self) -> io::Result<()> {
        let _ = (&self.listener, &self.stopping, self.greeting, self.fd_limit);
        todo!(
            "loop: reap exited children (waitpid WNOHANG), wait for a client at most \
             REAP_INTERVAL (poll), accept, fork; the child runs child::serve, the \
             parent drops the stream and keeps the pid; on stop kill and reap every \
             child (lesson 05.2, 'Fork after accept', 'Reaping: which way, and why')"
        )
    }
}

impl Stopper {
    /// Makes [`Server::run`] return (after it has ended and reaped its
    /// children). Idempotent; does nothing once `run` has returned.
    ///
    /// Sets the stop flag, then connects to the server once, so that the loop
    /// wakes at once instead of at the end of its [`REAP_INTERVAL`].
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.wake, WAKE_TIMEOUT);
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

/// One more than the highest file descriptor this process may open
/// (`RLIMIT_NOFILE`), capped at [`FD_LIMIT_CAP`].
fn descriptor_limit() -> RawFd {
    let soft = getrlimit(Resource::RLIMIT_NOFILE).map_or(1024, |(soft, _hard)| soft);
    RawFd::try_from(soft.min(FD_LIMIT_CAP)).unwrap_or(RawFd::MAX)
}
