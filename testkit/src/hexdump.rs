//! Hex dumps for snapshot tests of byte layouts.

use std::fmt::Write;

/// Formats `bytes` like `xxd`: offset, 16 bytes in hex, then printable ASCII.
///
/// ```
/// let dump = testkit::hexdump(b"\x00\x00\x00\x02hi");
/// assert_eq!(dump, "00000000  00 00 00 02 68 69                                |....hi|\n");
/// ```
pub fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:08x} ", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hexdump;

    #[test]
    fn empty_input_gives_empty_dump() {
        assert_eq!(hexdump(b""), "");
    }

    #[test]
    fn long_input_wraps_every_16_bytes() {
        let dump = hexdump(&[b'a'; 17]);
        let lines: Vec<&str> = dump.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].starts_with("00000010  61 "));
    }
}
