//! A server under test on a thread of its own, and its binary started by hand.
//!
//! Part 05's servers share one shape: a `Server` that binds, a `run` that blocks
//! until a `Stopper` (or its twin) ends it from another thread, and a binary that
//! prints `listening on <addr>` and serves. Their tests need the same harness
//! around that shape, and its promises are easy to get subtly wrong when each
//! exercise writes its own:
//!
//! * **A dead server is reported as itself.** When `run` panics or returns while
//!   clients talk to it, [`Running::check`] fails at once with `run`'s own message
//!   and the line of the learner's code that panicked, instead of leaving a
//!   client to wait [`crate::net::IO_TIMEOUT`] for an answer and blame the wrong
//!   thing. A binary that exited is reported with its exit status and its stderr
//!   ([`Binary`]) before anything is said about what it printed.
//! * **One failure, one message.** A check that fails inside the harness is caught
//!   without printing ([`quietly`]) and raised once, with the exercise's hint: the
//!   learner never reads the same failure twice.
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
use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe, UnwindSafe};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, Once};
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

/// The most of a binary's stderr a failure shows (its beginning: a panic
/// message comes first, and a loop that prints without end would drown it).
const STDERR_SHOWN: usize = 4096;

// ---------------------------------------------------------------------------
// Catching a failure without printing it twice.

thread_local! {
    /// Set while [`quietly`] runs a body on this thread: the panic hook then
    /// records where the panic happened instead of printing it.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic on this thread happened (`src/server.rs:97:9`).
    static QUIET_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that stays silent on threads inside
/// [`quietly`] and hands every other panic to the hook that was there before.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info.location().map(ToString::to_string);
                QUIET_AT.with(|slot| *slot.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// A panic caught by [`quietly`]: what it said, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The panic's message.
    pub message: String,
    /// `file:line:column` of the `panic!` (or `todo!`), when known.
    pub location: Option<String>,
}

impl Failure {
    /// `message`, preceded by `at <location>: ` when the location is known.
    pub fn located(&self) -> String {
        match &self.location {
            Some(at) => format!("at {at}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// Runs `body` on this thread; a panic in it is caught **without being
/// printed** and returned as a [`Failure`], so that the caller can raise it
/// once, with more to say. (A panic that is caught and raised again is
/// otherwise printed twice: once by the panic hook, once by the new panic.)
///
/// Threads `body` starts are not quiet: a check that spawns clients runs each
/// client's work in `quietly` too (see [`crate::echo`]).
pub fn quietly<T>(body: impl FnOnce() -> T) -> Result<T, Failure> {
    install_quiet_hook();
    let was_quiet = QUIET.with(|quiet| quiet.replace(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(body));
    QUIET.with(|quiet| quiet.set(was_quiet));
    outcome.map_err(|payload| Failure {
        message: message(&*payload).to_string(),
        location: QUIET_AT.with(|slot| slot.borrow_mut().take()),
    })
}

/// Runs `body` here; if it fails, fails once with its message and `hint`, so a
/// shared check from [`crate::echo`] ends with advice about this exercise.
#[track_caller]
pub fn with_hint(hint: &str, body: impl FnOnce() + UnwindSafe) {
    if let Err(failure) = quietly(body) {
        panic!("{}\n  in this exercise: {hint}", failure.message);
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

// ---------------------------------------------------------------------------
// A server on a thread of the test process.

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

/// How `run` ended: it returned, or it panicked (the [`Failure`]).
type Ended = Result<io::Result<()>, Failure>;

/// What the harness's threads report: the server's `run` ended, or a check did.
enum Event {
    ServerEnded(Ended),
    CheckDone(Result<(), Failure>),
}

/// A server running on its own thread, and how to stop it.
pub struct Running {
    /// The address the server listens on, for clients.
    pub addr: SocketAddr,
    stop: Box<dyn FnOnce() + Send>,
    hints: Hints,
    events: Receiver<Event>,
    report: Sender<Event>,
    thread: ServerThread,
}

impl Running {
    /// Runs `run` on a thread named `"{name} {addr}"`, listening at `addr`.
    /// `stop` must make `run` return `Ok(())` from any thread, before or after
    /// `run` started.
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
        let (id_tx, id_rx) = mpsc::channel();
        thread::Builder::new()
            .name(format!("{name} {addr}"))
            .spawn(move || {
                let _ = id_tx.send(ServerThread::current());
                // Quiet: the test reports a panic in `run` once, with its hint.
                let outcome = quietly(run);
                let _ = to_test.send(Event::ServerEnded(outcome));
            })
            .expect("could not start the server thread");
        let thread = id_rx.recv().expect("the server thread did not start");
        Running {
            addr,
            stop: Box::new(stop),
            hints,
            events,
            report,
            thread,
        }
    }

    /// The thread `run` runs on, to see whether it sleeps (see [`ServerThread`]).
    pub fn thread(&self) -> ServerThread {
        self.thread.clone()
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
                let outcome = quietly(|| body(addr));
                let _ = report.send(Event::CheckDone(outcome));
            })
            .expect("could not start a client thread");
        match self.events.recv().expect("the test's threads vanished") {
            Event::CheckDone(Ok(())) => {}
            Event::CheckDone(Err(failure)) => {
                // A server that died takes its clients down with it: if that is
                // what happened, its own message is the one to show.
                if let Ok(Event::ServerEnded(outcome)) = self.events.recv_timeout(GRACE) {
                    self.ended_early(outcome, hint);
                }
                panic!("{}\n  in this exercise: {hint}", failure.message)
            }
            Event::ServerEnded(outcome) => self.ended_early(outcome, hint),
        }
    }

    /// Stops the server and fails the test unless `run` returns `Ok(())` within
    /// [`STOP_WAIT`] (and within a second, when the hints ask for promptness).
    /// A panic in `run` fails the test with its message.
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
            Err(failure) => panic!("Server::run panicked {}", failure.located()),
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
    fn ended_early(&self, outcome: Ended, hint: &str) -> ! {
        match outcome {
            Err(failure) => panic!(
                "Server::run panicked while clients were talking to it, {}\n  \
                 in this exercise: {hint}",
                failure.located()
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

/// The thread a [`Running`] server's `run` runs on, seen from outside: whether
/// it sleeps, and how often it has gone to sleep.
///
/// An event loop that has nothing to do sleeps in its system call (`select`,
/// `poll`, `epoll_wait`); one that spins never does. And "it went to sleep again
/// after I connected" is proof, without a fixed sleep in the test, that the loop
/// has taken its turn: woken, looked at the listener, and found nothing more to
/// do. Linux only (it reads `/proc/self/task`); elsewhere every wait returns at
/// once and proves nothing.
#[derive(Clone, Debug)]
pub struct ServerThread {
    /// `/proc/thread-self/status` of the server thread, opened by the thread
    /// itself and kept open: re-read with `pread`, it needs no new descriptor,
    /// so it works while a test holds every descriptor the process may have.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    status: Option<Arc<std::fs::File>>,
}

impl ServerThread {
    fn current() -> ServerThread {
        #[cfg(target_os = "linux")]
        let status = std::fs::File::open("/proc/thread-self/status")
            .ok()
            .map(Arc::new);
        #[cfg(not(target_os = "linux"))]
        let status = None;
        ServerThread { status }
    }

    /// Waits until the thread sleeps, and returns how many times it has gone to
    /// sleep so far: the mark to pass to [`ServerThread::slept_again`].
    ///
    /// Fails when the thread never sleeps within [`IO_TIMEOUT`] (it spins), with
    /// `hint`.
    #[track_caller]
    pub fn asleep(&self, hint: &str) -> u64 {
        self.wait_for(0, "to sleep in its wait for events", hint)
    }

    /// Waits until the thread has woken and gone to sleep again since `mark`
    /// (from [`ServerThread::asleep`]): it has taken at least one turn of its
    /// loop, and rests. Returns the new mark. Fails, with `hint`, when it does
    /// not sleep again within [`IO_TIMEOUT`]: it spins, or it is stuck.
    #[track_caller]
    pub fn slept_again(&self, mark: u64, what: &str, hint: &str) -> u64 {
        self.wait_for(mark + 1, what, hint)
    }

    #[track_caller]
    fn wait_for(&self, sleeps: u64, what: &str, hint: &str) -> u64 {
        let until = Instant::now() + IO_TIMEOUT;
        loop {
            let Some((asleep, count)) = self.state() else {
                return 0; // not Linux: nothing to observe
            };
            if asleep && count >= sleeps {
                return count;
            }
            if Instant::now() > until {
                panic!(
                    "the server's thread did not go back {what} within {} s: it is {}\n  \
                     hint: {hint}",
                    IO_TIMEOUT.as_secs(),
                    if asleep {
                        "asleep, but it never woke up"
                    } else {
                        "running all the time (a loop that never waits)"
                    }
                );
            }
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// `(sleeping now, voluntary context switches so far)`, from the thread's
    /// status file. A voluntary switch is the thread giving up the CPU to wait
    /// for something: one per sleep.
    #[cfg(target_os = "linux")]
    fn state(&self) -> Option<(bool, u64)> {
        use std::os::unix::fs::FileExt;
        let file = self.status.as_ref()?;
        let mut buf = vec![0u8; 8192];
        let n = file
            .read_at(&mut buf, 0)
            .expect("the server thread's status could not be read");
        let status = String::from_utf8_lossy(&buf[..n]);
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_default()
                .to_string()
        };
        let asleep = field("State:").starts_with('S');
        let switches = field("voluntary_ctxt_switches:").parse().unwrap_or(0);
        Some((asleep, switches))
    }

    #[cfg(not(target_os = "linux"))]
    fn state(&self) -> Option<(bool, u64)> {
        None
    }
}

/// Fails unless this whole process uses almost no CPU for 400 ms: call it when
/// the server under test has nothing to do (its clients are answered and
/// quiet), in a test binary of its own, so that nothing else runs beside it.
///
/// A loop that sleeps in its wait for events uses microseconds; one that is woken
/// at once on every turn (asking for writability it does not need, a zero
/// timeout, a re-arm that reports the same socket again) uses a whole core.
#[track_caller]
pub fn uses_no_cpu_while_idle(what: &str, hint: &str) {
    const WINDOW: Duration = Duration::from_millis(400);
    const ALLOWED: Duration = Duration::from_millis(80);
    let before = crate::process::cpu_time();
    // Waiting is the measurement here, not a way to synchronise.
    thread::sleep(WINDOW);
    let used = crate::process::cpu_time().saturating_sub(before);
    expect::that(
        used < ALLOWED,
        what,
        format!(
            "{} ms of CPU in {} ms (a spinning loop uses all of it)",
            used.as_millis(),
            WINDOW.as_millis()
        ),
        hint,
    );
}

// ---------------------------------------------------------------------------
// A server binary, started as a child process.

/// A server binary started by a test: its address (from its first line of
/// stdout), its stderr, and whether it still runs. Killed when dropped.
///
/// Every failure says first whether the process is still there: a binary that
/// panicked or exited is reported with its exit status and its stderr, which is
/// where its real problem is written, before anything is said about what it
/// printed or how it answered.
pub struct Binary {
    name: String,
    child: Child,
    addr: SocketAddr,
    stderr: Stderr,
}

impl Binary {
    /// Starts `program` (from `env!("CARGO_BIN_EXE_<name>")`) with the argument
    /// `127.0.0.1:0`, and reads its address from its first line of stdout,
    /// which must be `listening on <addr>`; `address_hint` is shown when it is
    /// not. Waits at most [`IO_TIMEOUT`] for that line.
    #[track_caller]
    pub fn start(program: &str, address_hint: &str) -> Binary {
        let name = Path::new(program).file_stem().map_or_else(
            || program.into(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        let spawned = Command::new(program)
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => panic!("could not start the {name} binary: {e:?}"),
        };
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = Stderr::collect(child.stderr.take().expect("stderr is piped"));
        // Read the first line on another thread: a binary that never prints fails
        // the test in seconds (and is killed) instead of hanging it.
        let (line_tx, line_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            // Ends at the first newline, or at end-of-file if the process died.
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = line_tx.send(read.map(|_| line));
        });
        let mut binary = Binary {
            name,
            child,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            stderr,
        };
        let line = match line_rx.recv_timeout(IO_TIMEOUT) {
            Ok(Ok(line)) if !line.is_empty() => line,
            Ok(Ok(_)) => binary.fail(
                "before it printed its first line (its stdout ended)",
                "the first line of stdout should be `listening on <addr>`",
            ),
            Ok(Err(e)) => binary.fail(
                "before it printed its first line",
                &format!("its stdout could not be read: {e}"),
            ),
            Err(_) => binary.fail(
                &format!("without printing a line for {} s", IO_TIMEOUT.as_secs()),
                &format!(
                    "no line on stdout within {} s\n  hint: print `listening on <addr>` and \
                     flush stdout before calling run",
                    IO_TIMEOUT.as_secs()
                ),
            ),
        };
        match parse_announcement(&line) {
            Ok(addr) => binary.addr = addr,
            Err(problem) => binary.fail(
                "after its first line",
                &expect_report(
                    "the first line of stdout, `listening on <addr>`",
                    &problem,
                    address_hint,
                ),
            ),
        }
        binary
    }

    /// The address the binary announced.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Runs `body` (clients talking to the binary). If it fails, the failure
    /// says first whether the binary is still running, with its exit status
    /// and its stderr, then the body's own message.
    #[track_caller]
    pub fn check(&mut self, body: impl FnOnce(SocketAddr)) {
        let addr = self.addr;
        if let Err(failure) = quietly(|| body(addr)) {
            self.fail("while clients talked to it", &failure.message);
        }
    }

    /// Fails the test: first with the binary's exit (if it has exited within a
    /// moment), then `problem`, then its stderr. Kills a binary still running.
    #[track_caller]
    fn fail(&mut self, when: &str, problem: &str) -> ! {
        let name = self.name.clone();
        let run_it = format!("run it yourself to see more: cargo run --bin {name} -- 127.0.0.1:0");
        match self.exit_within(GRACE) {
            Some(status) => {
                let stderr = self.stderr.text();
                panic!(
                    "the {name} binary exited ({status}) {when}\n  its stderr:\n{stderr}\n  \
                     what the test saw: {problem}\n  {run_it}"
                )
            }
            None => {
                self.kill();
                let stderr = self.stderr.text();
                panic!(
                    "{problem}\n  the {name} binary was still running (the test has \
                     stopped it); its stderr:\n{stderr}\n  ({run_it})"
                )
            }
        }
    }

    /// The exit status, if the process ends within `wait`.
    fn exit_within(&mut self, wait: Duration) -> Option<ExitStatus> {
        let until = Instant::now() + wait;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
                _ => return None,
            }
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A child's stderr, read on a thread of its own as it comes (so the child never
/// blocks on a full pipe), keeping the first [`STDERR_SHOWN`] bytes.
struct Stderr {
    kept: Arc<Mutex<Vec<u8>>>,
    ended: Receiver<()>,
}

impl Stderr {
    fn collect(mut pipe: ChildStderr) -> Stderr {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (ended_tx, ended) = mpsc::channel();
        let into = Arc::clone(&kept);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                let mut kept = into.lock().unwrap();
                let room = STDERR_SHOWN.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            let _ = ended_tx.send(());
        });
        Stderr { kept, ended }
    }

    /// What the child wrote, indented, once it has closed stderr (or after a
    /// moment: its own children may hold the pipe open).
    fn text(&self) -> String {
        let _ = self.ended.recv_timeout(GRACE);
        let kept = self.kept.lock().unwrap();
        if kept.is_empty() {
            return "    (nothing)".into();
        }
        let text = match std::str::from_utf8(&kept) {
            Ok(text) => text.to_string(),
            Err(_) => kept.escape_ascii().to_string(),
        };
        let mut shown: String = text
            .trim_matches('\n')
            .lines()
            .map(|line| format!("    {line}"))
            .collect::<Vec<_>>()
            .join("\n");
        if kept.len() >= STDERR_SHOWN {
            shown.push_str("\n    (... more, cut)");
        }
        shown
    }
}

/// [`expect`]'s report, as text, to be part of a longer message.
fn expect_report(what: &str, got: &str, hint: &str) -> String {
    format!("{what}\n  expected: `listening on <addr>`\n  got:      {got}\n  hint: {hint}")
}

/// Starts the echo server binary at `program` (from `env!("CARGO_BIN_EXE_<name>")`)
/// on `127.0.0.1:0`, reads its address from its first line of stdout, and checks
/// that a client's message comes back. The process is killed afterwards, passed
/// or failed. `address_hint` is shown when the first line is not
/// `listening on <addr>`. A binary that exits is reported as such first, with
/// its exit status and stderr.
///
/// Call it inside [`within`]: it waits at most [`IO_TIMEOUT`] for the first line,
/// but a server that announces itself and then never answers is bounded only by
/// the client's timeouts. (It does not call `within` itself: a failure raised in
/// that closure would point here, not at the test.)
#[track_caller]
pub fn binary_announces_its_address_then_echoes(program: &str, address_hint: &str) {
    let mut binary = Binary::start(program, address_hint);
    binary.check(|addr| {
        let mut client = connect(addr);
        echo::round_trip(&mut client, b"hello, binary\n", "a client of the binary");
    });
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
    fn panic_of(body: impl FnOnce()) -> String {
        quietly(body)
            .expect_err("the body should have failed")
            .message
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
    fn a_server_that_panics_is_reported_by_its_own_message_and_line() {
        // The clients wait for ever: only the harness can end this check.
        let server = server(|| todo!("accept clients"));
        let text = panic_of(AssertUnwindSafe(|| {
            server.check("accept the client", |_| thread::park())
        }));
        assert!(
            text.starts_with(
                "Server::run panicked while clients were talking to it, at testkit/src/server.rs:"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                ": not yet implemented: accept clients\n  in this exercise: accept the client"
            ),
            "{text}"
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
            text.starts_with("Server::run panicked while clients were talking to it, at ")
                && text.contains(": the server's own bug\n"),
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
    fn a_panic_in_run_is_reported_by_stop() {
        let server = server(|| panic!("the server's own bug"));
        let text = panic_of(AssertUnwindSafe(|| server.stop()));
        assert!(text.starts_with("Server::run panicked at "), "{text}");
        assert!(text.ends_with(": the server's own bug"), "{text}");
    }

    #[test]
    fn quietly_returns_the_message_and_where_it_was_raised() {
        let line = line!() + 1;
        let failure = quietly(|| panic!("caught")).unwrap_err();
        assert_eq!(failure.message, "caught");
        let at = failure.location.as_deref().unwrap_or_default();
        assert!(
            at.starts_with(&format!("testkit/src/server.rs:{line}:")),
            "{at}"
        );
        assert_eq!(quietly(|| 7), Ok(7));
        // Nested: the inner catch leaves the outer one quiet.
        let outer = quietly(|| {
            let _ = quietly(|| panic!("inner"));
            panic!("outer")
        });
        assert_eq!(outer.unwrap_err().message, "outer");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_server_thread_is_seen_going_to_sleep_again() {
        let (tx, rx) = mpsc::channel::<()>();
        let server = server(move || {
            while rx.recv().is_ok() {}
            Ok(())
        });
        let sleeper = server.thread();
        let mark = sleeper.asleep("unused");
        tx.send(()).unwrap();
        let next = sleeper.slept_again(mark, "to sleep", "unused");
        assert!(next > mark);
        drop(tx);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_spinning_server_thread_is_named_as_such() {
        let stop = Arc::new(AtomicBool::new(false));
        let spinning = Arc::clone(&stop);
        let server = server(move || {
            while !spinning.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
            Ok(())
        });
        let sleeper = server.thread();
        let text = panic_of(|| {
            sleeper.asleep("wait with no timeout");
        });
        stop.store(true, Ordering::Relaxed);
        assert!(
            text.contains(
                "running all the time (a loop that never waits)\n  hint: wait with no timeout"
            ),
            "{text}"
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
    fn a_binary_that_exits_at_once_is_reported_with_its_status_and_stderr() {
        // `sh 127.0.0.1:0` looks for a script of that name, complains, exits 2.
        let text = panic_of(|| binary_announces_its_address_then_echoes("sh", "unused"));
        assert!(
            text.starts_with(
                "the sh binary exited (exit status: 2) before it printed its first line"
            ),
            "{text}"
        );
        assert!(text.contains("  its stderr:\n    "), "{text}");
        assert!(text.contains("127.0.0.1:0"), "{text}");
    }

    #[test]
    #[cfg(unix)]
    fn a_binary_that_says_the_wrong_thing_gets_the_address_hint() {
        // `echo 127.0.0.1:0` prints its argument and exits 0.
        let text = panic_of(|| binary_announces_its_address_then_echoes("echo", "print it"));
        assert!(
            text.starts_with("the echo binary exited (exit status: 0) after its first line"),
            "{text}"
        );
        assert!(
            text.contains("got:      the first line was \"127.0.0.1:0\\n\"\n  hint: print it"),
            "{text}"
        );
    }

    #[test]
    #[should_panic(expected = "could not start the no-such-echo binary: ")]
    fn a_missing_binary_is_named() {
        binary_announces_its_address_then_echoes("/no/such/dir/no-such-echo", "unused");
    }
}
