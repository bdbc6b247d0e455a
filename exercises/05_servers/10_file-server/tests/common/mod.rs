//! Helpers shared by the test files: test data, a root folder, a running server, and
//! a wire-level client written independently of the crate.
#![allow(dead_code)] // each test file uses a different subset

use std::fs;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use file_server::{Limits, Server, Stopper};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use testkit::{deadline, net};

/// `len` bytes that look random (a swapped or dropped byte changes the hash) and
/// are the same on every run for the same `seed`.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The SHA-256 of `data` in lowercase hex, computed independently of the crate.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `[u32 big-endian len][json]`, built by hand.
pub fn frame(json: &str) -> Vec<u8> {
    let mut out = (json.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(json.as_bytes());
    out
}

/// A PUT request for `body` under `name`, body included, as the lesson specifies.
pub fn put_request(name: &str, body: &[u8]) -> Vec<u8> {
    let json = format!(
        r#"{{"op":"put","name":{},"size":{},"sha256":"{}"}}"#,
        Value::from(name),
        body.len(),
        sha256_hex(body)
    );
    let mut out = frame(&json);
    out.extend_from_slice(body);
    out
}

/// A request with only a name: `{"op":OP,"name":NAME}`.
pub fn named(op: &str, name: &str) -> String {
    format!(r#"{{"op":"{op}","name":{}}}"#, Value::from(name))
}

/// Limits for tests: roomy, but with an idle timeout short enough that a server
/// left waiting on a silent test client gives up well within a test's deadline.
pub fn limits() -> Limits {
    Limits {
        max_header_len: 64 * 1024,
        max_file_size: 64 << 20,
        max_connections: 64,
        idle_timeout: Duration::from_secs(3),
    }
}

/// A scratch folder holding the server's root `files/` and, beside it, a file the
/// server must never serve or touch: `outside.txt`.
pub struct Root {
    pub dir: TempDir,
    pub files: PathBuf,
    pub outside: PathBuf,
}

pub const OUTSIDE_SECRET: &[u8] = b"outside the root: never to be served\n";

impl Root {
    pub fn new() -> Self {
        let dir = TempDir::new().expect("could not create a temporary folder");
        let files = dir.path().join("files");
        fs::create_dir(&files).expect("could not create the root folder");
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, OUTSIDE_SECRET).unwrap();
        Self {
            dir,
            files,
            outside,
        }
    }

    /// Creates `name` in the root with `body`, directly on disk.
    pub fn write(&self, name: &str, body: &[u8]) -> PathBuf {
        let path = self.files.join(name);
        fs::write(&path, body).unwrap();
        path
    }

    /// Every entry in the root, sorted, hidden ones (temporary files) included.
    pub fn listing(&self) -> Vec<String> {
        listing(&self.files)
    }

    /// Fails unless the root holds exactly `want` and nothing escaped next to it.
    #[track_caller]
    pub fn expect_exactly(&self, want: &[&str], after: &str) {
        testkit::expect::eq(
            &format!("the files in the root after {after}"),
            &self.listing(),
            &want.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "a failed or refused upload leaves nothing, not even a temporary file: \
             write into a temporary file in the root and rename it only when the body \
             is complete and its checksum right; a NamedTempFile deletes itself when \
             dropped",
        );
        testkit::expect::eq(
            &format!("the folder around the root after {after}"),
            &listing(self.dir.path()),
            &vec!["files".to_string(), "outside.txt".to_string()],
            "nothing may be created outside the root",
        );
        testkit::expect::eq(
            "outside.txt, next to the root",
            fs::read(&self.outside).unwrap().as_slice(),
            OUTSIDE_SECRET,
            "a file outside the root must never be changed",
        );
    }
}

/// Every entry in `dir`, sorted, hidden ones included.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("could not list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A server running `Server::run` on its own thread.
pub struct Running {
    pub addr: SocketAddr,
    stopper: Stopper,
    done: mpsc::Receiver<thread::Result<io::Result<()>>>,
}

/// Binds `127.0.0.1:0` over `root` with `limits` and runs the server on a thread.
#[track_caller]
pub fn start(root: &Path, limits: Limits) -> Running {
    let server = Server::bind("127.0.0.1:0", root)
        .expect("Server::bind on 127.0.0.1:0 failed")
        .with_limits(limits);
    testkit::expect::eq(
        "Server::limits after Server::with_limits",
        server.limits(),
        &limits,
        "with_limits replaces the default limits, and limits() returns them",
    );
    let addr = server.local_addr();
    let stopper = server.stopper();
    let (tx, done) = mpsc::channel();
    thread::Builder::new()
        .name("file-server under test".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.run()));
            let _ = tx.send(outcome);
        })
        .unwrap();
    Running {
        addr,
        stopper,
        done,
    }
}

impl Running {
    /// Stops the server and waits for `run` to return `Ok(())`. After this every
    /// connection's thread has finished, so the root is in its final state.
    #[track_caller]
    pub fn stop(self) {
        self.stopper.stop();
        match self.done.recv_timeout(deadline::DEFAULT) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => panic!("Server::run returned an error after a stop: {e}"),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => panic!(
                "Server::run did not return within {} s of stopper.stop()\n  \
                 hint: after the accept loop ends, shut down every open connection \
                 (a thread blocked reading a request never wakes up otherwise), then \
                 join the connection threads",
                deadline::DEFAULT.as_secs()
            ),
        }
    }

    pub fn wire(&self) -> Wire {
        Wire::connect(self.addr)
    }
}

/// Connects like a client at the far end of a real network: segments of at most
/// 1460 bytes (Ethernet's, where loopback allows 64 KiB) and a 16 KiB receive
/// buffer. Both kernels then size this connection's buffers in tens of KiB
/// instead of megabytes, so a server (or client) that sends a file of a MiB is
/// still reading it when the test acts. Read and write timeouts as
/// [`net::connect`].
#[track_caller]
pub fn connect_over_a_narrow_link(addr: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )
    .expect("could not create a socket");
    // Both before connect: the handshake announces them.
    socket.set_tcp_mss(1460).expect("could not set TCP_MAXSEG");
    socket
        .set_recv_buffer_size(16 * 1024)
        .expect("could not set SO_RCVBUF");
    socket
        .connect_timeout(&addr.into(), net::IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("could not connect to {addr}: {}", net::explain(&e)));
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(net::IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(net::IO_TIMEOUT)).unwrap();
    stream
}

/// A reply: its JSON header, and the body that followed it (GET only).
#[derive(Debug)]
pub struct Reply {
    pub header: Value,
    pub body: Option<Vec<u8>>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.header["ok"] == Value::Bool(true)
    }

    pub fn code(&self) -> Option<&str> {
        self.header["code"].as_str()
    }
}

/// A raw protocol client: sends frames built by the test, reads replies by hand.
pub struct Wire {
    pub stream: TcpStream,
}

impl Wire {
    #[track_caller]
    pub fn connect(addr: SocketAddr) -> Self {
        Self {
            stream: net::connect(addr),
        }
    }

    #[track_caller]
    pub fn send_raw(&mut self, bytes: &[u8]) {
        if let Err(e) = self.stream.write_all(bytes) {
            panic!("sending {} bytes to the server failed: {e}", bytes.len());
        }
    }

    #[track_caller]
    pub fn send(&mut self, json: &str) {
        self.send_raw(&frame(json));
    }

    /// Sends a header-only request and reads its reply (and a GET's body).
    #[track_caller]
    pub fn request(&mut self, json: &str) -> Reply {
        self.send(json);
        self.reply(json)
    }

    #[track_caller]
    pub fn list(&mut self) -> Reply {
        self.request(r#"{"op":"list"}"#)
    }

    #[track_caller]
    pub fn get(&mut self, name: &str) -> Reply {
        self.request(&named("get", name))
    }

    #[track_caller]
    pub fn delete(&mut self, name: &str) -> Reply {
        self.request(&named("delete", name))
    }

    #[track_caller]
    pub fn put(&mut self, name: &str, body: &[u8]) -> Reply {
        self.send_raw(&put_request(name, body));
        self.reply(&format!("a PUT of {name:?}"))
    }

    /// Reads one reply header, and for a successful GET (`request` starts with
    /// `{"op":"get"`) the `size` bytes after it.
    #[track_caller]
    pub fn reply(&mut self, request: &str) -> Reply {
        let header = match self.try_header() {
            Ok(Some(header)) => header,
            Ok(None) => panic!(
                "the server closed the connection instead of answering {request}\n  \
                 hint: every request gets exactly one reply frame; only a request the \
                 server cannot parse ends the connection (after a bad_request reply)"
            ),
            Err(e) if net::is_timeout(&e) => panic!(
                "no reply to {request} within {} s\n  \
                 hint: is the reply written as [u32 big-endian length][JSON] in one \
                 frame, and is every request on a connection answered in turn?",
                net::IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!("reading the reply to {request} failed: {e}"),
        };
        let mut reply = Reply { header, body: None };
        if request.starts_with(r#"{"op":"get""#) && reply.ok() {
            let size = reply.header["size"].as_u64().unwrap_or_else(|| {
                panic!(
                    "the reply to {request} has no numeric size: {}\n  \
                     hint: a GET reply is {{\"ok\":true,\"name\":…,\"size\":…,\"sha256\":…}}",
                    reply.header
                )
            });
            reply.body = Some(self.body(size, request));
        }
        reply
    }

    /// Reads one frame and parses it as JSON; `None` at a clean end of stream.
    pub fn try_header(&mut self) -> io::Result<Option<Value>> {
        let mut prefix = [0u8; 4];
        let mut filled = 0;
        while filled < 4 {
            match self.stream.read(&mut prefix[filled..])? {
                0 if filled == 0 => return Ok(None),
                0 => return Err(ErrorKind::UnexpectedEof.into()),
                n => filled += n,
            }
        }
        let len = u32::from_be_bytes(prefix) as usize;
        assert!(
            len <= 1 << 20,
            "the server sent a header length of {len} bytes\n  \
             hint: the length prefix is the JSON's length as a u32, big-endian"
        );
        let mut json = vec![0; len];
        self.stream.read_exact(&mut json)?;
        match serde_json::from_slice(&json) {
            Ok(header) => Ok(Some(header)),
            Err(e) => panic!(
                "the server's reply header is not JSON ({e}): \"{}\"",
                json.escape_ascii()
            ),
        }
    }

    #[track_caller]
    pub fn body(&mut self, size: u64, request: &str) -> Vec<u8> {
        let mut body = Vec::new();
        match (&mut self.stream).take(size).read_to_end(&mut body) {
            Ok(_) if body.len() as u64 == size => body,
            Ok(_) => panic!(
                "the body of the reply to {request} ended after {} of {size} bytes\n  \
                 hint: after the header, send exactly size bytes of the file",
                body.len()
            ),
            Err(e) => panic!(
                "reading the body of the reply to {request} failed after {} of {size} \
                 bytes: {e}",
                body.len()
            ),
        }
    }

    /// Fails unless the server closes the connection (end of stream or reset)
    /// without sending anything more.
    #[track_caller]
    pub fn expect_closed(&mut self, after: &str) {
        match self.try_header() {
            Ok(None) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Ok(Some(header)) => panic!(
                "expected the server to close the connection after {after}, but it sent \
                 {header}"
            ),
            Err(e) if net::is_timeout(&e) => panic!(
                "expected the server to close the connection after {after}, but it stayed \
                 open for {} s\n  hint: after this error the stream is out of step; \
                 reply, then end the connection",
                net::IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!("expected a clean close after {after}, got the error {e}"),
        }
    }

    /// Resets the connection (linger 0 + close): the rudest way to vanish.
    pub fn vanish(self) {
        socket2::SockRef::from(&self.stream)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(self);
    }
}

/// Fails unless `reply` is an error with `code`.
#[track_caller]
pub fn expect_error(reply: &Reply, code: &str, what: &str, hint: &str) {
    testkit::expect::that(
        reply.header["ok"] == Value::Bool(false) && reply.code() == Some(code),
        &format!("{what}: expected {{\"ok\":false,\"code\":\"{code}\",…}}"),
        &reply.header,
        hint,
    );
    testkit::expect::that(
        reply.header["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        &format!("{what}: the error reply carries a message in \"error\""),
        &reply.header,
        "an error reply is {\"ok\":false,\"code\":…,\"error\":\"words for a person\"}",
    );
}

/// Fails unless `reply` is a success.
#[track_caller]
pub fn expect_ok(reply: &Reply, what: &str) {
    testkit::expect::that(
        reply.ok(),
        &format!("{what}: expected {{\"ok\":true,…}}"),
        &reply.header,
        "",
    );
}

impl Wire {
    /// Reads to the end of the connection, allowing error replies before it: for a
    /// server that may say why it gives up (a cut body, a timeout) before closing.
    /// Fails if a success reply arrives or the connection stays open.
    #[track_caller]
    pub fn expect_end(&mut self, after: &str) {
        loop {
            match self.try_header() {
                Ok(None) => return,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return,
                Ok(Some(header)) if header["ok"] == Value::Bool(false) => continue,
                Ok(Some(header)) => panic!(
                    "expected the server to end the connection after {after}, but it \
                     sent {header}"
                ),
                Err(e) if net::is_timeout(&e) => panic!(
                    "expected the server to end the connection after {after}, but it \
                     stayed open for {} s\n  hint: when a body is cut short or the \
                     client goes silent, drop the upload (its temporary file) and close",
                    net::IO_TIMEOUT.as_secs()
                ),
                Err(e) => panic!("expected a clean end after {after}, got the error {e}"),
            }
        }
    }
}

/// The message of a client thread stopped because another one failed first.
const ABORTED: &str = "stopped: another client failed first (its message is above)";

/// Runs `clients` client threads at once. Each calls `checkpoint()` at the same
/// points; nobody goes past a checkpoint until every client still running has
/// reached it. If a client fails, the others are released with a panic of their
/// own at their next checkpoint, and the first real failure is raised here.
#[track_caller]
pub fn together<F>(clients: usize, body: F)
where
    F: Fn(usize, &dyn Fn()) + Send + Sync + 'static,
{
    enum Event {
        Ready(usize),
        Finished(bool),
    }
    let body = std::sync::Arc::new(body);
    let (events, event_rx) = mpsc::channel();
    let mut go: Vec<Option<mpsc::Sender<()>>> = Vec::new();
    let mut threads = Vec::new();
    for id in 0..clients {
        let (go_tx, go_rx) = mpsc::channel::<()>();
        go.push(Some(go_tx));
        let events = events.clone();
        let body = std::sync::Arc::clone(&body);
        threads.push(thread::spawn(move || {
            let checkpoint = || {
                let _ = events.send(Event::Ready(id));
                if go_rx.recv().is_err() {
                    panic!("{ABORTED}");
                }
            };
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(id, &checkpoint)));
            let _ = events.send(Event::Finished(outcome.is_err()));
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
        }));
    }
    drop(events);

    let mut running = clients;
    let mut waiting = Vec::new();
    while running > 0 {
        match event_rx.recv_timeout(net::IO_TIMEOUT * 3) {
            Ok(Event::Ready(id)) => waiting.push(id),
            Ok(Event::Finished(failed)) => {
                running -= 1;
                if failed {
                    go.iter_mut().for_each(|tx| *tx = None);
                }
            }
            // Somebody hangs: release everyone waiting; the hung one's reads time out.
            Err(mpsc::RecvTimeoutError::Timeout) => go.iter_mut().for_each(|tx| *tx = None),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if running > 0 && waiting.len() == running {
            for id in waiting.drain(..) {
                if let Some(tx) = &go[id] {
                    let _ = tx.send(());
                }
            }
        }
    }

    let mut first_failure = None;
    for thread in threads {
        if let Err(panic) = thread.join() {
            let aborted = panic
                .downcast_ref::<String>()
                .is_some_and(|text| text.contains(ABORTED));
            if !aborted && first_failure.is_none() {
                first_failure = Some(panic);
            }
        }
    }
    if let Some(panic) = first_failure {
        std::panic::resume_unwind(panic);
    }
}
