//! Running one allowed program: no shell, bounded output, bounded time.

use std::io;
use std::path::Path;

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
pub fn run(_program: &Path, _args: &[String], _limits: &Limits) -> io::Result<Execution> {
    todo!("exec::run: start the program with Command (no shell), read both pipes at once with a cap, stop it at the deadline (lesson 02.6, 'Reading stdout and stderr without deadlock')")
}
