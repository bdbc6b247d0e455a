//! The server: one thread per connection, up to a limit, all sharing one store.

use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::Store;

/// What the server accepts. Every limit protects the server from a client: the
/// header limit from a 4 GiB "header", the file limit from a full disk, the
/// connection limit from running out of threads and file descriptors, the idle
/// timeout from clients that connect and say nothing (or stop halfway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest request header, in bytes. A real one is under 400.
    pub max_header_len: u32,
    /// The largest file a PUT may announce, in bytes.
    pub max_file_size: u64,
    /// How many connections are served at once; one more is told `busy`.
    pub max_connections: usize,
    /// How long one read or write on a connection may wait before the server
    /// gives up on that client (between requests and inside a body alike).
    pub idle_timeout: Duration,
}

impl Default for Limits {
    /// 64 KiB headers, 1 GiB files, 64 connections, 5 minutes of silence.
    fn default() -> Self {
        Self {
            max_header_len: 64 * 1024,
            max_file_size: 1 << 30,
            max_connections: 64,
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// A bound file server; [`Server::run`] serves until a [`Stopper`] stops it.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    store: Store,
    limits: Limits,
    stop: Arc<AtomicBool>,
}

/// Stops a running [`Server`] from another thread. Cloneable and `Send`.
#[derive(Clone, Debug)]
pub struct Stopper {
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl Server {
    /// Binds `addr` (use `127.0.0.1:0` in tests) to serve the files in the existing
    /// folder `root`, with the default [`Limits`].
    ///
    /// Errors: binding failed, or `root` is not a folder.
    pub fn bind(addr: impl ToSocketAddrs, root: impl Into<PathBuf>) -> io::Result<Server> {
        let root = root.into();
        if !root.is_dir() {
            return Err(io::Error::new(
                ErrorKind::NotFound,
                format!("{} is not a folder", root.display()),
            ));
        }
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            store: Store::new(root),
            limits: Limits::default(),
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The same server with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The folder whose files are served.
    pub fn root(&self) -> &Path {
        self.store.root()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A handle that stops [`Server::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            stop: Arc::clone(&self.stop),
            addr: self.local_addr(),
        }
    }

    /// Serves until stopped, one thread per connection; returns `Ok(())` after a
    /// stop.
    ///
    /// * Up to `max_connections` connections are served at once. One more gets
    ///   the error reply `busy` and is closed at once, without a thread.
    /// * Each connection's socket gets `idle_timeout` as its read and write
    ///   timeout, then its requests are answered in order until the client closes
    ///   its side, goes silent, or breaks the protocol (see the lesson's table).
    /// * A failing or panicking connection never stops the others or the server.
    ///
    /// Each request gets one reply (the lesson's table has the details):
    ///
    /// * LIST: `{"ok":true,"files":[…]}` from [`Store::list`].
    /// * GET: `bad_name`, `not_found` or `forbidden`; or the [`FileInfo`](crate::FileInfo)
    ///   header, then exactly `size` bytes of the file.
    /// * PUT: `too_large` if `size > max_file_size` and `bad_request` if `sha256` is
    ///   not 64 hex digits (the body is not read: close after replying);
    ///   `bad_name` after skipping the `size` body bytes; otherwise [`Store::put`]:
    ///   the stored file's `FileInfo`, or `checksum` / `forbidden` (the body was
    ///   read, the connection goes on), or, for a body cut short or an I/O error,
    ///   an error reply if the client still listens, then close.
    /// * DELETE: `{"ok":true,"name":…}`, or `bad_name`, `not_found`, `forbidden`.
    /// * A header that is not a request (not JSON, unknown op, missing field, over
    ///   `max_header_len`): `bad_request`, then close.
    /// * End of stream between requests: close quietly. End of stream inside a
    ///   header, a reset, or `idle_timeout` passing: close.
    /// * After a stop: no new connection is served; every open connection is shut
    ///   down (an upload in progress is discarded: no file, no temporary file);
    ///   `run` returns when every connection's thread has finished.
    pub fn run(self) -> io::Result<()> {
        todo!(
            "accept in a loop (check the stop flag after each accept); count open \
             connections against max_connections (busy reply over it); one thread per \
             connection answering requests until EOF; on stop shut every open connection \
             down and join their threads \
             (lesson 05.10, 'One thread per connection, and why not a pool') \
             (lesson 05.10, 'The conversation')"
        )
    }
}

impl Stopper {
    /// Asks the server to stop. Returns at once; `run` returns soon after.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // `accept` blocks until a connection arrives, so arrive: the accept loop
        // wakes, sees the flag and ends. A failure means it has ended already.
        let _ = TcpStream::connect_timeout(&reachable(self.addr), Duration::from_secs(1));
    }
}

/// The address to connect to in order to reach a listener bound to `addr`:
/// a listener on 0.0.0.0 or [::] is reached through the loopback address.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, v4.port()))
        }
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, v6.port()))
        }
        other => other,
    }
}
