//! One cell's load: the load generator (`c10k-load`, from `benches/c10k`, an
//! optimised build) run as a child process against a server, its report read
//! into a [`Cell`], and the server's footprint taken when it says `midway`.

use super::Shape;
use super::child::Guarded;
use super::stats::Cell;
use super::system::Footprint;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// The size of one ping (the load generator's `MESSAGE_LEN`), for the report.
pub(super) const MESSAGE_LEN: usize = 64;
/// The line the load generator prints halfway through the ping-pong phase.
const MIDWAY: &str = "midway";
/// The longest one run of the load generator may take beyond its talking time.
/// It bounds itself (30 s to open the connections, 5 s for any round trip);
/// this is the runner's own limit in case it does not.
const BEYOND_TALK: Duration = Duration::from_secs(60);

/// Runs the load generator at `load` against the server at `addr` for one cell.
/// `footprint` is asked about the server halfway, while every connection is open.
pub(super) fn run(
    load: &Path,
    addr: SocketAddr,
    shape: Shape,
    talk: Duration,
    footprint: impl FnOnce() -> Option<Footprint>,
) -> Result<Cell, String> {
    let mut cmd = Command::new(load);
    cmd.arg(addr.to_string())
        .arg(shape.held.to_string())
        .arg(shape.busy.to_string())
        .arg(talk.as_secs_f64().to_string());
    // Killed and reaped when this function returns, whatever happened.
    let (mut client, stdout) = Guarded::spawn(cmd).map_err(|e| format!("{e:#}"))?;
    let (tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });

    let limit = talk + BEYOND_TALK;
    let deadline = Instant::now() + limit;
    let mut footprint = Some(footprint);
    let mut server = None;
    let mut report = Vec::new();
    loop {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line == MIDWAY => server = footprint.take().and_then(|look| look()),
            Ok(line) => report.push(line),
            // Its stdout closed: the load generator is done.
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "the load generator was still running after {} s and was stopped{}",
                    limit.as_secs(),
                    client.stderr_tail()
                ));
            }
        }
    }
    Cell::parse(&report, server).map_err(|why| {
        let status = client.exited().map_or(String::new(), |s| format!(" ({s})"));
        format!("{why}{status}{}", client.stderr_tail())
    })
}
