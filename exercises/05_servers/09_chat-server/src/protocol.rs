//! The chat protocol: what a client's line means, and the exact texts the server
//! sends back. The lesson's protocol table, in code.
//!
//! Every function here is pure (no I/O), so the rules live in one place and the
//! server's loop only decides *who* gets a line, never what it says.
//! Lines are returned without their `\n`; the outbox adds it.

use std::fmt;

use crate::{MAX_LINE, MAX_NAME_CHARS};

// ANCHOR: texts
/// The reply to an accepted name.
pub fn welcome(name: &str) -> String {
    format!("ok welcome {name}")
}

/// The reply to `/quit`, just before the server closes the connection.
pub const BYE: &str = "ok bye";

/// What everyone else sees when `name` joins.
pub fn joined(name: &str) -> String {
    format!("* {name} joined")
}

/// What everyone else sees when `name` quits or disconnects, politely or not.
pub fn left(name: &str) -> String {
    format!("* {name} left")
}

/// What everyone else sees when `name` is dropped because its outbox is full.
pub fn dropped(name: &str) -> String {
    format!("* {name} was dropped (too slow)")
}

/// A message from `name`, as everyone else sees it.
pub fn said(name: &str, text: &str) -> String {
    format!("{name}: {text}")
}

/// One line of an announcement from the server's operator.
pub fn admin(text: &str) -> String {
    format!("[admin] {text}")
}

/// The reply when the name is in use.
pub const NAME_TAKEN: &str = "error name taken";
/// The reply to a line over [`MAX_LINE`] bytes; the server then closes.
pub fn line_too_long() -> String {
    format!("error line too long (max {MAX_LINE} bytes)")
}

/// The reply to a line that is not UTF-8; the server then closes.
pub const INVALID_UTF8: &str = "error invalid utf-8";
/// The reply to a message with control characters; the message is not sent.
pub const CONTROL_CHARS: &str = "error control characters are not allowed";

/// The reply to a command other than `/quit`.
pub fn unknown_command(command: &str) -> String {
    format!("error unknown command: {command}")
}
// ANCHOR_END: texts

// ANCHOR: name
/// Why a name was refused; its `Display` text follows `error invalid name: `.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    ControlChar,
    Whitespace,
    Slash,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "empty"),
            NameError::TooLong => write!(f, "more than {MAX_NAME_CHARS} characters"),
            NameError::ControlChar => write!(f, "control characters are not allowed"),
            NameError::Whitespace => write!(f, "spaces are not allowed"),
            NameError::Slash => write!(f, "must not start with '/'"),
        }
    }
}

/// The reply to a refused name.
pub fn invalid_name(why: NameError) -> String {
    format!("error invalid name: {why}")
}

/// Checks a name, in this order: not empty; at most [`MAX_NAME_CHARS`]
/// characters; no control characters; no whitespace; no leading `/`.
///
/// Whitespace is refused because the name is the first word of every line about
/// its owner: with `bob joined` as a name, `* bob joined joined` could no longer
/// be read, and `NAME: text` could no longer be split at its first `": "`.
/// A leading `/` would look like a command.
pub fn check_name(name: &str) -> Result<(), NameError> {
    todo!(
        "check the name {name:?}: empty, too long (count chars, not bytes), \
         char::is_control, char::is_whitespace, a leading '/' \
         (lesson 05.9, 'The protocol')"
    )
}
// ANCHOR_END: name

// ANCHOR: request
/// What a line from a client that has joined asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Request<'a> {
    /// Empty or only whitespace: ignored, nobody wants to read `bob:   `.
    Blank,
    /// Contains a control character (ESC could rewrite others' terminals).
    ControlChars,
    /// `/quit`, with or without words after it.
    Quit,
    /// A line starting with `/` other than `/quit`; holds its first word.
    Unknown(&'a str),
    /// Anything else: a message for the room, exactly as typed.
    Say(&'a str),
}

/// Classifies one line from a client that has joined (already without its
/// line ending). The checks, in this order:
///
/// 1. empty or only whitespace (even a tab): [`Request::Blank`];
/// 2. any control character: [`Request::ControlChars`], checked before the
///    command so that no reply ever echoes a control character back;
/// 3. starts with `/`: [`Request::Quit`] if its first word is exactly
///    `/quit`, else [`Request::Unknown`] with that first word;
/// 4. anything else: [`Request::Say`] with the whole line.
pub fn parse(line: &str) -> Request<'_> {
    todo!(
        "classify the line {line:?}: blank, control characters, a command (its first \
         word), or a message (lesson 05.9, 'The protocol')"
    )
}
// ANCHOR_END: request
