//! Starting and stopping the server under test.
//!
//! This is the only code in these tests that knows the server's Rust API;
//! every test speaks the chat protocol through `testkit::chat`. (Part 07's
//! `async-chat` runs the same tests with its own version of this file.)

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use chat_server::{Announcer, Server, Stopper};
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeValLike;

/// A server running on its own thread.
pub struct Running {
    pub addr: SocketAddr,
    announcer: Announcer,
    stopper: Stopper,
    thread: Option<JoinHandle<io::Result<()>>>,
}

/// Binds `127.0.0.1:0` and runs the server on a new thread. The listener is
/// bound before this returns, so clients may connect at once.
#[track_caller]
pub fn start() -> Running {
    // ANCHOR: start
    let server = Server::bind("127.0.0.1:0").expect("Server::bind(\"127.0.0.1:0\") failed");
    let addr = server.local_addr();
    let announcer = server.announcer();
    let stopper = server.stopper();
    let thread = thread::Builder::new()
        .name(format!("chat server {addr}"))
        .spawn(move || server.run())
        .expect("could not start the server thread");
    // ANCHOR_END: start
    Running {
        addr,
        announcer,
        stopper,
        thread: Some(thread),
    }
}

impl Running {
    /// Announces `text` through the server's announcement handle.
    pub fn announce(&self, text: &str) {
        self.announcer.announce(text);
    }

    /// Stops the server and waits at most `limit` for `run` to return; gives
    /// back what it returned (re-raising its panic).
    #[track_caller]
    pub fn stop_within(mut self, limit: Duration) -> io::Result<()> {
        self.stopper.stop();
        let thread = self.thread.take().expect("stopped twice");
        let (done, finished) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(thread.join());
        });
        match finished.recv_timeout(limit) {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => panic!(
                "run did not return within {} s after stop()\n  hint: stop() must wake the \
                 loop asleep in poll (write a byte to the wake-up socket it watches), and \
                 the loop must return Ok(()) when it sees the stop request",
                limit.as_secs_f32()
            ),
        }
    }
}

impl Drop for Running {
    /// A test that ends without stopping its server still stops it, so the
    /// servers of one test binary do not pile up.
    fn drop(&mut self) {
        self.stopper.stop();
    }
}

/// Binds, calls `stop()` before `run()`, then runs: `run` should return at once.
pub fn run_after_an_early_stop() -> io::Result<()> {
    let server = Server::bind("127.0.0.1:0").expect("Server::bind(\"127.0.0.1:0\") failed");
    server.stopper().stop();
    server.run()
}

/// CPU time (user + system) this process has used so far: the server runs on
/// a thread of the test process, so this counts its work too.
pub fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage failed");
    let micros = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    Duration::from_micros(micros.try_into().unwrap())
}
