//! The report: the line saying what the numbers were measured on, and the
//! Markdown table, with numbers and latencies formatted for people.

use super::Shape;
use super::load::MESSAGE_LEN;
use super::stats::Cell;
use std::thread;
use std::time::Duration;

/// One row of the report: a server and a cell, or why the cell could not run.
pub(super) struct Row {
    pub(super) server: String,
    pub(super) shape: Shape,
    pub(super) outcome: std::result::Result<Cell, String>,
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
pub(super) fn thousands(n: u64) -> String {
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
pub(super) fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| server | connections | held | round trips/s | mean latency | p50 | p99 \
         | server threads | server memory | failed |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for row in rows {
        let line = match &row.outcome {
            Ok(cell) => {
                let shown = |d: Option<Duration>| d.map_or("-".into(), latency);
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
                    shown(cell.mean),
                    shown(cell.p50),
                    shown(cell.p99),
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
pub(super) fn machine_line(per_cell: Duration, fd_limit: Option<u64>, busy: Option<f64>) -> String {
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
        "C10K benchmark: {} cores{cpu}, {} ({}), loopback, release builds; \
         client (one Tokio thread) and server on the same machine; \
         {MESSAGE_LEN}-byte messages, {:.1} s of ping-pong per cell{files}.{}",
        cores(),
        system(),
        std::env::consts::ARCH,
        per_cell.as_secs_f64(),
        quiet_note(busy)
    )
}

/// The chart's line about what was measured, shorter than the machine line.
pub(super) fn chart_caption(per_cell: Duration) -> String {
    format!(
        "{} cores, {}, loopback; client (one thread) and server share the cores; \
         {MESSAGE_LEN}-byte echoes, {:.1} s per point",
        cores(),
        system(),
        per_cell.as_secs_f64()
    )
}

fn cores() -> usize {
    thread::available_parallelism().map_or(0, |n| n.get())
}

/// `linux 6.18.1`: the system and, where `/proc` says, the kernel's release.
fn system() -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(" {}", k.trim()))
        .unwrap_or_default();
    format!("{}{kernel}", std::env::consts::OS)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::system::Footprint;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
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
    fn the_table_shows_measurements_and_failures() {
        let cell = Cell {
            held: 998,
            round_trips: 20_000,
            elapsed: Duration::from_secs(2),
            mean: Some(ms(1)),
            p50: Some(ms(1)),
            p99: Some(ms(1)),
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

    #[test]
    fn says_how_quiet_the_machine_was() {
        assert_eq!(quiet_note(None), "");
        assert!(quiet_note(Some(0.03)).contains("3% busy"));
        assert!(!quiet_note(Some(0.03)).contains("rerun"));
        assert!(quiet_note(Some(0.6)).contains("rerun on a quiet machine"));
        #[cfg(target_os = "linux")]
        {
            // The note's input, as `bench` measures it.
            let busy =
                crate::bench::system::cpu_busy(Duration::from_millis(50)).expect("/proc/stat");
            assert!((0.0..=1.0).contains(&busy), "{busy}");
        }
    }
}
