//! Socket options with socket2: a listener that survives a restart, and a
//! client socket configured before it connects.
//!
//! Read the lesson first: `book/01_networks/05_socket-options.md` ("Socket
//! options"). Then run `cargo test` in this folder.
//!
//! Two steps, in the order of the test files:
//!
//! 1. [`reusable_listener`] (in `src/listener.rs`, `tests/01_listener.rs`):
//!    socket, `SO_REUSEADDR`, bind, listen with a backlog of [`BACKLOG`].
//! 2. [`configured_client`] (in `src/client.rs`, `tests/02_client.rs`): a TCP
//!    client socket with the [`ClientOptions`] applied before it connects.
//!
//! [`ClientOptions`] and [`Keepalive`] (in `src/options.rs`, already written)
//! say what can be asked for.
//!
//! `cargo run --bin show-options` prints what your OS does with each option.

mod client;
mod listener;
mod options;

pub use client::configured_client;
pub use listener::reusable_listener;
pub use options::{ClientOptions, Keepalive};

/// How many connections the kernel may hold, fully established, for a
/// listener that has not accepted them yet (the argument of `listen`).
///
/// The kernel caps it (Linux: `net.core.somaxconn`, 4096 by default since
/// Linux 5.4; macOS: `kern.ipc.somaxconn`, 128). std's `TcpListener::bind`
/// uses 128 too, but gives no way to choose.
pub const BACKLOG: i32 = 128;
