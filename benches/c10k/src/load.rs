//! The load generator: one run opens and holds its connections, then lets the
//! busy ones ping-pong a small message, timing every round trip.
//!
//! It runs on ONE thread (a current-thread Tokio runtime): client and server
//! share the machine's cores, and a client that stays on one core leaves the
//! rest to the server, the same for every server measured.

use crate::report::Report;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;

/// The size of one ping: a small request, like a chat line or a cache lookup.
pub const MESSAGE_LEN: usize = 64;
/// Connection attempts in flight at once. A listen backlog is often 128: a
/// thousand SYNs at once would overflow it, and the kernel would make the
/// overflow retry after a second, measuring the backlog instead of the server.
const CONNECTS_AT_ONCE: usize = 100;
/// The longest any single connect or round trip may take before it counts as
/// failed. Generous: a loaded 2-core machine with 10,000 threads is slow, not dead.
pub const IO_LIMIT: Duration = Duration::from_secs(5);
/// The longest opening all connections of one run may take.
pub const OPEN_LIMIT: Duration = Duration::from_secs(30);

/// How many connections a run opens, and how many of them do round trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub held: usize,
    pub busy: usize,
}

/// What a run tells its caller while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The connections are open; this many completed their first round trip.
    Held(usize),
    /// Halfway through the ping-pong phase: every connection is open and the
    /// busy ones are talking. The moment to look at the server.
    Midway,
}

/// One run: open and hold `shape.held` connections, then let `shape.busy` of
/// them ping-pong for `talk` while the others stay connected and idle.
pub async fn measure(
    addr: SocketAddr,
    shape: Shape,
    talk: Duration,
    mut progress: impl FnMut(Progress),
) -> Report {
    let mut held = open_all(addr, shape.held).await;
    let held_count = held.len();
    progress(Progress::Held(held_count));
    // The idle ones stay open until the end of the run.
    let busy: Vec<TcpStream> = held.drain(..shape.busy.min(held_count)).collect();

    let start = Instant::now();
    let deadline = start + talk;
    let mut tasks = JoinSet::new();
    for (id, stream) in busy.into_iter().enumerate() {
        tasks.spawn(ping_pong(stream, id, deadline));
    }
    tokio::time::sleep(talk / 2).await;
    progress(Progress::Midway);
    let mut latencies = Vec::new();
    let mut failed = 0;
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let trips = joined.unwrap_or_else(|e| Trips {
            latencies: Vec::new(),
            error: Some(format!("a client task failed: {e}")),
        });
        latencies.extend(trips.latencies);
        if let Some(error) = trips.error {
            failed += 1;
            first_error.get_or_insert(error);
        }
    }
    let elapsed = start.elapsed();
    drop(held);
    Report::new(held_count, elapsed, latencies, failed, first_error)
}

/// Opens `connections` connections, at most [`CONNECTS_AT_ONCE`] attempts at a
/// time, and keeps those that complete a first round trip: the server has
/// accepted them and serves them. All stay open together.
async fn open_all(addr: SocketAddr, connections: usize) -> Vec<TcpStream> {
    let permits = Arc::new(Semaphore::new(CONNECTS_AT_ONCE));
    let mut tasks = JoinSet::new();
    for id in 0..connections {
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok()?;
            let mut stream = timeout(IO_LIMIT, TcpStream::connect(addr))
                .await
                .ok()?
                .ok()?;
            stream.set_nodelay(true).ok()?;
            let message = message(id);
            let mut echo = [0u8; MESSAGE_LEN];
            timeout(IO_LIMIT, round_trip(&mut stream, &message, &mut echo))
                .await
                .ok()?
                .ok()?;
            (echo == message).then_some(stream)
        });
    }
    let mut held = Vec::with_capacity(connections);
    let all = async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok(Some(stream)) = joined {
                held.push(stream);
            }
        }
    };
    // A server that stops accepting must not hold the benchmark up.
    let _ = timeout(OPEN_LIMIT, all).await;
    held
}

/// What one connection did in the ping-pong phase.
struct Trips {
    latencies: Vec<Duration>,
    error: Option<String>,
}

/// Round trips until `deadline`; each one's latency is recorded.
async fn ping_pong(mut stream: TcpStream, id: usize, deadline: Instant) -> Trips {
    let message = message(id);
    let mut echo = [0u8; MESSAGE_LEN];
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let sent = Instant::now();
        let error = match timeout(IO_LIMIT, round_trip(&mut stream, &message, &mut echo)).await {
            Ok(Ok(())) if echo == message => {
                latencies.push(sent.elapsed());
                // Let every other connection have its turn before the next round
                // trip, as independent clients would. Without this, a task whose
                // echo is already there runs on for a whole scheduling budget, and
                // the latencies come out as bursts of instant replies and long waits.
                tokio::task::yield_now().await;
                continue;
            }
            Ok(Ok(())) => "the echo differed from the message".to_string(),
            Ok(Err(e)) => format!("connection {id}: {e}"),
            Err(_) => format!("connection {id}: no echo within {} s", IO_LIMIT.as_secs()),
        };
        return Trips {
            latencies,
            error: Some(error),
        };
    }
    Trips {
        latencies,
        error: None,
    }
}

async fn round_trip(stream: &mut TcpStream, message: &[u8], echo: &mut [u8]) -> io::Result<()> {
    stream.write_all(message).await?;
    stream.read_exact(echo).await?;
    Ok(())
}

/// A message unique to its connection, so crossed wires show.
fn message(id: usize) -> [u8; MESSAGE_LEN] {
    let mut message = [b'.'; MESSAGE_LEN];
    let text = format!("ping from connection {id}");
    message[..text.len()].copy_from_slice(text.as_bytes());
    message[MESSAGE_LEN - 1] = b'\n';
    message
}
