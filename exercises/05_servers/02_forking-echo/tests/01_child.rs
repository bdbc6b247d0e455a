//! Step 1: the child (`src/child.rs`): what a forked process does with its
//! connection. Run with `cargo test --test 01_child`.
//!
//! Each test forks this test process, as the server will, and calls
//! `child::serve` in the child with the server end of a connected loopback
//! pair; the test plays the client with the other end, then collects the
//! child's exit status with `waitpid`. The child never comes back: `serve`
//! ends the process. (Should it panic instead, the test's own guard ends the
//! child with status 99, so that no copy of the test harness goes on running.)

use std::fs::File;
use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::os::fd::RawFd;
use std::panic::{self, AssertUnwindSafe};
use std::thread;
use std::time::{Duration, Instant};

use forking_echo::child;
use nix::fcntl::OFlag;
use nix::sys::resource::{getrlimit, Resource};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, pipe2, write, ForkResult, Pid};
use testkit::echo::{echo_concurrently, pattern};
use testkit::net::{is_timeout, pair, read_to_end, reset, IO_TIMEOUT};
use testkit::server::quietly;
use testkit::{deadline::DEFAULT, echo, expect, within};

mod common;

/// The exit status the test's guard gives a child whose `child::serve`
/// panicked out of itself (a `todo!()` does).
const PANICKED: i32 = 99;

/// How long a test waits for a child to exit.
const CHILD_WAIT: Duration = Duration::from_secs(3);

/// A forked child running `child::serve`. Killed and reaped when dropped, if
/// the test has not reaped it.
struct Forked {
    pid: Pid,
    reaped: bool,
    /// Where the child's guard writes the message of a panic in `serve`.
    panics: File,
}

/// One more than the highest descriptor this process may open, as the server
/// reads it (before `fork`: `getrlimit` is not async-signal-safe).
fn fd_limit() -> RawFd {
    let soft = getrlimit(Resource::RLIMIT_NOFILE).map_or(1024, |(soft, _)| soft);
    RawFd::try_from(soft.min(1 << 16)).unwrap_or(RawFd::MAX)
}

/// Forks. The child runs `child::serve(&server, greeting, ...)`; the parent
/// closes its copy of `server` (as the server must) and returns the child.
fn fork_serve(server: TcpStream, greeting: bool) -> Forked {
    fork_serve_after(server, greeting, || {})
}

/// [`fork_serve`], but the child first runs `prepare` (which must be
/// async-signal-safe: it runs in a forked child of a process with threads).
fn fork_serve_after(server: TcpStream, greeting: bool, prepare: fn()) -> Forked {
    let limit = fd_limit();
    let (panics, report) =
        pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).expect("could not create a pipe");
    // SAFETY: the child calls only `child::serve`, which by its contract makes
    // async-signal-safe calls and ends the process; the guard below ends it too
    // should `serve` panic, so the child never returns into the test harness.
    match unsafe { fork() }.expect("fork failed") {
        ForkResult::Child => {
            if let Err(panic) = panic::catch_unwind(AssertUnwindSafe(|| {
                prepare();
                child::serve(&server, greeting, limit);
            })) {
                let text = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                let _ = write(&report, text.as_bytes());
            }
            // SAFETY: ends this child at once, running nothing of the parent's.
            unsafe { libc::_exit(PANICKED) }
        }
        ForkResult::Parent { child } => {
            drop(server);
            drop(report);
            Forked {
                pid: child,
                reaped: false,
                panics: File::from(panics),
            }
        }
    }
}

impl Forked {
    /// Runs `talk` (the client's side). If it fails, says first whether the
    /// child has exited, and how: that is usually the real story.
    #[track_caller]
    fn check<T>(&mut self, talk: impl FnOnce() -> T) -> T {
        match quietly(talk) {
            Ok(value) => value,
            Err(failure) => match self.exit_within(Duration::from_millis(200)) {
                Some(WaitStatus::Exited(_, PANICKED)) => self.panicked(&failure.message),
                Some(status) => panic!(
                    "{}\n  (the child process had already ended: {status:?})",
                    failure.message
                ),
                None => panic!("{}", failure.message),
            },
        }
    }

    /// Fails with the message of the panic that ended the child.
    #[track_caller]
    fn panicked(&mut self, client_saw: &str) -> ! {
        let mut text = String::new();
        let _ = self.panics.read_to_string(&mut text);
        panic!(
            "child::serve panicked in the child process: {}\n  hint: a panic must never \
             leave serve (the test's guard ended the child with status {PANICKED}); is it \
             still a todo!()?\n  (what the client saw: {client_saw})",
            if text.is_empty() {
                "(its message was lost)"
            } else {
                &text
            }
        )
    }

    /// The child's exit status, if it ends within `wait`; reaps it.
    fn exit_within(&mut self, wait: Duration) -> Option<WaitStatus> {
        let until = Instant::now() + wait;
        loop {
            match waitpid(self.pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) if Instant::now() < until => {
                    thread::sleep(Duration::from_millis(2));
                }
                Ok(WaitStatus::StillAlive) => return None,
                Ok(status) => {
                    self.reaped = true;
                    return Some(status);
                }
                Err(e) => panic!("waitpid({}) failed: {e}", self.pid),
            }
        }
    }

    /// Fails unless the child exits within [`CHILD_WAIT`] with `status`.
    #[track_caller]
    fn expect_exit(&mut self, status: i32, why: &str, hint: &str) {
        let pid = self.pid;
        match self.exit_within(CHILD_WAIT) {
            Some(WaitStatus::Exited(_, PANICKED)) => self.panicked("nothing wrong"),
            Some(got) => expect::eq(why, &got, &WaitStatus::Exited(pid, status), hint),
            None => panic!(
                "the child was still running {} s after its client left\n  hint: when \
                 read returns 0 (or fails), leave the echo loop and end the process \
                 with libc::_exit",
                CHILD_WAIT.as_secs()
            ),
        }
    }
}

impl Drop for Forked {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = kill(self.pid, Signal::SIGKILL);
            let _ = waitpid(self.pid, None);
        }
    }
}

/// Reads `pid <n>\n`, byte by byte (nothing after it), and returns `n`.
#[track_caller]
fn read_greeting(client: &mut TcpStream) -> u32 {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.last() != Some(&b'\n') && line.len() < 64 {
        match client.read(&mut byte) {
            Ok(0) => panic!(
                "the child closed the connection before its greeting (\"{}\" so far)\n  \
                 hint: with greeting = true, write `pid <n>\\n` first",
                line.escape_ascii()
            ),
            Ok(_) => line.push(byte[0]),
            Err(e) if is_timeout(&e) => panic!(
                "no greeting within {} s (\"{}\" so far)\n  hint: with greeting = true, \
                 write `pid <its pid>\\n` right after closing what the child inherited",
                IO_TIMEOUT.as_secs(),
                line.escape_ascii()
            ),
            Err(e) => panic!("reading the greeting failed: {e}"),
        }
    }
    let text = line.escape_ascii().to_string();
    text.strip_prefix("pid ")
        .and_then(|rest| rest.strip_suffix("\\n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "the greeting should be `pid <n>\\n`, got \"{text}\"\n  hint: format it \
                 with writeln! into a stack buffer (an io::Cursor over [0u8; 32])"
            )
        })
}

#[test]
fn greets_with_its_pid_echoes_and_exits_0_at_end_of_file() {
    within(DEFAULT, "a forked child's conversation", || {
        let (mut client, server) = pair();
        let mut child = fork_serve(server, true);
        let pid = child.pid;
        child.check(|| {
            let greeted = read_greeting(&mut client);
            expect::eq(
                "the pid in the greeting",
                &greeted,
                &(pid.as_raw() as u32),
                "the greeting names the process that serves: std::process::id() in the \
                 child",
            );
            echo::round_trip(&mut client, b"hello, child\n", "the child's client");
            client.shutdown(Shutdown::Write).unwrap();
            let rest = read_to_end(&mut client, "end-of-file after the echo");
            expect::eq(
                "bytes after the echo",
                rest.escape_ascii().to_string().as_str(),
                "",
                "each byte is echoed once, then the child ends, which closes the socket",
            );
        });
        child.expect_exit(
            0,
            "how the child ended after its client half-closed",
            "end-of-file is the normal end: libc::_exit(0)",
        );
    });
}

#[test]
fn without_a_greeting_it_only_echoes() {
    within(DEFAULT, "a forked child without a greeting", || {
        let (mut client, server) = pair();
        let mut child = fork_serve(server, false);
        child.check(|| {
            echo_concurrently(
                &mut client,
                &pattern(256 << 10),
                "the echo of 256 KiB, with nothing before it",
                "without greeting, the first bytes the client reads are its echo",
            );
            client.shutdown(Shutdown::Write).unwrap();
            read_to_end(&mut client, "end-of-file after the echo");
        });
        child.expect_exit(0, "how the child ended", "libc::_exit(0) after end-of-file");
    });
}

#[test]
fn a_reset_ends_the_child_with_status_1() {
    within(
        DEFAULT,
        "a child whose client resets the connection",
        || {
            let (mut client, server) = pair();
            let mut child = fork_serve(server, false);
            child.check(|| {
                echo::round_trip(&mut client, b"then a reset\n", "the child's client");
            });
            reset(client);
            child.expect_exit(
                1,
                "how the child ended after its client reset the connection",
                "an I/O error (here ConnectionReset) ends the child with libc::_exit(1)",
            );
        },
    );
}

#[test]
#[cfg(target_os = "linux")]
fn the_child_keeps_nothing_but_its_connection() {
    child_keeps_only_its_connection(|| {});
}

/// The same on a system without `close_range` (Linux before 5.9): the child
/// closes what it inherited one descriptor at a time, below `fd_limit`.
#[test]
#[cfg(target_os = "linux")]
fn without_close_range_the_child_still_keeps_nothing_but_its_connection() {
    child_keeps_only_its_connection(common::without_close_range);
}

#[cfg(target_os = "linux")]
fn child_keeps_only_its_connection(prepare: fn()) {
    within(DEFAULT, "a child's open descriptors", move || {
        // Two more sockets open in this process when it forks: the child
        // inherits them, and must close them.
        let (_other_client, _other_server) = pair();
        let (mut client, server) = pair();
        let mut child = fork_serve_after(server, true, prepare);
        let pid = child.pid;
        child.check(|| {
            // The greeting comes after the closing: then the table is final.
            read_greeting(&mut client);
            let fds: Vec<(u32, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
                .expect("the child's /proc entry")
                .filter_map(|entry| {
                    let entry = entry.ok()?;
                    let fd: u32 = entry.file_name().to_str()?.parse().ok()?;
                    let target = std::fs::read_link(entry.path()).ok()?;
                    Some((fd, target.to_string_lossy().into_owned()))
                })
                .filter(|(fd, _)| *fd >= 3)
                .collect();
            expect::that(
                fds.len() == 1 && fds[0].1.starts_with("socket:"),
                "the child should hold exactly one descriptor above 2: its connection",
                &fds,
                "call close_inherited_fds(stream.as_raw_fd(), fd_limit) first thing: a \
                 copy of another client's socket kept open here would keep that \
                 connection alive as long as this child lives",
            );
        });
        drop(client);
        child.expect_exit(0, "how the child ended", "libc::_exit(0) after end-of-file");
    });
}

/// A signal handler that does nothing: its only effect is to interrupt the
/// system call the thread is blocked in (`EINTR`).
#[cfg(target_os = "linux")]
extern "C" fn ignore_signal(_: libc::c_int) {}

/// Installs [`ignore_signal`] for `SIGUSR1` without `SA_RESTART`, so that a
/// `SIGUSR1` makes a blocked `read` fail with `Interrupted`. Runs in the
/// forked child: `sigaction` is async-signal-safe.
#[cfg(target_os = "linux")]
fn interruptible_by_sigusr1() {
    // SAFETY: a zeroed sigaction is valid (empty mask, no flags); the handler
    // touches nothing.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut());
    }
}

/// Waits until process `pid` is blocked in a read of a socket (`recvfrom`
/// or `read`, from `/proc/<pid>/syscall`).
#[cfg(target_os = "linux")]
#[track_caller]
fn wait_blocked_in_read(pid: Pid) {
    let until = Instant::now() + IO_TIMEOUT;
    let reads = [libc::SYS_recvfrom, libc::SYS_read];
    loop {
        let now = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        let number = now
            .split(' ')
            .next()
            .and_then(|n| n.parse::<libc::c_long>().ok());
        if number.is_some_and(|n| reads.contains(&n)) {
            return;
        }
        assert!(
            Instant::now() < until,
            "the child was not waiting in read {} s after its echo (it is in: {now:?})",
            IO_TIMEOUT.as_secs()
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// Waits until process `pid` has taken the signal sent to it (none is pending
/// any more) and is blocked in a read again, or has ended. Sending bytes
/// before that could let the interrupted read return them instead of failing.
#[cfg(target_os = "linux")]
#[track_caller]
fn wait_signal_taken(pid: Pid) {
    let until = Instant::now() + IO_TIMEOUT;
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_default()
        };
        if field("State:").starts_with('Z') {
            return;
        }
        let pending = |name: &str| field(name).chars().any(|c| c != '0');
        if !pending("SigPnd:") && !pending("ShdPnd:") {
            return wait_blocked_in_read(pid);
        }
        assert!(
            Instant::now() < until,
            "the child did not take its signal within {} s",
            IO_TIMEOUT.as_secs()
        );
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_signal_during_a_read_is_not_an_error() {
    within(DEFAULT, "a child whose read a signal interrupts", || {
        let (mut client, server) = pair();
        let mut child = fork_serve_after(server, false, interruptible_by_sigusr1);
        let pid = child.pid;
        child.check(|| {
            echo::round_trip(&mut client, b"before the signal\n", "the child's client");
        });
        // The echo has come back: the child is on its way to its next read.
        wait_blocked_in_read(pid);
        kill(pid, Signal::SIGUSR1).expect("sending SIGUSR1 to the child");
        wait_signal_taken(pid);
        if let Some(status) = child.exit_within(Duration::ZERO) {
            panic!(
                "the child ended ({status:?}) when a signal interrupted its read\n  hint: a \
                 read that fails with Interrupted (EINTR: a signal arrived before any \
                 byte did) is not an error: read again"
            );
        }
        child.check(|| {
            echo::round_trip(&mut client, b"after the signal\n", "the child's client");
            client.shutdown(Shutdown::Write).unwrap();
            read_to_end(&mut client, "end-of-file after the echo");
        });
        child.expect_exit(
            0,
            "how the child ended after a signal interrupted its read, then its client \
             half-closed",
            "a read that fails with Interrupted (a signal arrived, EINTR) is not an \
             error: read again",
        );
    });
}
