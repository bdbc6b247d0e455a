//! Running out of file descriptors must not end the room.
//!
//! This file is a test binary of its own: it lowers this process's descriptor
//! limit and fills the table on purpose, which would disturb any other test
//! running beside it.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::thread;
use std::time::Duration;

use common::cpu_time;
use nix::sys::resource::{getrlimit, setrlimit, Resource};
use testkit::chat::ChatClient;
use testkit::deadline::DEFAULT;
use testkit::{expect, net, within};

/// The soft limit while the table is filled: low, so filling it is quick.
const LOW_LIMIT: u64 = 256;

/// Opens `/dev/null` until the process has no descriptor left (`EMFILE`).
fn take_every_descriptor() -> Vec<File> {
    let mut files = Vec::new();
    for _ in 0..LOW_LIMIT {
        match File::open("/dev/null") {
            Ok(file) => files.push(file),
            Err(e) if e.raw_os_error() == Some(nix::libc::EMFILE) => return files,
            Err(e) => panic!("could not open /dev/null: {e}"),
        }
    }
    panic!("opened {LOW_LIMIT} files without reaching the descriptor limit");
}

#[test]
fn running_out_of_descriptors_pauses_accepting_and_the_room_goes_on() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "a client accepted while the server has no descriptor left",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut carol = ChatClient::join(addr, "carol");
            alice.expect("* carol joined", "");

            let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
            setrlimit(Resource::RLIMIT_NOFILE, soft.min(LOW_LIMIT), hard).expect("setrlimit");
            let mut filler = take_every_descriptor();
            // One descriptor free: bob's end of the connection takes it, so the
            // server's accept finds none left and fails with EMFILE. (A server
            // whose run returns that error closes its listener, and bob's
            // connect fails with "connection reset".)
            drop(filler.pop());
            let mut bob = net::connect(addr);
            alice.send("anyone there?");
            carol.expect(
                "alice: anyone there?",
                "accept failing with EMFILE (out of file descriptors) is not the \
                 room's end: do not return the error from run; stop polling the \
                 listener for a short while (a poll timeout), then try again",
            );
            // Bob still waits in the backlog. Waiting is the measurement here,
            // not a way to synchronise.
            let before = cpu_time();
            thread::sleep(Duration::from_millis(400));
            let used = cpu_time() - before;
            expect::that(
                used < Duration::from_millis(80),
                "the CPU the server uses while it has no descriptor left and a client \
                 waits to be accepted",
                format!("{} ms of CPU in 400 ms", used.as_millis()),
                "the listener stays readable while accept fails with EMFILE, so polling \
                 it at once again spins: leave it out of the poll set for about 100 ms \
                 (keep that moment, make it part of poll's timeout, and clear it only \
                 once it has passed); treat EMFILE as out of resources, not as one \
                 client's failure to skip (lesson 05.9, 'Accepting')",
            );

            drop(filler);
            setrlimit(Resource::RLIMIT_NOFILE, soft, hard).expect("setrlimit");
            bob.write_all(b"bob\n")
                .expect("bob could not send his name");
            let mut welcome = String::new();
            let got = BufReader::new(&bob)
                .read_line(&mut welcome)
                .map(|_| welcome);
            expect::eq(
                "bob's first line, once descriptors are free again",
                &got.map_err(|e| e.kind()),
                &Ok("ok welcome bob\n".to_owned()),
                "a client that waited in the listen backlog while the server had no \
                 descriptor left is accepted once there are some again",
            );
            alice.expect(
                "* bob joined",
                "the client accepted late joins the room like any other",
            );
        },
    );
}
