//! The protocol: JSON headers in frames, and the types they decode into.
//!
//! | request header                                         | then        |
//! |--------------------------------------------------------|-------------|
//! | `{"op":"list"}`                                        |             |
//! | `{"op":"get","name":N}`                                |             |
//! | `{"op":"put","name":N,"size":S,"sha256":H}`            | `S` bytes   |
//! | `{"op":"delete","name":N}`                             |             |
//!
//! | reply header                                           | then        |
//! |--------------------------------------------------------|-------------|
//! | list: `{"ok":true,"files":[{"name":N,"size":S},…]}`    |             |
//! | get: `{"ok":true,"name":N,"size":S,"sha256":H}`        | `S` bytes   |
//! | put: `{"ok":true,"name":N,"size":S,"sha256":H}`        |             |
//! | delete: `{"ok":true,"name":N}`                         |             |
//! | any error: `{"ok":false,"code":C,"error":"why"}`       |             |
//!
//! Every request gets exactly one reply, in order; a connection carries any number
//! of requests. Unknown fields are ignored, so either side may add some later.
//! Given: the lesson's table says the same in words.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::frame::{self, FrameError};

// ANCHOR: request
/// A request header, tagged by its `"op"` field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    /// `{"op":"list"}`: the files in the root, sorted by name.
    List,
    /// `{"op":"get","name":"a.txt"}`: one file; the reply carries its bytes.
    Get { name: String },
    /// `{"op":"put","name":"a.txt","size":3,"sha256":"…"}`, then `size` bytes.
    Put {
        name: String,
        size: u64,
        sha256: String,
    },
    /// `{"op":"delete","name":"a.txt"}`.
    Delete { name: String },
}
// ANCHOR_END: request

/// What went wrong, as a machine-readable word in an error reply's `"code"`.
///
/// After `bad_request`, `too_large` and `io` the server closes the connection (it
/// no longer knows where the next request starts); after the others the same
/// connection goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No file of that name.
    NotFound,
    /// The name is not a plain file name (`..`, `a/b`, `/etc/passwd`, `.hidden`…).
    BadName,
    /// The name exists but is not a regular file: a symbolic link, a directory, a
    /// device or a FIFO. The server serves regular files only.
    Forbidden,
    /// A PUT announced more bytes than the server accepts; the body was not read.
    TooLarge,
    /// A PUT's body arrived whole but its SHA-256 is not the one announced.
    Checksum,
    /// The header is not a request: not JSON, an unknown op, a missing field, a
    /// bad `sha256`, or over the header limit; or a body ended early.
    BadRequest,
    /// The server has as many connections as it accepts; try again later.
    Busy,
    /// The server failed to read or write its own files.
    Io,
    /// A code this version does not know (a newer server may add codes).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The code as it appears on the wire, such as `"not_found"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadName => "bad_name",
            Self::Forbidden => "forbidden",
            Self::TooLarge => "too_large",
            Self::Checksum => "checksum",
            Self::BadRequest => "bad_request",
            Self::Busy => "busy",
            Self::Io => "io",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file in a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub size: u64,
}

/// A file's name, size and SHA-256 (lowercase hex): the reply to GET (followed by
/// `size` bytes) and to PUT (once the file is stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// The reply to LIST.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub files: Vec<Entry>,
}

/// The reply to DELETE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub name: String,
}

/// An error reply: `{"ok":false,"code":…,"error":…}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: ErrorCode,
    /// Words for a person; programs look at `code`.
    pub error: String,
}

/// Why no request could be read.
#[derive(Debug)]
pub enum RequestError {
    /// The length prefix is over the header limit (nothing more was read).
    TooLong { len: u32, limit: u32 },
    /// The header is not a request: not JSON, not UTF-8, an unknown op, a missing
    /// or mistyped field.
    Malformed(String),
    /// Reading failed, or the stream ended inside the header: the peer is gone or
    /// silent, and there is nobody to answer.
    Io(io::Error),
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { len, limit } => {
                write!(f, "a header of {len} bytes is over the limit of {limit}")
            }
            Self::Malformed(why) => write!(f, "not a request: {why}"),
            Self::Io(e) => write!(f, "reading a request failed: {e}"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Writes `request` as one frame.
pub fn write_request<W: Write + ?Sized>(out: &mut W, request: &Request) -> io::Result<()> {
    frame::write_frame(out, &to_json(request))
}

/// Reads one request header (`Ok(None)` at a clean end of stream between requests).
/// Reads exactly the frame: a PUT's body is left in `input` for the caller.
pub fn read_request<R: Read + ?Sized>(
    input: &mut R,
    max_len: u32,
) -> Result<Option<Request>, RequestError> {
    let json = match frame::read_frame(input, max_len) {
        Ok(Some(json)) => json,
        Ok(None) => return Ok(None),
        Err(FrameError::TooLong { len, limit }) => {
            return Err(RequestError::TooLong { len, limit })
        }
        Err(FrameError::Io(e)) => return Err(RequestError::Io(e)),
    };
    serde_json::from_slice(&json)
        .map(Some)
        .map_err(|e| RequestError::Malformed(e.to_string()))
}

/// Writes a success reply: `{"ok":true,` then the fields of `body` `}`.
pub fn write_ok<W: Write + ?Sized, T: Serialize>(out: &mut W, body: &T) -> io::Result<()> {
    #[derive(Serialize)]
    struct Success<'a, T> {
        ok: bool,
        #[serde(flatten)]
        body: &'a T,
    }
    frame::write_frame(out, &to_json(&Success { ok: true, body }))
}

/// Writes an error reply: `{"ok":false,"code":…,"error":…}`.
pub fn write_error<W: Write + ?Sized>(out: &mut W, code: ErrorCode, error: &str) -> io::Result<()> {
    #[derive(Serialize)]
    struct Refusal<'a> {
        ok: bool,
        code: ErrorCode,
        error: &'a str,
    }
    let refusal = Refusal {
        ok: false,
        code,
        error,
    };
    frame::write_frame(out, &to_json(&refusal))
}

/// Reads one reply header: `Ok(Ok(body))` for `"ok":true`, `Ok(Err(failure))` for
/// `"ok":false`. The end of the stream is an error of kind `UnexpectedEof`; a header
/// over `max_len`, or one that is not the expected reply, is `InvalidData`.
pub fn read_reply<R: Read + ?Sized, T: DeserializeOwned>(
    input: &mut R,
    max_len: u32,
) -> io::Result<Result<T, Failure>> {
    #[derive(Deserialize)]
    struct Status {
        ok: bool,
    }
    let json = match frame::read_frame(input, max_len) {
        Ok(Some(json)) => json,
        Ok(None) => {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                "the server closed the connection without a reply",
            ))
        }
        Err(FrameError::Io(e)) => return Err(e),
        Err(too_long) => return Err(io::Error::new(ErrorKind::InvalidData, too_long.to_string())),
    };
    let invalid = |e: serde_json::Error| {
        io::Error::new(ErrorKind::InvalidData, format!("not a valid reply: {e}"))
    };
    let status: Status = serde_json::from_slice(&json).map_err(invalid)?;
    if status.ok {
        Ok(Ok(serde_json::from_slice(&json).map_err(invalid)?))
    } else {
        Ok(Err(serde_json::from_slice(&json).map_err(invalid)?))
    }
}

/// True if `text` is a SHA-256 in hex: exactly 64 hex digits (either case).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("protocol types always serialize")
}
