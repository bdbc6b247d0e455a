//! Remote commands, safely: a server that runs programs from an allow-list.
//!
//! Every message is a length-prefixed frame (see [`frame`]). A client sends one
//! request frame; the server answers with exactly three frames:
//!
//! ```text
//! client -> server   {"program":"echo","args":["hello","world"]}        JSON request
//! server -> client   {"status":"exited","code":0,"truncated":false}     JSON header
//! server -> client   hello world\n                                       stdout, raw bytes
//! server -> client   (empty)                                             stderr, raw bytes
//! ```
//!
//! stdout and stderr travel as raw frames, not inside the JSON, because a program's
//! output is bytes: it need not be UTF-8, and JSON strings must be. Every reply has
//! all three frames, even a refusal (with two empty ones), so a client can always
//! read a reply the same way and never loses its place in the stream.
//!
//! The program is looked up by name in an [`AllowList`] and started directly, with
//! its arguments passed one by one: no shell ever sees the client's text, so `;`,
//! `|`, `$(...)` and backticks are just characters. Which arguments a program may
//! take at all is part of its entry on the list ([`Arguments`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub mod allow;
pub mod client;
pub mod exec;
pub mod frame;
pub mod server;

pub use allow::{AllowList, Arguments, Rule};
pub use server::{handle_client, serve};

/// What a client asks for: a program's name on the allow-list, and its arguments.
///
/// On the wire: `{"program": "echo", "args": ["hello"]}`. `args` may be left out
/// (no arguments); any other field makes the request malformed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub program: String,
    #[serde(default)]
    pub args: Vec<String>,
}

impl Request {
    pub fn new(program: &str, args: &[&str]) -> Self {
        Request {
            program: program.to_string(),
            args: args.iter().map(|arg| arg.to_string()).collect(),
        }
    }
}

/// The JSON header of a reply: `{"status": "<variant in snake_case>", ...fields}`.
///
/// `truncated` is true when stdout or stderr was cut at [`Limits::max_output`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reply {
    /// The program ran and exited with `code`.
    Exited { code: i32, truncated: bool },
    /// The program was ended by a signal, e.g. 13 (SIGPIPE) after the server
    /// stopped reading output that went past the limit.
    Signalled { signal: i32, truncated: bool },
    /// The program ran past [`Limits::time_limit`] and was killed; the output is
    /// what it wrote until then.
    TimedOut { truncated: bool },
    /// The request was understood and refused: the program is not on the
    /// allow-list, or an argument is not acceptable.
    Refused { reason: String },
    /// The program is on the allow-list but could not be started (missing, not
    /// executable).
    Failed { reason: String },
    /// The request frame was not a valid request: not JSON, wrong fields, or over
    /// [`Limits::max_request`].
    BadRequest { reason: String },
}

/// A whole reply: the header and the two output frames that follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub reply: Reply,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Response {
    /// A reply for a program that never ran: empty stdout and stderr.
    pub fn without_output(reply: Reply) -> Self {
        Response {
            reply,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }
}

/// The server's limits. Each one bounds what a single client can make it spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request frame, in bytes. A longer one is answered with
    /// [`Reply::BadRequest`] and the connection is closed.
    pub max_request: usize,
    /// Most arguments in one request.
    pub max_args: usize,
    /// Most bytes kept of stdout, and separately of stderr.
    pub max_output: usize,
    /// Longest a program may run before it is killed.
    pub time_limit: Duration,
    /// Longest the server waits for a client's next request, from the moment it
    /// starts waiting until the last byte of the request has arrived (a deadline
    /// for the whole request, not a timeout per read), and longest one write of
    /// a reply may block on a client that does not read it. Past either, the
    /// server closes the connection.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request: 64 * 1024,
            max_args: 64,
            max_output: 1024 * 1024,
            time_limit: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}
