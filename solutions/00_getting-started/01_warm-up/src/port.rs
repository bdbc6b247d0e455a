//! Step 2: a port number parser, and why a text is not a port.

use std::error::Error;
use std::fmt;
use std::num::IntErrorKind;

/// Why a piece of text is not a port number [`parse_port`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortError {
    /// Nothing was given: the text was empty or only whitespace.
    Empty,
    /// Something other than the ASCII digits `0`-`9` was found: a sign (`+80`,
    /// `-1`), a space inside (`80 80`), a letter (`80a`, `http`), a dot, or a
    /// digit from another script (`٨٠`).
    NotANumber,
    /// The number was 0. Port 0 is not a port anyone listens on: passed to
    /// `bind`, it asks the operating system to choose a free port.
    Zero,
    /// The number was larger than 65535, the largest 16-bit port number, however
    /// many digits it has.
    TooLarge,
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            PortError::Empty => "no port number given",
            PortError::NotANumber => "a port number is written with the digits 0-9 only",
            PortError::Zero => "port 0 means \"any free port\"; it cannot be connected to",
            PortError::TooLarge => "port numbers stop at 65535",
        };
        f.write_str(text)
    }
}

impl Error for PortError {}

// ANCHOR: parse_port
/// Parses a TCP or UDP port number written in decimal, such as `"8080"`.
///
/// * Whitespace around the number is ignored, so a line read from a terminal
///   (`"8080\n"`) parses. Leading zeros are allowed: `"0080"` is port 80.
/// * Returns the port, 1 to 65535 inclusive, or the first problem found, checked
///   in this order: [`PortError::Empty`], [`PortError::NotANumber`],
///   [`PortError::Zero`], [`PortError::TooLarge`].
///
/// Never panics, whatever the input.
pub fn parse_port(text: &str) -> Result<u16, PortError> {
    let digits = text.trim();
    if digits.is_empty() {
        return Err(PortError::Empty);
    }
    // Check the characters ourselves instead of leaving it to `parse`: it
    // accepts a leading `+`, which no port written by a person or a URL has.
    // Looking at bytes (not chars) also rules out non-ASCII digits such as `٨`.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PortError::NotANumber);
    }
    match digits.parse::<u16>() {
        Ok(0) => Err(PortError::Zero),
        Ok(port) => Ok(port),
        Err(err) => match err.kind() {
            // Only digits are left, so the number is too big for 16 bits: 65536
            // and a 40-digit number fail the same way, and neither can wrap around.
            IntErrorKind::PosOverflow => Err(PortError::TooLarge),
            // Unreachable after the checks above; kept so a future change to them
            // yields an error rather than a panic.
            _ => Err(PortError::NotANumber),
        },
    }
}
// ANCHOR_END: parse_port
