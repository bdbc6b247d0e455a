//! Running one allowed program: no shell, bounded output, bounded time.

use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::{Limits, Reply, Response};

/// What one output stream held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// At most [`Limits::max_output`] bytes, the start of what was written.
    pub bytes: Vec<u8>,
    /// True if the program wrote more than that.
    pub truncated: bool,
}

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this code.
    Exited(i32),
    /// A signal ended it (Unix), e.g. 13 = SIGPIPE.
    Signalled(i32),
    /// It ran past [`Limits::time_limit`] and was killed.
    TimedOut,
}

/// The outcome of [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub ending: Ending,
    pub stdout: Captured,
    pub stderr: Captured,
}

impl Execution {
    /// The reply that reports this execution.
    pub fn into_response(self) -> Response {
        let truncated = self.stdout.truncated || self.stderr.truncated;
        let reply = match self.ending {
            Ending::Exited(code) => Reply::Exited { code, truncated },
            Ending::Signalled(signal) => Reply::Signalled { signal, truncated },
            Ending::TimedOut => Reply::TimedOut { truncated },
        };
        Response {
            reply,
            stdout: self.stdout.bytes,
            stderr: self.stderr.bytes,
        }
    }
}

/// Runs `program` (an absolute path) with `args`, and waits for it.
///
/// * No shell: `program` is executed directly and each element of `args` becomes
///   exactly one argument, byte for byte. Nothing is split, expanded or
///   interpreted.
/// * stdin is empty (the program reads end-of-file at once); the environment is
///   cleared except for `PATH=/usr/bin:/bin` and `LC_ALL=C`.
/// * stdout and stderr are read at the same time (a program blocked on a full
///   stderr pipe never finishes its stdout), each keeping at most
///   `limits.max_output` bytes. Past that the pipe is closed, which usually ends
///   the program with SIGPIPE, and `truncated` is set.
/// * The program runs in a process group of its own. If it or anything it
///   started is still running `limits.time_limit` after the start, the whole
///   group is killed and the ending is [`Ending::TimedOut`], with the output
///   written until then.
/// * The child is always waited for: no zombie is left behind.
///
/// Errors: the program could not be started (`NotFound`, `PermissionDenied`, ...)
/// or waiting for it failed.
// ANCHOR: run
pub fn run(program: &Path, args: &[String], limits: &Limits) -> io::Result<Execution> {
    let deadline = Instant::now() + limits.time_limit;
    let mut child = command(program, args).spawn()?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let cap = limits.max_output;

    thread::scope(|scope| {
        // One reader per pipe, both running while we wait: read stdout to the end
        // first and a program that fills the stderr pipe (64 KiB) blocks forever,
        // never closing stdout. Deadlock.
        let out = scope.spawn(move || read_capped(stdout, cap));
        let err = scope.spawn(move || read_capped(stderr, cap));
        let ending = wait_until(&mut child, deadline, || {
            out.is_finished() && err.is_finished()
        })?;
        Ok(Execution {
            ending,
            stdout: out.join().expect("the stdout reader panicked")?,
            stderr: err.join().expect("the stderr reader panicked")?,
        })
    })
}
// ANCHOR_END: run

// ANCHOR: command
/// The command line, built without a shell: `program` is executed directly and
/// each argument is handed over as one `argv` entry, exactly as it came.
fn command(program: &Path, args: &[String]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        // The server's environment may hold secrets (tokens, keys); the program
        // gets a fixed, minimal one. LC_ALL=C also keeps messages in English.
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LC_ALL", "C")
        // `spawn` inherits stdin by default: the server's terminal or socket.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A group of its own, so a timeout can kill the program *and* anything it
        // started, which would otherwise keep our pipes open.
        .process_group(0);
    command
}
// ANCHOR_END: command

// ANCHOR: read_capped
/// Reads a pipe to its end, keeping at most `cap` bytes.
fn read_capped(pipe: impl Read, cap: usize) -> io::Result<Captured> {
    let mut bytes = Vec::new();
    // Asking for one byte more than the cap tells "exactly cap" from "more".
    pipe.take(cap as u64 + 1).read_to_end(&mut bytes)?;
    let truncated = bytes.len() > cap;
    bytes.truncate(cap);
    // Returning drops `pipe`, closing our end: a program that keeps writing gets
    // SIGPIPE, as it would under `| head -c`.
    Ok(Captured { bytes, truncated })
}
// ANCHOR_END: read_capped

/// How often [`wait_until`] looks at the child. std has no "wait with timeout";
/// polling `try_wait` every few milliseconds is cheap for one short-lived child.
const POLL_INTERVAL: Duration = Duration::from_millis(2);

// ANCHOR: wait_until
/// Waits until the child has exited and its output is read, or until `deadline`,
/// when the child's process group is killed. Always reaps the child.
fn wait_until(
    child: &mut Child,
    deadline: Instant,
    output_done: impl Fn() -> bool,
) -> io::Result<Ending> {
    let mut status: Option<ExitStatus> = None;
    loop {
        if status.is_none() {
            status = child.try_wait().inspect_err(|_| stop(child))?;
        }
        match status {
            // Exited, and nothing else (a grandchild) still holds the pipes.
            Some(status) if output_done() => return Ok(ending(status)),
            _ if Instant::now() >= deadline => {
                stop(child);
                return Ok(Ending::TimedOut);
            }
            _ => thread::sleep(POLL_INTERVAL),
        }
    }
}

/// Kills the child's whole process group and reaps the child.
fn stop(child: &mut Child) {
    // With `process_group(0)` the group's id is the child's pid. That number
    // cannot belong to anyone else: a pid stays taken until its process is
    // reaped, and as a group id for as long as any member of the group lives.
    let group = Pid::from_raw(child.id() as i32);
    if killpg(group, Signal::SIGKILL).is_err() {
        // The group is gone already; make sure of the child itself.
        let _ = child.kill();
    }
    // Reap it; if it was reaped before, this returns its saved status.
    let _ = child.wait();
}

fn ending(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signalled(signal),
        // Unix reports one or the other; keep the type total anyway.
        (None, None) => Ending::Exited(-1),
    }
}
// ANCHOR_END: wait_until
