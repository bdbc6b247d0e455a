//! One server binary running as a child process: started, asked for its address,
//! watched, and killed and reaped whatever happens.

use anyhow::{Context, Result, bail};
use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The longest a server may take to print its `listening on` line.
const START_LIMIT: Duration = Duration::from_secs(10);
/// How much of a server's stderr is kept for error messages.
const STDERR_TAIL: usize = 4 * 1024;

/// A server binary running as a child; killed and reaped when dropped.
pub(super) struct ServerProcess {
    pub(super) child: Child,
    pub(super) addr: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl ServerProcess {
    pub(super) fn start(binary: &Path) -> Result<ServerProcess> {
        let mut cmd = Command::new(binary);
        cmd.arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut cmd);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = keep_tail(child.stderr.take().expect("stderr is piped"));
        // From here on, the guard kills the child whatever happens.
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        let line = first_line(stdout, START_LIMIT);
        server.addr = match line.as_deref().map(parse_listening) {
            Some(Ok(addr)) => addr,
            Some(Err(why)) => bail!("{why}{}", server.stderr_tail()),
            None => bail!(
                "{} printed no `listening on <addr>` line within {} s{}",
                binary.display(),
                START_LIMIT.as_secs(),
                server.stderr_tail()
            ),
        };
        Ok(server)
    }

    /// Why the server is no longer running, if it is not.
    pub(super) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!(
                "the server exited during the test ({status}){}",
                self.stderr_tail()
            )),
            _ => None,
        }
    }

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

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// On Linux, have the kernel kill the server if the runner dies first (even by
/// SIGKILL, when no destructor runs). Ctrl-C reaches the servers anyway: they
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

/// Reads the first line of `stdout` on a thread, waiting at most `limit`. The
/// thread then keeps reading (and discarding) so the server never blocks on a
/// full pipe.
fn first_line(stdout: ChildStdout, limit: Duration) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        let _ = io::copy(&mut reader, &mut io::sink());
    });
    rx.recv_timeout(limit).ok().filter(|line| !line.is_empty())
}

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

/// `listening on 127.0.0.1:40123` → the address.
fn parse_listening(line: &str) -> std::result::Result<SocketAddr, String> {
    let line = line.trim_end();
    let rest = line.strip_prefix("listening on ").ok_or_else(|| {
        format!("the server's first line should be `listening on <addr>`, not {line:?}")
    })?;
    let addr: SocketAddr = rest
        .parse()
        .map_err(|e| format!("`{rest}` in the server's first line is not an address: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "the server listens on {addr}; the benchmark uses loopback only"
        ));
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_listening_line() {
        assert_eq!(
            parse_listening("listening on 127.0.0.1:4321\n"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 4321)))
        );
        assert!(
            parse_listening("ready\n")
                .unwrap_err()
                .contains("listening on")
        );
        assert!(parse_listening("listening on nowhere").is_err());
        assert!(
            parse_listening("listening on 0.0.0.0:80")
                .unwrap_err()
                .contains("loopback")
        );
    }
}
