//! The server: one thread per connection, up to a limit, all sharing one store.

use std::collections::HashMap;
use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::body::copy_exact;
use crate::protocol::{self, Deleted, ErrorCode, Listing, Request, RequestError};
use crate::{FileName, Store, StoreError};

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

    // ANCHOR: run
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
        let store = Arc::new(self.store);
        let limits = self.limits;
        let open = Arc::new(OpenConnections::default());
        let mut workers: Vec<JoinHandle<()>> = Vec::new();

        for stream in self.listener.incoming() {
            // The Stopper wakes this blocking accept by connecting to us; whatever
            // was accepted after a stop is dropped unserved.
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    accept_failed(&e);
                    continue;
                }
            };
            workers.retain(|worker| !worker.is_finished());
            let Some(slot) = open.admit(&stream, limits.max_connections) else {
                refuse_busy(stream, limits.max_connections);
                continue;
            };
            let store = Arc::clone(&store);
            let spawned = thread::Builder::new()
                .name("file-server connection".into())
                .spawn(move || {
                    // Held for the whole conversation: dropping it frees the slot.
                    let _slot = slot;
                    serve(stream, &store, &limits);
                });
            match spawned {
                Ok(worker) => workers.push(worker),
                // The closure, and the stream and slot in it, are dropped: the
                // client sees its connection close.
                Err(e) => eprintln!("file-server: could not start a thread: {e}"),
            }
        }

        open.shut_down_all();
        for worker in workers {
            // A panicking connection already printed its message; the others
            // must still be waited for.
            let _ = worker.join();
        }
        Ok(())
    }
    // ANCHOR_END: run
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

// ANCHOR: open_connections
/// The connections being served: counted for the limit, and kept (as a second
/// handle on each socket) so a stop can shut them all down.
#[derive(Debug, Default)]
struct OpenConnections {
    streams: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

/// One admitted connection's place; leaving (on drop) frees it for the next client.
struct Slot {
    id: u64,
    open: Arc<OpenConnections>,
}

impl OpenConnections {
    /// Admits `stream` if fewer than `max` connections are open.
    fn admit(self: &Arc<Self>, stream: &TcpStream, max: usize) -> Option<Slot> {
        let mut streams = self.lock();
        if streams.len() >= max {
            return None;
        }
        let handle = stream.try_clone().ok()?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        streams.insert(id, handle);
        Some(Slot {
            id,
            open: Arc::clone(self),
        })
    }

    /// Shuts down every open connection: a thread blocked reading a request or a
    /// body wakes up with end-of-file (or an error) and finishes.
    fn shut_down_all(&self) {
        for stream in self.lock().values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
        // A thread that panicked while holding the lock cannot have left the map
        // half-changed (insert and remove are single calls): keep using it.
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.lock().remove(&self.id);
    }
}
// ANCHOR_END: open_connections

/// Logs a failed `accept`. Most failures concern one connection (it was reset
/// before we took it); running out of file descriptors is worth a short pause,
/// or the loop would spin on the same error.
fn accept_failed(err: &io::Error) {
    eprintln!("file-server: accept failed: {err}");
    if matches!(
        err.raw_os_error(),
        Some(nix::libc::EMFILE | nix::libc::ENFILE | nix::libc::ENOBUFS | nix::libc::ENOMEM)
    ) {
        thread::sleep(Duration::from_millis(100));
    }
}

/// Tells a client over the limit why it is turned away, then closes.
fn refuse_busy(mut stream: TcpStream, max: usize) {
    // Never let a client that does not read hold up the accept loop.
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let why = format!("the server is busy ({max} connections); try again later");
    let _ = protocol::write_error(&mut stream, ErrorCode::Busy, &why);
    let _ = stream.shutdown(Shutdown::Write);
}

/// Serves one connection to its end; problems are logged, never raised.
fn serve(stream: TcpStream, store: &Store, limits: &Limits) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let outcome = stream
        .set_read_timeout(Some(limits.idle_timeout))
        .and_then(|()| stream.set_write_timeout(Some(limits.idle_timeout)))
        .and_then(|()| {
            Session {
                stream,
                store,
                limits,
            }
            .run()
        });
    if let Err(e) = outcome {
        eprintln!("file-server: {peer}: {e}");
    }
}

/// After a request: go on reading requests, or close the connection.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Continue,
    Close,
}

/// One client's conversation.
struct Session<'a> {
    stream: TcpStream,
    store: &'a Store,
    limits: &'a Limits,
}

impl Session<'_> {
    // ANCHOR: session
    /// Answers requests in order until the client is done or the stream is lost.
    fn run(&mut self) -> io::Result<()> {
        loop {
            let request = match protocol::read_request(&mut self.stream, self.limits.max_header_len)
            {
                Ok(Some(request)) => request,
                // A clean end between requests: the client is done.
                Ok(None) => return Ok(()),
                // Cut off, reset or silent: nobody left to answer.
                Err(RequestError::Io(e)) => return Err(e),
                // Not a request: say so, then close, since the stream can no
                // longer be trusted to be at the start of the next header.
                Err(bad) => {
                    self.refuse(ErrorCode::BadRequest, &bad.to_string())?;
                    return Ok(());
                }
            };
            let next = match request {
                Request::List => self.list()?,
                Request::Get { name } => self.get(&name)?,
                Request::Put { name, size, sha256 } => self.put(&name, size, &sha256)?,
                Request::Delete { name } => self.delete(&name)?,
            };
            if next == Next::Close {
                return Ok(());
            }
        }
    }
    // ANCHOR_END: session

    fn list(&mut self) -> io::Result<Next> {
        match self.store.list() {
            Ok(files) => protocol::write_ok(&mut self.stream, &Listing { files })?,
            Err(e) => self.refuse(ErrorCode::Io, &format!("cannot list the files: {e}"))?,
        }
        Ok(Next::Continue)
    }

    // ANCHOR: get
    fn get(&mut self, name: &str) -> io::Result<Next> {
        let Some(name) = self.check_name(name)? else {
            return Ok(Next::Continue);
        };
        let mut download = match self.store.get(&name) {
            Ok(download) => download,
            Err(e) => {
                self.refuse(e.code(), &explain(&name, &e))?;
                return Ok(Next::Continue);
            }
        };
        protocol::write_ok(&mut self.stream, &download.info)?;
        let size = download.info.size;
        let sent = copy_exact(&mut download.file, &mut self.stream, size)?;
        if sent < size {
            // The file shrank under us (someone truncated it in place): the
            // client waits for bytes that will never come. Only closing tells it.
            eprintln!("file-server: {name} shrank while being sent");
            return Ok(Next::Close);
        }
        Ok(Next::Continue)
    }
    // ANCHOR_END: get

    // ANCHOR: put
    fn put(&mut self, name: &str, size: u64, sha256: &str) -> io::Result<Next> {
        // The body is on its way. Refusals that leave it unread must close the
        // connection; refusals after it was read (or skipped) need not.
        if size > self.limits.max_file_size {
            let why = format!(
                "a file of {size} bytes is over the limit of {}",
                self.limits.max_file_size
            );
            self.refuse(ErrorCode::TooLarge, &why)?;
            return Ok(Next::Close);
        }
        if !protocol::is_sha256_hex(sha256) {
            let why = format!("sha256 must be 64 hex digits, got {sha256:?}");
            self.refuse(ErrorCode::BadRequest, &why)?;
            return Ok(Next::Close);
        }
        let name = match FileName::new(name) {
            Ok(name) => name,
            Err(why) => {
                // Skip the body (it is within the limit) so that the next request
                // is read from where it starts. If the body is cut short, the
                // client is answered all the same (as for any cut upload), and
                // the next read finds the end of the stream.
                copy_exact(&mut self.stream, &mut io::sink(), size)?;
                self.refuse(ErrorCode::BadName, &format!("bad name {name:?}: {why}"))?;
                return Ok(Next::Continue);
            }
        };
        match self.store.put(&name, size, sha256, &mut self.stream) {
            Ok(info) => {
                protocol::write_ok(&mut self.stream, &info)?;
                Ok(Next::Continue)
            }
            // The whole body was read: the stream is still in step.
            Err(e @ (StoreError::Checksum { .. } | StoreError::Forbidden)) => {
                self.refuse(e.code(), &explain(&name, &e))?;
                Ok(Next::Continue)
            }
            // Cut short, or failed somewhere in the middle: answer if the client
            // still listens, then close. The store has removed its temporary file.
            Err(e) => {
                let _ = self.refuse(e.code(), &explain(&name, &e));
                Ok(Next::Close)
            }
        }
    }
    // ANCHOR_END: put

    fn delete(&mut self, name: &str) -> io::Result<Next> {
        let Some(name) = self.check_name(name)? else {
            return Ok(Next::Continue);
        };
        match self.store.delete(&name) {
            Ok(()) => protocol::write_ok(
                &mut self.stream,
                &Deleted {
                    name: name.to_string(),
                },
            )?,
            Err(e) => self.refuse(e.code(), &explain(&name, &e))?,
        }
        Ok(Next::Continue)
    }

    /// The name as a [`FileName`], or `None` after replying `bad_name`.
    fn check_name(&mut self, name: &str) -> io::Result<Option<FileName>> {
        match FileName::new(name) {
            Ok(name) => Ok(Some(name)),
            Err(why) => {
                self.refuse(ErrorCode::BadName, &format!("bad name {name:?}: {why}"))?;
                Ok(None)
            }
        }
    }

    fn refuse(&mut self, code: ErrorCode, why: &str) -> io::Result<()> {
        protocol::write_error(&mut self.stream, code, why)
    }
}

/// An error message that names the file: "no file named "a.txt"".
fn explain(name: &FileName, err: &StoreError) -> String {
    match err {
        StoreError::NotFound => format!("no file named {:?}", name.as_str()),
        StoreError::Forbidden => format!("{:?} is not a regular file", name.as_str()),
        other => format!("{:?}: {other}", name.as_str()),
    }
}
