//! A file server for many clients at once: LIST, GET, PUT and DELETE over part 02's
//! frames.
//!
//! Every request and every reply starts with a frame whose payload is a JSON header
//! (a 4-byte big-endian length, then the JSON, exactly as in part 02). A PUT request
//! and a successful GET reply carry the file right after their header, `size` bytes
//! of it:
//!
//! ```text
//! client                                               server
//!   | [len]{"op":"list"}                           -->   |
//!   | <--  [len]{"ok":true,"files":[{"name":"a.txt","size":3}]}
//!   | [len]{"op":"put","name":"b.txt","size":5,"sha256":"…"} hello  -->
//!   | <--  [len]{"ok":true,"name":"b.txt","size":5,"sha256":"…"}
//!   | [len]{"op":"get","name":"a.txt"}             -->   |
//!   | <--  [len]{"ok":true,"name":"a.txt","size":3,"sha256":"…"} abc
//!   | [len]{"op":"delete","name":"zzz"}            -->   |
//!   | <--  [len]{"ok":false,"code":"not_found","error":"no file named \"zzz\""}
//! ```
//!
//! The pieces, from the bottom up:
//!
//! * [`frame`], [`body`], [`name`](FileName) — given: part 02's frame format, the
//!   bounded copy and hashing writer, and the rule that a name is not a path;
//! * [`protocol`] — given: the requests, replies and error codes;
//! * [`Store`] — **yours**: the files in one root folder, listed, opened, saved
//!   (temporary file + rename) and deleted safely;
//! * [`Server`] — **yours**: accepts clients, one thread each, up to a limit, and
//!   answers their requests;
//! * [`Client`] — **yours**: the other end, used by the `file-client` prompt.
//!
//! Lesson: `book/05_servers/10_file-server.md`.

pub mod body;
mod client;
pub mod frame;
mod name;
pub mod protocol;
mod server;
pub mod shell;
mod store;

pub use client::{Client, ClientError, CLIENT_TIMEOUT, MAX_REPLY_LEN};
pub use name::{FileName, NameError};
pub use protocol::{Entry, ErrorCode, FileInfo};
pub use server::{Limits, Server, Stopper};
pub use store::{Download, Store, StoreError};

/// The most bytes read or written in one go while a body streams through:
/// memory per transfer stays at one such buffer whatever the size of the file.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// The longest file name accepted, in bytes of UTF-8 (`NAME_MAX` on Linux).
pub const MAX_NAME_LEN: usize = 255;
