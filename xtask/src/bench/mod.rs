//! `cargo xtask bench`: the C10K benchmark of part 05, measured on this machine.
//!
//! It builds, in release mode, the *solutions* of three echo servers (thread per
//! connection, `poll`, edge-triggered epoll), in the scratch workspace `verify`
//! uses (the learner's folder is never touched), and the stand-alone crate
//! `benches/c10k`: a Tokio echo server, the reference row, and the load
//! generator. Both are optimised builds whatever profile the runner has: a
//! debug client would measure itself. For every server and shape it
//!
//! 1. starts the server's binary on `127.0.0.1:0` and reads its first line,
//!    `listening on <addr>`;
//! 2. runs the load generator against it: open N connections (10 to 10,000) and
//!    hold them all, each proving with one round trip that the server serves it
//!    ("held"), then let the busy ones ping-pong a small message for a fixed
//!    time, timing every round trip;
//! 3. reads the server's threads and memory halfway through;
//! 4. kills both (always: also on errors and panics, by drop guards).
//!
//! Everything is bounded: four servers × five cells, a time limit on every
//! connect, round trip, start-up and run, loopback addresses only. The result is
//! a Markdown table, ready to paste into `book/05_servers/08_c10k.md`, and an
//! SVG chart written to [`CHART`], which that page shows.
//!
//! This file is the command and its orchestration; the parts live beside it:
//! `binaries` (which programs, built how), `child` (a child process killed on
//! drop), `server` (a server started and asked for its address), `load` (one
//! cell's run of the load generator), `stats` (what a cell measured), `report`
//! (the machine line and the table), `chart` (the SVG), `system` (rlimit, CPU,
//! `/proc`).

mod binaries;
mod chart;
mod child;
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

/// The exercises compared, in the order of the lessons that build them. The
/// Tokio server of `benches/c10k` comes after them.
const SERVERS: [&str; 3] = ["threaded-echo", "poll-echo", "epoll-echo"];
/// The busy connections of the C10K shapes.
const TALKERS: usize = 10;
/// One table row per server and shape: (connections held, connections busy).
/// The last two are the C10K situation: many clients connected, few of them
/// talking at any moment (a chat server, a push service, idle keep-alives).
#[rustfmt::skip]
const SHAPES: [Shape; 5] = [
    Shape { held: 10, busy: TALKERS },
    Shape { held: 100, busy: 100 },
    Shape { held: 1_000, busy: 1_000 },
    Shape { held: 1_000, busy: TALKERS },
    Shape { held: 10_000, busy: TALKERS },
];
/// Where the chart goes, relative to the course: the C10K lesson shows it.
const CHART: &str = "book/05_servers/c10k.svg";

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
    // 10,000 client sockets in the load generator, 10,000 in the server: both
    // inherit the limit from this process.
    let fd_limit = system::raise_fd_limit(12_000);

    println!(
        "building {} (their solutions) and benches/c10k in release mode…",
        exercises
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let started = Instant::now();
    let programs = binaries::build(course, &exercises)?;
    println!("built in {:.0} s", started.elapsed().as_secs_f64());

    // Other programs' work would be counted against the servers: say how much
    // there was. (The build just before is over; this looks at the next second.)
    let busy = system::cpu_busy(Duration::from_secs(1));
    let started = Instant::now();
    let mut rows = Vec::new();
    for (server, binary) in &programs.servers {
        for shape in SHAPES {
            eprint!("  {server:<14} {:>16} connections … ", shape.describe());
            let outcome = run_cell(binary, &programs.load, shape, per_cell);
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

    let machine = report::machine_line(per_cell, fd_limit, busy);
    println!();
    println!("{machine}");
    println!();
    print!("{}", report::table(&rows));
    println!();
    println!(
        "measured in {:.0} s. Client and server share this machine's cores: read the \
         numbers as a comparison between the servers, not as what one server could do \
         alone.",
        measuring.as_secs_f64()
    );
    let svg = chart::svg(&rows, &report::chart_caption(per_cell));
    let path = course.path(CHART);
    std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "chart: {CHART} (the C10K lesson shows it; `git checkout {CHART}` restores the book's)"
    );
    let complete = rows.iter().all(|r| r.outcome.is_ok());
    if !complete {
        println!("some cells could not be measured; their reasons are in the table.");
    }
    Ok(complete)
}

/// Starts a fresh server for one cell, runs the load generator against it, and
/// kills the server.
fn run_cell(binary: &Path, load: &Path, shape: Shape, per_cell: Duration) -> Result<Cell, String> {
    // Dropped when this function returns: killed and reaped, whatever happened.
    let mut server = ServerProcess::start(binary).map_err(|e| format!("{e:#}"))?;
    let pid = server.process.id();
    let cell = load::run(load, server.addr, shape, per_cell, || Footprint::of(pid));
    // A server that died during the cell explains the numbers (or the load
    // generator's failure) better than they do.
    if let Some(why) = server.exited() {
        return Err(why);
    }
    match cell? {
        cell if cell.held == 0 => Err(format!(
            "no connection was served{}",
            server.process.stderr_tail()
        )),
        cell => Ok(cell),
    }
}
