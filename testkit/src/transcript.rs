//! A transcript recorder for snapshot tests of protocol sessions.
//!
//! Record who sent what, in order, then snapshot [`Transcript::render`] with insta.
//! Addresses and ports change every run, so the rendering replaces them with
//! stable placeholders (see [`redact`]).

use std::fmt::Write;

/// A list of `(speaker, direction, bytes)` events.
#[derive(Debug, Default)]
pub struct Transcript {
    lines: Vec<String>,
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `who` sent `bytes`.
    pub fn sent(&mut self, who: &str, bytes: impl AsRef<[u8]>) {
        self.push(who, "->", bytes.as_ref());
    }

    /// Records that `who` received `bytes`.
    pub fn received(&mut self, who: &str, bytes: impl AsRef<[u8]>) {
        self.push(who, "<-", bytes.as_ref());
    }

    /// Records a free-form note, such as "server closes the connection".
    pub fn note(&mut self, text: &str) {
        self.lines.push(format!("   ({text})"));
    }

    fn push(&mut self, who: &str, arrow: &str, bytes: &[u8]) {
        self.lines
            .push(format!("{who:>8} {arrow} {}", escape(bytes)));
    }

    /// The transcript as text, one event per line, with addresses redacted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let _ = writeln!(out, "{}", redact(line));
        }
        out
    }
}

/// Shows bytes as text, with line endings and other control bytes made visible.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Replaces loopback socket addresses (`127.0.0.1:54321`, `[::1]:54321`) with
/// `127.0.0.1:[port]` and `[::1]:[port]`, so snapshots do not change every run.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["127.0.0.1:", "[::1]:"]
        .iter()
        .filter_map(|prefix| rest.find(prefix).map(|i| (i, prefix.len())))
        .min()
    {
        let (start, prefix_len) = at;
        let after = start + prefix_len;
        let digits = rest[after..].bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..after]);
        if digits > 0 {
            out.push_str("[port]");
        }
        rest = &rest[after + digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_v4_and_v6_ports() {
        assert_eq!(
            redact("from 127.0.0.1:5555 and [::1]:80, not 10.0.0.1:22"),
            "from 127.0.0.1:[port] and [::1]:[port], not 10.0.0.1:22"
        );
    }

    #[test]
    fn renders_directions_and_escapes() {
        let mut t = Transcript::new();
        t.sent("alice", "hi\r\n");
        t.received("alice", b"\xffok\n");
        t.note("server closes");
        assert_eq!(
            t.render(),
            "   alice -> hi\\r\\n\n   alice <- \\xffok\\n\n   (server closes)\n"
        );
    }
}
