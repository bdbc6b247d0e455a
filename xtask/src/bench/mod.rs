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
//!
//! This file is the command and its orchestration; the parts live beside it:
//! `binaries` (which servers, built how), `server` (one running as a child),
//! `load` (the tokio load generator), `stats` (what a cell measured),
//! `report` (the machine line and the table), `system` (rlimit, CPU, `/proc`).

mod binaries;
mod load;
mod report;
mod server;
mod stats;
mod system;

use crate::course::Course;
use anyhow::{Context, Result, bail};
use report::{Row, thousands};
use server::ServerProcess;
use stats::Cell;
use std::path::Path;
use std::time::{Duration, Instant};
use system::Footprint;

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

pub fn bench(course: &Course, options: &Options) -> Result<bool> {
    let per_cell = options.per_cell()?;
    let exercises = binaries::servers(course)?;
    // 10,000 client sockets here, 10,000 in the server (which inherits the limit).
    let fd_limit = system::raise_fd_limit(12_000);

    println!(
        "building {} in release mode (their solutions)…",
        exercises
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let started = Instant::now();
    let binaries = binaries::build(course, &exercises)?;
    println!("built in {:.0} s", started.elapsed().as_secs_f64());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime for the load generator")?;
    // Other programs' work would be counted against the servers: say how much
    // there was. (The build just before is over; this looks at the next second.)
    let busy = system::cpu_busy(Duration::from_secs(1));
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
    println!("{}", report::machine_line(per_cell, fd_limit, busy));
    println!();
    print!("{}", report::table(&rows));
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
    let cell = runtime.block_on(load::measure(server.addr, shape, per_cell, || {
        Footprint::of(pid)
    }));
    // A server that died during the cell explains the numbers better than they do.
    match server.exited() {
        Some(why) => Err(why),
        None if cell.held == 0 => Err(format!("no connection was served{}", server.stderr_tail())),
        None => Ok(cell),
    }
}
