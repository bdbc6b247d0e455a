//! The benchmark's result as an SVG chart, written by hand (it is only text):
//! round trips per second against connections held, in the all-busy shapes and
//! in the C10K shapes (a few busy, the rest idle), and the server's memory
//! against connections held. One line per server, told apart by colour and by
//! marker; a cell that failed leaves a gap in its line.
//!
//! `canvas` writes the SVG elements, `scale` places values on the axes; this
//! file lays out the panels and the legend.

mod canvas;
mod scale;

use super::report::Row;
use super::stats::Cell;
use super::{Shape, TALKERS};
use canvas::{Anchor, Canvas, Marker};
use scale::Scale;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 660.0;
/// The top band holds the title and the caption; four panels share the rest.
const HEADER: f64 = 62.0;
const PANEL_W: f64 = WIDTH / 2.0;
const PANEL_H: f64 = (HEIGHT - HEADER) / 2.0;
/// Inside a panel: room for its title, the tick labels and the axis labels.
const LEFT: f64 = 70.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 52.0;

/// Colours that stay apart for the common colour blindnesses (Okabe and Ito's
/// palette), and a marker each, so the lines are told apart without colour too.
const STYLES: [(&str, Marker); 4] = [
    ("#D55E00", Marker::Circle),
    ("#E69F00", Marker::Square),
    ("#0072B2", Marker::Triangle),
    ("#009E73", Marker::Diamond),
];

/// One panel: which cells it shows, which number of each, on which scale.
struct Panel {
    title: String,
    y_label: &'static str,
    shows: fn(Shape) -> bool,
    value: fn(&Cell) -> Option<f64>,
    /// Labels the vertical axis's ticks.
    label: fn(f64) -> String,
}

/// The whole chart; `caption` says what it was measured on.
pub(super) fn svg(rows: &[Row], caption: &str) -> String {
    let rate = |cell: &Cell| Some(cell.per_second());
    let memory = |cell: &Cell| cell.server.map(|f| f.rss_kib as f64 / 1024.0);
    let panels = [
        Panel {
            title: "All connections busy".to_string(),
            y_label: "round trips per second",
            shows: |shape| shape.busy == shape.held,
            value: rate,
            label: scale::short,
        },
        Panel {
            title: format!("{TALKERS} busy, the rest idle (the C10K shape)"),
            y_label: "round trips per second",
            shows: |shape| shape.busy == TALKERS,
            value: rate,
            label: scale::short,
        },
        Panel {
            title: format!("Server memory, {TALKERS} busy, the rest idle"),
            y_label: "resident memory, MiB (log scale)",
            shows: |shape| shape.busy == TALKERS,
            value: memory,
            label: scale::count,
        },
    ];
    // Both throughput panels share one scale, so their heights compare.
    let values = |panel: &Panel| points(rows, panel).into_iter().map(|(_, _, v)| v);
    let throughput = Scale::linear(panels[..2].iter().flat_map(values));
    let scales = [throughput, throughput, Scale::log(values(&panels[2]))];
    let servers = servers(rows);

    let mut canvas = Canvas::new(
        WIDTH,
        HEIGHT,
        "C10K benchmark: round trips per second and server memory against \
         connections held, one line per server",
    );
    canvas.bold(
        (16.0, 26.0),
        17.0,
        "C10K benchmark: echo servers, 10 to 10,000 connections",
    );
    canvas.text((16.0, 48.0), 12.0, Anchor::Start, caption);
    let origins = [(0.0, HEADER), (PANEL_W, HEADER), (0.0, HEADER + PANEL_H)];
    for ((panel, origin), y_scale) in panels.iter().zip(origins).zip(scales) {
        draw_panel(&mut canvas, origin, panel, y_scale, rows, &servers);
    }
    legend(&mut canvas, (PANEL_W, HEADER + PANEL_H), &servers);
    canvas.finish()
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

/// `(server, connections held, value)` of every cell a panel shows, in
/// the order of connections held; `None` where the cell could not be measured.
fn points<'a>(rows: &'a [Row], panel: &Panel) -> Vec<(&'a str, f64, f64)> {
    let mut shown: Vec<(&str, f64, f64)> = rows
        .iter()
        .filter(|row| (panel.shows)(row.shape))
        .filter_map(|row| {
            let value = (panel.value)(row.outcome.as_ref().ok()?)?;
            Some((row.server.as_str(), row.shape.held as f64, value))
        })
        .collect();
    shown.sort_by(|a, b| a.1.total_cmp(&b.1));
    shown
}

fn draw_panel(
    canvas: &mut Canvas,
    (ox, oy): (f64, f64),
    panel: &Panel,
    y_scale: Scale,
    rows: &[Row],
    servers: &[&str],
) {
    let (left, right) = (ox + LEFT, ox + PANEL_W - RIGHT);
    let (bottom, top) = (oy + PANEL_H - BOTTOM, oy + TOP);
    let held = rows
        .iter()
        .filter(|row| (panel.shows)(row.shape))
        .map(|row| row.shape.held as f64);
    let x_scale = Scale::log(held);
    let x = |held: f64| left + x_scale.fraction(held) * (right - left);
    let y = |value: f64| bottom - y_scale.fraction(value) * (bottom - top);

    canvas.bold((left, oy + 22.0), 13.5, &panel.title);
    for value in y_scale.ticks() {
        canvas.grid((left, y(value)), (right, y(value)));
        let label = (panel.label)(value);
        canvas.text((left - 6.0, y(value) + 4.0), 11.5, Anchor::End, &label);
    }
    for held in x_scale.ticks() {
        canvas.grid((x(held), top), (x(held), bottom));
        let label = scale::count(held);
        canvas.text((x(held), bottom + 16.0), 11.5, Anchor::Middle, &label);
    }
    canvas.frame((left, top), right - left, bottom - top);
    let x_label = "connections held (log scale)";
    canvas.text(
        ((left + right) / 2.0, bottom + 36.0),
        12.0,
        Anchor::Middle,
        x_label,
    );
    canvas.upright((ox + 16.0, (top + bottom) / 2.0), 12.0, panel.y_label);

    let shown = points(rows, panel);
    for (index, server) in servers.iter().enumerate() {
        let (colour, marker) = STYLES[index % STYLES.len()];
        // The cells of this server in order of connections held; a failed
        // cell splits the line, so no line crosses a point that is missing.
        let mut cells: Vec<&Row> = rows
            .iter()
            .filter(|row| row.server == *server && (panel.shows)(row.shape))
            .collect();
        cells.sort_by_key(|row| row.shape.held);
        let mut run = Vec::new();
        for row in cells {
            let measured = shown
                .iter()
                .find(|(s, h, _)| s == server && *h == row.shape.held as f64);
            match measured {
                Some(&(_, held, value)) => run.push((x(held), y(value))),
                None if !run.is_empty() => canvas.series(&std::mem::take(&mut run), colour, marker),
                None => {}
            }
        }
        if !run.is_empty() {
            canvas.series(&run, colour, marker);
        }
    }
}

/// The fourth quarter: which line is which server.
fn legend(canvas: &mut Canvas, (ox, oy): (f64, f64), servers: &[&str]) {
    let x = ox + 24.0;
    canvas.bold((x, oy + 22.0), 13.5, "Servers");
    for (index, server) in servers.iter().enumerate() {
        let (colour, marker) = STYLES[index % STYLES.len()];
        let y = oy + 50.0 + 46.0 * index as f64;
        canvas.key((x, y), colour, marker);
        canvas.bold((x + 38.0, y + 4.5), 13.0, server);
        canvas.text((x + 38.0, y + 21.0), 11.5, Anchor::Start, describe(server));
    }
}

/// What each server is, in a few words.
fn describe(server: &str) -> &'static str {
    match server {
        "threaded-echo" => "a thread per connection, blocking I/O (05.1)",
        "poll-echo" => "one thread, poll(2) over every connection (05.6)",
        "epoll-echo" => "one thread, edge-triggered epoll (05.7)",
        "tokio-echo" => "Tokio: a task per connection, a thread per core",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::system::Footprint;
    use std::time::Duration;

    fn row(server: &str, (held, busy): (usize, usize), per_second: u64) -> Row {
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
                    rss_kib: 3 * 1024,
                }),
            }),
        }
    }

    #[test]
    fn draws_a_line_per_server_and_a_legend() {
        let shapes = [
            (10, 10),
            (100, 100),
            (1_000, 1_000),
            (1_000, 10),
            (10_000, 10),
        ];
        let mut rows = Vec::new();
        for (server, speed) in [("poll-echo", 100_000), ("tokio-echo", 120_000)] {
            rows.extend(shapes.iter().map(|&shape| row(server, shape, speed)));
        }
        rows.push(Row {
            server: "epoll-echo".into(),
            shape: Shape { held: 10, busy: 10 },
            outcome: Err("it failed".into()),
        });
        let svg = svg(&rows, "2 cores & loopback");
        // Three panels with two drawn servers each, and three legend keys; the
        // failed server draws no line but has its key.
        assert_eq!(svg.matches("<polyline").count(), 3 * 2 + 3);
        assert!(svg.contains("2 cores &amp; loopback"));
        for label in [
            "epoll-echo",
            "connections held (log scale)",
            "10,000",
            "120k",
            "1",
            "10",
        ] {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "no label {label}"
            );
        }
    }

    #[test]
    fn a_failed_cell_splits_its_line() {
        let shapes = [(10, 10), (100, 100), (1_000, 1_000)];
        let mut rows: Vec<Row> = shapes.iter().map(|&s| row("poll-echo", s, 1_000)).collect();
        rows[1].outcome = Err("refused".into());
        let svg = svg(&rows, "");
        // The all-busy panel: two one-point runs, no line across the gap.
        let first = svg.find("<polyline").unwrap();
        let lines: Vec<&str> = svg[first..]
            .lines()
            .filter(|l| l.starts_with("<polyline"))
            .collect();
        assert!(
            lines[0].matches(',').count() == 1 && lines[1].matches(',').count() == 1,
            "{lines:#?}"
        );
    }
}
