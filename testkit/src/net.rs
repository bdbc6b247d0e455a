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

/// A connected pair on loopback, `(client, server)`: the client from
/// [`connect`] (timeouts, `TCP_NODELAY`), the server end as `accept` gave it
/// (blocking, no timeouts). For testing one connection's code without a server.
#[track_caller]
pub fn pair() -> (TcpStream, TcpStream) {
    let listener = listener();
    let client = connect(listener.local_addr().unwrap());
    let (server, _) = listener
        .accept()
        .expect("accepting the test's client failed");
    (client, server)
}

/// [`pair`], with small kernel buffers at both ends (16 KiB asked for each send
/// and receive buffer; Linux doubles what is asked, and autotuning is off), so
/// that a few hundred kilobytes fill every buffer on the way: the way to reach
/// "the socket will take no more" and backpressure quickly.
#[track_caller]
pub fn pair_with_small_buffers() -> (TcpStream, TcpStream) {
    const SMALL: usize = 16 * 1024;
    let listener = listener();
    let addr = listener.local_addr().unwrap();
    // An accepted socket inherits the listener's sizes, from the handshake on.
    let listening = socket2::SockRef::from(&listener);
    listening.set_recv_buffer_size(SMALL).unwrap();
    listening.set_send_buffer_size(SMALL).unwrap();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .expect("could not create a socket");
    // Before connect: the window announced in the handshake depends on them.
    socket.set_recv_buffer_size(SMALL).unwrap();
    socket.set_send_buffer_size(SMALL).unwrap();
    socket
        .connect_timeout(&addr.into(), IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("could not connect to {addr}: {}", explain(&e)));
    let client: TcpStream = socket.into();
    client.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    client.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    client.set_nodelay(true).unwrap();
    let (server, _) = listener
        .accept()
        .expect("accepting the test's client failed");
    (client, server)
}

/// How many bytes wait unread in `stream`'s receive buffer (`FIONREAD`): what
/// the peer sent that this end has not read yet.
#[cfg(unix)]
pub fn unread(stream: &TcpStream) -> usize {
    use std::os::fd::AsRawFd;
    let mut count: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int through the pointer, which points at a
    // live c_int; the descriptor is open for as long as `stream` is borrowed.
    let done = unsafe { libc::ioctl(stream.as_raw_fd(), libc::FIONREAD, &mut count) };
    assert!(
        done == 0,
        "ioctl(FIONREAD) failed: {}",
        io::Error::last_os_error()
    );
    usize::try_from(count).unwrap_or(0)
}

/// Waits until at least `n` bytes wait unread in `stream` (bytes a peer wrote
/// on loopback, on their way). Fails after [`IO_TIMEOUT`] with how many came.
#[cfg(unix)]
#[track_caller]
pub fn wait_unread(stream: &TcpStream, n: usize) {
    let until = std::time::Instant::now() + IO_TIMEOUT;
    loop {
        let waiting = unread(stream);
        if waiting >= n {
            return;
        }
        if std::time::Instant::now() > until {
            panic!(
                "the test waited {} s for {n} bytes to arrive in a socket; {waiting} came",
                IO_TIMEOUT.as_secs()
            );
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// Waits (without spinning) until `stream` has something to report to a reader:
/// bytes, end-of-file or an error. Fails after [`IO_TIMEOUT`].
#[cfg(unix)]
#[track_caller]
pub fn wait_readable(stream: &TcpStream) {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
    let millis = u16::try_from(IO_TIMEOUT.as_millis()).unwrap_or(u16::MAX);
    match poll(&mut fds, PollTimeout::from(millis)) {
        Ok(0) => panic!(
            "the test waited {} s for a socket to become readable; it never did",
            IO_TIMEOUT.as_secs()
        ),
        Ok(_) => {}
        Err(e) => panic!("poll failed in the test: {e}"),
    }
}

/// Closes `stream` with a reset (RST) instead of a FIN, the rudest way a peer
/// can go: the other end's next read fails with `ConnectionReset`.
pub fn reset(stream: TcpStream) {
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(stream);
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
