//! Running out of file descriptors must not make the accept loop spin.
//!
//! This file is a test binary of its own: it lowers this process's descriptor
//! limit and fills the table on purpose, which would disturb any other test
//! running beside it, and it measures the process's CPU time.

mod common;

use std::fs::File;
use std::thread;
use std::time::Duration;

use common::{expect_ok, limits, start, Root, Wire};
use nix::sys::resource::{getrlimit, getrusage, setrlimit, Resource, UsageWho};
use nix::sys::time::TimeValLike;
use testkit::{deadline, expect, net, within};

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

/// CPU time (user + system) this process has used so far: the server runs on
/// threads of the test process, so this counts its work too.
fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage failed");
    let micros = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    Duration::from_micros(micros.try_into().unwrap())
}

#[test]
fn running_out_of_descriptors_does_not_make_the_accept_loop_spin() {
    within(
        deadline::DEFAULT,
        "a client waiting while the server has no descriptor left",
        || {
            let root = Root::new();
            let server = start(&root.files, limits());
            let mut first = server.wire();
            expect_ok(&first.list(), "a LIST before the descriptors run out");

            let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
            setrlimit(Resource::RLIMIT_NOFILE, soft.min(LOW_LIMIT), hard).expect("setrlimit");
            let mut filler = take_every_descriptor();
            // Two descriptors free. The late client's end of the connection takes
            // one. The server's accept, already waiting, reserved its descriptor
            // before the table was full (Linux does that when accept starts), and
            // keeping a clone of the stream takes the other. The server's next
            // accept then fails with EMFILE, and fails again at once each time it
            // is tried, as long as nothing is freed.
            filler.truncate(filler.len() - 2);
            let mut late = Wire {
                stream: net::connect(server.addr),
            };
            // Waiting is the measurement here, not a way to synchronise.
            let before = cpu_time();
            thread::sleep(Duration::from_millis(400));
            let used = cpu_time() - before;
            drop(filler);
            setrlimit(Resource::RLIMIT_NOFILE, soft, hard).expect("setrlimit");
            expect::that(
                used < Duration::from_millis(80),
                "the CPU the server uses while accept fails with EMFILE (no descriptor \
                 left)",
                format!("{} ms of CPU in 400 ms", used.as_millis()),
                "while no descriptor is free, every accept fails the same way at once, so \
                 a loop that only logs the error and goes on spins: when accept fails for \
                 lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), wait a \
                 little (100 ms) before trying again (lesson 05.9, 'Accepting')",
            );

            expect_ok(
                &late.list(),
                "the LIST of the client accepted while descriptors ran out",
            );
            expect_ok(&first.list(), "the first client's LIST afterwards");
            expect_ok(
                &server.wire().list(),
                "a new client's LIST once descriptors are free again",
            );
            drop((first, late));
            server.stop();
        },
    );
}
