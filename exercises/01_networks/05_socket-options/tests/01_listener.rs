//! Step 1: `reusable_listener`. Run these tests alone with
//! `cargo test --test 01_listener`.

use std::io::{ErrorKind, Read};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use socket_options::{reusable_listener, BACKLOG};
use testkit::{deadline::DEFAULT, expect, within};

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

#[track_caller]
fn listen(addr: SocketAddr, what: &str) -> TcpListener {
    expect::ok(
        what,
        reusable_listener(addr),
        "socket2::Socket::new, set_reuse_address(true), bind, listen(BACKLOG), \
         then .into() a TcpListener",
    )
}

#[test]
fn listens_on_the_address_with_so_reuseaddr() {
    within(DEFAULT, "a connection to the reusable listener", || {
        let listener = listen(loopback(0), "reusable_listener(127.0.0.1:0)");
        let addr = listener.local_addr().unwrap();
        expect::that(
            addr.ip() == Ipv4Addr::LOCALHOST && addr.port() != 0,
            "the listener should be bound to 127.0.0.1 on the port the OS chose",
            addr,
            "bind the address you were given",
        );
        #[cfg(unix)]
        expect::eq(
            "SO_REUSEADDR on the listener, read back",
            &socket2::SockRef::from(&listener).reuse_address().unwrap(),
            &true,
            "set_reuse_address(true) before bind",
        );
        let _client = testkit::net::connect(addr);
        expect::ok(
            "accepting the test's connection",
            listener.accept(),
            "the listener should be listening: call listen(BACKLOG) after bind",
        );
    });
}

#[test]
fn listens_on_ipv6_loopback_too() {
    within(
        DEFAULT,
        "a connection to a reusable listener on [::1]",
        || {
            // A machine without IPv6 cannot run this test; it has nothing to show there.
            if TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_err() {
                eprintln!("skipped: this machine has no IPv6 loopback (::1)");
                return;
            }
            let listener = expect::ok(
                "reusable_listener([::1]:0)",
                reusable_listener(SocketAddr::from((Ipv6Addr::LOCALHOST, 0))),
                "create the socket in the address family of the address you were given \
                 (socket2's Domain::for_address): an IPv4 socket cannot bind an IPv6 \
                 address",
            );
            let addr = listener.local_addr().unwrap();
            expect::that(
                addr.ip() == Ipv6Addr::LOCALHOST && addr.port() != 0,
                "the listener should be bound to [::1] on the port the OS chose",
                addr,
                "create the socket in the address family of the address you were given \
             (socket2's Domain::for_address), not always IPv4",
            );
            let _client = testkit::net::connect(addr);
            expect::ok(
                "accepting the test's connection over IPv6",
                listener.accept(),
                "the listener should be listening: call listen(BACKLOG) after bind",
            );
        },
    );
}

/// A server runs, serves a client, and closes that connection first, so its
/// side of it waits in TIME_WAIT on the server's port. The server stops and
/// starts again on the same port at once.
#[test]
fn rebinds_at_once_after_a_restart_with_time_wait() {
    within(DEFAULT, "a restart on the same port", || {
        // The first run of the server, on a port the OS picks.
        let first = listen(loopback(0), "reusable_listener(127.0.0.1:0), the first run");
        let addr = first.local_addr().unwrap();
        let mut client = testkit::net::connect(addr);
        let (served, _) = first.accept().expect("accepting the client");

        // The server closes first (active close: FIN_WAIT_1, FIN_WAIT_2, and
        // TIME_WAIT once the client's FIN comes). The client reads end-of-file
        // and closes too (passive close: CLOSE_WAIT, LAST_ACK, CLOSED).
        drop(served);
        let mut buf = [0u8; 1];
        assert_eq!(
            client.read(&mut buf).ok(),
            Some(0),
            "the client should see end-of-file"
        );
        drop(client);
        // The server stops.
        drop(first);

        // The premise: the port is still taken. On Linux, a socket without
        // SO_REUSEADDR (what Python's socket.socket() gives you) cannot bind it.
        #[cfg(target_os = "linux")]
        {
            use socket2::{Domain, Socket, Type};
            let plain = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
            let taken = plain.bind(&addr.into());
            expect::that(
                matches!(&taken, Err(e) if e.kind() == ErrorKind::AddrInUse),
                "without SO_REUSEADDR, binding the port should fail with AddrInUse while \
                 the old connection is in TIME_WAIT",
                &taken,
                "this checks the test's premise, not your code; it fails only if this \
                 machine skips TIME_WAIT (net.ipv4.tcp_max_tw_buckets exhausted)",
            );
        }

        // The restart.
        let second = listen(
            addr,
            "reusable_listener(the same address) right after the restart",
        );
        expect::eq(
            "the address the restarted server listens on",
            &second.local_addr().unwrap(),
            &addr,
            "bind the address you were given",
        );
        let _client = testkit::net::connect(addr);
        expect::ok(
            "accepting a client on the restarted server",
            second.accept(),
            "the restarted listener should be listening",
        );
    });
}

#[test]
fn does_not_share_a_port_with_a_live_listener() {
    within(DEFAULT, "a second listener on a taken port", || {
        let live = listen(loopback(0), "reusable_listener(127.0.0.1:0)");
        let addr = live.local_addr().unwrap();
        let second = reusable_listener(addr);
        expect::that(
            matches!(&second, Err(e) if e.kind() == ErrorKind::AddrInUse),
            "a second reusable_listener on a port another listener is using should fail \
             with AddrInUse",
            second.as_ref().map(|l| l.local_addr()),
            "SO_REUSEADDR only forgives connections that are closing; do not set \
             SO_REUSEPORT, which lets two servers share a port (and its clients)",
        );
    });
}

#[test]
fn the_backlog_holds_clients_nobody_has_accepted_yet() {
    within(
        DEFAULT,
        "64 connections to a listener that does not accept",
        || {
            let listener = listen(loopback(0), "reusable_listener(127.0.0.1:0)");
            let addr = listener.local_addr().unwrap();
            // Nobody calls accept: the kernel completes each handshake and queues
            // the connection. A full queue drops the next SYN, and that client's
            // connect waits while its SYN is sent again after 1 s, 2 s, 4 s, ...
            let clients = (BACKLOG / 2) as usize;
            let mut connected = Vec::with_capacity(clients);
            for n in 1..=clients {
                match TcpStream::connect_timeout(&addr, Duration::from_millis(1000)) {
                    Ok(stream) => connected.push(stream),
                    Err(err) => panic!(
                        "client {n} of {clients} could not connect ({err}) while nobody \
                     accepted: the queue of finished handshakes is full\n  \
                     hint: listen(BACKLOG) ({BACKLOG}), not a small number like the 5 of \
                     many examples"
                    ),
                }
            }
            drop(listener);
        },
    );
}
