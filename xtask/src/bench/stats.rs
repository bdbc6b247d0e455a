//! What one cell of the table measured: the load generator's report (its
//! `key value` lines, see `benches/c10k/src/report.rs`) and the server's
//! footprint taken halfway through.

use super::system::Footprint;
use std::time::Duration;

/// What one cell of the table measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Connections open at once that completed their first round trip.
    pub held: usize,
    /// Round trips completed during the measured time, by every connection.
    pub round_trips: u64,
    /// From the start of the ping-pong phase until every connection stopped.
    pub elapsed: Duration,
    /// Mean, median and 99th percentile of the round trips' latencies.
    pub mean: Option<Duration>,
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    /// Connections that failed during the ping-pong phase, with the first reason.
    pub failed: usize,
    pub first_error: Option<String>,
    /// The server process while every connection was still held (Linux only).
    pub server: Option<Footprint>,
}

impl Cell {
    pub(super) fn per_second(&self) -> f64 {
        self.round_trips as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Reads the load generator's report; unknown keys are ignored, missing
    /// required ones are an error naming the key.
    pub(super) fn parse(lines: &[String], server: Option<Footprint>) -> Result<Cell, String> {
        let value = |key: &str| {
            lines.iter().find_map(|line| {
                let (k, v) = line.split_once(' ')?;
                (k == key).then(|| v.to_string())
            })
        };
        let number = |key: &str| -> Result<u64, String> {
            let text = value(key).ok_or_else(|| {
                format!("the load generator's report has no `{key}` line: {lines:?}")
            })?;
            text.parse()
                .map_err(|_| format!("the load generator's `{key}` is not a number: {text:?}"))
        };
        let nanos = |key: &str| number(key).ok().map(Duration::from_nanos);
        Ok(Cell {
            held: number("held")? as usize,
            round_trips: number("round_trips")?,
            elapsed: Duration::from_micros(number("elapsed_us")?),
            mean: nanos("mean_ns"),
            p50: nanos("p50_ns"),
            p99: nanos("p99_ns"),
            failed: number("failed")? as usize,
            first_error: value("first_error"),
            server,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn reads_the_load_generators_report() {
        let report = lines(
            "held 998\nmidway\nround_trips 20000\nelapsed_us 2000000\nmean_ns 1000000\n\
             p50_ns 900000\np99_ns 3000000\nfailed 2\nfirst_error connection 7: reset by peer",
        );
        let cell = Cell::parse(&report, None).unwrap();
        assert_eq!(cell.held, 998);
        assert_eq!(cell.round_trips, 20_000);
        assert_eq!(cell.per_second(), 10_000.0);
        assert_eq!(cell.mean, Some(Duration::from_millis(1)));
        assert_eq!(cell.p50, Some(Duration::from_micros(900)));
        assert_eq!(cell.p99, Some(Duration::from_millis(3)));
        assert_eq!(cell.failed, 2);
        assert_eq!(
            cell.first_error.as_deref(),
            Some("connection 7: reset by peer")
        );
    }

    #[test]
    fn a_report_without_round_trips_has_no_latencies() {
        let report = lines("held 0\nround_trips 0\nelapsed_us 5\nfailed 0");
        let cell = Cell::parse(&report, None).unwrap();
        assert_eq!((cell.mean, cell.p50, cell.p99), (None, None, None));
        let broken = Cell::parse(&lines("held 3\nfailed 0"), None).unwrap_err();
        assert!(broken.contains("round_trips"), "{broken}");
    }
}
