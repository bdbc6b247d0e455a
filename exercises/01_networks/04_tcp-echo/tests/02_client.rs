//! Step 2: `round_trip`, the client. Run these tests alone with
//! `cargo test --test 02_client`.
//!
//! The client is tested against small servers written here, so that these tests
//! do not depend on your `serve`: one that answers only after end-of-file, one
//! that answers each piece as it reads it, one that never answers, and
//! one that resets the connection.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use socket2::SockRef;
use tcp_echo::round_trip;
use testkit::net::is_timeout;
use testkit::{deadline::DEFAULT, expect, within, within_hint};

const TIMEOUT: Duration = Duration::from_secs(2);

/// Bytes as text with everything but printable ASCII escaped (`\xff`), so that
/// failure messages show `"hello"` rather than numbers, and show every byte.
fn text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Runs `handle` on every connection to a fresh loopback listener, one at a
/// time, on a thread of its own.
fn fake_server(handle: fn(TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    serve_on(listener, handle)
}

/// An echo server with socket buffers of a fixed, small size, the way a busy
/// server or a slow network leaves a client little room.
fn small_buffered_echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    // Set on the listener, before any connection arrives: accepted sockets
    // inherit it, and the window the handshake announces is based on it.
    SockRef::from(&listener)
        .set_recv_buffer_size(SMALL_BUFFER)
        .unwrap();
    serve_on(listener, |stream| {
        SockRef::from(&stream)
            .set_send_buffer_size(SMALL_BUFFER)
            .unwrap();
        echo(stream)
    })
}

const SMALL_BUFFER: usize = 64 * 1024;

fn serve_on(listener: TcpListener, handle: fn(TcpStream)) -> SocketAddr {
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            stream.set_read_timeout(Some(TIMEOUT)).unwrap();
            stream.set_write_timeout(Some(TIMEOUT)).unwrap();
            handle(stream);
        }
    });
    addr
}

/// Reads the whole request (until the client half-closes), then answers with
/// it in upper case, in two writes, and closes.
fn shout_after_eof(mut stream: TcpStream) {
    let mut request = Vec::new();
    if stream.read_to_end(&mut request).is_err() {
        return; // the client never half-closed; the test reports it
    }
    let reply = request.to_ascii_uppercase();
    let (first, second) = reply.split_at(reply.len() / 2);
    let _ = stream.write_all(first);
    let _ = stream.write_all(second);
}

/// Echoes each piece as soon as it reads it, each byte plus one (so that a
/// client that returns its own payload is caught).
fn echo_plus_one(mut stream: TcpStream) {
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let piece: Vec<u8> = buf[..n].iter().map(|b| b.wrapping_add(1)).collect();
                if stream.write_all(&piece).is_err() {
                    return;
                }
            }
        }
    }
}

#[test]
fn half_closes_and_reads_the_whole_reply() {
    within_hint(
        DEFAULT,
        "a reply sent after end-of-file",
        "this server answers only after end-of-file: shut down the write side \
         (shutdown(Shutdown::Write)) once the payload is sent, and set the stream's \
         read and write timeouts so a silent server cannot stall the client for ever",
        || {
            let addr = fake_server(shout_after_eof);
            let reply = expect::ok(
                "round_trip(b\"hello, tcp\") to a server that answers after end-of-file",
                round_trip(addr, b"hello, tcp", TIMEOUT),
                "this server answers only once its read returns 0: after writing the \
             payload, call shutdown(Shutdown::Write)",
            );
            expect::eq(
                "the reply (this server answers in upper case, in two writes)",
                text(&reply).as_str(),
                "HELLO, TCP",
                "read until read returns 0 (read_to_end), not just once: the reply may \
             come in several pieces",
            );
        },
    );
}

#[test]
fn an_empty_payload_is_an_empty_request() {
    within_hint(
        DEFAULT,
        "a round trip of nothing",
        "with nothing to send, half-close at once (shutdown(Shutdown::Write)): this \
         server answers only after end-of-file",
        || {
            let addr = fake_server(shout_after_eof);
            let reply = expect::ok(
                "round_trip(b\"\") to a server that answers after end-of-file",
                round_trip(addr, b"", TIMEOUT),
                "with nothing to send, half-close at once",
            );
            expect::eq(
                "the reply to an empty request",
                text(&reply).as_str(),
                "",
                "the server sent nothing and closed: that is an empty reply",
            );
        },
    );
}

#[test]
fn moves_one_mebibyte_both_ways() {
    within(DEFAULT, "a round trip of 1 MiB", || {
        let addr = fake_server(echo_plus_one);
        let payload: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 253) as u8).collect();
        let reply = expect::ok(
            "round_trip() of 1 MiB through a server that answers as it reads",
            round_trip(addr, &payload, TIMEOUT),
            "send everything (write_all), half-close, and read until end-of-file",
        );
        let want: Vec<u8> = payload.iter().map(|b| b.wrapping_add(1)).collect();
        expect::that(
            reply == want,
            "the reply should be the 1 MiB payload, each byte plus one",
            format!("{} bytes, {} expected", reply.len(), want.len()),
            "keep every byte read until end-of-file, in order",
        );
    });
}

/// Echoes each piece as soon as it reads it.
fn echo(mut stream: TcpStream) {
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

/// Written all at once and read afterwards, 1 MiB still fits in the kernel's
/// buffers on loopback: Linux grows a socket's send buffer up to 4 MiB
/// (`net.ipv4.tcp_wmem`), macOS up to 4 MiB too. 8 MiB does not: a client that
/// does not read while it writes blocks in `write` for ever (here: until its
/// write timeout), while the server blocks writing an echo nobody reads.
#[test]
fn does_not_deadlock_when_the_payload_outgrows_the_socket_buffers() {
    within_hint(
        DEFAULT,
        "a round trip of 8 MiB",
        "a client that writes everything before reading deadlocks here: both sides block \
         in write, each waiting for the other to read. Read while you write (a second \
         thread), and set read and write timeouts so a deadlock ends in an error",
        || {
            let addr = small_buffered_echo_server();
            // A 251-byte pattern (a prime, so pieces that move show up) repeated.
            let pattern: Vec<u8> = (0..251u8).collect();
            let mut payload = pattern.repeat(8 * 1024 * 1024 / 251 + 1);
            payload.truncate(8 * 1024 * 1024);
            let reply = expect::ok(
                "round_trip() of 8 MiB through an echo server, timeouts of 1 s",
                round_trip(addr, &payload, Duration::from_secs(1)),
                "write on one thread and read on another (thread::scope; &TcpStream \
             implements Read and Write). Written all first, 8 MiB fills every buffer: \
             the server blocks writing an echo nobody reads, stops reading, and the \
             client's write waits for ever",
            );
            expect::that(
                reply == payload,
                "the reply should be the 8 MiB payload",
                format!("{} bytes, {} expected", reply.len(), payload.len()),
                "keep every byte read until end-of-file, in order",
            );
        },
    );
}

#[test]
fn gives_up_on_a_silent_server() {
    within_hint(
        DEFAULT,
        "a round trip to a server that never answers",
        "round_trip never returned: set the stream's read and write timeouts \
         (set_read_timeout, set_write_timeout) to `timeout`, and return the error \
         the timed-out read gives instead of reading again",
        || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            // The server accepts and holds the connection, reading nothing, until
            // the test is over.
            let (over_tx, over_rx) = mpsc::channel::<()>();
            thread::spawn(move || {
                let held = listener.accept();
                let _ = over_rx.recv();
                drop(held);
            });
            let started = Instant::now();
            let result = round_trip(addr, b"hello?", Duration::from_millis(200));
            let elapsed = started.elapsed();
            drop(over_tx);
            let err = expect::err(
                "round_trip(.., 200 ms) to a server that never answers",
                result,
                "no reply and no end-of-file can come",
            );
            expect::that(
                is_timeout(&err),
                "the error should be a timeout (WouldBlock or TimedOut)",
                &err,
                "set_read_timeout(Some(timeout)) and set_write_timeout(Some(timeout)) on \
             the stream, and return the error the read gives",
            );
            expect::that(
                elapsed < Duration::from_secs(2),
                "a 200 ms timeout should end the call within a second or so",
                elapsed,
                "the timeout bounds each read and write; do not retry a timed-out read",
            );
        },
    );
}

#[test]
fn a_reset_is_an_error_not_a_short_reply() {
    within(DEFAULT, "a round trip the server resets", || {
        let addr = fake_server(|mut stream| {
            let mut first = [0u8; 1];
            let _ = stream.read(&mut first);
            let _ = stream.write_all(b"partial ");
            // SO_LINGER = 0: close sends RST, not FIN.
            let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        });
        let result = round_trip(addr, b"hello", TIMEOUT);
        let err = expect::err(
            "round_trip() to a server that resets the connection after a partial reply",
            result.map(|reply| text(&reply)),
            "a reset is not end-of-file: return the error, never the bytes read so far",
        );
        expect::that(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted
            ),
            "the error should say the connection was reset",
            &err,
            "return the error that read (or write) gave",
        );
    });
}
