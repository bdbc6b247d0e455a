//! What every server shares, whatever it does with a connection: the listener,
//! the accept loop, stopping, and the list of connections in progress.
//!
//! This is the "server" half of the framework (Python's `BaseServer` and
//! `TCPServer`), given complete. Read it: `ThreadingServer` and `PoolServer`
//! are built on it, and differ only in what their `dispatch` does with each
//! accepted connection.

use std::collections::HashMap;
use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// How long [`Stopper::stop`] waits for its wake-up connection.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the accept loop pauses when the system is out of descriptors or memory.
const BACKOFF: Duration = Duration::from_millis(100);

/// A bound listener, and the state that lets a [`Stopper`] stop what uses it.
#[derive(Debug)]
pub struct Listener {
    listener: TcpListener,
    addr: SocketAddr,
    state: Arc<State>,
}

/// Stops a running server from another thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper {
    state: Arc<State>,
}

/// A handle on the connections in progress, for the threads that serve them.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct Connections {
    state: Arc<State>,
}

/// Proof that a connection is in progress: while it lives, [`Stopper::stop`]
/// can shut the connection down. Dropping it forgets the connection.
#[derive(Debug)]
pub struct Tracked {
    state: Arc<State>,
    id: u64,
}

#[derive(Debug)]
struct State {
    /// Where to connect to wake a blocked `accept`.
    wake: SocketAddr,
    stopping: AtomicBool,
    open: Mutex<Open>,
}

/// The connections in progress: a second handle (a `try_clone`) on each, by id.
#[derive(Debug, Default)]
struct Open {
    next_id: u64,
    streams: HashMap<u64, TcpStream>,
}

impl Listener {
    /// Binds a listener to `addr` (use `127.0.0.1:0` in tests: any free port).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Listener> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            wake: wake_address(addr),
            stopping: AtomicBool::new(false),
            open: Mutex::default(),
        });
        Ok(Listener {
            listener,
            addr,
            state,
        })
    }

    /// The address the listener is bound to, with the real port when bound to port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops [`Listener::serve_forever`] from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            state: Arc::clone(&self.state),
        }
    }

    /// A handle on the connections in progress, to give to serving threads.
    pub fn connections(&self) -> Connections {
        Connections {
            state: Arc::clone(&self.state),
        }
    }

    /// The accept loop: accepts connections and hands each to `dispatch`, until
    /// stopped. Returns `Ok(())` after a stop.
    ///
    /// * `dispatch` decides what happens to a connection (a thread of its own,
    ///   a place in a queue); it should not serve the client itself, or the
    ///   next client waits. An error from `dispatch` ends the loop and is
    ///   returned.
    /// * The stop flag is checked before each `accept` and after it: the
    ///   connection accepted after a stop is the [`Stopper`]'s wake-up call (or
    ///   a client that came too late), and is closed unserved.
    /// * `accept` errors about one connection (`ConnectionAborted`,
    ///   `ConnectionReset`, `Interrupted`) are skipped; when the system is out
    ///   of descriptors or memory the loop pauses briefly and goes on; any
    ///   other `accept` error is returned.
    // ANCHOR: serve_forever
    pub fn serve_forever(
        &self,
        mut dispatch: impl FnMut(TcpStream, SocketAddr) -> io::Result<()>,
    ) -> io::Result<()> {
        while !self.state.is_stopping() {
            let (stream, peer) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(err) => {
                    survive_accept_error(err)?;
                    continue;
                }
            };
            if self.state.is_stopping() {
                break;
            }
            dispatch(stream, peer)?;
        }
        Ok(())
    }
    // ANCHOR_END: serve_forever
}

impl Connections {
    /// Registers `stream` as in progress, so that a stop can shut it down.
    ///
    /// Returns `None` when the server is stopping (the caller then closes the
    /// connection unserved), or when no second handle on the socket can be made
    /// (out of descriptors: the caller turns the client away). Keep the
    /// [`Tracked`] until the conversation is over: dropping it closes the
    /// second handle, and the socket closes when the caller's handle goes too.
    // ANCHOR: track
    pub fn track(&self, stream: &TcpStream) -> Option<Tracked> {
        let handle = stream.try_clone().ok()?;
        let mut open = self.state.lock_open();
        // Checked under the lock that `stop` takes after setting the flag: a
        // connection is either seen by `stop` or refused here, never missed.
        if self.state.is_stopping() {
            return None;
        }
        let id = open.next_id;
        open.next_id += 1;
        open.streams.insert(id, handle);
        Some(Tracked {
            state: Arc::clone(&self.state),
            id,
        })
    }
    // ANCHOR_END: track

    /// True once a [`Stopper`] has asked the server to stop.
    pub fn is_stopping(&self) -> bool {
        self.state.is_stopping()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.state.lock_open().streams.remove(&self.id);
    }
}

impl Stopper {
    /// Stops the server: no connection is accepted any more, and every
    /// connection in progress is shut down (both directions), so that its
    /// handler reads end-of-file, or fails to write, and returns. Idempotent.
    ///
    /// Sets the flag, shuts the tracked connections down, then connects to
    /// the listener once to wake an `accept` that is waiting for a client.
    // ANCHOR: stop
    pub fn stop(&self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        for stream in self.state.lock_open().streams.values() {
            // `shutdown` acts on the socket, not on this handle: the handler's
            // own handle sees it too. An error means it is closed already.
            let _ = stream.shutdown(Shutdown::Both);
        }
        let _ = TcpStream::connect_timeout(&self.state.wake, WAKE_TIMEOUT);
    }
    // ANCHOR_END: stop
}

impl State {
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn lock_open(&self) -> MutexGuard<'_, Open> {
        // Nothing panics while holding this lock, so a poisoned lock still
        // holds a consistent list.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Decides what a failed `accept` means: `Ok(())` to go on, `Err` to stop.
fn survive_accept_error(err: io::Error) -> io::Result<()> {
    let out_of_resources = matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    );
    match err.kind() {
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted => {
            Ok(())
        }
        _ if out_of_resources => {
            eprintln!("socketserver: accept: {err}; pausing");
            thread::sleep(BACKOFF);
            Ok(())
        }
        _ => Err(err),
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
