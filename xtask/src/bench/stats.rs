//! What one cell of the table measured, and the statistics drawn from it.

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
    /// Round-trip latencies, sorted.
    pub latencies: Vec<Duration>,
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

    /// The average round trip. By Little's law it is close to busy connections ÷
    /// round trips per second: each connection always has one round trip in flight.
    pub(super) fn mean(&self) -> Option<Duration> {
        let total: Duration = self.latencies.iter().sum();
        let count = u32::try_from(self.latencies.len())
            .ok()
            .filter(|&n| n > 0)?;
        Some(total / count)
    }
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
}
