//! Servers on `127.0.0.1:0` and clients whose every wait is bounded.
//!
//! Port 0 asks the OS for any free port, so tests never collide with each other
//! or with a server the learner left running. Every client socket gets read and
//! write timeouts: a server that never answers makes the read fail after
//! [`IO_TIMEOUT`], and the helpers turn that into a message that says so.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long a test client waits for any single read or write.
pub const IO_TIMEOUT: Duration = Duration::from_secs(3);

/// Binds a listener on a free loopback port.
pub fn listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0")
}

/// Binds a UDP socket on a free loopback port, with [`IO_TIMEOUT`] on reads.
pub fn udp_socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("could not bind a UDP socket");
    socket.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    socket
}

/// A server running on its own thread, and the address it listens on.
pub struct Server {
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

/// Binds `127.0.0.1:0` and runs `serve(listener)` on a new thread.
///
/// The listener is bound *before* this returns, so a client may connect at once:
/// no sleep is needed to "let the server start".
pub fn spawn_server<F>(serve: F) -> Server
where
    F: FnOnce(TcpListener) + Send + 'static,
{
    let listener = listener();
    let addr = listener.local_addr().unwrap();
    let thread = thread::Builder::new()
        .name(format!("server {addr}"))
        .spawn(move || serve(listener))
        .expect("could not start the server thread");
    Server {
        addr,
        thread: Some(thread),
    }
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits at most `limit` for the server thread to return; re-raises its panic.
    #[track_caller]
    pub fn join_within(mut self, limit: Duration) {
        let thread = self.thread.take().expect("joined twice");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(thread.join());
        });
        match rx.recv_timeout(limit) {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => panic!(
                "the server did not stop within {} s after it was asked to\n  \
                 hint: check that the accept loop looks at its stop signal",
                limit.as_secs_f32()
            ),
        }
    }
}

/// Connects to `addr` with a connect timeout, read/write timeouts and `TCP_NODELAY`.
#[track_caller]
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("could not connect to the server at {addr}: {}", explain(&e)));
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    // Small writes go out at once, so chunked writes reach the peer as chunks.
    stream.set_nodelay(true).unwrap();
    stream
}

/// Connects a client whose receive buffer is small (16 KiB), so that a server's
/// writes to it fill up quickly and must wait until the socket takes more: the
/// way to test a server's outbox without sending hundreds of megabytes.
#[track_caller]
pub fn connect_with_small_receive_buffer(addr: SocketAddr) -> TcpStream {
    let domain = if addr.is_ipv4() {
        socket2::Domain::IPV4
    } else {
        socket2::Domain::IPV6
    };
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None)
        .expect("could not create a socket");
    // Before connect: the window announced in the handshake depends on it.
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    socket
        .connect_timeout(&addr.into(), IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("could not connect to the server at {addr}: {}", explain(&e)));
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}

/// True when an I/O error is a read/write timeout (the two kinds differ by OS).
pub fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// An I/O error a test client met, with what it means for the server under
/// test: `Connection reset by peer (os error 104)` alone says little to someone
/// who has not met a reset yet.
///
/// ```
/// use std::io::{Error, ErrorKind};
/// let text = testkit::net::explain(&Error::from(ErrorKind::ConnectionRefused));
/// assert!(text.contains("nothing listens"));
/// ```
pub fn explain(err: &io::Error) -> String {
    let meaning = match err.kind() {
        // A client socket's read or write timeout is EAGAIN on Linux, which
        // prints as "Resource temporarily unavailable".
        _ if is_timeout(err) => format!(
            "the socket's timeout ran out: nothing could be read or written for {} s",
            IO_TIMEOUT.as_secs()
        ),
        ErrorKind::ConnectionRefused => {
            "nothing listens at that address: the server is not running, or has closed \
             its listener"
                .into()
        }
        ErrorKind::ConnectionReset => "the server's side closed abruptly (a reset): it \
             closed the socket with bytes still unread, or its process or thread ended"
            .into(),
        ErrorKind::BrokenPipe => "the server had already closed the connection".into(),
        ErrorKind::ConnectionAborted => "the connection was aborted on this side".into(),
        _ => return err.to_string(),
    };
    format!("{err}: {meaning}")
}

/// Reads until the peer closes, failing the test if it goes silent instead.
#[track_caller]
pub fn read_to_end(stream: &mut TcpStream, what: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => bytes,
        Err(e) if is_timeout(&e) => panic!(
            "the server went silent for {} s while the test waited for {what}; \
             it had sent {} bytes (\"{}\") and never closed the connection\n  \
             hint: does the server close (or shut down) its side when it is done?",
            IO_TIMEOUT.as_secs(),
            bytes.len(),
            bytes[..bytes.len().min(80)].escape_ascii()
        ),
        Err(e) => panic!("reading {what} failed: {}", explain(&e)),
    }
}

/// A line-oriented client: send a line, receive a line, expect the end.
pub struct LineClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl LineClient {
    #[track_caller]
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = connect(addr);
        let writer = stream.try_clone().unwrap();
        Self {
            reader: BufReader::new(stream),
            writer,
        }
    }

    /// Sends `line` followed by `\n`.
    #[track_caller]
    pub fn send_line(&mut self, line: &str) {
        self.send_raw(format!("{line}\n").as_bytes());
    }

    /// Sends bytes exactly as given (no newline added).
    #[track_caller]
    pub fn send_raw(&mut self, bytes: &[u8]) {
        if let Err(e) = self.writer.write_all(bytes) {
            panic!("sending {} bytes to the server failed: {e}", bytes.len());
        }
    }

    /// Receives one line without its line ending; fails the test on silence or EOF.
    #[track_caller]
    pub fn recv_line(&mut self) -> String {
        match self.try_recv_line() {
            Ok(Some(line)) => line,
            Ok(None) => panic!(
                "the server closed the connection while the test waited for a line\n  \
                 hint: the server should answer before it closes"
            ),
            Err(e) if is_timeout(&e) => panic!(
                "no line from the server within {} s\n  \
                 hint: does the server end each reply with '\\n', and flush it?",
                IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!("reading a line from the server failed: {e}"),
        }
    }

    /// Receives one line, or `None` at end of stream.
    pub fn try_recv_line(&mut self) -> io::Result<Option<String>> {
        let mut raw = Vec::new();
        if self.reader.read_until(b'\n', &mut raw)? == 0 {
            return Ok(None);
        }
        while matches!(raw.last(), Some(b'\n' | b'\r')) {
            raw.pop();
        }
        Ok(Some(String::from_utf8_lossy(&raw).into_owned()))
    }

    /// Fails the test unless the server closes the connection (reads end of stream,
    /// or the connection is reset) with no further line.
    #[track_caller]
    pub fn expect_closed(&mut self) {
        match self.try_recv_line() {
            Ok(None) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Ok(Some(line)) => {
                panic!("expected the server to close the connection, but it sent {line:?}")
            }
            Err(e) if is_timeout(&e) => panic!(
                "expected the server to close the connection, but it stayed open and \
                 silent for {} s",
                IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!("expected a clean close, got the error {e}"),
        }
    }

    /// Half-closes: tells the server "no more requests" while still reading replies.
    pub fn finish_sending(&mut self) {
        let _ = self.writer.shutdown(Shutdown::Write);
    }

    /// The underlying stream, for tests that need raw access.
    pub fn stream(&mut self) -> &mut TcpStream {
        &mut self.writer
    }
}
