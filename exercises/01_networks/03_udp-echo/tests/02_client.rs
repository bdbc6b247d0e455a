//! Step 2: `request`, the retrying client. Run these tests alone with
//! `cargo test --test 02_client`.
//!
//! The client is tested against small servers written here, so that these tests
//! do not depend on your `serve`: a polite one, a lossy one that ignores the
//! first datagrams, a silent one that only counts, and one whose reply races a
//! forged datagram from a stranger.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use testkit::{deadline::DEFAULT, expect, within, within_hint};
use udp_echo::{request, UdpError, MAX_DATAGRAM, RECV_BUFFER};

/// What a learner is told when `request` never returns.
const STUCK: &str = "request() never returned: wait at most `timeout` for each reply (set \
                     the socket's read timeout), and stop after retries + 1 attempts";

/// Bytes as text with everything but printable ASCII escaped (`\xff`), so that
/// failure messages show `"hello"` rather than numbers, and show every byte.
fn text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// A socket on a free loopback port that never answers. Datagrams sent to it
/// wait in its receive buffer, so a test can count them afterwards.
fn silent_socket() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

/// Takes every datagram waiting on `socket`, stopping at the first 100 ms of
/// silence. Loopback delivers a datagram before `send` returns, so what the
/// client sent is already here.
fn drain(socket: &UdpSocket) -> Vec<Vec<u8>> {
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = vec![0u8; RECV_BUFFER];
    let mut got = Vec::new();
    // Bounded: a client that sent thousands of datagrams has failed anyway.
    for _ in 0..1000 {
        match socket.recv_from(&mut buf) {
            Ok((len, _)) => got.push(buf[..len].to_vec()),
            Err(_) => break,
        }
    }
    got
}

/// A server on its own thread: ignores the first `ignore` datagrams, then answers
/// each with `reply:` followed by the datagram. Returns its address and a count
/// of the datagrams it received. It stops after two seconds of silence.
fn lossy_server(ignore: usize) -> (SocketAddr, Arc<AtomicUsize>) {
    let (socket, addr) = silent_socket();
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    thread::spawn(move || {
        let mut buf = vec![0u8; RECV_BUFFER];
        while let Ok((len, from)) = socket.recv_from(&mut buf) {
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            if n > ignore {
                let reply = [&b"reply:"[..], &buf[..len]].concat();
                let _ = socket.send_to(&reply, from);
            }
        }
    });
    (addr, count)
}

#[test]
fn request_returns_the_servers_reply() {
    within(DEFAULT, "a reply to one request", || {
        let (addr, count) = lossy_server(0);
        let reply = expect::ok(
            "request(server, b\"ping\", 500 ms, 0 retries)",
            request(addr, b"ping", Duration::from_millis(500), 0),
            "send the payload with send (or send_to), then recv the answer",
        );
        expect::eq(
            "the reply request() returned",
            text(&reply).as_str(),
            "reply:ping",
            "return the datagram the server sent back, as it came (this server does \
             not echo: it prefixes \"reply:\")",
        );
        expect::eq(
            "datagrams the server received",
            &count.load(Ordering::SeqCst),
            &1,
            "a reply came at once: there was nothing to retry",
        );
    });
}

#[test]
fn returns_a_long_reply_whole() {
    within(DEFAULT, "a reply of 4006 bytes", || {
        let (addr, _count) = lossy_server(0);
        // Longer than an Ethernet MTU and than the recvfrom(1024) of many
        // examples; far below macOS's default limit of 9216 bytes.
        let payload: Vec<u8> = (0..4000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let reply = expect::ok(
            "request(server, 4000 bytes, 500 ms, 0 retries)",
            request(addr, &payload, Duration::from_millis(500), 0),
            "send the payload, then receive the reply",
        );
        expect::eq(
            "length of the reply to a 4000-byte request (\"reply:\" and the 4000 bytes)",
            &reply.len(),
            &(6 + payload.len()),
            "a receive buffer shorter than the datagram silently cuts it: receive the \
             reply into a buffer of RECV_BUFFER (65536) bytes",
        );
        expect::that(
            reply[6..] == payload[..],
            "the reply should end with the 4000 bytes sent",
            "same length, different bytes",
            "return the bytes this recv returned, &buf[..len], as they came",
        );
    });
}

#[test]
fn retries_after_lost_datagrams() {
    within_hint(DEFAULT, "a reply after two lost requests", STUCK, || {
        // The first two requests "get lost": the server ignores them.
        let (addr, count) = lossy_server(2);
        let started = Instant::now();
        let result = request(addr, b"again", Duration::from_millis(100), 3);
        let elapsed = started.elapsed();
        let reply = expect::ok(
            "request(.., 100 ms, 3 retries) to a server that ignores the first 2 datagrams",
            result,
            "when the read times out (WouldBlock or TimedOut), send the same payload \
             again, up to `retries` more times",
        );
        expect::eq(
            "the reply",
            text(&reply).as_str(),
            "reply:again",
            "return the first reply that comes",
        );
        let seen = count.load(Ordering::SeqCst);
        expect::that(
            seen >= 3,
            "the server should have received at least 3 datagrams (2 ignored, 1 answered)",
            seen,
            "each timed-out attempt is followed by a new send",
        );
        expect::that(
            elapsed >= Duration::from_millis(150),
            "two lost attempts should cost about two timeouts (200 ms)",
            elapsed,
            "wait the full timeout for a reply before sending again",
        );
    });
}

#[test]
fn gives_up_after_exactly_retries_plus_one_attempts() {
    within_hint(DEFAULT, "a request to a silent server", STUCK, || {
        let (silent, addr) = silent_socket();
        let per_try = Duration::from_millis(20);
        let started = Instant::now();
        let result = request(addr, b"anyone?", per_try, 2);
        let elapsed = started.elapsed();
        let err = expect::err(
            "request(silent server, b\"anyone?\", 20 ms, 2 retries)",
            result,
            "nobody answers: after the last retry, give up with an error",
        );
        expect::that(
            matches!(err, UdpError::TimedOut { attempts: 3 }),
            "the error should be UdpError::TimedOut { attempts: 3 }",
            &err,
            "2 retries means 3 attempts in all; count every send",
        );
        let sent = drain(&silent);
        expect::eq(
            "datagrams the silent server received",
            &sent.len(),
            &3,
            "one datagram per attempt: the first try plus `retries` more, never more",
        );
        for datagram in &sent {
            expect::eq(
                "each datagram the silent server received",
                text(datagram).as_str(),
                "anyone?",
                "resend the same payload on every attempt",
            );
        }
        expect::that(
            elapsed >= Duration::from_millis(50),
            "three attempts of 20 ms should take about 60 ms",
            elapsed,
            "wait `timeout` for a reply after each send (set_read_timeout)",
        );
        expect::that(
            elapsed < Duration::from_secs(1),
            "three attempts of 20 ms should take well under a second",
            elapsed,
            "use `timeout` as the read timeout of each attempt, not a fixed wait",
        );
    });
}

#[test]
fn a_closed_port_is_reported_without_hanging() {
    within_hint(
        DEFAULT,
        "a request to a port nobody listens on",
        STUCK,
        || {
            // Bind, note the port, close: now nobody listens there.
            let addr = silent_socket().1;
            let started = Instant::now();
            let result = request(addr, b"hello?", Duration::from_millis(200), 3);
            let elapsed = started.elapsed();
            let err = expect::err(
                "request(closed port, .., 200 ms, 3 retries)",
                result,
                "nobody listens there, so no reply can come",
            );
            // On loopback the OS usually answers with ICMP "port unreachable", which
            // a connected UDP socket reports as ConnectionRefused; without it (or
            // when ICMP is rate-limited) an attempt times out instead. So TimedOut is
            // right only if the last attempt really waited its 200 ms.
            let refused = matches!(err, UdpError::Refused { attempts: 4 });
            let waited_out = matches!(err, UdpError::TimedOut { attempts: 4 })
                && elapsed >= Duration::from_millis(200);
            expect::that(
                refused || waited_out,
                "the error should be UdpError::Refused { attempts: 4 } (or TimedOut { \
                 attempts: 4 } if the last attempt waited its whole 200 ms)",
                (&err, elapsed),
                "connect the socket to the server, so the OS reports ICMP \"port \
                 unreachable\" as ConnectionRefused; that is no timeout: count the attempt \
                 as refused and go on to the next",
            );
            expect::that(
                elapsed < Duration::from_secs(2),
                "4 attempts of at most 200 ms each should end within a second",
                elapsed,
                "a refusal ends its attempt; it is not a reason to wait longer",
            );
        },
    );
}

#[test]
fn ignores_datagrams_from_strangers() {
    within(DEFAULT, "a reply raced by a forged datagram", || {
        let (socket, addr) = silent_socket();
        socket
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        thread::spawn(move || {
            let mut buf = vec![0u8; RECV_BUFFER];
            if let Ok((len, client)) = socket.recv_from(&mut buf) {
                // Another socket gets its datagram to the client first...
                let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
                let _ = stranger.send_to(b"forged", client);
                // ...then the real server answers.
                let _ = socket.send_to(&[&b"genuine:"[..], &buf[..len]].concat(), client);
            }
        });
        let reply = expect::ok(
            "request() while a stranger sends a forged reply",
            request(addr, b"hi", Duration::from_millis(500), 1),
            "the genuine reply does come, right after the forged one",
        );
        expect::eq(
            "the reply request() returned",
            text(&reply).as_str(),
            "genuine:hi",
            "anyone can send a datagram to your port: connect() the socket to the \
             server, and the OS drops datagrams from every other address",
        );
    });
}

#[test]
fn refuses_a_payload_too_large_for_a_datagram() {
    within(DEFAULT, "a request with an oversized payload", || {
        let (silent, addr) = silent_socket();
        let payload = vec![b'x'; MAX_DATAGRAM + 1];
        let err = expect::err(
            "request() with a payload of MAX_DATAGRAM + 1 bytes",
            request(addr, &payload, Duration::from_millis(20), 0),
            "one datagram carries at most MAX_DATAGRAM (65507) bytes",
        );
        expect::that(
            matches!(err, UdpError::TooLarge { len, max } if len == MAX_DATAGRAM + 1 && max == MAX_DATAGRAM),
            "the error should be UdpError::TooLarge { len: 65508, max: 65507 }",
            &err,
            "check the length before sending anything",
        );
        expect::eq(
            "datagrams the server received",
            &drain(&silent).len(),
            &0,
            "an oversized payload is refused before anything is sent",
        );
    });
}

/// Linux lets a datagram of exactly MAX_DATAGRAM bytes through on loopback
/// (macOS refuses anything above 9216 bytes by default, so the check is Linux's).
#[cfg(target_os = "linux")]
#[test]
fn sends_a_payload_of_exactly_the_maximum() {
    within(DEFAULT, "a request with the largest payload", || {
        let (silent, addr) = silent_socket();
        let payload = vec![b'y'; MAX_DATAGRAM];
        let err = expect::err(
            "request() with MAX_DATAGRAM bytes to a silent server",
            request(addr, &payload, Duration::from_millis(20), 0),
            "the silent server never answers",
        );
        expect::that(
            matches!(err, UdpError::TimedOut { attempts: 1 }),
            "the error should be UdpError::TimedOut { attempts: 1 }",
            &err,
            "a payload of exactly MAX_DATAGRAM bytes fits: send it",
        );
        let sent = drain(&silent);
        expect::eq(
            "sizes of the datagrams the server received",
            &sent.iter().map(Vec::len).collect::<Vec<_>>(),
            &vec![MAX_DATAGRAM],
            "refuse only payloads longer than MAX_DATAGRAM",
        );
    });
}
