//! What one run of the load generator measured, and the text it prints for the
//! runner: one `key value` pair per line, so the runner needs no parser library
//! and a person can read it too.
//!
//! ```text
//! held 1000
//! midway
//! round_trips 131072
//! elapsed_us 2000512
//! mean_ns 15259
//! p50_ns 14001
//! p99_ns 40212
//! failed 0
//! ```
//!
//! `midway` is printed alone, halfway through the ping-pong phase, while every
//! connection is open: the runner measures the server's memory and threads when
//! it reads it. `first_error <text>` follows `failed` when a connection failed.

use std::fmt;
use std::time::Duration;

/// The line printed halfway through the ping-pong phase.
pub const MIDWAY: &str = "midway";

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Connections open at once that completed their first round trip.
    pub held: usize,
    /// Round trips completed during the ping-pong phase, by every connection.
    pub round_trips: u64,
    /// From the start of the ping-pong phase until every connection stopped.
    pub elapsed: Duration,
    /// Mean, median and 99th percentile of the round trips' latencies.
    pub mean: Option<Duration>,
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    /// Connections that failed during the ping-pong phase, and the first reason.
    pub failed: usize,
    pub first_error: Option<String>,
}

impl Report {
    /// Summarises the latencies of every round trip (in any order).
    pub fn new(
        held: usize,
        elapsed: Duration,
        mut latencies: Vec<Duration>,
        failed: usize,
        first_error: Option<String>,
    ) -> Report {
        latencies.sort_unstable();
        Report {
            held,
            round_trips: latencies.len() as u64,
            elapsed,
            mean: mean(&latencies),
            p50: percentile(&latencies, 50.0),
            p99: percentile(&latencies, 99.0),
            failed,
            first_error,
        }
    }
}

/// The lines after `midway` (the runner reads `held` first, then these).
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "round_trips {}", self.round_trips)?;
        writeln!(f, "elapsed_us {}", self.elapsed.as_micros())?;
        for (name, value) in [
            ("mean_ns", self.mean),
            ("p50_ns", self.p50),
            ("p99_ns", self.p99),
        ] {
            if let Some(value) = value {
                writeln!(f, "{name} {}", value.as_nanos())?;
            }
        }
        writeln!(f, "failed {}", self.failed)?;
        if let Some(error) = &self.first_error {
            // One line: the runner reads line by line.
            writeln!(f, "first_error {}", error.replace('\n', " / "))?;
        }
        Ok(())
    }
}

/// The average round trip. By Little's law it is close to busy connections ÷
/// round trips per second: each connection always has one round trip in flight.
fn mean(latencies: &[Duration]) -> Option<Duration> {
    let count = u32::try_from(latencies.len()).ok().filter(|&n| n > 0)?;
    Some(latencies.iter().sum::<Duration>() / count)
}

/// The latency below which `percent` % of the sorted samples lie (nearest rank).
pub fn percentile(sorted: &[Duration], percent: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
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
    fn prints_one_pair_per_line() {
        let report = Report::new(
            3,
            ms(2_000),
            vec![ms(3), ms(1), ms(2)],
            1,
            Some("a\nb".into()),
        );
        assert_eq!(
            report.to_string(),
            "round_trips 3\nelapsed_us 2000000\nmean_ns 2000000\np50_ns 2000000\n\
             p99_ns 3000000\nfailed 1\nfirst_error a / b\n"
        );
        let silent = Report::new(0, ms(1), Vec::new(), 0, None);
        assert_eq!(
            silent.to_string(),
            "round_trips 0\nelapsed_us 1000\nfailed 0\n"
        );
    }
}
