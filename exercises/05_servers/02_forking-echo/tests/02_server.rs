//! Step 2: the server (`src/server.rs`): accept, fork, reap, stop. Run with
//! `cargo test --test 02_server` (step 1's `child::serve` must pass first).
//!
//! Each test starts `Server::run` on a thread of its own, on a free loopback
//! port. The server forks from that thread, so its children are children of
//! this test process: the tests can find them in `/proc` (Linux) and check
//! that each one exits when its client leaves and is reaped, and that `stop`
//! leaves none behind. Tests that need `/proc` exist on Linux only.

use std::io::{self, ErrorKind, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use forking_echo::{Server, Stopper, REAP_INTERVAL};
use testkit::echo::all_served_at_once;
use testkit::net::{connect, is_timeout, IO_TIMEOUT};
use testkit::server::{quietly, Failure};
use testkit::{deadline::DEFAULT, echo, expect, within};

mod common;

/// How long `run` may take to return after `stop` (it also kills and reaps
/// the children still serving).
const STOP_WAIT: Duration = Duration::from_secs(3);

/// How long a test waits for a child to exit or to be reaped. The server
/// reaps every `REAP_INTERVAL`; the rest is slack for a busy machine.
const CHILD_WAIT: Duration = Duration::from_secs(3);

/// How `run` ended: it returned, or it panicked (its message and line).
type Outcome = Result<io::Result<()>, Failure>;

/// `Server::run` on its own thread.
///
/// Dropped without `stop` (a test failed half-way), it stops the server
/// anyway: `run` kills its children, so a failing test leaves no process
/// behind to hold sockets open after the tests have ended.
struct Running {
    addr: SocketAddr,
    stopper: Stopper,
    done: mpsc::Receiver<Outcome>,
    stopped: bool,
}

fn bind() -> Server {
    expect::ok(
        "binding 127.0.0.1:0",
        Server::bind("127.0.0.1:0"),
        "Server::bind is given; any free loopback port should do",
    )
}

/// A plain echo server.
fn start() -> Running {
    launch(bind())
}

/// An echo server whose children first send `pid <n>\n`.
fn start_greeting() -> Running {
    launch(bind().with_pid_greeting())
}

fn launch(server: Server) -> Running {
    launch_after(server, || {})
}

/// [`launch`], but the server's thread first runs `prepare`.
fn launch_after(server: Server, prepare: fn()) -> Running {
    let addr = server.local_addr();
    let stopper = server.stopper();
    let (report, done) = mpsc::channel();
    thread::Builder::new()
        .name(format!("server {addr}"))
        .spawn(move || {
            prepare();
            // Quiet: a panic in run is reported once, by the test, with its line.
            let outcome = quietly(|| server.run());
            let _ = report.send(outcome);
        })
        .unwrap();
    Running {
        addr,
        stopper,
        done,
        stopped: false,
    }
}

impl Running {
    /// Runs `check` against the server. If it fails and the server has died,
    /// the server's own failure is reported instead: it is the real cause.
    #[track_caller]
    fn check<T>(&self, check: impl FnOnce(SocketAddr) -> T) -> T {
        match quietly(|| check(self.addr)) {
            Ok(value) => value,
            Err(failure) => {
                self.fail_if_ended(Duration::from_millis(200));
                panic!("{}", failure.message)
            }
        }
    }

    #[track_caller]
    fn fail_if_ended(&self, wait: Duration) {
        match self.done.recv_timeout(wait) {
            Err(_) => {}
            Ok(Err(failure)) => panic!(
                "Server::run panicked while clients were talking to it, {}",
                failure.located()
            ),
            Ok(Ok(result)) => panic!(
                "run() returned {result:?} although nobody stopped it\n  \
                 hint: run loops until the stop flag is set; a failing client or \
                 child ends that conversation only"
            ),
        }
    }

    /// Stops the server and waits for `run` to return `Ok(())`.
    #[track_caller]
    fn stop(mut self) {
        self.stopped = true;
        self.stopper.stop();
        match self.done.recv_timeout(STOP_WAIT) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => {
                panic!("run() returned the error {err:?} after stop(); it should return Ok(())")
            }
            Ok(Err(failure)) => panic!("Server::run panicked {}", failure.located()),
            Err(_) => panic!(
                "run() did not return within {} s after stop()\n  \
                 hint: check the flag after every accept and every wait; then kill \
                 (SIGKILL) each child still running and waitpid for it",
                STOP_WAIT.as_secs()
            ),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.stopped {
            self.stopper.stop();
            let _ = self.done.recv_timeout(STOP_WAIT);
        }
    }
}

/// Kills, when dropped, those of the given processes that are still running
/// children of this test process: the last line of defence against a child
/// that never exits (its server's `stop` may not work yet either).
struct KillChildren(Vec<u32>);

impl Drop for KillChildren {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        {
            let live = testkit::process::live_children();
            for pid in self.0.iter().filter(|pid| live.contains(pid)) {
                // SAFETY: kill(2) touches no memory; the pid is a live child of
                // this process (just checked), so it names the right process.
                unsafe { libc::kill(*pid as libc::pid_t, libc::SIGKILL) };
            }
        }
    }
}

/// One round trip, so that a server that is not running fails at once.
#[track_caller]
fn probe(addr: SocketAddr) {
    let mut client = connect(addr);
    echo::round_trip(&mut client, b"probe\n", "a first client");
}

/// Connects to a greeting server and reads `pid <n>\n`.
#[track_caller]
fn connect_greeted(addr: SocketAddr, who: &str) -> (TcpStream, u32) {
    let mut stream = connect(addr);
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing after the greeting is read by mistake.
    while line.last() != Some(&b'\n') && line.len() < 64 {
        match stream.read(&mut byte) {
            Ok(0) => panic!(
                "{who}: the server closed the connection before its greeting (\"{}\" so \
                 far)\n  hint: with_pid_greeting: the child writes `pid <n>\\n` first",
                line.escape_ascii()
            ),
            Ok(_) => line.push(byte[0]),
            Err(e) if is_timeout(&e) => panic!(
                "{who}: no greeting within {} s (\"{}\" so far)\n  \
                 hint: with_pid_greeting: the child writes `pid <its pid>\\n` as soon as \
                 it has closed what it inherited, before it reads anything",
                IO_TIMEOUT.as_secs(),
                line.escape_ascii()
            ),
            Err(e) => panic!("{who}: reading the greeting failed: {e}"),
        }
    }
    let text = line.escape_ascii().to_string();
    let pid = text
        .strip_prefix("pid ")
        .and_then(|rest| rest.strip_suffix("\\n"))
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or_else(|| {
            panic!(
                "{who}: the greeting should be `pid <n>\\n`, got \"{text}\"\n  \
                 hint: writeln!(cursor, \"pid {{}}\", std::process::id())"
            )
        });
    (stream, pid)
}

/// Polls `done` until it holds or `limit` passes; then fails with `why()`.
/// The state of other processes can only be observed, not waited on.
#[track_caller]
fn poll_until(limit: Duration, mut done: impl FnMut() -> bool, why: impl Fn() -> String) {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() > deadline {
            panic!("{}", why());
        }
        thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn echoes_then_closes_when_the_client_half_closes() {
    within(DEFAULT, "an echo, then end-of-file", || {
        let server = start();
        server.check(|addr| {
            let mut client = connect(addr);
            echo::round_trip(&mut client, b"hello, processes\n", "a client");
            client.shutdown(Shutdown::Write).unwrap();
            let mut rest = Vec::new();
            match client.read_to_end(&mut rest) {
                Ok(_) => {}
                Err(e) if is_timeout(&e) => panic!(
                    "the client half-closed and got no end-of-file within {} s\n  \
                     hint: the child must return from its echo loop when read returns \
                     0 and _exit; and the PARENT must drop its copy of the connection \
                     right after fork: a socket is closed only when its last \
                     descriptor is",
                    IO_TIMEOUT.as_secs()
                ),
                Err(e) => panic!("reading end-of-file failed: {e}"),
            }
            expect::eq(
                "bytes after the echo, once the client half-closed",
                rest.escape_ascii().to_string().as_str(),
                "",
                "each byte is echoed once",
            );
        });
        server.stop();
    });
}

#[test]
fn serves_twenty_clients_at_once() {
    within(
        Duration::from_secs(10),
        "20 clients, all connected, 3 round trips each",
        || {
            let server = start();
            server.check(|addr| {
                probe(addr);
                all_served_at_once(addr, 20, 3);
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
        server.check(|addr| all_served_at_once(addr, 5, 2));
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
fn clients_are_served_by_distinct_processes_at_once() {
    within(
        DEFAULT,
        "8 clients, each greeted by its own process",
        || {
            let server = start_greeting();
            let me = std::process::id();
            let mut clients: Vec<(TcpStream, u32)> = server.check(|addr| {
                (0..8)
                    .map(|i| connect_greeted(addr, &format!("client {i}")))
                    .collect()
            });
            let mut pids: Vec<u32> = clients.iter().map(|(_, pid)| *pid).collect();
            let _kill = KillChildren(pids.clone());
            expect::that(
                !pids.contains(&me),
                "no client should be served by the test process itself",
                &pids,
                "fork after accept; the greeting is written by the child, whose pid differs",
            );
            pids.sort_unstable();
            pids.dedup();
            expect::eq(
                "distinct pids among the 8 greetings",
                &pids.len(),
                &8,
                "one child process per connection: fork once per accepted client",
            );
            #[cfg(target_os = "linux")]
            {
                let children = testkit::process::live_children();
                for (_, pid) in &clients {
                    expect::that(
                        children.contains(pid),
                        &format!("pid {pid} should be a running child of the test process"),
                        &children,
                        "the server forks from the test process, so each connection's \
                     process is its child",
                    );
                }
            }
            // All eight are connected at once, and each is echoed by its process.
            for (i, (stream, _)) in clients.iter_mut().enumerate() {
                server.check(|_| {
                    echo::round_trip(stream, b"are you a process?\n", &format!("client {i}"))
                });
            }
            drop(clients);
            server.stop();
        },
    );
}

#[cfg(target_os = "linux")]
mod linux {
    //! Checks that read `/proc`: a child's descriptors, and whether it is
    //! running, a zombie (exited, not reaped), or gone.

    use super::*;
    use testkit::process::{live_children, zombie_children};

    /// The descriptors a process has open, from 3 up, with what each points to
    /// (`socket:[12345]`, a path, `pipe:[...]`).
    fn open_fds(pid: u32) -> Vec<(u32, String)> {
        let dir = format!("/proc/{pid}/fd");
        let mut fds: Vec<(u32, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let fd: u32 = entry.file_name().to_str()?.parse().ok()?;
                let target = std::fs::read_link(entry.path()).ok()?;
                Some((fd, target.to_string_lossy().into_owned()))
            })
            .filter(|(fd, _)| *fd >= 3)
            .collect();
        fds.sort();
        fds
    }

    fn describe(pids: &[u32]) -> String {
        let live = live_children();
        let zombies = zombie_children();
        let state = |pid: &u32| {
            if zombies.contains(pid) {
                "zombie (exited, not reaped)"
            } else if live.contains(pid) {
                "still running"
            } else {
                "gone"
            }
        };
        pids.iter()
            .map(|pid| format!("{pid}: {}", state(pid)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn a_child_keeps_only_its_own_connection() {
        child_keeps_only_its_own_connection(|| {});
    }

    /// The same on a system without `close_range` (Linux before 5.9): the
    /// child closes, one at a time, every descriptor below the limit the
    /// server read before it forked.
    #[test]
    fn without_close_range_a_child_keeps_only_its_own_connection() {
        child_keeps_only_its_own_connection(common::without_close_range);
    }

    fn child_keeps_only_its_own_connection(prepare: fn()) {
        within(DEFAULT, "a child's open descriptors", move || {
            let server = launch_after(bind().with_pid_greeting(), prepare);
            // Another client first: its socket is one more thing the next child
            // inherits, in this process where clients and server live together.
            let (_other, other_pid) =
                server.check(|addr| connect_greeted(addr, "the first client"));
            let (client, pid) = server.check(|addr| connect_greeted(addr, "the second client"));
            let _kill = KillChildren(vec![other_pid, pid]);
            let fds = open_fds(pid);
            let sockets = fds.iter().filter(|(_, t)| t.starts_with("socket:")).count();
            expect::that(
                fds.len() == 1 && sockets == 1,
                &format!(
                    "child {pid} should hold exactly one descriptor above 2: its own \
                     connection"
                ),
                &fds,
                "call child::close_inherited_fds(stream.as_raw_fd(), fd_limit) first \
                 thing in the child: it closes the listener and every descriptor the \
                 child inherited except its connection (see the lesson: why a copy \
                 keeps a socket open)",
            );
            drop(client);
            server.stop();
        });
    }

    #[test]
    fn a_child_exits_when_its_client_leaves() {
        within(DEFAULT, "a child's exit", || {
            let server = start_greeting();
            // Two clients, so the second child could inherit the first's socket.
            let (first, first_pid) = server.check(|addr| connect_greeted(addr, "client 1"));
            let (second, second_pid) = server.check(|addr| connect_greeted(addr, "client 2"));
            let _kill = KillChildren(vec![first_pid, second_pid]);
            drop(first);
            drop(second);
            for pid in [first_pid, second_pid] {
                poll_until(
                    CHILD_WAIT,
                    || !live_children().contains(&pid),
                    || {
                        format!(
                            "child {pid} was still running {} s after its client closed \
                             the connection\n  hint: when read returns 0 the child must \
                             leave its echo loop and call libc::_exit; and it must close \
                             what it inherited (child::close_inherited_fds), or it holds \
                             copies of other clients' sockets and they never see \
                             end-of-file",
                            CHILD_WAIT.as_secs()
                        )
                    },
                );
            }
            server.stop();
        });
    }

    #[test]
    fn no_zombie_remains_after_clients_leave() {
        within(DEFAULT, "children reaped after their clients left", || {
            let server = start_greeting();
            let clients: Vec<(TcpStream, u32)> = server.check(|addr| {
                (0..5)
                    .map(|i| connect_greeted(addr, &format!("client {i}")))
                    .collect()
            });
            let pids: Vec<u32> = clients.iter().map(|(_, pid)| *pid).collect();
            let _kill = KillChildren(pids.clone());
            drop(clients);
            // Nobody connects now: the server must reap without being woken
            // by a client.
            poll_until(
                CHILD_WAIT,
                || {
                    let (live, zombies) = (live_children(), zombie_children());
                    pids.iter()
                        .all(|pid| !live.contains(pid) && !zombies.contains(pid))
                },
                || {
                    let running = live_children();
                    let hint = if pids.iter().any(|pid| running.contains(pid)) {
                        "a child still running has not seen its client leave: it must \
                         close what it inherited (child::close_inherited_fds), leave the \
                         echo loop when read returns 0, and call libc::_exit"
                            .to_string()
                    } else {
                        format!(
                            "a zombie has exited but its parent never called waitpid for \
                             it. Reap with waitpid(pid, Some(WaitPidFlag::WNOHANG)) for \
                             each child, in the accept loop, and wait for clients with \
                             poll and a timeout of REAP_INTERVAL ({} ms), so that the loop \
                             comes round even when nobody connects",
                            REAP_INTERVAL.as_millis()
                        )
                    };
                    format!(
                        "{} s after their clients left, the children are: {}\n  hint: {hint}",
                        CHILD_WAIT.as_secs(),
                        describe(&pids),
                    )
                },
            );
            server.stop();
        });
    }

    #[test]
    fn stop_leaves_no_child_behind() {
        within(DEFAULT, "stop() with three clients connected", || {
            let server = start_greeting();
            let clients: Vec<(TcpStream, u32)> = server.check(|addr| {
                (0..3)
                    .map(|i| connect_greeted(addr, &format!("client {i}")))
                    .collect()
            });
            let pids: Vec<u32> = clients.iter().map(|(_, pid)| *pid).collect();
            let _kill = KillChildren(pids.clone());
            server.stop();
            // run() has returned: by its contract, every child is gone already.
            let (live, zombies) = (live_children(), zombie_children());
            expect::that(
                pids.iter()
                    .all(|pid| !live.contains(pid) && !zombies.contains(pid)),
                "after run() returned, none of its children should be left",
                describe(&pids),
                "on stop, kill(pid, Signal::SIGKILL) every child still running, then \
                 waitpid(pid, None) for each: a killed child is a zombie until reaped",
            );
            for (i, (mut stream, _)) in clients.into_iter().enumerate() {
                expect_closed(&mut stream, &format!("client {i}"));
            }
        });
    }
}

/// Fails unless the server has closed `stream` (end-of-file or a reset).
#[track_caller]
fn expect_closed(stream: &mut TcpStream, who: &str) {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Ok(n) => panic!(
            "{who}: expected the connection to be closed, got \"{}\"",
            buf[..n].escape_ascii()
        ),
        Err(e) if is_timeout(&e) => panic!(
            "{who}: the connection stayed open for {} s after the server stopped\n  \
             hint: stop ends the children still serving (SIGKILL); their sockets \
             close with them",
            IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("{who}: expected end-of-file, got the error {e}"),
    }
}

#[test]
fn stop_closes_conversations_in_progress() {
    within(DEFAULT, "stop() with a client connected", || {
        let server = start();
        let mut client = connect(server.addr);
        server.check(|_| echo::round_trip(&mut client, b"before the stop\n", "a client"));
        server.stop();
        expect_closed(&mut client, "a client connected when the server stopped");
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
        let server = bind();
        server.stopper().stop();
        launch(server).stop();
    });
}

#[test]
#[cfg(target_os = "linux")]
fn an_accept_error_of_the_listener_ends_run_with_it() {
    within(DEFAULT, "run() after its listener broke", || {
        let server = bind();
        let addr = server.local_addr();
        let stopper = server.stopper();
        let (report, done) = mpsc::channel();
        thread::spawn(move || {
            let _ = report.send(quietly(|| server.run()));
        });
        if let Err(failure) = quietly(|| probe(addr)) {
            if let Ok(Err(panic)) = done.recv_timeout(Duration::from_millis(200)) {
                panic!("Server::run panicked {}", panic.located());
            }
            panic!("{}", failure.message);
        }
        // From now on the listener is readable, and accept fails at once
        // with EINVAL, for ever.
        common::shut_down_listener(addr);
        let outcome = done.recv_timeout(STOP_WAIT);
        // A run that loops on the error would spin for ever: the flag ends it.
        stopper.stop();
        match outcome {
            Ok(Ok(Err(err))) => expect::eq(
                "the error run() returned",
                &err.raw_os_error(),
                &Some(libc::EINVAL),
                "return the accept error itself (after killing and reaping the children)",
            ),
            Ok(Ok(Ok(()))) => panic!(
                "run() returned Ok(()) after accept failed with EINVAL, without a stop\n  \
                 hint: an accept error that is neither about one client nor a lack of \
                 resources is returned as it is"
            ),
            Ok(Err(panic)) => panic!("Server::run panicked {}", panic.located()),
            Err(_) => panic!(
                "run() was still running {} s after every accept began to fail with \
                 EINVAL (the listener was shut down)\n  hint: skip only \
                 ConnectionAborted, ConnectionReset and Interrupted, and pause only when \
                 out of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM, EAGAIN); return any \
                 other accept error: retrying it fails the same way for ever",
                STOP_WAIT.as_secs()
            ),
        }
    });
}
