//! Step 2, continued: `run` survives an `accept` that fails for lack of file
//! descriptors. Run with `cargo test --test 03_out_of_descriptors` (Linux only:
//! it watches the server's thread in `/proc`).
//!
//! This file is a test binary of its own: it takes every descriptor this
//! process may have, which would disturb any other test running beside it.
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{self, Write};
use std::net::Shutdown;
use std::os::unix::fs::FileExt;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use forking_echo::Server;
use testkit::echo::read_exactly;
use testkit::limits::exhaust_descriptors;
use testkit::net::{connect, read_to_end, IO_TIMEOUT};
use testkit::server::{quietly, Failure};
use testkit::{deadline::DEFAULT, echo, expect, within};

/// The descriptor limit while the test holds them all: low, so that taking
/// them all is quick.
const LOW_LIMIT: u64 = 256;

/// How `run` ended: it returned, or it panicked.
type Outcome = Result<io::Result<()>, Failure>;

/// Fails with what `run` did, if it has ended.
#[track_caller]
fn fail_if_ended(done: &mpsc::Receiver<Outcome>) {
    match done.try_recv() {
        Err(_) => {}
        Ok(Err(panic)) => panic!("Server::run panicked {}", panic.located()),
        Ok(Ok(result)) => panic!(
            "run() returned {result:?} when accept failed with EMFILE, and nobody had \
             asked it to stop\n  hint: EMFILE (\"Too many open files\") is the process's \
             trouble, not a reason to stop serving: report it on stderr, pause, and \
             accept again (lesson 05.1, 'When accept fails')"
        ),
    }
}

/// Waits until the thread whose `/proc/.../syscall` is `syscall` sleeps in
/// `nanosleep` (a `thread::sleep`), while `run` goes on.
#[track_caller]
fn wait_paused(syscall: &File, done: &mpsc::Receiver<Outcome>) {
    let until = Instant::now() + IO_TIMEOUT;
    let sleeps = [libc::SYS_nanosleep, libc::SYS_clock_nanosleep];
    let mut buf = [0u8; 256];
    loop {
        fail_if_ended(done);
        // pread on a file opened before: it needs no new descriptor.
        let n = syscall
            .read_at(&mut buf, 0)
            .expect("reading the server thread's syscall");
        let now = String::from_utf8_lossy(&buf[..n]);
        let number = now
            .split(' ')
            .next()
            .and_then(|n| n.parse::<libc::c_long>().ok());
        if number.is_some_and(|n| sleeps.contains(&n)) {
            return;
        }
        assert!(
            Instant::now() < until,
            "the server's thread did not pause within {} s after its accept failed with \
             EMFILE (it is in: {})\n  hint: a client waits in the backlog, so the next \
             accept fails the same way at once: retrying without a pause is a loop \
             that burns a core. Sleep briefly before polling again",
            IO_TIMEOUT.as_secs(),
            now.trim()
        );
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn accept_failing_with_emfile_pauses_then_accepts_again() {
    within(DEFAULT, "a client accepted after EMFILE", || {
        let server = expect::ok(
            "binding 127.0.0.1:0",
            Server::bind("127.0.0.1:0"),
            "Server::bind is given",
        );
        let addr = server.local_addr();
        let stopper = server.stopper();
        let (report, done) = mpsc::channel();
        let (opened, syscall) = mpsc::channel();
        thread::spawn(move || {
            let _ = opened.send(File::open("/proc/thread-self/syscall"));
            let _ = report.send(quietly(|| server.run()));
        });
        let syscall = syscall
            .recv()
            .unwrap()
            .expect("opening the server thread's /proc syscall file");
        let served = quietly(|| {
            let mut first = connect(addr);
            echo::round_trip(&mut first, b"first\n", "a first client");
            // Leave, and wait until the server's end is closed too: a descriptor
            // the server frees later would let its accept succeed below.
            first.shutdown(Shutdown::Write).unwrap();
            read_to_end(
                &mut first,
                "end-of-file once the child exits and the parent has dropped its copy",
            );

            let mut held = exhaust_descriptors(LOW_LIMIT);
            // One descriptor free: bob's end of the connection takes it, so
            // the server's accept finds none left and fails with EMFILE.
            held.free_one();
            let mut bob = connect(addr);
            wait_paused(&syscall, &done);
            drop(held);
            bob.write_all(b"bob, at last\n").unwrap();
            read_exactly(
                &mut bob,
                13,
                "bob, who waited in the backlog while the process had no descriptor",
                "after the pause, accept again: bob is still in the backlog",
            );
        });
        if let Err(failure) = served {
            fail_if_ended(&done);
            stopper.stop();
            panic!("{}", failure.message);
        }
        stopper.stop();
        match done.recv_timeout(Duration::from_secs(3)) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => panic!("run() returned {err:?} after stop(); expected Ok(())"),
            Ok(Err(panic)) => panic!("Server::run panicked {}", panic.located()),
            Err(_) => panic!("run() did not return within 3 s after stop()"),
        }
    });
}
