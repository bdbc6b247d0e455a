//! `cargo xtask`: the course runner.
//!
//! One binary for the three kinds of user: learners (`status`, `watch`, `hint`,
//! `reset`), instructors (`book`, `new`, `bundle`, `snapshots`) and CI (`verify`).
//! It is a separate workspace (see its Cargo.toml) reached through the cargo alias
//! in `.cargo/config.toml`, so it needs nothing installed beyond a Rust toolchain.
//!
//! This file only parses the command line and hands over; each command lives in
//! its own module.

mod authoring;
mod bench;
mod book;
mod bundle;
mod cargo;
mod course;
mod drift;
mod libtest;
mod links;
mod mutants;
mod policy;
mod preprocess;
mod report;
mod reset;
mod scaffold;
mod scratch;
mod serve;
mod snapshots;
mod spoilers;
mod status;
mod steps;
mod testrun;
mod verdict_cache;
mod verify;
mod watch;
mod watcher;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course::Course;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "The course runner: progress, hints, the book, and the CI gate.",
    after_help = "Learners: `cargo xtask status`, `cargo xtask watch`, `cargo xtask hint NAME`.\n\
                  Authors and CI: `cargo xtask verify`."
)]
struct Cli {
    /// The course folder (default: the folder that holds xtask/).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the book into target/book (with search).
    Book {
        /// Serve it on 127.0.0.1 and rebuild when book/, exercises/ or solutions/ change.
        #[arg(long)]
        serve: bool,
        /// Open it in the browser.
        #[arg(long)]
        open: bool,
        /// The port for --serve.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Leave out every walk-through of a reference solution (for courses that
        /// grade the exercises); built into target/book-no-solutions.
        #[arg(long)]
        no_solutions: bool,
    },
    /// The CI gate: stubs fail, solutions pass, the book builds, links resolve.
    Verify {
        /// Only these exercises (and skip the workspace's own tests).
        names: Vec<String>,
        /// Stop a test run that takes longer than this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300)]
        test_timeout: u64,
    },
    /// Your progress: which exercises pass, and which one is next.
    Status {
        /// Stop an exercise's tests after this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        test_timeout: u64,
    },
    /// Rerun an exercise's tests every time you save a file.
    Watch {
        /// The exercise (default: the one you are in, else the first not passing).
        name: Option<String>,
        /// Stop a test run after this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        test_timeout: u64,
    },
    /// Print an exercise's hints: a nudge first, one more each time you ask.
    Hint {
        /// The exercise (default: the one you are in).
        name: Option<String>,
        /// Show exactly the first N hints (and remember that).
        #[arg(long, value_name = "N")]
        level: Option<usize>,
    },
    /// Put an exercise back to its original stub (your files are backed up first).
    Reset {
        /// The exercise.
        name: String,
    },
    /// Scaffold a lesson, an exercise and its solution (authors).
    New {
        /// The part folder, e.g. 02_framing (or just `framing`).
        part: String,
        /// The exercise's kebab-case name, e.g. line-codec.
        name: String,
    },
    /// Create or refresh an exercise's snapshots from its solution (authors).
    Snapshots {
        /// The exercise.
        name: String,
        /// Stop the test run after this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300)]
        test_timeout: u64,
    },
    /// Run cargo-mutants on solutions against the exercises' tests (authors).
    Mutants {
        /// Only these exercises (default: all, in course order; takes long).
        names: Vec<String>,
        /// Install cargo-mutants first if it is missing.
        #[arg(long)]
        install: bool,
    },
    /// Build an offline classroom zip at target/bundle/course.zip (no solutions).
    Bundle,
    /// The C10K benchmark: thread-per-connection, poll and epoll echo servers
    /// (their solutions, release build) holding 10 to 10,000 connections.
    Bench {
        /// 0.5 s of ping-pong per cell instead of 2 s.
        #[arg(long)]
        quick: bool,
        /// Seconds of ping-pong per cell (overrides --quick).
        #[arg(long, value_name = "N")]
        seconds: Option<f64>,
    },
}

fn main() -> ExitCode {
    restore_sigpipe();
    cargo::interrupt::forward();
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command; `Ok(false)` means it ran and found misses.
fn run(cli: Cli) -> Result<bool> {
    let root = cli.root.unwrap_or_else(default_root);
    let course = Course::load(&root)?;
    let secs = Duration::from_secs;
    match cli.command {
        Cmd::Book {
            serve,
            open,
            port,
            no_solutions,
        } => {
            let edition = if no_solutions {
                book::Edition::NoSolutions
            } else {
                book::Edition::Full
            };
            let site = book::build(&course, edition)?;
            println!("book: {}", book::display_index(&course, &site));
            if serve {
                serve::serve(&course, site, port, open, edition)?;
            } else if open {
                serve::open_browser(&site.join("index.html").to_string_lossy());
            }
            Ok(true)
        }
        Cmd::Verify {
            names,
            test_timeout,
        } => verify::run(
            &course,
            &verify::Options {
                names,
                test_timeout: secs(test_timeout),
            },
        ),
        Cmd::Status { test_timeout } => status::status(&course, secs(test_timeout)).map(|()| true),
        Cmd::Watch { name, test_timeout } => {
            watch::watch(&course, name.as_deref(), secs(test_timeout)).map(|()| true)
        }
        Cmd::Hint { name, level } => status::hint(&course, name.as_deref(), level).map(|()| true),
        Cmd::Reset { name } => reset::reset(&course, &name).map(|()| true),
        Cmd::New { part, name } => scaffold::new(&course, &part, &name).map(|()| true),
        Cmd::Snapshots { name, test_timeout } => {
            snapshots::snapshots(&course, &name, secs(test_timeout)).map(|()| true)
        }
        Cmd::Mutants { names, install } => {
            mutants::run(&course, &mutants::Options { names, install })
        }
        Cmd::Bundle => bundle::bundle(&course).map(|()| true),
        Cmd::Bench { quick, seconds } => bench::bench(&course, &bench::Options { quick, seconds }),
    }
}

/// The course is the folder that holds `xtask/`.
fn default_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// `cargo xtask verify | head` should end quietly, not panic on a closed pipe.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// mdBook reports problems (a missing `{{#include}}` file, say) through `tracing`;
/// without a subscriber they would vanish.
fn init_logging() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_target(false)
        .without_time()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}
