//! The benchmark's result as an SVG chart, written by hand (it is only text):
//! round trips per second against connections held, in the all-busy shapes and
//! in the C10K shapes (a few busy, the rest idle), and the server's memory
//! against connections held. One line per server; a cell that failed leaves a
//! gap in its line.

use super::report::{Row, thousands};
use super::stats::Cell;
use super::{Shape, TALKERS};
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 660.0;
/// The top band holds the title and the caption; the panels share the rest.
const HEADER: f64 = 62.0;
const PANEL_W: f64 = WIDTH / 2.0;
const PANEL_H: f64 = (HEIGHT - HEADER) / 2.0;
/// Inside a panel: room for its title, the tick labels and the axis labels.
const LEFT: f64 = 70.0;
const RIGHT: f64 = 22.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 52.0;
const FONT: &str = "font-family=\"Helvetica, Arial, sans-serif\"";

/// Colours that stay apart for the common colour-blindnesses (Okabe–Ito), and a
/// marker shape each, so the lines are told apart without colour too.
const STYLES: [(&str, Marker); 4] = [
    ("#D55E00", Marker::Circle),
    ("#E69F00", Marker::Square),
    ("#0072B2", Marker::Triangle),
    ("#009E73", Marker::Diamond),
];

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// How a panel's vertical axis maps values.
#[derive(Clone, Copy)]
enum Scale {
    /// From 0 to `max`, ticks every `step`, labels in thousands (`50k`).
    Linear { max: f64, step: f64 },
    /// Powers of ten from `10^lo` to `10^hi`, labels in MiB.
    Log { lo: i32, hi: i32 },
}

/// One panel: which cells it shows, and which number of them.
struct Panel {
    title: String,
    y_label: &'static str,
    shows: fn(Shape) -> bool,
    value: fn(&Cell) -> Option<f64>,
}

fn all_busy(shape: Shape) -> bool {
    shape.busy == shape.held
}

fn few_busy(shape: Shape) -> bool {
    shape.busy == TALKERS
}

fn round_trips(cell: &Cell) -> Option<f64> {
    Some(cell.per_second())
}

fn memory_mib(cell: &Cell) -> Option<f64> {
    cell.server.map(|f| f.rss_kib as f64 / 1024.0)
}

/// The whole chart; `caption` says what it was measured on.
pub(super) fn svg(rows: &[Row], caption: &str) -> String {
    let panels = [
        Panel {
            title: "All connections busy".to_string(),
            y_label: "round trips per second",
            shows: all_busy,
            value: round_trips,
        },
        Panel {
            title: format!("{TALKERS} busy, the rest idle (the C10K shape)"),
            y_label: "round trips per second",
            shows: few_busy,
            value: round_trips,
        },
        Panel {
            title: format!("Server memory, {TALKERS} busy, the rest idle"),
            y_label: "resident memory (log scale)",
            shows: few_busy,
            value: memory_mib,
        },
    ];
    let servers = servers(rows);
    // Both throughput panels share one scale, so their heights compare.
    let throughput = linear_scale(
        panels[..2]
            .iter()
            .flat_map(|p| points_of(rows, p))
            .map(|(_, _, y)| y),
    );
    let memory = log_scale(points_of(rows, &panels[2]).map(|(_, _, y)| y));

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" {FONT}>"
    );
    let _ = writeln!(
        out,
        "<title>C10K benchmark: round trips per second and server memory against \
         connections held, one line per server</title>"
    );
    // An opaque background: the book's dark themes would swallow black text.
    let _ = writeln!(
        out,
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"white\"/>"
    );
    text(
        &mut out,
        16.0,
        26.0,
        17.0,
        "start",
        "bold",
        "C10K benchmark: echo servers, 10 to 10,000 connections",
    );
    text(&mut out, 16.0, 48.0, 12.0, "start", "normal", caption);

    let origins = [(0.0, HEADER), (PANEL_W, HEADER), (0.0, HEADER + PANEL_H)];
    for ((panel, origin), scale) in panels
        .iter()
        .zip(origins)
        .zip([throughput, throughput, memory])
    {
        draw_panel(&mut out, origin, panel, scale, rows, &servers);
    }
    legend(&mut out, (PANEL_W, HEADER + PANEL_H), &servers);
    out.push_str("</svg>\n");
    out
}

/// The servers in the order of their first row.
fn servers(rows: &[Row]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.server.as_str()) {
            names.push(&row.server);
        }
    }
    names
}

/// `(server, connections held, value)` of every measured cell a panel shows.
fn points_of<'a>(rows: &'a [Row], panel: &'a Panel) -> impl Iterator<Item = (&'a str, f64, f64)> {
    rows.iter()
        .filter(|row| (panel.shows)(row.shape))
        .filter_map(|row| {
            let cell = row.outcome.as_ref().ok()?;
            let value = (panel.value)(cell)?;
            Some((row.server.as_str(), cell_x(row.shape), value))
        })
}

/// Where a cell sits on the horizontal axis: the connections it asked for.
fn cell_x(shape: Shape) -> f64 {
    shape.held as f64
}

fn draw_panel(
    out: &mut String,
    (ox, oy): (f64, f64),
    panel: &Panel,
    scale: Scale,
    rows: &[Row],
    servers: &[&str],
) {
    let (x0, x1) = (ox + LEFT, ox + PANEL_W - RIGHT);
    let (y0, y1) = (oy + PANEL_H - BOTTOM, oy + TOP);
    let shapes: Vec<Shape> = rows
        .iter()
        .map(|r| r.shape)
        .filter(|s| (panel.shows)(*s))
        .collect();
    let decade = |n: f64| n.log10();
    let lo = shapes
        .iter()
        .map(|s| decade(cell_x(*s)).floor())
        .fold(f64::INFINITY, f64::min);
    let hi = shapes
        .iter()
        .map(|s| decade(cell_x(*s)).ceil())
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (1.0, 4.0)
    };
    let x = |held: f64| x0 + (decade(held) - lo) / (hi - lo) * (x1 - x0);
    let y = |value: f64| match scale {
        Scale::Linear { max, .. } => y0 - value / max * (y0 - y1),
        Scale::Log { lo, hi } => {
            y0 - (value.max(1e-3).log10() - f64::from(lo)) / f64::from(hi - lo) * (y0 - y1)
        }
    };

    text(
        out,
        ox + LEFT,
        oy + 22.0,
        13.5,
        "start",
        "bold",
        &panel.title,
    );
    // Horizontal grid and the vertical axis's labels.
    for (value, label) in y_ticks(scale) {
        let at = y(value);
        let _ = writeln!(
            out,
            "<line x1=\"{x0:.1}\" y1=\"{at:.1}\" x2=\"{x1:.1}\" y2=\"{at:.1}\" stroke=\"#dddddd\"/>"
        );
        text(out, x0 - 6.0, at + 4.0, 11.5, "end", "normal", &label);
    }
    // Vertical grid at each power of ten, and the horizontal axis's labels.
    for power in (lo as i32)..=(hi as i32) {
        let held = 10f64.powi(power);
        let at = x(held);
        let _ = writeln!(
            out,
            "<line x1=\"{at:.1}\" y1=\"{y1:.1}\" x2=\"{at:.1}\" y2=\"{y0:.1}\" stroke=\"#dddddd\"/>"
        );
        text(
            out,
            at,
            y0 + 16.0,
            11.5,
            "middle",
            "normal",
            &thousands(held as u64),
        );
    }
    let _ = writeln!(
        out,
        "<rect x=\"{x0:.1}\" y=\"{y1:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#888888\"/>",
        x1 - x0,
        y0 - y1
    );
    text(
        out,
        (x0 + x1) / 2.0,
        y0 + 36.0,
        12.0,
        "middle",
        "normal",
        "connections held (log scale)",
    );
    let (lx, ly) = (ox + 16.0, (y0 + y1) / 2.0);
    let _ = writeln!(
        out,
        "<text x=\"{lx:.1}\" y=\"{ly:.1}\" font-size=\"12\" text-anchor=\"middle\" \
         transform=\"rotate(-90 {lx:.1} {ly:.1})\" fill=\"#222222\">{}</text>",
        escape(panel.y_label)
    );

    for (index, server) in servers.iter().enumerate() {
        let (colour, marker) = STYLES[index % STYLES.len()];
        // Points in the order of the table; a failed cell breaks the line.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        let mut mine: Vec<&Row> = rows
            .iter()
            .filter(|r| r.server == *server && (panel.shows)(r.shape))
            .collect();
        mine.sort_by_key(|r| r.shape.held);
        for row in mine {
            match row
                .outcome
                .as_ref()
                .ok()
                .and_then(|cell| (panel.value)(cell))
            {
                Some(value) => runs
                    .last_mut()
                    .expect("never empty")
                    .push((x(cell_x(row.shape)), y(value))),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|run| !run.is_empty()) {
            let points: Vec<String> = run
                .iter()
                .map(|(px, py)| format!("{px:.1},{py:.1}"))
                .collect();
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.2\"/>",
                points.join(" ")
            );
            for &(px, py) in run {
                marker_at(out, marker, colour, px, py, 4.5);
            }
        }
    }
}

/// The fourth quarter: which line is which server.
fn legend(out: &mut String, (ox, oy): (f64, f64), servers: &[&str]) {
    let x = ox + 24.0;
    let mut y = oy + 50.0;
    text(out, x, oy + 22.0, 13.5, "start", "bold", "Servers");
    for (index, server) in servers.iter().enumerate() {
        let (colour, marker) = STYLES[index % STYLES.len()];
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2.2\"/>",
            x + 28.0
        );
        marker_at(out, marker, colour, x + 14.0, y, 4.5);
        text(out, x + 38.0, y + 4.5, 13.0, "start", "bold", server);
        text(
            out,
            x + 38.0,
            y + 21.0,
            11.5,
            "start",
            "normal",
            describe(server),
        );
        y += 46.0;
    }
}

/// What each server of the course is, in a few words.
fn describe(server: &str) -> &'static str {
    match server {
        "threaded-echo" => "a thread per connection, blocking I/O (05.1)",
        "poll-echo" => "one thread, poll(2) over every connection (05.6)",
        "epoll-echo" => "one thread, edge-triggered epoll (05.7)",
        "tokio-echo" => "Tokio: a task per connection, a thread per core",
        _ => "",
    }
}

fn marker_at(out: &mut String, marker: Marker, colour: &str, x: f64, y: f64, r: f64) {
    let _ = match marker {
        Marker::Circle => writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{colour}\"/>"
        ),
        Marker::Square => writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        Marker::Triangle => writeln!(
            out,
            "<polygon points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{colour}\"/>",
            y - 1.3 * r,
            x - 1.2 * r,
            y + 0.9 * r,
            x + 1.2 * r,
            y + 0.9 * r
        ),
        Marker::Diamond => writeln!(
            out,
            "<polygon points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\" fill=\"{colour}\"/>",
            y - 1.3 * r,
            x + 1.3 * r,
            y + 1.3 * r,
            x - 1.3 * r
        ),
    };
}

fn text(out: &mut String, x: f64, y: f64, size: f64, anchor: &str, weight: &str, content: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" \
         font-weight=\"{weight}\" fill=\"#222222\">{}</text>",
        escape(content)
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A linear scale from 0 that fits every value, with 4 to 8 round ticks.
fn linear_scale(values: impl Iterator<Item = f64>) -> Scale {
    let top = values.fold(0.0, f64::max).max(1.0);
    let magnitude = 10f64.powf(top.log10().floor());
    let step = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0]
        .iter()
        .map(|f| f * magnitude)
        .find(|step| top / step <= 8.0)
        .unwrap_or(2.0 * magnitude);
    Scale::Linear {
        max: (top / step).ceil() * step,
        step,
    }
}

/// Powers of ten around every value, at least one decade apart.
fn log_scale(values: impl Iterator<Item = f64>) -> Scale {
    let (lo, hi) = values
        .filter(|v| *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return Scale::Log { lo: 0, hi: 3 };
    }
    let lo = lo.log10().floor() as i32;
    let hi = (hi.log10().ceil() as i32).max(lo + 1);
    Scale::Log { lo, hi }
}

/// `(value, label)` of every tick of the vertical axis.
fn y_ticks(scale: Scale) -> Vec<(f64, String)> {
    match scale {
        Scale::Linear { max, step } => {
            let count = (max / step).round() as u32;
            (0..=count)
                .map(|i| {
                    let value = f64::from(i) * step;
                    (value, si(value))
                })
                .collect()
        }
        Scale::Log { lo, hi } => (lo..=hi)
            .map(|power| {
                let mib = 10f64.powi(power);
                let label = if mib >= 1.0 {
                    format!("{} MiB", thousands(mib as u64))
                } else {
                    format!("{mib} MiB")
                };
                (mib, label)
            })
            .collect(),
    }
}

/// `0`, `25k`, `150k`, `1.5M`: tick labels for round trips per second.
fn si(value: f64) -> String {
    if value >= 1e6 {
        format!("{}M", trim(value / 1e6))
    } else if value >= 1e3 {
        format!("{}k", trim(value / 1e3))
    } else {
        trim(value)
    }
}

/// `25.0` → `25`, `2.5` → `2.5`.
fn trim(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::system::Footprint;
    use std::time::Duration;

    fn row(server: &str, held: usize, busy: usize, per_second: u64, rss_mib: u64) -> Row {
        Row {
            server: server.into(),
            shape: Shape { held, busy },
            outcome: Ok(Cell {
                held,
                round_trips: per_second,
                elapsed: Duration::from_secs(1),
                mean: None,
                p50: None,
                p99: None,
                failed: 0,
                first_error: None,
                server: Some(Footprint {
                    threads: 1,
                    rss_kib: rss_mib * 1024,
                }),
            }),
        }
    }

    #[test]
    fn scales_fit_the_values_with_round_ticks() {
        let Scale::Linear { max, step } = linear_scale([1.0, 152_000.0].into_iter()) else {
            panic!("linear");
        };
        assert_eq!((max, step), (160_000.0, 20_000.0));
        let Scale::Log { lo, hi } = log_scale([2.1, 174.0].into_iter()) else {
            panic!("log");
        };
        assert_eq!((lo, hi), (0, 3));
        assert_eq!(si(0.0), "0");
        assert_eq!(si(25_000.0), "25k");
        assert_eq!(si(2_500.0), "2.5k");
        assert_eq!(si(1_500_000.0), "1.5M");
    }

    #[test]
    fn draws_a_line_per_server_and_a_legend() {
        let mut rows = Vec::new();
        for (server, speed) in [("poll-echo", 100_000), ("tokio-echo", 120_000)] {
            for (held, busy) in [
                (10, 10),
                (100, 100),
                (1_000, 1_000),
                (1_000, 10),
                (10_000, 10),
            ] {
                rows.push(row(server, held, busy, speed, 3));
            }
        }
        rows.push(Row {
            server: "epoll-echo".into(),
            shape: Shape { held: 10, busy: 10 },
            outcome: Err("it <failed> & left".into()),
        });
        let svg = svg(&rows, "2 cores & <loopback>");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Three panels with two drawn servers each; the failed one draws no line.
        assert_eq!(svg.matches("<polyline").count(), 6);
        assert!(svg.contains("2 cores &amp; &lt;loopback&gt;"));
        for label in [
            "poll-echo",
            "tokio-echo",
            "epoll-echo",
            "connections held (log scale)",
            "10,000",
            "120k",
            "1 MiB",
        ] {
            assert!(svg.contains(&format!(">{label}<")), "no label {label}");
        }
        // Every element that is opened is closed (a cheap well-formedness check).
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }
}
