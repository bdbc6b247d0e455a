//! Tests for the thread-per-connection echo server. Run them with `cargo test`
//! in this folder.
//!
//! Each test starts `Server::run` on a thread of its own, on a free loopback
//! port, talks to it with the test kit's clients (every read has a timeout),
//! and stops it with its `Stopper`.

use std::io::{self, BufRead, BufReader};
use std::net::{Shutdown, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use testkit::echo::all_served_at_once;
use testkit::net::{connect, read_to_end, IO_TIMEOUT};
use testkit::{deadline::DEFAULT, echo, expect, within};
use threaded_echo::{Server, Stopper};

/// How long `run` may take to return after `stop`. Loopback answers in
/// microseconds; the rest is slack for a busy machine.
const STOP_WAIT: Duration = Duration::from_secs(3);

type Outcome = thread::Result<io::Result<()>>;

/// `Server::run` on its own thread.
struct Running {
    addr: SocketAddr,
    stopper: Stopper,
    done: mpsc::Receiver<Outcome>,
}

/// Binds `127.0.0.1:0` and starts `run` on a new thread.
fn start() -> Running {
    let server = expect::ok(
        "binding 127.0.0.1:0",
        Server::bind("127.0.0.1:0"),
        "Server::bind is given; any free loopback port should do",
    );
    launch(server)
}

fn launch(server: Server) -> Running {
    let addr = server.local_addr();
    let stopper = server.stopper();
    let (report, done) = mpsc::channel();
    thread::Builder::new()
        .name(format!("server {addr}"))
        .spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| server.run()));
            let _ = report.send(outcome);
        })
        .unwrap();
    Running {
        addr,
        stopper,
        done,
    }
}

impl Running {
    /// Runs `check` against the server. If it fails and the server has died,
    /// the server's own failure is reported instead: it is the real cause.
    #[track_caller]
    fn check(&self, check: impl FnOnce(SocketAddr)) {
        if let Err(failure) = panic::catch_unwind(AssertUnwindSafe(|| check(self.addr))) {
            self.fail_if_ended(Duration::from_millis(200));
            panic::resume_unwind(failure);
        }
    }

    /// Fails with what `run` did, if it has returned or panicked.
    #[track_caller]
    fn fail_if_ended(&self, wait: Duration) {
        match self.done.recv_timeout(wait) {
            Err(_) => {}
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Ok(Ok(result)) => panic!(
                "run() returned {result:?} although nobody stopped it\n  \
                 hint: run loops until the stop flag is set; an error with one \
                 client ends that client's thread, never the server"
            ),
        }
    }

    /// Stops the server and waits for `run` to return `Ok(())`.
    #[track_caller]
    fn stop(self) {
        self.stopper.stop();
        match self.done.recv_timeout(STOP_WAIT) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => panic!(
                "run() returned the error {err:?} after stop(); it should return Ok(())\n  \
                 hint: the connection accepted after a stop is the wake-up call: check \
                 the flag and leave the loop"
            ),
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Err(_) => panic!(
                "run() did not return within {} s after stop()\n  \
                 hint: stop() sets the flag, then connects to the server to wake the \
                 blocked accept; run checks the flag after every accept",
                STOP_WAIT.as_secs()
            ),
        }
    }
}

/// One round trip, so that a server that is not running fails at once, before
/// a hundred clients wait for each other.
#[track_caller]
fn probe(addr: SocketAddr) {
    let mut client = connect(addr);
    echo::round_trip(&mut client, b"probe\n", "a first client");
}

#[test]
fn echoes_then_closes_when_the_client_half_closes() {
    within(DEFAULT, "an echo, then end-of-file", || {
        let server = start();
        server.check(|addr| {
            let mut client = connect(addr);
            echo::round_trip(&mut client, b"hello, threads\n", "a client");
            client.shutdown(Shutdown::Write).unwrap();
            let rest = read_to_end(&mut client, "end-of-file after the echo");
            expect::eq(
                "bytes after the echo, once the client half-closed",
                String::from_utf8_lossy(&rest).as_ref(),
                "",
                "when read returns 0, return from handle_client: dropping the stream \
                 closes it, and the client reads end-of-file",
            );
        });
        server.stop();
    });
}

#[test]
fn serves_a_hundred_clients_at_once() {
    within(
        Duration::from_secs(20),
        "100 clients, all connected, 5 round trips each",
        || {
            // 100 clients and their 100 server-side sockets, in this process.
            testkit::limits::raise_fd_limit(1024);
            let server = start();
            server.check(|addr| {
                probe(addr);
                all_served_at_once(addr, 100, 5);
            });
            server.stop();
        },
    );
}

#[test]
fn a_silent_client_blocks_no_one() {
    within(DEFAULT, "a client served beside a silent one", || {
        let server = start();
        server.check(echo::silent_client_blocks_no_one);
        server.stop();
    });
}

#[test]
fn a_vanishing_client_crashes_nothing() {
    within(DEFAULT, "a client served after one vanished", || {
        let server = start();
        server.check(echo::vanishing_client_crashes_nothing);
        // Again, in case the first reset took a moment to do its damage.
        server.check(|addr| all_served_at_once(addr, 10, 2));
        server.stop();
    });
}

#[test]
fn a_burst_comes_back_whole() {
    within(DEFAULT, "1000 lines sent in one write", || {
        let server = start();
        server.check(|addr| echo::burst(addr, 1000));
        server.stop();
    });
}

#[test]
fn a_slow_reader_stalls_no_one() {
    within(DEFAULT, "a client served beside a slow reader", || {
        let server = start();
        server.check(|addr| echo::slow_reader_stalls_no_one(addr, 1 << 20));
        server.stop();
    });
}

#[test]
fn stops_when_asked() {
    within(DEFAULT, "run() returning after stop()", || {
        let server = start();
        server.check(|addr| {
            probe(addr);
            all_served_at_once(addr, 3, 1);
        });
        server.stop();
    });
}

#[test]
fn a_stop_before_run_makes_run_return_at_once() {
    within(DEFAULT, "run() after an early stop()", || {
        let server = expect::ok(
            "binding 127.0.0.1:0",
            Server::bind("127.0.0.1:0"),
            "Server::bind is given",
        );
        let stopper = server.stopper();
        stopper.stop();
        // run() must notice the stop that came first; it returns at once.
        launch(server).stop();
    });
}

#[test]
fn a_conversation_in_progress_outlives_the_stop() {
    within(DEFAULT, "a conversation after stop()", || {
        let server = start();
        let addr = server.addr;
        let mut client = connect(addr);
        server.check(|_| echo::round_trip(&mut client, b"before the stop\n", "a client"));
        server.stop();
        // The conversation has a thread of its own: stopping the accept loop
        // does not end it.
        echo::round_trip(
            &mut client,
            b"after the stop\n",
            "a client connected before the stop",
        );
        client.shutdown(Shutdown::Write).unwrap();
        let rest = read_to_end(&mut client, "end-of-file after the last echo");
        expect::eq(
            "bytes after the last echo",
            &rest.len(),
            &0,
            "each byte is echoed once",
        );
    });
}

/// Kills the child process when dropped, so a failing test leaves no server behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_announces_its_address_and_echoes() {
    within(Duration::from_secs(10), "the threaded-echo binary", || {
        let mut child = KillOnDrop(
            Command::new(env!("CARGO_BIN_EXE_threaded-echo"))
                .arg("127.0.0.1:0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("could not start the threaded-echo binary"),
        );
        let stdout = child.0.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(IO_TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "the binary printed no line within {} s",
                IO_TIMEOUT.as_secs()
            )
        });
        let addr: SocketAddr = line
            .trim_end()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "the binary's first line should be `listening on <address>`, \
                         got {line:?}"
                )
            });
        let talked = panic::catch_unwind(|| {
            let mut first = connect(addr);
            let mut second = connect(addr);
            // The second client first, while the first is connected and silent.
            echo::round_trip(&mut second, b"ping\n", "the second of two clients");
            echo::round_trip(&mut first, b"ping\n", "the first of two clients");
        });
        if let Err(failure) = talked {
            eprintln!(
                "the binary did not echo; run it yourself to see why: \
                     cargo run --bin threaded-echo -- 127.0.0.1:0"
            );
            panic::resume_unwind(failure);
        }
    });
}
