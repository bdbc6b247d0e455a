//! One server binary running as a child process: started on an ephemeral
//! loopback port, asked for its address (its first line, `listening on ADDR`),
//! and killed and reaped with its guard.

use super::child::Guarded;
use anyhow::{Result, bail};
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{ChildStdout, Command};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The longest a server may take to print its `listening on` line.
const START_LIMIT: Duration = Duration::from_secs(10);

/// A server listening on `addr`; killed and reaped when dropped.
pub(super) struct ServerProcess {
    pub(super) process: Guarded,
    pub(super) addr: SocketAddr,
}

impl ServerProcess {
    pub(super) fn start(binary: &Path) -> Result<ServerProcess> {
        let mut cmd = Command::new(binary);
        cmd.arg("127.0.0.1:0");
        // From here on, the guard kills the child whatever happens.
        let (process, stdout) = Guarded::spawn(cmd)?;
        let addr = match first_line(stdout, START_LIMIT)
            .as_deref()
            .map(parse_listening)
        {
            Some(Ok(addr)) => addr,
            Some(Err(why)) => bail!("{why}{}", process.stderr_tail()),
            None => bail!(
                "{} printed no `listening on <addr>` line within {} s{}",
                binary.display(),
                START_LIMIT.as_secs(),
                process.stderr_tail()
            ),
        };
        Ok(ServerProcess { process, addr })
    }

    /// Why the server is no longer running, if it is not.
    pub(super) fn exited(&mut self) -> Option<String> {
        let status = self.process.exited()?;
        Some(format!(
            "the server exited during the test ({status}){}",
            self.process.stderr_tail()
        ))
    }
}

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
