//! Proof that an echo server serves its clients at the same time, not in turn.
//!
//! [`crate::echo::many_clients`] connects every client before any talks, but each
//! client hangs up as soon as its own round trips are done, so a server that
//! serves one connection at a time still gets through them all: the next client
//! is accepted when the previous one leaves. [`all_served_at_once`] keeps every
//! client connected until *all* are done; a server that waits for one client to
//! leave before it serves the next never gets there.

use std::net::{SocketAddr, TcpStream};
use std::panic;
use std::thread;
use std::time::Duration;

use crate::echo::round_trip;
use crate::net::{connect, IO_TIMEOUT};

/// Client threads need little stack; hundreds of them must fit comfortably.
const CLIENT_STACK: usize = 128 * 1024;

/// `clients` clients connect, then each does `rounds` round trips of a message
/// unique to it and the round, while every other client stays connected. Only
/// when all are done does anybody hang up. Fails, naming how many clients got
/// no echo, when the server does not serve them all at once.
///
/// Use it for servers that promise a thread, a process or a readiness loop per
/// connection. A pool of `n` workers serves at most `n` at once by design:
/// test it with [`crate::echo::many_clients`] instead.
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
    let failures: Vec<_> = thread::scope(|scope| {
        let talkers: Vec<_> = streams
            .iter_mut()
            .enumerate()
            .map(|(id, stream)| {
                thread::Builder::new()
                    .stack_size(CLIENT_STACK)
                    .spawn_scoped(scope, move || {
                        for round in 0..rounds {
                            let message = format!("client {id} round {round}\n");
                            round_trip(stream, message.as_bytes(), &format!("client {id}"));
                        }
                    })
                    .expect("could not start a client thread")
            })
            .collect();
        talkers
            .into_iter()
            .filter_map(|talker| talker.join().err())
            .collect()
    });
    drop(streams);
    let failed = failures.len();
    if let Some(first) = failures.into_iter().next() {
        eprintln!(
            "{failed} of {clients} clients, all connected at once, were not served \
             (the first failure follows). Every client stays connected until all are \
             done: a server that finishes one connection before it serves the next \
             fails here, because the first client never leaves."
        );
        panic::resume_unwind(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::spawn_server;
    use std::io;

    fn threaded_echo() -> SocketAddr {
        spawn_server(|listener| {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                thread::spawn(move || io::copy(&mut &stream, &mut &stream));
            }
        })
        .addr()
    }

    /// Serves one connection at a time, to the end: the iterative model.
    fn iterative_echo() -> SocketAddr {
        spawn_server(|listener| {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = io::copy(&mut &stream, &mut &stream);
            }
        })
        .addr()
    }

    #[test]
    fn a_concurrent_server_passes() {
        let addr = threaded_echo();
        crate::within(crate::deadline::DEFAULT, "50 clients at once", move || {
            all_served_at_once(addr, 50, 3)
        });
    }

    #[test]
    #[should_panic(expected = "then nothing for")]
    fn an_iterative_server_fails() {
        let addr = iterative_echo();
        all_served_at_once_within(addr, 3, 2, Duration::from_millis(200));
    }
}
