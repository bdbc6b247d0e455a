//! Checks shared by every echo server of part 05, written against the wire only.
//!
//! Each function takes the address of a running echo server (bytes in, the same
//! bytes out, no framing) and panics with a message for the learner when the
//! server misbehaves. Every read has the test kit's timeout, so a server that
//! stalls fails the check instead of hanging it; wrap calls in
//! [`crate::within`] for an overall deadline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;

use crate::net::{connect, is_timeout, IO_TIMEOUT};

/// Client threads need little stack; hundreds of them must fit comfortably.
const CLIENT_STACK: usize = 128 * 1024;

/// Sends `message` and reads back exactly as many bytes; fails on any difference.
#[track_caller]
pub fn round_trip(stream: &mut TcpStream, message: &[u8], who: &str) {
    if let Err(e) = stream.write_all(message) {
        panic!("{who}: sending {} bytes failed: {e}", message.len());
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
            Err(e) => panic!("{who}: reading the echo failed after {got} bytes: {e}"),
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

/// `clients` clients connect and stay connected together, then each does `rounds`
/// round trips of a message unique to it and the round. A server that serves one
/// client at a time never lets them all in at once, and fails here.
#[track_caller]
pub fn many_clients(addr: SocketAddr, clients: usize, rounds: usize) {
    // Everybody connects before anybody talks, so the server must hold them all.
    let all_connected = Arc::new(Barrier::new(clients));
    let threads: Vec<_> = (0..clients)
        .map(|id| {
            let all_connected = Arc::clone(&all_connected);
            thread::Builder::new()
                .stack_size(CLIENT_STACK)
                .spawn(move || {
                    let mut stream = connect(addr);
                    all_connected.wait();
                    for round in 0..rounds {
                        let message = format!("client {id} round {round}\n");
                        round_trip(&mut stream, message.as_bytes(), &format!("client {id}"));
                    }
                })
                .expect("could not start a client thread")
        })
        .collect();
    for thread in threads {
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
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
        let mut slow = slow.try_clone().unwrap();
        let payload = payload.clone();
        // Write from another thread: the server's echo fills our receive buffer,
        // then its send buffer, then its own reading stops, and our writes block.
        thread::spawn(move || slow.write_all(&payload))
    };
    let mut other = connect(addr);
    round_trip(
        &mut other,
        b"am I stuck behind the slow reader?\n",
        "a client beside a slow reader",
    );
    let mut echoed = vec![0; bytes];
    if let Err(e) = slow.read_exact(&mut echoed) {
        panic!("the slow reader could not read back its {bytes} bytes: {e}");
    }
    writer
        .join()
        .unwrap()
        .expect("the slow reader's writes failed");
    assert!(
        echoed == payload,
        "the slow reader's {bytes} bytes came back changed\n  \
         hint: keep unsent bytes in order in the connection's write buffer"
    );
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
            many_clients(addr, 20, 3);
            silent_client_blocks_no_one(addr);
            vanishing_client_crashes_nothing(addr);
            burst(addr, 1000);
            slow_reader_stalls_no_one(addr, 4 << 20);
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
