//! A server under test on a thread of its own, and its binary started by hand.
//!
//! Part 05's event-loop servers (select, poll, epoll) share one shape: a `Server`
//! that binds, a `run` that blocks until a `Stopper` (or its twin) ends it from
//! another thread, and a binary that prints `listening on <addr>` and serves. Their
//! tests need the same harness around that shape, and two of its promises are easy
//! to get subtly wrong when each exercise writes its own:
//!
//! * **A dead server is reported as itself.** When `run` panics or returns while
//!   clients talk to it, [`Running::check`] fails at once with `run`'s own message,
//!   instead of leaving a client to wait [`crate::net::IO_TIMEOUT`] for an answer
//!   and blame the wrong thing.
//! * **Stopping is bounded.** [`Running::stop`] fails within [`STOP_WAIT`] when
//!   `run` ignores the stop, and fails when it returns an error.
//!
//! The harness takes closures (how to run, how to stop), not a trait: each
//! exercise's `Server` is a type of its own crate, and its integration tests could
//! not implement a test-kit trait for it (the orphan rule). Everything that names
//! the exercise's system call (select's read set, poll's `POLLIN`, epoll's
//! eventfd) comes in as a hint, so the learner reads advice about the code they
//! are writing.
//!
//! Failures point at the test's own line: the functions here are
//! `#[track_caller]`, and they raise the learner's failures themselves, never
//! from inside a closure (where the caller's location is lost).

use std::any::Any;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe, UnwindSafe};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crate::net::{connect, IO_TIMEOUT};
use crate::{echo, expect, within};

/// How long `run` may take to return after a stop before the test fails.
pub const STOP_WAIT: Duration = Duration::from_secs(2);

/// How soon after a stop `run` should have returned, when the exercise asks for
/// promptness ([`Hints::stop_promptly`]): a loop that wakes at once takes
/// microseconds, one that notices the stop only on its next timeout takes longer.
const PROMPT: Duration = Duration::from_secs(1);

/// After a client failed: how long to wait for news that the server died.
const GRACE: Duration = Duration::from_millis(100);

/// What one exercise's harness says when `run` misbehaves. Each names the
/// exercise's own mechanism (the wake-up socket, the eventfd, ...).
#[derive(Clone, Copy, Debug)]
pub struct Hints {
    /// `run` returned while clients were talking to it and nobody asked it to
    /// stop: what the loop should wait for before returning.
    pub ended_early: &'static str,
    /// `run` returned an error after a stop: how a stop should end it.
    pub stop_is_ok: &'static str,
    /// When set, `run` must return within a second of a stop, and this says how
    /// the loop notices a stop at once. `None` checks only [`STOP_WAIT`].
    pub stop_promptly: Option<&'static str>,
}

/// What the harness's threads report: the server's `run` ended, or a check did.
enum Event {
    ServerEnded(thread::Result<io::Result<()>>),
    CheckDone(thread::Result<()>),
}

/// A server running on its own thread, and how to stop it.
pub struct Running {
    /// The address the server listens on, for clients.
    pub addr: SocketAddr,
    stop: Box<dyn FnOnce() + Send>,
    hints: Hints,
    events: Receiver<Event>,
    report: Sender<Event>,
}

impl Running {
    /// Runs `run` on a thread named `"{name} {addr}"` (the name a panic in `run`
    /// prints), listening at `addr`. `stop` must make `run` return `Ok(())` from
    /// any thread, before or after `run` started.
    ///
    /// Bind before calling this, so that clients may connect at once and a bind
    /// failure is reported by the exercise's own words.
    pub fn start(
        name: &str,
        addr: SocketAddr,
        hints: Hints,
        stop: impl FnOnce() + Send + 'static,
        run: impl FnOnce() -> io::Result<()> + Send + 'static,
    ) -> Running {
        let (report, events) = mpsc::channel();
        let to_test = report.clone();
        thread::Builder::new()
            .name(format!("{name} {addr}"))
            .spawn(move || {
                let outcome = panic::catch_unwind(AssertUnwindSafe(run));
                let _ = to_test.send(Event::ServerEnded(outcome));
            })
            .expect("could not start the server thread");
        Running {
            addr,
            stop: Box::new(stop),
            hints,
            events,
            report,
        }
    }

    /// Runs `body` (clients talking to the server) on a thread of its own, and
    /// fails the test as soon as either the body fails or `run` ends: a server
    /// that panics is reported with its own message at once, not as a client
    /// that waited seconds for an answer. `hint` is added to a body's failure.
    #[track_caller]
    pub fn check(&self, hint: &str, body: impl FnOnce(SocketAddr) + Send + 'static) {
        let addr = self.addr;
        let report = self.report.clone();
        thread::Builder::new()
            .name("clients".into())
            .spawn(move || {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| body(addr)));
                let _ = report.send(Event::CheckDone(outcome));
            })
            .expect("could not start a client thread");
        match self.events.recv().expect("the test's threads vanished") {
            Event::CheckDone(Ok(())) => {}
            Event::CheckDone(Err(panic)) => {
                // A server that died takes its clients down with it: if that is
                // what happened, its own message is the one to show.
                if let Ok(Event::ServerEnded(outcome)) = self.events.recv_timeout(GRACE) {
                    self.ended_early(outcome, hint);
                }
                panic!("{}\n  in this exercise: {hint}", message(&*panic))
            }
            Event::ServerEnded(outcome) => self.ended_early(outcome, hint),
        }
    }

    /// Stops the server and fails the test unless `run` returns `Ok(())` within
    /// [`STOP_WAIT`] (and within a second, when the hints ask for promptness).
    /// A panic in `run` is raised again here.
    #[track_caller]
    pub fn stop(self) {
        let started = Instant::now();
        (self.stop)();
        let events = self.events;
        let outcome = within(
            STOP_WAIT,
            "Server::run to return after Stopper::stop",
            move || loop {
                match events.recv().expect("the server thread vanished") {
                    Event::ServerEnded(outcome) => return outcome,
                    Event::CheckDone(_) => continue,
                }
            },
        );
        match outcome {
            Ok(result) => expect::ok(
                "what Server::run returned after a stop",
                result,
                self.hints.stop_is_ok,
            ),
            Err(panic) => panic::resume_unwind(panic),
        }
        if let Some(hint) = self.hints.stop_promptly {
            expect::that(
                started.elapsed() < PROMPT,
                "run returns within moments of a stop",
                started.elapsed(),
                hint,
            );
        }
    }

    #[track_caller]
    fn ended_early(&self, outcome: thread::Result<io::Result<()>>, hint: &str) -> ! {
        match outcome {
            Err(panic) => panic!(
                "Server::run panicked while clients were talking to it: {}\n  \
                 in this exercise: {hint}",
                message(&*panic)
            ),
            Ok(result) => panic!(
                "Server::run returned {result:?} while clients were still talking to it, \
                 and nobody had asked it to stop\n  \
                 hint: {}",
                self.hints.ended_early
            ),
        }
    }
}

/// Runs `body` here; if it fails, fails again with its message and `hint`, so a
/// shared check from [`crate::echo`] ends with advice about this exercise.
#[track_caller]
pub fn with_hint(hint: &str, body: impl FnOnce() + UnwindSafe) {
    if let Err(panic) = panic::catch_unwind(body) {
        panic!("{}\n  in this exercise: {hint}", message(&*panic));
    }
}

/// The text of a panic: what `panic!` was given.
fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

/// Kills the server process when the check ends, whether it passed or not.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the echo server binary at `program` (from `env!("CARGO_BIN_EXE_<name>")`)
/// on `127.0.0.1:0`, reads its address from its first line of stdout, and checks
/// that a client's message comes back. The process is killed afterwards, passed
/// or failed. `address_hint` is shown when the first line is not
/// `listening on <addr>`.
///
/// Call it inside [`within`]: it waits at most [`IO_TIMEOUT`] for the first line,
/// but a server that announces itself and then never answers is bounded only by
/// the client's timeouts. (It does not call `within` itself: a failure raised in
/// that closure would point here, not at the test.)
#[track_caller]
pub fn binary_announces_its_address_then_echoes(program: &str, address_hint: &str) {
    let name = Path::new(program)
        .file_stem()
        .map_or_else(|| program.into(), |stem| stem.to_string_lossy());
    let spawned = Command::new(program)
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => KillOnDrop(child),
        Err(e) => panic!("could not start the {name} binary: {e:?}"),
    };
    let stdout = child.0.stdout.take().expect("stdout is piped");
    // Read the first line on another thread: a binary that never prints fails
    // the test in seconds (and is killed) instead of hanging it.
    let (line_tx, line_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        // Ends at the first newline, or at end-of-file if the process died.
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = line_tx.send(line);
    });
    let line = expect::ok(
        "the first line the binary prints",
        line_rx.recv_timeout(IO_TIMEOUT),
        "print `listening on <addr>` and flush stdout before calling run",
    );
    let addr = expect::ok(
        "the first line of stdout, `listening on <addr>`",
        parse_announcement(&line),
        address_hint,
    );
    let mut client = connect(addr);
    echo::round_trip(&mut client, b"hello, binary\n", "a client of the binary");
}

/// `listening on 127.0.0.1:7000\n` → the address; anything else → what was wrong.
fn parse_announcement(line: &str) -> Result<SocketAddr, String> {
    line.trim_end()
        .strip_prefix("listening on ")
        .ok_or(format!("the first line was {line:?}"))
        .and_then(|rest| rest.parse().map_err(|e| format!("{rest:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    const HINTS: Hints = Hints {
        ended_early: "loop until stopped",
        stop_is_ok: "return Ok after a stop",
        stop_promptly: Some("wake up at once"),
    };

    /// A thread-per-connection echo server: `stop` sets a flag and wakes the
    /// accept loop with a connection of its own.
    fn threaded_echo() -> Running {
        let listener = crate::net::listener();
        let addr = listener.local_addr().unwrap();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = {
            let stopping = Arc::clone(&stopping);
            move || {
                stopping.store(true, Ordering::SeqCst);
                let _ = TcpStream::connect(addr);
            }
        };
        Running::start("echo", addr, HINTS, stop, move || {
            serve(listener, &stopping)
        })
    }

    fn serve(listener: TcpListener, stopping: &AtomicBool) -> io::Result<()> {
        for stream in listener.incoming() {
            if stopping.load(Ordering::SeqCst) {
                return Ok(());
            }
            let mut stream = stream?;
            thread::spawn(move || {
                let mut reader = stream.try_clone().unwrap();
                let _ = io::copy(&mut reader, &mut stream);
            });
        }
        Ok(())
    }

    /// A server whose `run` is `run` and whose stop does nothing.
    fn server(run: impl FnOnce() -> io::Result<()> + Send + 'static) -> Running {
        let addr = SocketAddr::from(([127, 0, 0, 1], 9));
        Running::start("broken", addr, HINTS, || {}, run)
    }

    /// The message of the panic `body` raises.
    fn panic_of(body: impl FnOnce() + UnwindSafe) -> String {
        let panic = panic::catch_unwind(body).expect_err("the body should have failed");
        message(&*panic).to_string()
    }

    #[test]
    fn a_correct_server_passes_checks_and_stops_promptly() {
        within(crate::deadline::DEFAULT, "a correct server", || {
            let server = threaded_echo();
            server.check("unused", |addr| {
                echo::round_trip(&mut connect(addr), b"hello\n", "a client");
            });
            server.check("unused", |addr| echo::all_served_at_once(addr, 10, 2));
            server.stop();
        });
    }

    #[test]
    fn a_failing_body_gets_the_exercise_hint() {
        let server = threaded_echo();
        let text = panic_of(AssertUnwindSafe(|| {
            server.check("look at the outbox", |_| panic!("the echo differs"))
        }));
        assert_eq!(
            text,
            "the echo differs\n  in this exercise: look at the outbox"
        );
        server.stop();
    }

    #[test]
    fn a_server_that_panics_is_reported_by_its_own_message() {
        // The clients wait for ever: only the harness can end this check.
        let server = server(|| panic!("not yet implemented"));
        let text = panic_of(AssertUnwindSafe(|| {
            server.check("accept the client", |_| thread::park())
        }));
        assert_eq!(
            text,
            "Server::run panicked while clients were talking to it: not yet implemented\n  \
             in this exercise: accept the client"
        );
    }

    #[test]
    fn a_client_that_failed_because_the_server_died_reports_the_server() {
        let (died_tx, died_rx) = mpsc::channel::<()>();
        let server = server(move || {
            let _told = died_tx; // dropped as the panic unwinds: the client learns
            panic!("the server's own bug")
        });
        let text = panic_of(AssertUnwindSafe(|| {
            server.check("unused", move |_| {
                let _ = died_rx.recv();
                panic!("a client lost its connection")
            })
        }));
        assert!(
            text.starts_with(
                "Server::run panicked while clients were talking to it: the server's own bug"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_server_that_returns_early_gets_the_ended_early_hint() {
        let server = server(|| Ok(()));
        let text = panic_of(AssertUnwindSafe(|| {
            server.check("unused", |_| thread::park())
        }));
        assert_eq!(
            text,
            "Server::run returned Ok(()) while clients were still talking to it, and nobody \
             had asked it to stop\n  hint: loop until stopped"
        );
    }

    #[test]
    fn an_error_after_a_stop_fails_with_the_stop_hint() {
        let server = server(|| Err(io::Error::other("poll failed")));
        let text = panic_of(AssertUnwindSafe(|| server.stop()));
        assert!(
            text.starts_with("what Server::run returned after a stop"),
            "{text}"
        );
        assert!(text.ends_with("hint: return Ok after a stop"), "{text}");
    }

    #[test]
    fn a_panic_in_run_is_raised_again_by_stop() {
        let server = server(|| panic!("the server's own bug"));
        assert_eq!(
            panic_of(AssertUnwindSafe(|| server.stop())),
            "the server's own bug"
        );
    }

    #[test]
    fn with_hint_adds_the_hint_to_a_failure_and_nothing_to_a_success() {
        with_hint("unused", || {});
        assert_eq!(
            panic_of(|| with_hint("read until WouldBlock", || panic!("3 of 5 bytes"))),
            "3 of 5 bytes\n  in this exercise: read until WouldBlock"
        );
    }

    #[test]
    fn the_announcement_gives_the_address_or_says_what_was_wrong() {
        assert_eq!(
            parse_announcement("listening on 127.0.0.1:7000\n"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 7000)))
        );
        assert_eq!(
            parse_announcement(""),
            Err("the first line was \"\"".to_string())
        );
        assert!(parse_announcement("listening on port 7000\n")
            .unwrap_err()
            .starts_with("\"port 7000\": "));
    }

    #[test]
    #[cfg(unix)]
    #[should_panic(expected = "got:      Err(\"the first line was \\\"\\\"\")\n  hint: print it")]
    fn a_binary_that_prints_nothing_fails_with_the_address_hint() {
        // `true` ignores its argument and exits without a word.
        binary_announces_its_address_then_echoes("true", "print it");
    }

    #[test]
    #[should_panic(expected = "could not start the no-such-echo binary: ")]
    fn a_missing_binary_is_named() {
        binary_announces_its_address_then_echoes("/no/such/dir/no-such-echo", "unused");
    }
}
