//! The process-per-connection server: accept, fork, reap.

use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::resource::{getrlimit, Resource};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

use crate::child;

/// The longest the accept loop waits for a client before it looks for
/// children to reap. A child that exits is reaped at most this long after.
pub const REAP_INTERVAL: Duration = Duration::from_millis(50);

/// How long [`Stopper::stop`] waits for its wake-up connection.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the accept loop pauses when the system is out of descriptors,
/// memory or processes.
const BACKOFF: Duration = Duration::from_millis(100);

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
    // ANCHOR: run
    pub fn run(self) -> io::Result<()> {
        let mut children = Children::default();
        let result = self.serve(&mut children);
        // However the loop ended, leave no child behind, running or zombie.
        children.kill_all();
        result
    }

    fn serve(&self, children: &mut Children) -> io::Result<()> {
        while !self.stopping.load(Ordering::SeqCst) {
            children.reap_exited();
            // Wait for a client, but not for ever: reaping must go on while
            // nobody connects.
            if !client_waiting(&self.listener, REAP_INTERVAL)? {
                continue;
            }
            let (stream, peer) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(err) => {
                    survive_failure("accept", err)?;
                    continue;
                }
            };
            if self.stopping.load(Ordering::SeqCst) {
                break;
            }
            self.fork_child(stream, peer, children);
        }
        Ok(())
    }
    // ANCHOR_END: run

    // ANCHOR: fork
    /// Forks a child to serve `stream`; in the parent, closes `stream`.
    fn fork_child(&self, stream: TcpStream, peer: SocketAddr, children: &mut Children) {
        // SAFETY: the child runs only `child::serve`, which makes only
        // async-signal-safe calls (close, read, write, getpid, _exit), allocates
        // nothing and never returns. That is what POSIX allows a child forked
        // from a multithreaded process to do (the tests run this in one).
        match unsafe { fork() } {
            Ok(ForkResult::Child) => child::serve(&stream, self.greeting, self.fd_limit),
            Ok(ForkResult::Parent { child }) => {
                children.0.push(child);
                // The child has its own copy of the connection. Ours must go:
                // a socket is closed only when its last descriptor is, and a
                // client would never read end-of-file while we held one.
                drop(stream);
            }
            Err(err) => {
                // EAGAIN: too many processes; ENOMEM. Turn this client away.
                let _ = survive_failure("fork", err.into());
                eprintln!("forking-echo: no process for {peer}; closing its connection");
            }
        }
    }
    // ANCHOR_END: fork
}

// ANCHOR: children
/// The pids of this server's children that have not been reaped yet.
#[derive(Debug, Default)]
struct Children(Vec<Pid>);

impl Children {
    /// Reaps every child that has exited; never waits for one that has not.
    fn reap_exited(&mut self) {
        self.0.retain(|&pid| !reap(pid, Some(WaitPidFlag::WNOHANG)));
    }

    /// Kills every child still serving, and waits until each is reaped.
    fn kill_all(&mut self) {
        for pid in self.0.drain(..) {
            // ESRCH means it has exited already; it is reaped all the same.
            let _ = kill(pid, Signal::SIGKILL);
            while !reap(pid, None) {}
        }
    }
}

/// One `waitpid` for `pid`. True when the child is gone for good: it was
/// reaped now, or it is not ours to reap (`ECHILD`). False while it runs (with
/// `WNOHANG`) or when a signal interrupted the call.
fn reap(pid: Pid, flags: Option<WaitPidFlag>) -> bool {
    match waitpid(pid, flags) {
        Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => false,
        Ok(_) | Err(_) => true,
    }
}
// ANCHOR_END: children

/// Waits until the listener has a connection to accept (true) or `timeout`
/// passes (false). A signal that interrupts the wait counts as a timeout.
fn client_waiting(listener: &TcpListener, timeout: Duration) -> io::Result<bool> {
    let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    let timeout = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
    match poll(&mut fds, timeout) {
        Ok(ready) => Ok(ready > 0),
        Err(Errno::EINTR) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Decides what a failed `accept` or `fork` means: `Ok(())` to go on, `Err` to
/// end `run`.
fn survive_failure(call: &str, err: io::Error) -> io::Result<()> {
    let out_of_resources = matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM | libc::EAGAIN)
    );
    match err.kind() {
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted => {
            Ok(())
        }
        _ if out_of_resources => {
            // Retrying at once would fail the same way; give the system time.
            eprintln!("forking-echo: {call}: {err}; pausing");
            thread::sleep(BACKOFF);
            Ok(())
        }
        _ => Err(err),
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
