//! Step 1: `serve`, the UDP echo server. Run these tests alone with
//! `cargo test --test 01_server`.
//!
//! Each test starts the server on its own loopback port in a thread, talks to it
//! with plain `UdpSocket`s, then sets the stop flag and expects `serve` to
//! return.

use std::io;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::OwnedFd;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use testkit::{deadline::DEFAULT, expect, within};
use udp_echo::{serve, RECV_BUFFER, STOP_CHECK};

/// Bytes as text with everything but printable ASCII escaped (`\xff`), so that
/// failure messages show `"hello"` rather than numbers, and show every byte.
fn text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// How long a test waits for an echo over loopback before calling it lost.
/// Loopback never loses a datagram to a working server; a second is slack for a
/// busy machine.
const REPLY_WAIT: Duration = Duration::from_secs(1);

/// How often a waiting test looks whether `serve` has died.
const POLL: Duration = Duration::from_millis(50);

type Outcome = thread::Result<io::Result<()>>;

/// `serve` running on its own thread.
struct Running {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    done: mpsc::Receiver<Outcome>,
}

/// Binds a UDP socket on a free loopback port and runs `serve` on it.
fn start() -> Running {
    start_on(UdpSocket::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0"))
}

/// Runs `serve` on `socket`, on its own thread.
fn start_on(socket: UdpSocket) -> Running {
    let addr = socket.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let (report, done) = mpsc::channel();
    thread::Builder::new()
        .name(format!("udp server {addr}"))
        .spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| serve(socket, &flag)));
            let _ = report.send(outcome);
        })
        .unwrap();
    Running { addr, stop, done }
}

impl Running {
    /// A client socket on another free port. Its reads give up after
    /// [`POLL`], so a test waiting for an echo can notice a server that died.
    fn client(&self) -> UdpSocket {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("could not bind a client socket");
        socket.set_read_timeout(Some(POLL)).unwrap();
        socket
    }

    fn send(&self, client: &UdpSocket, payload: &[u8]) {
        let sent = expect::ok(
            &format!(
                "sending a datagram of {} bytes to the server",
                payload.len()
            ),
            client.send_to(payload, self.addr),
            "a test client could not send on loopback; is the machine out of sockets?",
        );
        expect::eq(
            "bytes sent in one send_to",
            &sent,
            &payload.len(),
            "UDP sends a datagram whole or not at all",
        );
    }

    /// Receives the next datagram on `client` and checks that the server sent it.
    #[track_caller]
    fn recv_echo(&self, client: &UdpSocket, what: &str) -> Vec<u8> {
        let mut buf = vec![0u8; RECV_BUFFER];
        let started = Instant::now();
        loop {
            match client.recv_from(&mut buf) {
                Ok((len, from)) => {
                    expect::eq(
                        &format!("the address {what} came from"),
                        &from,
                        &self.addr,
                        "answer from the socket serve() was given, with send_to",
                    );
                    buf.truncate(len);
                    return buf;
                }
                Err(err) if testkit::net::is_timeout(&err) => {
                    self.fail_if_ended();
                    if started.elapsed() >= REPLY_WAIT {
                        panic!(
                            "no datagram within {} s while waiting for {what}\n  \
                             hint: serve() should recv_from in a loop and send_to each \
                             datagram back to the address recv_from returned",
                            REPLY_WAIT.as_secs_f32()
                        )
                    }
                }
                Err(err) => panic!("receiving {what} failed: {err}"),
            }
        }
    }

    /// If `serve` has already returned or panicked, fails the test with that.
    #[track_caller]
    fn fail_if_ended(&self) {
        match self.done.try_recv() {
            Err(_) => {}
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Ok(Ok(Err(err))) => panic!(
                "serve() returned Err({err:?}) before its stop flag was set\n  \
                 hint: a timed-out read (WouldBlock or TimedOut) only means \"nothing \
                 yet\", and ConnectionReset or ConnectionRefused concerns one client: \
                 look at the flag and read again"
            ),
            Ok(Ok(Ok(()))) => panic!(
                "serve() returned Ok(()) although its stop flag was never set\n  \
                 hint: loop until the flag is set; a timeout is not a reason to stop"
            ),
        }
    }

    /// Sets the stop flag and expects `serve` to return `Ok(())` soon after.
    #[track_caller]
    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let limit = STOP_CHECK + Duration::from_secs(1);
        match self.done.recv_timeout(limit) {
            Ok(Ok(Ok(()))) => {}
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Ok(Ok(Err(err))) => panic!(
                "serve() should return Ok(()) once stopped\n  got: Err({err:?})\n  \
                 hint: a timed-out read is not an error, just a moment to look at the flag"
            ),
            Err(_) => panic!(
                "serve() did not return within {:.2} s of its stop flag being set\n  \
                 hint: set the socket's read timeout to STOP_CHECK, so recv_from wakes up \
                 to look at the flag even when no datagram comes",
                limit.as_secs_f32()
            ),
        }
    }
}

#[test]
fn echoes_a_datagram_to_its_sender() {
    within(DEFAULT, "an echo of one datagram", || {
        let server = start();
        let client = server.client();
        server.send(&client, b"hello, udp");
        let echo = server.recv_echo(&client, "the echo of \"hello, udp\"");
        expect::eq(
            "the echo",
            text(&echo).as_str(),
            "hello, udp",
            "send back exactly the bytes recv_from put in the buffer: &buf[..len]",
        );
        server.stop();
    });
}

#[test]
fn three_datagrams_come_back_as_three() {
    within(DEFAULT, "three echoes", || {
        let server = start();
        let client = server.client();
        // Different lengths, so a merge or a split would show in the lengths.
        let sent: [&[u8]; 3] = [b"one", b"two, longer", b"three, the longest of them"];
        for payload in sent {
            server.send(&client, payload);
        }
        let mut got: Vec<String> = (1..=3)
            .map(|n| text(&server.recv_echo(&client, &format!("echo {n} of 3"))))
            .collect();
        // UDP may reorder datagrams (loopback does not, but the test does not
        // rely on it): compare as sets.
        got.sort();
        let mut want: Vec<String> = sent.iter().map(|p| text(p)).collect();
        want.sort();
        expect::eq(
            "the three echoes (sorted)",
            &got,
            &want,
            "each recv_from returns exactly one datagram and each send_to sends one: \
             echo each datagram on its own, never glued to or cut from another",
        );
        server.stop();
    });
}

#[test]
fn echoes_an_empty_datagram() {
    within(DEFAULT, "the echo of an empty datagram", || {
        let server = start();
        let client = server.client();
        server.send(&client, b"");
        let echo = server.recv_echo(&client, "the echo of an empty datagram");
        expect::eq(
            "the echo of an empty datagram",
            text(&echo).as_str(),
            "",
            "in UDP a 0-byte datagram is a message: recv_from returning 0 is not \
             end-of-file (there is no connection to end); echo it like any other",
        );
        server.stop();
    });
}

#[test]
fn echoes_a_datagram_larger_than_the_mtu_whole() {
    within(DEFAULT, "the echo of a 9000-byte datagram", || {
        let server = start();
        let client = server.client();
        // Larger than an Ethernet MTU (1500) and than the 1024-byte buffers of
        // many examples; smaller than macOS's default limit of 9216 bytes.
        let payload: Vec<u8> = (0..9000u32).map(|i| (i % 251) as u8).collect();
        server.send(&client, &payload);
        let echo = server.recv_echo(&client, "the echo of 9000 bytes");
        expect::eq(
            "length of the echo of a 9000-byte datagram",
            &echo.len(),
            &payload.len(),
            "recv_from into a small buffer silently cuts the datagram: receive into a \
             buffer of RECV_BUFFER (65536) bytes",
        );
        expect::that(
            echo == payload,
            "the echo of a 9000-byte datagram should equal what was sent",
            "same length, different bytes",
            "send back &buf[..len], the bytes this recv_from returned",
        );
        server.stop();
    });
}

#[test]
fn replies_to_each_sender() {
    within(DEFAULT, "echoes to two clients", || {
        let server = start();
        let alice = server.client();
        let bob = server.client();
        server.send(&alice, b"from alice");
        server.send(&bob, b"from bob");
        for (client, want) in [(&bob, "from bob"), (&alice, "from alice")] {
            let echo = server.recv_echo(client, "the echo to one of two clients");
            expect::eq(
                "the echo this client got",
                text(&echo).as_str(),
                want,
                "UDP has no connection: remember the address each recv_from returns and \
                 send_to that address, not to the first client or a fixed one",
            );
        }
        server.stop();
    });
}

#[test]
fn keeps_serving_after_a_client_vanishes() {
    within(DEFAULT, "an echo after a client vanished", || {
        let server = start();
        // This client sends and closes its socket before the echo arrives: the
        // echo goes to a port where nobody listens any more.
        let ghost = server.client();
        server.send(&ghost, b"nobody will read this");
        drop(ghost);
        let client = server.client();
        server.send(&client, b"still there?");
        let echo = server.recv_echo(&client, "the echo after a client vanished");
        expect::eq(
            "the echo to the next client",
            text(&echo).as_str(),
            "still there?",
            "a failed send_to, or a ConnectionReset/ConnectionRefused from recv_from, \
             concerns one client: report it and keep serving",
        );
        server.stop();
    });
}

/// Linux and macOS report an ICMP "port unreachable" only to a connected socket;
/// Windows reports it to any UDP socket, on its next read. To see what `serve`
/// does with one, this test connects the server's socket to a client that has
/// gone. (Linux also lets a connected socket `send_to` another address, which the
/// second echo needs; macOS refuses that, hence Linux only.)
#[cfg(target_os = "linux")]
#[test]
fn a_refusal_reported_by_recv_from_concerns_one_client() {
    within(
        DEFAULT,
        "an echo after recv_from failed with ConnectionRefused",
        || {
            let socket = UdpSocket::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
            let addr = socket.local_addr().unwrap();
            // Two datagrams wait before the server starts: one from a client that
            // closes before its echo can come, then one from a client still there.
            let ghost = UdpSocket::bind("127.0.0.1:0").unwrap();
            let ghost_addr = ghost.local_addr().unwrap();
            ghost.send_to(b"nobody will read this", addr).unwrap();
            drop(ghost);
            let client = UdpSocket::bind("127.0.0.1:0").unwrap();
            client.set_read_timeout(Some(POLL)).unwrap();
            client.send_to(b"still there?", addr).unwrap();
            // Connected to the ghost, the socket is told of the ICMP "port
            // unreachable" that the first echo causes: the next recv_from fails with
            // ConnectionRefused. Datagrams already waiting are still delivered.
            socket.connect(ghost_addr).unwrap();
            let server = start_on(socket);
            let echo = server.recv_echo(&client, "the echo after a ConnectionRefused");
            expect::eq(
                "the echo to the client still there",
                text(&echo).as_str(),
                "still there?",
                "a ConnectionRefused (or ConnectionReset) from recv_from is the ICMP answer \
             to an earlier echo: it concerns that client only, so read again",
            );
            server.stop();
        },
    );
}

#[test]
fn stops_soon_after_the_stop_flag_is_set() {
    within(DEFAULT, "serve() returning after the stop flag", || {
        let server = start();
        // Prove it is serving first, so the test measures a stop, not a crash.
        let client = server.client();
        server.send(&client, b"ping");
        server.recv_echo(&client, "the echo of \"ping\"");
        server.stop();
    });
}

#[test]
fn a_socket_whose_reads_fail_ends_serve_with_the_error() {
    within(
        DEFAULT,
        "serve() on a socket whose every read fails",
        || {
            // A TCP listening socket passed off as a UdpSocket: every recv_from on it
            // fails at once with NotConnected. That is neither a timeout nor one
            // client's trouble but a broken socket, and going round again would only
            // spin: serve must stop and return the error.
            let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
            let server = start_on(UdpSocket::from(OwnedFd::from(listener)));
            let limit = Duration::from_secs(1);
            match server.done.recv_timeout(limit) {
                Ok(Ok(result)) => expect::that(
                    matches!(&result, Err(err) if err.kind() == io::ErrorKind::NotConnected),
                    "serve() should return the error of recv_from, Err(NotConnected)",
                    &result,
                    "only a timed-out or interrupted read means \"go round again\", and only \
                 ConnectionReset or ConnectionRefused means \"one client's trouble\"; \
                 return any other error of recv_from",
                ),
                Ok(Err(panic)) => panic::resume_unwind(panic),
                Err(_) => {
                    server.stop.store(true, Ordering::Relaxed);
                    panic!(
                        "serve() was still running {} s after every recv_from had failed \
                     with NotConnected\n  hint: only a timed-out or interrupted read means \
                     \"go round again\", and only ConnectionReset or ConnectionRefused means \
                     \"one client's trouble\"; return any other error of recv_from",
                        limit.as_secs_f32()
                    )
                }
            }
        },
    );
}
