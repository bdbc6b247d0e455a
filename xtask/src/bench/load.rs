//! The load generator, on tokio: one cell opens and holds its connections, then
//! lets the busy ones ping-pong a small message, timing every round trip.

use super::Shape;
use super::stats::Cell;
use super::system::Footprint;
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
pub(super) const MESSAGE_LEN: usize = 64;
/// Connection attempts in flight at once. A listen backlog is often 128: a
/// thousand SYNs at once would overflow it, and the kernel would make the
/// overflow retry after a second, measuring the backlog instead of the server.
const CONNECTS_AT_ONCE: usize = 100;
/// The longest any single connect or round trip may take before it counts as
/// failed. Generous: a loaded 2-core machine with 10,000 threads is slow, not dead.
const IO_LIMIT: Duration = Duration::from_secs(5);
/// The longest opening all connections of one cell may take.
const OPEN_LIMIT: Duration = Duration::from_secs(30);

/// One cell: open and hold `shape.held` connections, then let `shape.busy` of
/// them ping-pong for `per_cell` while the others stay connected and idle.
/// `footprint` is asked about the server at the end, before anything closes.
pub(super) async fn measure(
    addr: SocketAddr,
    shape: Shape,
    per_cell: Duration,
    footprint: impl FnOnce() -> Option<Footprint>,
) -> Cell {
    let mut held = open_all(addr, shape.held).await;
    let held_count = held.len();
    // The idle ones stay open until the end of the cell.
    let busy: Vec<TcpStream> = held.drain(..shape.busy.min(held_count)).collect();

    let start = Instant::now();
    let deadline = start + per_cell;
    let mut tasks = JoinSet::new();
    for (id, stream) in busy.into_iter().enumerate() {
        tasks.spawn(ping_pong(stream, id, deadline));
    }
    // Sampled mid-run: every connection is open, the busy ones are talking.
    tokio::time::sleep(per_cell / 2).await;
    let server = footprint();
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
    latencies.sort_unstable();
    Cell {
        held: held_count,
        round_trips: latencies.len() as u64,
        elapsed,
        latencies,
        failed,
        first_error,
        server,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The load generator against an echo server in this process: every
    /// connection is held, round trips are counted, latencies recorded.
    #[test]
    fn measures_an_echo_server() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cell = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    tokio::spawn(async move {
                        let (mut r, mut w) = stream.split();
                        let _ = tokio::io::copy(&mut r, &mut w).await;
                    });
                }
            });
            let shape = Shape { held: 12, busy: 10 };
            let me = Footprint::of(std::process::id());
            measure(addr, shape, Duration::from_millis(100), || me).await
        });
        assert_eq!(cell.held, 12);
        assert_eq!(cell.failed, 0, "{:?}", cell.first_error);
        assert!(cell.round_trips >= 10, "{} round trips", cell.round_trips);
        assert_eq!(cell.latencies.len() as u64, cell.round_trips);
        assert!(cell.elapsed >= Duration::from_millis(100));
    }
}
