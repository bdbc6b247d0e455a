//! Step 1: `serve` and `handle_client`, the iterative echo server. Run these
//! tests alone with `cargo test --test 01_server`.
//!
//! Each test starts `serve` on its own loopback port in a thread and talks to
//! it with plain `TcpStream`s.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use socket2::SockRef;
use tcp_echo::{handle_client, serve};
use testkit::net::is_timeout;
use testkit::transcript::Transcript;
use testkit::{deadline::DEFAULT, expect, within};

/// How long a test waits for bytes the server should send. Loopback answers in
/// microseconds; two seconds is slack for a busy machine.
const REPLY_WAIT: Duration = Duration::from_secs(2);

/// How often a waiting test looks whether `serve` has died.
const POLL: Duration = Duration::from_millis(50);

/// How long client B waits, in the iterative test, to see that no echo comes
/// while the server is busy with A. Waiting *is* the observation.
const BUSY_WAIT: Duration = Duration::from_millis(200);

type Outcome = thread::Result<io::Result<()>>;

/// `serve` running on its own thread.
struct Running {
    addr: SocketAddr,
    done: mpsc::Receiver<Outcome>,
}

fn start() -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let (report, done) = mpsc::channel();
    thread::Builder::new()
        .name(format!("tcp server {addr}"))
        .spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| serve(listener)));
            let _ = report.send(outcome);
        })
        .unwrap();
    Running { addr, done }
}

impl Running {
    /// Connects a client whose reads give up after [`POLL`] (the helpers below
    /// retry until [`REPLY_WAIT`]), so a dead server is noticed at once.
    #[track_caller]
    fn connect(&self) -> TcpStream {
        let stream = match TcpStream::connect_timeout(&self.addr, REPLY_WAIT) {
            Ok(stream) => stream,
            Err(err) => {
                self.fail_if_ended(POLL);
                panic!("could not connect to the server at {}: {err}", self.addr)
            }
        };
        stream.set_read_timeout(Some(POLL)).unwrap();
        stream.set_write_timeout(Some(REPLY_WAIT)).unwrap();
        stream.set_nodelay(true).unwrap();
        stream
    }

    /// Reads exactly `len` bytes, failing the test if they do not come.
    #[track_caller]
    fn read_exact(&self, stream: &mut TcpStream, len: usize, what: &str) -> Vec<u8> {
        let mut got = Vec::with_capacity(len);
        let mut buf = vec![0u8; len.min(64 * 1024)];
        let mut quiet_since = Instant::now();
        while got.len() < len {
            let want = (len - got.len()).min(buf.len());
            match stream.read(&mut buf[..want]) {
                Ok(0) => panic!(
                    "the server closed the connection after {} of the {len} bytes of {what}\n  \
                     hint: close only after read returned 0 (the client half-closed), and \
                     write_all every byte you read before that",
                    got.len()
                ),
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    // The limit is on silence, not on the whole transfer.
                    quiet_since = Instant::now();
                }
                Err(err) => self.on_read_error(err, quiet_since, &got, what),
            }
        }
        got
    }

    /// Reads until the server closes the connection.
    #[track_caller]
    fn read_to_end(&self, stream: &mut TcpStream, what: &str) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut quiet_since = Instant::now();
        loop {
            match stream.read(&mut buf) {
                Ok(0) => return got,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    // The limit is on silence, not on the whole transfer.
                    quiet_since = Instant::now();
                }
                Err(err) => self.on_read_error(err, quiet_since, &got, what),
            }
        }
    }

    #[track_caller]
    fn on_read_error(&self, err: io::Error, quiet_since: Instant, got: &[u8], what: &str) {
        if !is_timeout(&err) {
            // A dead server resets its queued clients: say why, if that is it.
            self.fail_if_ended(POLL);
            panic!("reading {what} failed: {err}");
        }
        self.fail_if_ended(Duration::ZERO);
        if quiet_since.elapsed() >= REPLY_WAIT {
            panic!(
                "the server went silent for {} s while the test waited for {what}; it had \
                 sent {} bytes (\"{}\") and had not closed the connection\n  \
                 hint: echo each piece as soon as you read it, and close the connection \
                 once read returns 0",
                REPLY_WAIT.as_secs(),
                got.len(),
                text(&got[..got.len().min(60)])
            );
        }
    }

    /// If `serve` has returned or panicked (or does so within `wait`), fails
    /// the test with that.
    #[track_caller]
    fn fail_if_ended(&self, wait: Duration) {
        match self.done.recv_timeout(wait) {
            Err(_) => {}
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Ok(Ok(result)) => panic!(
                "serve() returned {result:?}; it should serve clients for ever\n  \
                 hint: report an error with one client (eprintln!) and accept the next; \
                 return only when accept itself fails for good"
            ),
        }
    }
}

fn send(stream: &mut TcpStream, bytes: &[u8]) {
    expect::ok(
        &format!("sending {} bytes to the server", bytes.len()),
        stream.write_all(bytes),
        "the server should be reading what the client sends",
    );
}

fn half_close(stream: &TcpStream) {
    expect::ok(
        "shutting down the client's sending side",
        stream.shutdown(Shutdown::Write),
        "the connection should still be open at this point",
    );
}

/// `handle_client` on the server's end of a fresh loopback connection, on its
/// own thread. Returns the client's end and where the result will come.
fn handle_on_a_thread() -> (TcpStream, mpsc::Receiver<thread::Result<io::Result<u64>>>) {
    let (client, server_end) = testkit::net::pair();
    let (report, done) = mpsc::channel();
    thread::spawn(move || {
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| handle_client(server_end)));
        let _ = report.send(outcome);
    });
    (client, done)
}

/// The result of `handle_client`, which should have returned by now.
#[track_caller]
fn handled(done: &mpsc::Receiver<thread::Result<io::Result<u64>>>, what: &str) -> io::Result<u64> {
    match done.recv_timeout(REPLY_WAIT) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => panic::resume_unwind(panic),
        Err(_) => panic!(
            "handle_client() had not returned {} s after {what}\n  hint: return once read \
             returns 0, or at the first read or write error",
            REPLY_WAIT.as_secs()
        ),
    }
}

/// Bytes as text with everything but printable ASCII escaped (`\xff`), so that
/// failure messages show `"hello"` rather than numbers, and show every byte.
fn text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// 1 MiB whose bytes depend on their position, so a lost, doubled or moved
/// piece shows.
fn mebibyte() -> Vec<u8> {
    (0..1024 * 1024u32)
        .map(|i| (i ^ (i >> 8) ^ (i >> 16)) as u8)
        .collect()
}

/// Where two byte strings first differ, for a readable failure message.
fn first_difference(got: &[u8], want: &[u8]) -> String {
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(at) => format!("first difference at byte {at}"),
        None => format!("{} bytes came back instead of {}", got.len(), want.len()),
    }
}

#[test]
fn echoes_until_the_client_half_closes() {
    within(DEFAULT, "an echo after a half-close", || {
        let server = start();
        let mut client = server.connect();
        send(&mut client, b"hello, tcp");
        half_close(&client);
        let echo = server.read_to_end(&mut client, "the echo of \"hello, tcp\"");
        expect::eq(
            "everything the server sent before closing",
            text(&echo).as_str(),
            "hello, tcp",
            "read until read returns 0, writing back each piece; then close",
        );
    });
}

#[test]
fn echoes_each_piece_as_it_arrives() {
    within(DEFAULT, "echoes before the end of the request", || {
        let server = start();
        let mut client = server.connect();
        for piece in ["ping", "pong", "done"] {
            send(&mut client, piece.as_bytes());
            let echo =
                server.read_exact(&mut client, piece.len(), &format!("the echo of {piece:?}"));
            expect::eq(
                "the echo of one piece, before the client half-closed",
                text(&echo).as_str(),
                piece,
                "write back what each read returned at once; do not collect the whole \
                 request first (the client has not half-closed yet)",
            );
        }
        half_close(&client);
        let rest = server.read_to_end(&mut client, "end-of-file after the last echo");
        expect::eq(
            "bytes after the last echo",
            text(&rest).as_str(),
            "",
            "every piece was echoed once already",
        );
    });
}

#[test]
fn an_empty_conversation_ends_cleanly() {
    within(DEFAULT, "end-of-file from the server", || {
        let server = start();
        let mut client = server.connect();
        half_close(&client);
        let echo = server.read_to_end(&mut client, "end-of-file (no bytes were sent)");
        expect::eq(
            "what the server sent to a client that sent nothing",
            text(&echo).as_str(),
            "",
            "read returns 0 at once: that is end-of-file, so close the connection",
        );
        // The server is free again: a second client is served.
        let mut next = server.connect();
        send(&mut next, b"next");
        half_close(&next);
        let echo = server.read_to_end(&mut next, "the echo to the next client");
        expect::eq(
            "the echo to the next client",
            text(&echo).as_str(),
            "next",
            "after one client, accept the next",
        );
    });
}

#[test]
fn echoes_one_mebibyte_intact() {
    within(DEFAULT, "the echo of 1 MiB", || {
        let server = start();
        let mut client = server.connect();
        let payload = mebibyte();
        // Send on another thread while this one reads: the echo comes back
        // while the upload goes on, and nobody can wait for the other.
        let mut writer = client.try_clone().unwrap();
        let upload = payload.clone();
        let sender = thread::spawn(move || {
            writer.write_all(&upload)?;
            writer.shutdown(Shutdown::Write)
        });
        let echo = server.read_to_end(&mut client, "the echo of 1 MiB");
        expect::ok(
            "sending 1 MiB",
            sender.join().unwrap(),
            "the server should keep reading as long as the client keeps sending",
        );
        expect::that(
            echo == payload,
            "the echo of 1 MiB should be the same 1 MiB",
            first_difference(&echo, &payload),
            "write_all(&buf[..n]) after each read: write may take fewer bytes than it \
             is given, and a read returns any number of bytes",
        );
    });
}

/// The limit of the iterative model, as a transcript: B is connected and has
/// sent its message, but hears nothing until A is done.
#[test]
fn serves_a_second_client_only_after_the_first() {
    let transcript = within(DEFAULT, "two clients, one after the other", || {
        let server = start();
        let mut log = Transcript::new();

        let mut a = server.connect();
        send(&mut a, b"hello from A");
        log.sent("A", "hello from A");
        // A's echo proves the server is now busy with A.
        let echo = server.read_exact(&mut a, 12, "the echo to A");
        log.received("A", &echo);

        // B's handshake is completed by the kernel (the listen backlog), so
        // B connects and sends although nobody accepts it yet.
        let mut b = server.connect();
        send(&mut b, b"hello from B");
        log.sent("B", "hello from B");
        b.set_read_timeout(Some(BUSY_WAIT)).unwrap();
        let mut buf = [0u8; 64];
        match b.read(&mut buf) {
            Err(err) if is_timeout(&err) => log.note("B hears nothing: the server is busy with A"),
            Ok(0) => panic!(
                "the server closed client B's connection while A was still connected\n  \
                 hint: B waits in the backlog until A is done; accept it only then, and \
                 echo what it sent"
            ),
            Ok(n) => panic!(
                "client B got \"{}\" while A was still connected\n  hint: this exercise's \
                 server is iterative: finish one client (until its read returns 0) before \
                 accepting the next; serving clients concurrently is part 05",
                text(&buf[..n])
            ),
            Err(err) => panic!("client B's read failed while A was served: {err}"),
        }
        b.set_read_timeout(Some(POLL)).unwrap();

        half_close(&a);
        log.note("A half-closes");
        let rest = server.read_to_end(&mut a, "end-of-file for A");
        expect::eq(
            "bytes to A after its echo",
            text(&rest).as_str(),
            "",
            "each byte is echoed once",
        );
        log.note("A reads end-of-file");

        let echo = server.read_exact(&mut b, 12, "the echo to B, once A is done");
        log.received("B", &echo);
        half_close(&b);
        log.note("B half-closes");
        let rest = server.read_to_end(&mut b, "end-of-file for B");
        expect::eq(
            "bytes to B after its echo",
            text(&rest).as_str(),
            "",
            "each byte is echoed once",
        );
        log.note("B reads end-of-file");
        log
    });
    insta::assert_snapshot!(transcript.render());
}

#[test]
fn survives_a_client_that_resets_mid_message() {
    within(DEFAULT, "an echo after a client reset", || {
        let server = start();
        let mut rude = server.connect();
        send(&mut rude, b"this message never gets its ");
        server.read_exact(&mut rude, 28, "the echo to the client that will reset");
        // SO_LINGER = 0: closing sends RST instead of FIN. The server's next
        // read fails with ConnectionReset.
        SockRef::from(&rude)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(rude);

        let mut next = server.connect();
        send(&mut next, b"are you still there?");
        half_close(&next);
        let echo = server.read_to_end(&mut next, "the echo to the client after the reset");
        expect::eq(
            "the echo to the client after the one that reset",
            text(&echo).as_str(),
            "are you still there?",
            "handle_client returns the ConnectionReset error; serve must report it and \
             accept the next client, not return it",
        );
    });
}

#[test]
fn survives_a_client_that_resets_before_it_is_accepted() {
    within(
        DEFAULT,
        "an echo after a client reset in the backlog",
        || {
            let server = start();
            // Keep the server busy with A, so that B waits in the backlog.
            let mut busy = server.connect();
            send(&mut busy, b"a");
            server.read_exact(&mut busy, 1, "the echo of \"a\"");
            // B connects and resets before the server can accept it. macOS then
            // reports ConnectionAborted from accept; Linux hands B over, and the
            // first read on it fails with ConnectionReset.
            testkit::net::reset(server.connect());
            half_close(&busy);
            server.read_to_end(&mut busy, "the end of the echo to A");

            let mut next = server.connect();
            send(&mut next, b"and now me");
            half_close(&next);
            let echo = server.read_to_end(&mut next, "the echo to the client after B");
            expect::eq(
                "the echo to the client after the one that reset in the backlog",
                text(&echo).as_str(),
                "and now me",
                "an accept error about one connection (ConnectionAborted, ConnectionReset, \
             Interrupted) is no reason to stop: accept the next client",
            );
        },
    );
}

#[test]
fn survives_a_client_that_leaves_without_reading_the_echo() {
    within(DEFAULT, "an echo after a client left early", || {
        let server = start();
        let mut gone = server.connect();
        // 64 KiB, then close without reading: the server's writes meet a closed
        // socket (RST back, then BrokenPipe or ConnectionReset).
        send(&mut gone, &vec![b'x'; 64 * 1024]);
        drop(gone);

        let mut next = server.connect();
        send(&mut next, b"me next");
        half_close(&next);
        let echo = server.read_to_end(&mut next, "the echo to the client after the one that left");
        expect::eq(
            "the echo to the client after the one that left",
            text(&echo).as_str(),
            "me next",
            "a write to a client that left fails (BrokenPipe or ConnectionReset): Rust \
             ignores SIGPIPE, so it is an error, not a crash; report it and serve the \
             next client",
        );
    });
}

#[test]
fn handle_client_returns_the_number_of_bytes_echoed() {
    within(
        DEFAULT,
        "handle_client's count of the bytes it echoed",
        || {
            let (mut client, done) = handle_on_a_thread();
            send(&mut client, b"hello, ");
            send(&mut client, b"world");
            half_close(&client);
            let echo = testkit::net::read_to_end(&mut client, "the echo of \"hello, world\"");
            expect::eq(
                "the echo",
                text(&echo).as_str(),
                "hello, world",
                "write back exactly the bytes each read returned",
            );
            let result = handled(&done, "the client half-closed");
            expect::that(
                matches!(result, Ok(12)),
                "handle_client() should return Ok(12), the bytes it echoed",
                &result,
                "add the length of each piece you wrote back to a running count",
            );
        },
    );
}

#[test]
fn handle_client_returns_a_reset_as_an_error() {
    within(
        DEFAULT,
        "handle_client on a connection the client reset",
        || {
            let (client, done) = handle_on_a_thread();
            // SO_LINGER = 0: closing sends RST instead of FIN. The server's next read
            // fails with ConnectionReset (the reads after it would return 0, as if
            // the client had half-closed, so retrying hides the reset).
            testkit::net::reset(client);
            let result = handled(&done, "the client reset the connection");
            expect::that(
                matches!(&result, Err(err) if err.kind() == io::ErrorKind::ConnectionReset),
                "handle_client() should return Err(ConnectionReset)",
                &result,
                "only an Interrupted read is tried again; return any other read error, so \
             that serve can report what happened to that client",
            );
        },
    );
}

#[test]
fn an_accept_error_about_the_listener_ends_serve() {
    within(DEFAULT, "serve() on a listener whose accept fails", || {
        // A connected socket passed off as a listener: accept on it fails at once
        // with InvalidInput (EINVAL). That is about the listener, not about one
        // client, and accepting again would only spin: serve must return it.
        let (client, _server_end) = testkit::net::pair();
        let listener = TcpListener::from(OwnedFd::from(client));
        let (report, done) = mpsc::channel();
        thread::spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| serve(listener)));
            let _ = report.send(outcome);
        });
        let hint = "only ConnectionAborted, ConnectionReset and Interrupted concern one \
                    connection; return any other accept error";
        match done.recv_timeout(REPLY_WAIT) {
            Ok(Ok(result)) => expect::that(
                matches!(&result, Err(err) if err.kind() == io::ErrorKind::InvalidInput),
                "serve() should return the error of accept, Err(InvalidInput)",
                &result,
                hint,
            ),
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Err(_) => panic!(
                "serve() was still running {} s after accept had failed with \
                 InvalidInput\n  hint: {hint}",
                REPLY_WAIT.as_secs()
            ),
        }
    });
}
