//! `cargo xtask bench`: the C10K benchmark of part 05, measured on this machine.
//!
//! It builds the *solutions* of three echo servers (thread per connection, `poll`,
//! edge-triggered epoll) in release mode, in the scratch workspace `verify` uses
//! (the solution laid over a copy of the exercise, so the learner's folder is never
//! touched), and drives each with a load generator written here, on tokio:
//!
//! 1. start the server's binary on `127.0.0.1:0` and read its first line,
//!    `listening on <addr>`;
//! 2. open N connections (10, 100, 1,000, 10,000) and keep them all open, each
//!    proving with one round trip that the server really serves it ("held");
//! 3. let every held connection do ping-pong round trips of a small message for a
//!    fixed time, recording each round trip's latency (and then with 1,000 and
//!    10,000 held of which only 10 talk: many idle clients, the C10K shape);
//! 4. kill the server (always: also on errors and panics, by a drop guard).
//!
//! Everything is bounded: three servers × five cells, a time limit on every
//! connect, round trip and start-up, loopback addresses only. The result is one
//! Markdown table, ready to paste into `book/05_servers/08_c10k.md`.

use crate::cargo;
use crate::course::{Course, Exercise};
use crate::scratch;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;

/// The servers compared, in the order of the lessons that build them.
const SERVERS: [&str; 3] = ["threaded-echo", "poll-echo", "epoll-echo"];
/// One table row per server and shape: (connections held, connections busy).
/// The last two are the C10K situation: many clients connected, few of them
/// talking at any moment (a chat server, a push service, idle keep-alives).
#[rustfmt::skip]
const SHAPES: [Shape; 5] = [
    Shape { held: 10, busy: 10 },
    Shape { held: 100, busy: 100 },
    Shape { held: 1_000, busy: 1_000 },
    Shape { held: 1_000, busy: 10 },
    Shape { held: 10_000, busy: 10 },
];
/// The size of one ping: a small request, like a chat line or a cache lookup.
const MESSAGE_LEN: usize = 64;
/// Connection attempts in flight at once. A listen backlog is often 128: a
/// thousand SYNs at once would overflow it, and the kernel would make the
/// overflow retry after a second, measuring the backlog instead of the server.
const CONNECTS_AT_ONCE: usize = 100;
/// The longest any single connect or round trip may take before it counts as
/// failed. Generous: a loaded 2-core machine with 10,000 threads is slow, not dead.
const IO_LIMIT: Duration = Duration::from_secs(5);
/// The longest opening all connections of one cell may take.
const OPEN_LIMIT: Duration = Duration::from_secs(30);
/// The longest a server may take to print its `listening on` line.
const START_LIMIT: Duration = Duration::from_secs(10);
/// The longest the release build may take (the first one compiles dependencies).
const BUILD_LIMIT: Duration = Duration::from_secs(900);
/// How much of a server's stderr is kept for error messages.
const STDERR_TAIL: usize = 4 * 1024;

/// `cargo xtask bench [--quick] [--seconds N]`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// 0.5 s per cell instead of 2 s.
    pub quick: bool,
    /// Seconds of ping-pong per cell; overrides `quick`.
    pub seconds: Option<f64>,
}

impl Options {
    fn per_cell(&self) -> Result<Duration> {
        let seconds = self.seconds.unwrap_or(if self.quick { 0.5 } else { 2.0 });
        if !(0.05..=60.0).contains(&seconds) {
            bail!("--seconds must be between 0.05 and 60 (got {seconds})");
        }
        Ok(Duration::from_secs_f64(seconds))
    }
}

/// How many connections a cell opens, and how many of them do round trips.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub held: usize,
    pub busy: usize,
}

impl Shape {
    fn describe(self) -> String {
        if self.busy == self.held {
            thousands(self.held as u64)
        } else {
            format!("{} ({} busy)", thousands(self.held as u64), self.busy)
        }
    }
}

/// What one cell of the table measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Connections open at once that completed their first round trip.
    pub held: usize,
    /// Round trips completed during the measured time, by every connection.
    pub round_trips: u64,
    /// From the start of the ping-pong phase until every connection stopped.
    pub elapsed: Duration,
    /// Round-trip latencies, sorted.
    pub latencies: Vec<Duration>,
    /// Connections that failed during the ping-pong phase, with the first reason.
    pub failed: usize,
    pub first_error: Option<String>,
    /// The server process while every connection was still held (Linux only).
    pub server: Option<Footprint>,
}

/// What the server process costs the machine, read from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub threads: u64,
    /// Resident memory, in KiB.
    pub rss_kib: u64,
}

impl Footprint {
    /// Reads `Threads:` and `VmRSS:` of a running process; `None` off Linux.
    fn of(pid: u32) -> Option<Footprint> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line[name.len()..].split_whitespace().next()?.parse().ok()
        };
        Some(Footprint {
            threads: field("Threads:")?,
            rss_kib: field("VmRSS:")?,
        })
    }
}

impl Cell {
    fn per_second(&self) -> f64 {
        self.round_trips as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The average round trip. By Little's law it is close to busy connections ÷
    /// round trips per second: each connection always has one round trip in flight.
    fn mean(&self) -> Option<Duration> {
        let total: Duration = self.latencies.iter().sum();
        let count = u32::try_from(self.latencies.len())
            .ok()
            .filter(|&n| n > 0)?;
        Some(total / count)
    }
}

/// One row of the report: a server and a cell, or why the cell could not run.
struct Row {
    server: String,
    shape: Shape,
    outcome: std::result::Result<Cell, String>,
}

pub fn bench(course: &Course, options: &Options) -> Result<bool> {
    let per_cell = options.per_cell()?;
    let exercises = servers(course)?;
    // 10,000 client sockets here, 10,000 in the server (which inherits the limit).
    let fd_limit = limits::raise_fd_limit(12_000);

    println!(
        "building {} in release mode (their solutions)…",
        exercises
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let started = Instant::now();
    let binaries = build(course, &exercises)?;
    println!("built in {:.0} s", started.elapsed().as_secs_f64());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime for the load generator")?;
    // Other programs' work would be counted against the servers: say how much
    // there was. (The build just before is over; this looks at the next second.)
    let busy = cpu_busy(Duration::from_secs(1));
    let started = Instant::now();
    let mut rows = Vec::new();
    for (server, binary) in &binaries {
        for shape in SHAPES {
            eprint!("  {server:<14} {:>16} connections … ", shape.describe());
            let outcome = run_cell(&runtime, binary, shape, per_cell);
            match &outcome {
                Ok(cell) => eprintln!(
                    "{} held, {} round trips/s",
                    thousands(cell.held as u64),
                    thousands(cell.per_second().round() as u64)
                ),
                Err(why) => eprintln!("failed: {why}"),
            }
            rows.push(Row {
                server: server.clone(),
                shape,
                outcome,
            });
        }
    }
    let measuring = started.elapsed();

    println!();
    println!("{}", machine_line(per_cell, fd_limit, busy));
    println!();
    print!("{}", table(&rows));
    println!();
    println!(
        "measured in {:.0} s. Client and server share this machine's cores: read the \
         numbers as a comparison between the servers, not as what one server could do \
         alone.",
        measuring.as_secs_f64()
    );
    let complete = rows.iter().all(|r| r.outcome.is_ok());
    if !complete {
        println!("some cells could not be measured; their reasons are in the table.");
    }
    Ok(complete)
}

/// The three exercises, checked to be runnable here.
fn servers(course: &Course) -> Result<Vec<&Exercise>> {
    let mut found = Vec::new();
    for name in SERVERS {
        let exercise = course.find(name)?;
        if !exercise.runs_here() {
            bail!(
                "{name} needs {}; the benchmark cannot run on this system",
                exercise.platform_need().unwrap_or("another system")
            );
        }
        if !course.path(&exercise.rel_solution()).is_dir() {
            bail!(
                "{name} has no solution at {}: the benchmark runs the solutions",
                exercise.rel_solution()
            );
        }
        found.push(exercise);
    }
    if !cfg!(target_os = "linux") {
        println!("note: epoll-echo needs Linux; on this system its row will say it failed.");
    }
    Ok(found)
}

/// Builds the solutions' binaries in release mode; returns (package, executable).
fn build(course: &Course, exercises: &[&Exercise]) -> Result<Vec<(String, PathBuf)>> {
    let scratch = scratch::prepare(course, exercises)?;
    let mut cmd = cargo::cargo(&scratch.dir, &course.path("target"));
    cmd.args([
        "build",
        "--release",
        "--bins",
        "--message-format=json-render-diagnostics",
    ]);
    for exercise in exercises {
        cmd.args(["-p", &exercise.name]);
    }
    let run = cargo::run(&mut cmd, Some(BUILD_LIMIT))?;
    if !run.success() {
        bail!(
            "the release build of the solutions failed:\n{}",
            cargo::first_lines(run.stderr.trim(), 40)
        );
    }
    let executables = executables(&run.stdout);
    exercises
        .iter()
        .map(|exercise| {
            let binary = executables
                .iter()
                .find(|(package, bin, _)| *package == exercise.name && *bin == exercise.name)
                .map(|(_, _, path)| path.clone())
                .with_context(|| {
                    format!(
                        "{}'s solution has no binary named `{}` (src/bin/{}.rs); the \
                         benchmark starts it",
                        exercise.name, exercise.name, exercise.name
                    )
                })?;
            Ok((exercise.name.clone(), binary))
        })
        .collect()
}

/// `(package, binary, path)` of every executable in cargo's JSON messages.
fn executables(json: &str) -> Vec<(String, String, PathBuf)> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter_map(|msg| {
            let path = msg["executable"].as_str()?;
            // package_id looks like "path+file:///…/07_epoll-echo#epoll-echo@0.1.0".
            let id = msg["package_id"].as_str()?;
            let package = id.rsplit_once('#')?.1.split('@').next()?.to_string();
            let bin = msg["target"]["name"].as_str()?.to_string();
            Some((package, bin, PathBuf::from(path)))
        })
        .collect()
}

/// Starts a fresh server for one cell, measures, and kills it.
fn run_cell(
    runtime: &tokio::runtime::Runtime,
    binary: &Path,
    shape: Shape,
    per_cell: Duration,
) -> std::result::Result<Cell, String> {
    // Dropped when this function returns: killed and reaped, whatever happened.
    let mut server = ServerProcess::start(binary).map_err(|e| format!("{e:#}"))?;
    let pid = server.child.id();
    let cell = runtime.block_on(measure(server.addr, shape, per_cell, || Footprint::of(pid)));
    // A server that died during the cell explains the numbers better than they do.
    match server.exited() {
        Some(why) => Err(why),
        None if cell.held == 0 => Err(format!("no connection was served{}", server.stderr_tail())),
        None => Ok(cell),
    }
}

/// A server binary running as a child; killed and reaped when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl ServerProcess {
    fn start(binary: &Path) -> Result<ServerProcess> {
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
    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!(
                "the server exited during the test ({status}){}",
                self.stderr_tail()
            )),
            _ => None,
        }
    }

    fn stderr_tail(&self) -> String {
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

/// One cell: open and hold `shape.held` connections, then let `shape.busy` of
/// them ping-pong for `per_cell` while the others stay connected and idle.
/// `footprint` is asked about the server at the end, before anything closes.
async fn measure(
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

/// The latency below which `percent` % of the sorted samples lie (nearest rank).
pub fn percentile(sorted: &[Duration], percent: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// `38 µs`, `1.25 ms`, `2.10 s`.
fn latency(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// `12345` → `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The report as a Markdown table.
fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| server | connections | held | round trips/s | mean latency | p50 | p99 \
         | server threads | server memory | failed |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for row in rows {
        let line = match &row.outcome {
            Ok(cell) => {
                let p = |percent| percentile(&cell.latencies, percent).map_or("-".into(), latency);
                let failed = match &cell.first_error {
                    Some(error) => format!("{} ({error})", cell.failed),
                    None => "0".to_string(),
                };
                let (threads, memory) = match cell.server {
                    Some(f) => (
                        thousands(f.threads),
                        format!("{:.1} MiB", f.rss_kib as f64 / 1024.0),
                    ),
                    None => ("-".into(), "-".into()),
                };
                format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    row.server,
                    row.shape.describe(),
                    thousands(cell.held as u64),
                    thousands(cell.per_second().round() as u64),
                    cell.mean().map_or("-".into(), latency),
                    p(50.0),
                    p(99.0),
                    threads,
                    memory,
                    failed
                )
            }
            Err(why) => format!(
                "| {} | {} | - | - | - | - | - | - | - | {} |",
                row.server,
                row.shape.describe(),
                why.replace('|', "/")
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// What the numbers were measured on.
fn machine_line(per_cell: Duration, fd_limit: Option<u64>, busy: Option<f64>) -> String {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(" {}", k.trim()))
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| format!(", {}", name.trim()))
        })
        .unwrap_or_default();
    let files = fd_limit.map_or(String::new(), |n| format!(", open-file limit {n}"));
    format!(
        "C10K benchmark: {cores} cores{cpu}, {}{kernel} ({}), loopback, release build; \
         client (one tokio thread) and server on the same machine; {MESSAGE_LEN}-byte \
         messages, {:.1} s of ping-pong per cell{files}.{}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        per_cell.as_secs_f64(),
        quiet_note(busy)
    )
}

/// How busy the CPUs were with other programs just before measuring, and a
/// warning when that was enough to skew the numbers.
fn quiet_note(busy: Option<f64>) -> String {
    let Some(busy) = busy else {
        return String::new();
    };
    let warning = if busy > 0.2 {
        " Other programs were competing for the CPUs: rerun on a quiet machine \
         before trusting these numbers."
    } else {
        ""
    };
    format!(
        " Before measuring, the CPUs were {:.0}% busy with other work.{warning}",
        busy * 100.0
    )
}

/// The fraction of CPU time not idle over `window`, from `/proc/stat` (Linux).
fn cpu_busy(window: Duration) -> Option<f64> {
    fn sample() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|t| t.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal ...
        let idle = ticks.get(3)? + ticks.get(4).unwrap_or(&0);
        Some((ticks.iter().sum(), idle))
    }
    let (total_before, idle_before) = sample()?;
    thread::sleep(window);
    let (total_after, idle_after) = sample()?;
    let total = total_after.checked_sub(total_before)?;
    let idle = idle_after.checked_sub(idle_before)?;
    (total > 0).then(|| 1.0 - idle as f64 / total as f64)
}

/// The open-file limit: 10,000 client sockets here and 10,000 in the server
/// (which inherits the limit) need far more than the common default of 1,024.
mod limits {
    /// Raises the soft `RLIMIT_NOFILE` towards `want` (never above the hard
    /// limit, never lowering it); returns the soft limit now in effect.
    #[cfg(unix)]
    pub fn raise_fd_limit(want: u64) -> Option<u64> {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one `rlimit` into memory we own.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return None;
        }
        let target = (want as libc::rlim_t).min(limit.rlim_max);
        if limit.rlim_cur < target {
            let raised = libc::rlimit {
                rlim_cur: target,
                rlim_max: limit.rlim_max,
            };
            // SAFETY: setrlimit reads one `rlimit` we own.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                limit.rlim_cur = target;
            }
        }
        #[allow(clippy::unnecessary_cast)] // rlim_t is u64 on most systems, not all
        Some(limit.rlim_cur as u64)
    }

    #[cfg(not(unix))]
    pub fn raise_fd_limit(_want: u64) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&sorted, 50.0), Some(ms(50)));
        assert_eq!(percentile(&sorted, 99.0), Some(ms(99)));
        assert_eq!(percentile(&sorted, 100.0), Some(ms(100)));
        assert_eq!(percentile(&[ms(7)], 99.0), Some(ms(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

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

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(latency(Duration::from_micros(38)), "38 µs");
        assert_eq!(latency(Duration::from_micros(1_250)), "1.25 ms");
        assert_eq!(latency(Duration::from_millis(2_100)), "2.10 s");
    }

    #[test]
    fn finds_executables_in_cargo_messages() {
        let json = [
            r#"{"reason":"compiler-artifact","package_id":"path+file:///c/x/07_epoll-echo#epoll-echo@0.1.0","target":{"name":"epoll-echo","kind":["bin"]},"executable":"/c/target/release/epoll-echo"}"#,
            r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#libc@0.2.1","target":{"name":"libc","kind":["lib"]},"executable":null}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            executables(&json),
            vec![(
                "epoll-echo".to_string(),
                "epoll-echo".to_string(),
                PathBuf::from("/c/target/release/epoll-echo")
            )]
        );
    }

    #[test]
    fn the_table_shows_measurements_and_failures() {
        let cell = Cell {
            held: 998,
            round_trips: 20_000,
            elapsed: Duration::from_secs(2),
            latencies: vec![ms(1); 20_000],
            failed: 0,
            first_error: None,
            server: Some(Footprint {
                threads: 1,
                rss_kib: 2_560,
            }),
        };
        let rows = [
            Row {
                server: "epoll-echo".into(),
                shape: Shape {
                    held: 1_000,
                    busy: 1_000,
                },
                outcome: Ok(cell),
            },
            Row {
                server: "poll-echo".into(),
                shape: Shape {
                    held: 1_000,
                    busy: 10,
                },
                outcome: Err("no | line".into()),
            },
        ];
        let text = table(&rows);
        assert!(text.contains(
            "| epoll-echo | 1,000 | 998 | 10,000 | 1.00 ms | 1.00 ms | 1.00 ms | 1 | 2.5 MiB | 0 |"
        ));
        assert!(
            text.contains(
                "| poll-echo | 1,000 (10 busy) | - | - | - | - | - | - | - | no / line |"
            )
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_a_process_footprint() {
        let me = Footprint::of(std::process::id()).expect("/proc/self/status");
        assert!(me.threads >= 1 && me.rss_kib > 0, "{me:?}");
        assert_eq!(Footprint::of(u32::MAX), None);
    }

    #[test]
    fn says_how_quiet_the_machine_was() {
        assert_eq!(quiet_note(None), "");
        assert!(quiet_note(Some(0.03)).contains("3% busy"));
        assert!(!quiet_note(Some(0.03)).contains("rerun"));
        assert!(quiet_note(Some(0.6)).contains("rerun on a quiet machine"));
        #[cfg(target_os = "linux")]
        {
            let busy = cpu_busy(Duration::from_millis(50)).expect("/proc/stat");
            assert!((0.0..=1.0).contains(&busy), "{busy}");
        }
    }

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
