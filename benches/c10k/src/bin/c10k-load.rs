//! `c10k-load ADDR HELD BUSY SECONDS`: the load generator of `cargo xtask bench`.
//!
//! Opens HELD connections to the echo server at ADDR (loopback only), lets BUSY
//! of them ping-pong 64-byte messages for SECONDS, and prints what it measured
//! on stdout, one `key value` pair per line (see `c10k::report`). Every step has
//! a time limit, so a run always ends: at most 30 s to open the connections,
//! SECONDS of talk, and 5 s for any one round trip.

use c10k::load::{self, Progress, Shape};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: c10k-load ADDR HELD BUSY SECONDS   (e.g. 127.0.0.1:7000 1000 10 2)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (addr, shape, talk) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(why) => {
            eprintln!("c10k-load: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("c10k-load: cannot start the Tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Each line is flushed at once: the runner acts on `midway` as it arrives.
    let report = runtime.block_on(load::measure(addr, shape, talk, |progress| {
        let line = match progress {
            Progress::Held(n) => format!("held {n}"),
            Progress::Midway => c10k::report::MIDWAY.to_string(),
        };
        say(&line);
    }));
    say(report.to_string().trim_end());
    ExitCode::SUCCESS
}

/// Prints a line and flushes it (stdout is a pipe: block-buffered otherwise).
fn say(line: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn parse(args: &[String]) -> Result<(SocketAddr, Shape, Duration), String> {
    let [addr, held, busy, seconds] = args else {
        return Err(format!("expected 4 arguments, got {}", args.len()));
    };
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| format!("`{addr}` is not an address: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{addr} is not a loopback address: the benchmark stays on this machine"
        ));
    }
    let count = |text: &str, what: &str| -> Result<usize, String> {
        text.parse::<usize>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| format!("{what} must be a whole number from 1 to 100000, not `{text}`"))
    };
    let held = count(held, "HELD")?;
    let busy = count(busy, "BUSY")?;
    if busy > held {
        return Err(format!("BUSY ({busy}) cannot exceed HELD ({held})"));
    }
    let seconds: f64 = seconds
        .parse()
        .ok()
        .filter(|s| (0.05..=60.0).contains(s))
        .ok_or_else(|| format!("SECONDS must be between 0.05 and 60, not `{seconds}`"))?;
    Ok((addr, Shape { held, busy }, Duration::from_secs_f64(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_its_arguments() {
        let (addr, shape, talk) = parse(&args("127.0.0.1:7000 1000 10 2")).unwrap();
        assert_eq!(addr, SocketAddr::from(([127, 0, 0, 1], 7000)));
        assert_eq!(
            shape,
            Shape {
                held: 1000,
                busy: 10
            }
        );
        assert_eq!(talk, Duration::from_secs(2));
        assert!(parse(&args("[::1]:7000 1 1 0.5")).is_ok());
    }

    #[test]
    fn refuses_what_would_not_be_bounded_or_local() {
        assert!(
            parse(&args("10.0.0.1:7000 10 10 2"))
                .unwrap_err()
                .contains("loopback")
        );
        assert!(
            parse(&args("127.0.0.1:7000 10 11 2"))
                .unwrap_err()
                .contains("exceed")
        );
        assert!(parse(&args("127.0.0.1:7000 0 0 2")).is_err());
        assert!(parse(&args("127.0.0.1:7000 10 10 600")).is_err());
        assert!(parse(&args("127.0.0.1:7000 10 10")).is_err());
    }
}
