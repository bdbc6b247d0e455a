//! SVG elements written as text: just the few shapes the chart needs, with
//! coordinates rounded to a tenth of a pixel and text escaped.

use std::fmt::Write;

const FONT: &str = "Helvetica, Arial, sans-serif";
const INK: &str = "#222222";
const GRID: &str = "#dddddd";
const FRAME: &str = "#888888";

/// The marker drawn at each measured point of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// Where text hangs from its point.
#[derive(Debug, Clone, Copy)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

/// An SVG document being written.
pub(super) struct Canvas {
    out: String,
}

impl Canvas {
    /// A `width` × `height` picture on a white background (the book's dark
    /// themes would swallow dark text on a transparent one), described by `title`
    /// for screen readers.
    pub(super) fn new(width: f64, height: f64, title: &str) -> Canvas {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
             width=\"{width}\" height=\"{height}\" role=\"img\" font-family=\"{FONT}\" \
             fill=\"{INK}\">"
        );
        let _ = writeln!(out, "<title>{}</title>", escape(title));
        let _ = writeln!(
            out,
            "<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"
        );
        Canvas { out }
    }

    pub(super) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }

    pub(super) fn text(&mut self, (x, y): (f64, f64), size: f64, anchor: Anchor, content: &str) {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = writeln!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\">{}</text>",
            escape(content)
        );
    }

    pub(super) fn bold(&mut self, (x, y): (f64, f64), size: f64, content: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" font-weight=\"bold\">{}</text>",
            escape(content)
        );
    }

    /// Text read bottom to top, centred on its point: a vertical axis's label.
    pub(super) fn upright(&mut self, (x, y): (f64, f64), size: f64, content: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 {x:.1} {y:.1})\">{}</text>",
            escape(content)
        );
    }

    /// A light grid line.
    pub(super) fn grid(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{GRID}\"/>"
        );
    }

    /// The frame of a plot, from its top-left corner.
    pub(super) fn frame(&mut self, (x, y): (f64, f64), width: f64, height: f64) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" \
             fill=\"none\" stroke=\"{FRAME}\"/>"
        );
    }

    /// A data line through `points`, with `marker` on each.
    pub(super) fn series(&mut self, points: &[(f64, f64)], colour: &str, marker: Marker) {
        self.polyline(points, colour);
        for &point in points {
            self.marker(point, colour, marker);
        }
    }

    fn polyline(&mut self, points: &[(f64, f64)], colour: &str) {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = writeln!(
            self.out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.2\"/>",
            path.join(" ")
        );
    }

    fn marker(&mut self, (x, y): (f64, f64), colour: &str, marker: Marker) {
        let r = 4.5;
        let polygon = |corners: &[(f64, f64)]| {
            let corners: Vec<String> = corners
                .iter()
                .map(|(dx, dy)| format!("{:.1},{:.1}", x + dx * r, y + dy * r))
                .collect();
            format!(
                "<polygon points=\"{}\" fill=\"{colour}\"/>",
                corners.join(" ")
            )
        };
        let element = match marker {
            Marker::Circle => {
                format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{colour}\"/>")
            }
            Marker::Square => polygon(&[(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]),
            Marker::Triangle => polygon(&[(0.0, -1.3), (1.2, 0.9), (-1.2, 0.9)]),
            Marker::Diamond => polygon(&[(0.0, -1.3), (1.3, 0.0), (0.0, 1.3), (-1.3, 0.0)]),
        };
        let _ = writeln!(self.out, "{element}");
    }

    /// A short stretch of a data line with its marker: a legend's key.
    pub(super) fn key(&mut self, (x, y): (f64, f64), colour: &str, marker: Marker) {
        self.polyline(&[(x, y), (x + 28.0, y)], colour);
        self.marker((x + 14.0, y), colour, marker);
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_escaped_closed_elements() {
        let mut canvas = Canvas::new(100.0, 50.0, "a < b");
        canvas.text((1.0, 2.0), 12.0, Anchor::End, "x & \"y\"");
        canvas.series(&[(0.0, 0.0), (10.0, 5.25)], "#000000", Marker::Diamond);
        let svg = canvas.finish();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\"")
        );
        assert!(svg.contains("<title>a &lt; b</title>"));
        assert!(svg.contains(">x &amp; &quot;y&quot;</text>"));
        assert!(
            svg.contains("points=\"0.0,0.0 10.0,5.2\"")
                || svg.contains("points=\"0.0,0.0 10.0,5.3\"")
        );
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert!(svg.ends_with("</svg>\n"));
    }
}
