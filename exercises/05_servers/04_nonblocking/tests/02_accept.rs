//! Step 2: `accept_ready` (`src/accept.rs`), every waiting connection from a
//! non-blocking listener. Run with `cargo test --test 02_accept`.

mod common;

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsFd;

use common::{reset, wait_for_queue};
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nonblocking::accept_ready;
use testkit::net::connect;
use testkit::{deadline::DEFAULT, expect, within};

fn nonblocking_listener() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    listener.set_nonblocking(true).unwrap();
    listener
}

fn is_nonblocking(fd: &impl AsFd) -> bool {
    let flags = fcntl(fd, FcntlArg::F_GETFL).expect("fcntl(F_GETFL) failed");
    OFlag::from_bits_truncate(flags).contains(OFlag::O_NONBLOCK)
}

#[test]
fn no_waiting_client_gives_an_empty_list() {
    within(DEFAULT, "accept_ready with nobody waiting", || {
        let listener = nonblocking_listener();
        let accepted = expect::ok(
            "accept_ready on a listener nobody has connected to",
            accept_ready(&listener),
            "accept says WouldBlock when the queue is empty: that ends the loop, it is not an error",
        );
        expect::eq(
            "how many connections accept_ready returned",
            &accepted.len(),
            &0,
            "nobody connected",
        );
    });
}

#[test]
fn every_waiting_client_is_accepted_in_one_call() {
    within(DEFAULT, "accept_ready with five clients waiting", || {
        let listener = nonblocking_listener();
        let addr = listener.local_addr().unwrap();
        let clients: Vec<_> = (0..5).map(|_| connect(addr)).collect();
        wait_for_queue(&listener, clients.len());

        let accepted = expect::ok(
            "accept_ready with five clients in the accept queue",
            accept_ready(&listener),
            "accept until WouldBlock",
        );
        let peers: BTreeSet<SocketAddr> = accepted.iter().map(|(_, peer)| *peer).collect();
        let wanted: BTreeSet<SocketAddr> =
            clients.iter().map(|c| c.local_addr().unwrap()).collect();
        expect::eq(
            "the peers of the connections accept_ready returned",
            &peers,
            &wanted,
            "one call takes everything that waits: loop on accept until it says WouldBlock, \
             not just once (one readiness event can stand for many clients)",
        );
        let again = expect::ok(
            "a second accept_ready, with the queue empty",
            accept_ready(&listener),
            "an empty queue is not an error",
        );
        expect::eq(
            "connections returned by the second call",
            &again.len(),
            &0,
            "everything was taken by the first call",
        );
    });
}

#[test]
fn accepted_streams_are_non_blocking() {
    within(DEFAULT, "the mode of accepted streams", || {
        let listener = nonblocking_listener();
        let addr = listener.local_addr().unwrap();
        let _clients: Vec<_> = (0..2).map(|_| connect(addr)).collect();
        wait_for_queue(&listener, 2);
        let accepted = expect::ok(
            "accept_ready with two clients waiting",
            accept_ready(&listener),
            "accept until WouldBlock",
        );
        expect::eq(
            "connections accepted",
            &accepted.len(),
            &2,
            "two were waiting",
        );
        for (mut stream, peer) in accepted {
            expect::that(
                is_nonblocking(&stream),
                "every stream accept_ready returns is in non-blocking mode",
                format!("the stream from {peer} is blocking"),
                "Linux does not copy O_NONBLOCK from the listener: call \
                 stream.set_nonblocking(true) on each accepted stream",
            );
            let read = stream.read(&mut [0u8; 8]).map_err(|e| e.kind());
            expect::eq(
                "a read on an accepted stream whose client sent nothing",
                &read,
                &Err(ErrorKind::WouldBlock),
                "a non-blocking read with nothing to read fails at once with WouldBlock",
            );
        }
    });
}

#[test]
fn a_client_that_left_while_queued_does_not_fail_the_call() {
    within(DEFAULT, "accept_ready after a client gave up", || {
        let listener = nonblocking_listener();
        let addr = listener.local_addr().unwrap();
        let stayer = connect(addr);
        wait_for_queue(&listener, 1);
        let quitter = connect(addr);
        wait_for_queue(&listener, 2);
        // Depending on the OS, accept skips it, returns it (its first read then
        // fails), or fails once with ConnectionAborted.
        reset(quitter);
        let accepted = expect::ok(
            "accept_ready after a queued client reset its connection",
            accept_ready(&listener),
            "a client that gave up concerns that client only; skip ConnectionAborted",
        );
        let peers: Vec<SocketAddr> = accepted.iter().map(|(_, peer)| *peer).collect();
        expect::that(
            peers.contains(&stayer.local_addr().unwrap()),
            "the client that stayed is accepted",
            peers,
            "keep accepting after an error that concerns one client",
        );
    });
}

#[test]
fn an_error_of_the_listener_is_returned() {
    within(
        DEFAULT,
        "accept_ready on a socket that is not listening",
        || {
            // Bound but never listening: accept fails with EINVAL, a real error.
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
                .expect("could not create a socket");
            socket
                .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
                .unwrap();
            socket.set_nonblocking(true).unwrap();
            let not_listening = TcpListener::from(socket);
            let err = expect::err(
                "accept_ready on a socket that is not listening",
                accept_ready(&not_listening),
                "only WouldBlock ends the loop quietly; any other error of the first accept \
             is returned",
            );
            expect::that(
                err.kind() != ErrorKind::WouldBlock,
                "the error is the one accept reported",
                err.kind(),
                "return the error as it is",
            );
        },
    );
}
