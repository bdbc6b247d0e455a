//! A group chat room (群聊聊天室): a line protocol over TCP, served by one thread
//! on `poll`.
//!
//! Read the lesson first: `book/05_servers/09_chat-server.md`. It defines the
//! protocol (every line the server sends, and when) and walks through the
//! design. Then run `cargo test` in this folder.
//!
//! * [`protocol`] (in `src/protocol.rs`): the exact texts of the protocol are
//!   written; `check_name` and `parse` are yours.
//! * [`Server`], [`Stopper`], [`Announcer`] (in `src/server.rs`): the poll loop
//!   and its handles are yours.
//!
//! Split the rest into modules as you like. The reference solution has
//! `lines.rs` (cutting a byte stream into lines, as in lesson 02.2),
//! `client.rs` (one connection: name, read buffer, bounded outbox) and
//! `room.rs` (who is in the room, broadcasting, dropping slow clients).
//!
//! Unix only (`poll`). Try it by hand: `cargo run --bin chat-server` in one
//! terminal, `cargo run --bin chat-client` in two others.

mod client;
mod lines;
pub mod protocol;
mod room;
mod server;

pub use server::{Announcer, Server, Stopper};

/// The longest line a client may send, in bytes, not counting its `\n` or
/// `\r\n`. A longer line gets `error line too long` and the connection closed,
/// as soon as the server has received more than this many bytes without a line
/// ending.
pub const MAX_LINE: usize = 4096;

/// The longest name, in characters (Unicode scalar values, so `你好` is 2).
pub const MAX_NAME_CHARS: usize = 32;

/// How many bytes may wait in one client's outbox. A broadcast that does not
/// fit drops that client: `* NAME was dropped (too slow)` to the others.
pub const OUTBOX_LIMIT: usize = 256 * 1024;
