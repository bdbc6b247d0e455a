//! Is each client registered edge-triggered? Asked of the kernel itself. Run
//! with `cargo test --test 03_registration`.
//!
//! Linux describes every epoll instance in `/proc/self/fdinfo/<fd>`: one line
//! per registered file descriptor, with the flags it was registered with:
//!
//! ```text
//! tfd:        7 events: 80002019 data:                2  pos:0 ino:2c658 sdev:9
//! ```
//!
//! `tfd` is the registered descriptor, `events` the flags in hex (0x80000000 is
//! EPOLLET), `data` the token. This test is alone in its file, so the server it
//! starts owns the only epoll instance in the test process.
#![cfg(target_os = "linux")]

use std::fs;

use epoll_echo::Server;
use testkit::net::connect;
use testkit::server::{Hints, Running};
use testkit::{deadline, echo, expect, within};

const EPOLLIN: u32 = 0x001;
const EPOLLET: u32 = 1 << 31;
/// The state column of `/proc/net/tcp` for an established connection.
const ESTABLISHED: &str = "01";

/// One `tfd:` line of an epoll instance's fdinfo.
#[derive(Debug)]
struct Registration {
    fd: u32,
    events: u32,
}

/// Every registration of every epoll instance of this process.
fn registrations() -> Vec<Registration> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc/self/fd").expect("/proc/self/fd is readable on Linux") {
        let fd = entry.unwrap().file_name();
        let is_epoll = fs::read_link(format!("/proc/self/fd/{}", fd.to_string_lossy()))
            .is_ok_and(|target| target.to_string_lossy() == "anon_inode:[eventpoll]");
        if !is_epoll {
            continue;
        }
        let info = fs::read_to_string(format!("/proc/self/fdinfo/{}", fd.to_string_lossy()))
            .unwrap_or_default();
        found.extend(info.lines().filter_map(parse_registration));
    }
    found
}

/// `tfd:        7 events: 80002019 data: ...` → fd 7, events 0x80002019.
fn parse_registration(line: &str) -> Option<Registration> {
    let mut words = line.split_whitespace();
    (words.next()? == "tfd:").then_some(())?;
    let fd = words.next()?.parse().ok()?;
    (words.next()? == "events:").then_some(())?;
    let events = u32::from_str_radix(words.next()?, 16).ok()?;
    Some(Registration { fd, events })
}

/// The inode of the socket behind a descriptor of this process, if it is one.
fn socket_inode(fd: u32) -> Option<String> {
    let target = fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
    let target = target.to_string_lossy();
    Some(
        target
            .strip_prefix("socket:[")?
            .strip_suffix(']')?
            .to_string(),
    )
}

/// True when the TCP socket with this inode is an established connection (not
/// the listener, which is in state LISTEN).
fn is_established(inode: &str) -> bool {
    ["/proc/self/net/tcp", "/proc/self/net/tcp6"]
        .iter()
        .filter_map(|path| fs::read_to_string(path).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .map(|line| line.split_whitespace().map(str::to_string).collect())
                .collect::<Vec<Vec<String>>>()
        })
        // Columns: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        .any(|columns| {
            columns.get(3).map(String::as_str) == Some(ESTABLISHED)
                && columns.get(9).map(String::as_str) == Some(inode)
        })
}

const HINTS: Hints = Hints {
    ended_early: "run loops until the eventfd's token comes up",
    stop_is_ok: "a stop is not an error: return Ok(()) when the eventfd's token comes up",
    stop_promptly: None,
};

#[test]
fn every_client_is_registered_edge_triggered() {
    within(deadline::DEFAULT, "a client registered with epoll", || {
        let server = expect::ok(
            "Server::bind(\"127.0.0.1:0\")",
            Server::bind("127.0.0.1:0"),
            "bind, create the Epoll and the eventfd, register both",
        );
        let stopper = server.stopper();
        let server = Running::start(
            "epoll server",
            server.local_addr(),
            HINTS,
            move || stopper.stop(),
            move || server.run(),
        );
        server.check(
            "register each accepted stream with EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET",
            |addr| {
                // An echo proves the server accepted this client and registered it.
                let mut client = connect(addr);
                echo::round_trip(&mut client, b"am I registered?\n", "a client");

                let clients: Vec<Registration> = registrations()
                    .into_iter()
                    .filter(|r| socket_inode(r.fd).is_some_and(|inode| is_established(&inode)))
                    .collect();
                expect::eq(
                    "connected sockets registered with epoll",
                    &clients.len(),
                    &1,
                    "register each accepted stream once (epoll.add), and remove it \
                     (epoll.delete) when the connection closes",
                );
                let events = clients[0].events;
                expect::that(
                    events & EPOLLIN != 0,
                    "the client's socket should be registered for EPOLLIN",
                    format!("events {events:#010x}"),
                    "without EPOLLIN, epoll never says the client sent something",
                );
                expect::that(
                    events & EPOLLET != 0,
                    "the client's socket should be registered edge-triggered (EPOLLET)",
                    format!("events {events:#010x}: level-triggered"),
                    "add EpollFlags::EPOLLET to the flags you register each connection \
                     with; this exercise is about edge-triggered epoll (and reading \
                     until WouldBlock)",
                );
            },
        );
        server.stop();
    });
}
