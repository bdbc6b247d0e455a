//! A program of the benchmark running as a child process (a server, or the load
//! generator): its stdout handed to the caller, the tail of its stderr kept for
//! error messages, and killed and reaped when dropped, whatever happened.

use anyhow::{Context, Result};
use std::io::{self, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

/// How much of a child's stderr is kept for error messages.
const STDERR_TAIL: usize = 4 * 1024;

/// A running child; killed and reaped when dropped.
pub(super) struct Guarded {
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Guarded {
    /// Starts `cmd` with stdin closed and stdout and stderr piped; returns the
    /// guard and the child's stdout.
    pub(super) fn spawn(mut cmd: Command) -> Result<(Guarded, ChildStdout)> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut cmd);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", cmd.get_program().to_string_lossy()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = keep_tail(child.stderr.take().expect("stderr is piped"));
        Ok((Guarded { child, stderr }, stdout))
    }

    pub(super) fn id(&self) -> u32 {
        self.child.id()
    }

    /// How the child ended, if it has.
    pub(super) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }

    /// `; its stderr ends with: …`, or nothing when it printed nothing.
    pub(super) fn stderr_tail(&self) -> String {
        let tail = self.stderr.lock().map(|t| t.clone()).unwrap_or_default();
        let text = String::from_utf8_lossy(&tail);
        let text = text.trim();
        if text.is_empty() {
            String::new()
        } else {
            format!("; its stderr ends with: {}", text.replace('\n', " / "))
        }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// On Linux, have the kernel kill the child if the runner dies first (even by
/// SIGKILL, when no destructor runs). Ctrl-C reaches the children anyway: they
/// stay in the runner's process group, which the terminal signals as a whole.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed; prctl(2) is a plain system call that
    // allocates nothing and touches no lock.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

/// Keeps the last [`STDERR_TAIL`] bytes of a pipe, read on a thread.
fn keep_tail(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let tail = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&tail);
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            let Ok(mut tail) = keep.lock() else { return };
            tail.extend_from_slice(&buf[..n]);
            let excess = tail.len().saturating_sub(STDERR_TAIL);
            tail.drain(..excess);
        }
    });
    tail
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::BufRead;

    #[test]
    fn a_dropped_child_is_killed_and_its_stderr_kept() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo oops >&2; echo ready; exec sleep 30"]);
        let (mut child, stdout) = Guarded::spawn(cmd).unwrap();
        let mut line = String::new();
        io::BufReader::new(stdout).read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
        // The stderr thread may lag the stdout line by a moment.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !child.stderr_tail().contains("oops") && std::time::Instant::now() < deadline {
            thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(child.stderr_tail(), "; its stderr ends with: oops");
        assert_eq!(child.exited(), None);
        let pid = child.id();
        drop(child);
        // Reaped: no process of that id is left, not even a zombie.
        #[cfg(target_os = "linux")]
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
        let _ = pid;
    }
}
