//! Checks shared by every echo server of part 05, written against the wire only.
//!
//! Each function takes the address of a running echo server (bytes in, the same
//! bytes out, no framing) and panics with a message for the learner when the
//! server misbehaves. Every read has the test kit's timeout, so a server that
//! stalls fails the check instead of hanging it; wrap calls in
//! [`crate::within`] for an overall deadline.
//!
//! Below them are the pieces the exercises' own tests are built from: a byte
//! [`pattern`] that shows lost or moved bytes, [`first_difference`] to say where,
//! and [`read_exactly`] / [`echo_concurrently`] for echoes too large to send
//! before reading. Where the advice depends on the exercise's event loop, the
//! hint comes in as a parameter.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use crate::net::{connect, explain, is_timeout, IO_TIMEOUT};
use crate::server::{quietly, Failure};

/// Client threads need little stack; hundreds of them must fit comfortably.
const CLIENT_STACK: usize = 128 * 1024;

/// Sends `message` and reads back exactly as many bytes; fails on any difference.
#[track_caller]
pub fn round_trip(stream: &mut TcpStream, message: &[u8], who: &str) {
    if let Err(e) = stream.write_all(message) {
        panic!(
            "{who}: sending {} bytes failed: {}",
            message.len(),
            explain(&e)
        );
    }
    let mut echoed = vec![0; message.len()];
    let mut got = 0;
    while got < echoed.len() {
        match stream.read(&mut echoed[got..]) {
            Ok(0) => panic!(
                "{who}: the server closed the connection after echoing {got} of {} bytes\n  \
                 hint: keep the connection open until the client closes it",
                message.len()
            ),
            Ok(n) => got += n,
            Err(e) if is_timeout(&e) => panic!(
                "{who}: the server echoed {got} of {} bytes, then nothing for {} s\n  \
                 hint: is this client's socket still being watched, and are partial \
                 writes finished later (a write buffer per connection)?",
                message.len(),
                IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!(
                "{who}: reading the echo failed after {got} bytes: {}",
                explain(&e)
            ),
        }
    }
    if echoed != message {
        let at = echoed
            .iter()
            .zip(message)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{who}: the echo differs from what was sent, first at byte {at} of {}\n  \
             hint: bytes from different clients must never mix; each connection needs \
             its own buffer",
            message.len()
        );
    }
}

/// `clients` clients connect, then each does `rounds` round trips of a message
/// unique to it and the round, while every other client stays connected. Only
/// when all are done does anybody hang up, so a server that finishes one
/// connection before it serves the next fails here: the first client never
/// leaves. Fails, naming how many clients got no echo.
///
/// Use it for servers that promise a thread, a process or a readiness loop per
/// connection. A pool of `n` workers serves at most `n` at once by design: test
/// it with [`many_clients_in_turn`] instead.
#[track_caller]
pub fn all_served_at_once(addr: SocketAddr, clients: usize, rounds: usize) {
    all_served_at_once_within(addr, clients, rounds, IO_TIMEOUT);
}

#[track_caller]
fn all_served_at_once_within(addr: SocketAddr, clients: usize, rounds: usize, wait: Duration) {
    // Everybody connects before anybody talks, and the streams live here, in
    // this frame, until every client thread has finished.
    let mut streams: Vec<TcpStream> = (0..clients).map(|_| connect(addr)).collect();
    for stream in &streams {
        stream.set_read_timeout(Some(wait)).unwrap();
    }
    let failures: Vec<Failure> = thread::scope(|scope| {
        let talkers: Vec<_> = streams
            .iter_mut()
            .enumerate()
            .map(|(id, stream)| {
                thread::Builder::new()
                    .stack_size(CLIENT_STACK)
                    .spawn_scoped(scope, move || {
                        // Quiet: one message for the whole crowd, below.
                        quietly(|| {
                            for round in 0..rounds {
                                let message = format!("client {id} round {round}\n");
                                round_trip(stream, message.as_bytes(), &format!("client {id}"));
                            }
                        })
                    })
                    .expect("could not start a client thread")
            })
            .collect();
        talkers
            .into_iter()
            .filter_map(|talker| talker.join().expect("a client thread died").err())
            .collect()
    });
    drop(streams);
    if let Some(first) = failures.first() {
        panic!(
            "{} of {clients} clients, all connected at once, were not served; the first \
             failure:\n{}\n  (every client stays connected until all are done: a server \
             that finishes one connection before it serves the next fails here, because \
             the first client never leaves)",
            failures.len(),
            first.message
        );
    }
}

/// `clients` clients connect together, then each does `rounds` round trips and
/// hangs up when its own are done. A server may serve them in turn (a pool of
/// `n` workers does, by design); every echo must still be right and nobody may
/// be forgotten. To prove clients are served *at the same time*, use
/// [`all_served_at_once`].
#[track_caller]
pub fn many_clients_in_turn(addr: SocketAddr, clients: usize, rounds: usize) {
    // Everybody connects before anybody talks, so the server must queue them all.
    let all_connected = Arc::new(Barrier::new(clients));
    let threads: Vec<_> = (0..clients)
        .map(|id| {
            let all_connected = Arc::clone(&all_connected);
            thread::Builder::new()
                .stack_size(CLIENT_STACK)
                .spawn(move || {
                    let connected = quietly(|| connect(addr));
                    // Wait for the others even when this one failed: they
                    // would otherwise wait at the barrier for ever.
                    all_connected.wait();
                    let mut stream = connected?;
                    quietly(|| {
                        for round in 0..rounds {
                            let message = format!("client {id} round {round}\n");
                            round_trip(&mut stream, message.as_bytes(), &format!("client {id}"));
                        }
                    })
                })
                .expect("could not start a client thread")
        })
        .collect();
    let failures: Vec<Failure> = threads
        .into_iter()
        .filter_map(|thread| thread.join().expect("a client thread died").err())
        .collect();
    if let Some(first) = failures.first() {
        panic!(
            "{} of {clients} clients were not served; the first failure:\n{}",
            failures.len(),
            first.message
        );
    }
}

/// A client connects and says nothing; another client must still be served.
#[track_caller]
pub fn silent_client_blocks_no_one(addr: SocketAddr) {
    let _silent = connect(addr);
    let mut talker = connect(addr);
    round_trip(
        &mut talker,
        b"hello past the silent one\n",
        "a client after a silent one",
    );
}

/// A client sends half a message and vanishes with a reset; the server must go on.
#[track_caller]
pub fn vanishing_client_crashes_nothing(addr: SocketAddr) {
    let vanishing = connect(addr);
    (&vanishing).write_all(b"half a mess").unwrap();
    // Linger 0 makes close() send RST: the rudest way a peer can disappear.
    socket2::SockRef::from(&vanishing)
        .set_linger(Some(std::time::Duration::ZERO))
        .unwrap();
    drop(vanishing);
    let mut next = connect(addr);
    round_trip(
        &mut next,
        b"still there?\n",
        "a client after one that vanished",
    );
}

/// One write carrying `messages` lines; all of them must come back.
///
/// Catches an edge-triggered server that reads once per readiness event: the
/// rest of the burst sits in the socket and no new event ever announces it.
#[track_caller]
pub fn burst(addr: SocketAddr, messages: usize) {
    let burst: String = (0..messages).map(|i| format!("message {i}\n")).collect();
    let mut stream = connect(addr);
    round_trip(
        &mut stream,
        burst.as_bytes(),
        "a client sending a burst in one write",
    );
}

/// A client sends `bytes` and reads nothing back for now, so the server's writes
/// to it must wait; meanwhile another client must be served. Then the slow reader
/// reads everything, which must be intact.
#[track_caller]
pub fn slow_reader_stalls_no_one(addr: SocketAddr, bytes: usize) {
    let payload: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
    let mut slow = connect(addr);
    let writer = {
        let slow = slow.try_clone().unwrap();
        let payload = payload.clone();
        // Write from another thread: the server's echo fills our receive buffer,
        // then its send buffer, then its own reading stops, and our writes block.
        thread::spawn(move || write_counting(slow, &payload))
    };
    let mut other = connect(addr);
    round_trip(
        &mut other,
        b"am I stuck behind the slow reader?\n",
        "a client beside a slow reader",
    );
    let echoed = read_exactly(
        &mut slow,
        bytes,
        "the slow reader, reading its echo at last",
        "the server stopped echoing to the slow reader. What its socket would not take \
         must wait in that connection's outbox, and go out when the socket is writable \
         again; and once the outbox has room, the server must read from it again",
    );
    if let Err((sent, e)) = writer.join().unwrap() {
        panic!(
            "the slow reader could send only {sent} of its {bytes} bytes: {}\n  \
             hint: the server stopped reading from it for good. Stop reading while its \
             outbox is full, yes, but read again once the outbox has room",
            explain(&e)
        );
    }
    assert!(
        echoed == payload,
        "the slow reader's {bytes} bytes came back changed ({})\n  \
         hint: keep unsent bytes in order in the connection's write buffer",
        first_difference(&echoed, &payload)
    );
}

/// `write_all`, but on failure says how many bytes went out before it.
fn write_counting(mut stream: TcpStream, bytes: &[u8]) -> Result<(), (usize, std::io::Error)> {
    let mut sent = 0;
    while sent < bytes.len() {
        match stream.write(&bytes[sent..]) {
            Ok(0) => return Err((sent, ErrorKind::WriteZero.into())),
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err((sent, e)),
        }
    }
    Ok(())
}

/// `len` bytes whose values depend on their position, so a lost, doubled or
/// moved piece shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i ^ (i >> 8) ^ (i >> 16)) as u8).collect()
}

/// Where two byte strings first differ, in words.
pub fn first_difference(got: &[u8], want: &[u8]) -> String {
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(at) => format!("first difference at byte {at} of {}", want.len()),
        None => format!("{} bytes instead of {}", got.len(), want.len()),
    }
}

/// Sends `payload` from one thread while reading its echo on this one (so that
/// neither side waits for the other), and checks that it comes back intact.
/// `stalled_hint` is [`read_exactly`]'s.
#[track_caller]
pub fn echo_concurrently(client: &mut TcpStream, payload: &[u8], what: &str, stalled_hint: &str) {
    let writer = {
        let mut client = client.try_clone().unwrap();
        let payload = payload.to_vec();
        thread::spawn(move || client.write_all(&payload))
    };
    let echo = read_exactly(client, payload.len(), what, stalled_hint);
    if let Err(e) = writer.join().unwrap() {
        panic!(
            "{what}: sending failed: {}\n  hint: the server must keep reading",
            explain(&e)
        );
    }
    crate::expect::that(
        echo == payload,
        &format!("{what}: the echo should be the bytes sent, in order"),
        first_difference(&echo, payload),
        "write from the front of the outbox and remove only what write() took",
    );
}

/// Reads exactly `len` bytes, each read bounded by the kit's timeout.
///
/// `stalled_hint` is shown when the echo stops coming: it names how the
/// exercise's event loop learns that a socket takes bytes again (the write set,
/// `POLLOUT`, ...).
#[track_caller]
pub fn read_exactly(stream: &mut TcpStream, len: usize, what: &str, stalled_hint: &str) -> Vec<u8> {
    let mut got = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        match stream.read(&mut got[filled..]) {
            Ok(0) => panic!(
                "{what}: the server closed the connection after {filled} of {len} bytes\n  \
                 hint: close a connection only when the client has half-closed AND its \
                 outbox is empty"
            ),
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) => panic!(
                "{what}: {filled} of {len} bytes came back, then nothing for {} s\n  \
                 hint: {stalled_hint}",
                IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!(
                "{what}: reading failed after {filled} of {len} bytes: {}",
                explain(&e)
            ),
        }
    }
    got
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::spawn_server;

    /// A correct (thread-per-connection) echo server passes every check.
    fn threaded_echo() -> SocketAddr {
        spawn_server(|listener| {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                thread::spawn(move || {
                    let mut reader = stream.try_clone().unwrap();
                    let _ = std::io::copy(&mut reader, &mut stream);
                });
            }
        })
        .addr()
    }

    #[test]
    fn a_correct_server_passes_every_check() {
        let addr = threaded_echo();
        crate::within(crate::deadline::DEFAULT, "the echo checks", move || {
            all_served_at_once(addr, 20, 3);
            many_clients_in_turn(addr, 20, 3);
            silent_client_blocks_no_one(addr);
            vanishing_client_crashes_nothing(addr);
            burst(addr, 1000);
            slow_reader_stalls_no_one(addr, 4 << 20);
        });
    }

    /// Serves one connection at a time, to the end: the iterative model.
    fn iterative_echo() -> SocketAddr {
        spawn_server(|listener| {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = std::io::copy(&mut &stream, &mut &stream);
            }
        })
        .addr()
    }

    #[test]
    fn a_large_echo_comes_back_whole_through_a_small_buffer() {
        let addr = threaded_echo();
        crate::within(crate::deadline::DEFAULT, "a 4 MiB echo", move || {
            let mut client = crate::net::connect_with_small_receive_buffer(addr);
            echo_concurrently(&mut client, &pattern(4 << 20), "4 MiB", "unused");
            let got = read_exactly(&mut connect_then_send(addr, b"abc"), 3, "3 bytes", "unused");
            assert_eq!(got, b"abc");
        });
    }

    fn connect_then_send(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
        let mut stream = connect(addr);
        stream.write_all(bytes).unwrap();
        stream
    }

    #[test]
    #[should_panic(
        expected = "3 bytes: 0 of 3 bytes came back, then nothing for 3 s\n  hint: ask for POLLOUT"
    )]
    fn a_stalled_read_names_what_and_how_much() {
        let addr = spawn_server(|listener| {
            let _held: Vec<_> = listener.incoming().take(1).collect();
            std::thread::park();
        })
        .addr();
        let mut stream = connect(addr);
        stream
            .set_read_timeout(Some(std::time::Duration::from_millis(50)))
            .unwrap();
        read_exactly(&mut stream, 3, "3 bytes", "ask for POLLOUT");
    }

    #[test]
    #[should_panic(
        expected = "the slow reader, reading its echo at last: 0 of 1048576 bytes came back, \
                    then nothing for 3 s\n  hint: the server stopped echoing"
    )]
    fn a_server_that_forgets_the_slow_reader_is_told_so() {
        // Echoes a connection whose first bytes are a line; never reads again
        // from one whose first bytes are not.
        let addr = spawn_server(|listener| {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                thread::spawn(move || {
                    let mut first = [0u8; 64];
                    let n = stream.read(&mut first).unwrap_or(0);
                    if first[..n].ends_with(b"\n") {
                        stream.write_all(&first[..n]).unwrap();
                        let _ = std::io::copy(&mut stream.try_clone().unwrap(), &mut stream);
                    } else {
                        thread::park();
                    }
                });
            }
        })
        .addr();
        slow_reader_stalls_no_one(addr, 1 << 20);
    }

    #[test]
    fn the_pattern_changes_within_and_across_256_byte_blocks() {
        let bytes = pattern(1 << 17);
        assert_ne!(bytes[..256], bytes[256..512]);
        assert_ne!(bytes[..256], bytes[1 << 16..(1 << 16) + 256]);
    }

    #[test]
    fn first_difference_says_where_or_how_long() {
        assert_eq!(
            first_difference(b"abXd", b"abcd"),
            "first difference at byte 2 of 4"
        );
        assert_eq!(first_difference(b"ab", b"abcd"), "2 bytes instead of 4");
    }

    #[test]
    #[should_panic(expected = "then nothing for")]
    fn an_iterative_server_fails_all_served_at_once() {
        let addr = iterative_echo();
        all_served_at_once_within(addr, 3, 2, Duration::from_millis(200));
    }

    #[test]
    fn an_iterative_server_passes_many_clients_in_turn() {
        let addr = iterative_echo();
        crate::within(crate::deadline::DEFAULT, "5 clients in turn", move || {
            many_clients_in_turn(addr, 5, 2)
        });
    }

    #[test]
    #[should_panic(expected = "then nothing for")]
    fn a_server_that_never_echoes_fails_with_a_message() {
        let addr = spawn_server(|listener| {
            let _held: Vec<_> = listener.incoming().take(1).collect();
            std::thread::park();
        })
        .addr();
        let mut stream = connect(addr);
        stream
            .set_read_timeout(Some(std::time::Duration::from_millis(50)))
            .unwrap();
        round_trip(&mut stream, b"hello\n", "a client");
    }
}
