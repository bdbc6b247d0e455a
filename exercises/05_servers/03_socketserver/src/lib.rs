//! A socketserver-style framework: servers handle connections, handlers
//! handle conversations.
//!
//! Read the lesson first: `book/05_servers/03_socketserver.md` ("A
//! socketserver framework"). Then run `cargo test` in this folder.
//!
//! Given, complete: [`base`] (the listener, the accept loop
//! [`Listener::serve_forever`], the [`Stopper`], and [`Connections`], the
//! list of connections in progress that a stop shuts down), the [`Handler`]
//! and [`StreamHandler`] traits and [`Conn`].
//!
//! To write:
//!
//! * [`Echo`] (in `src/handler.rs`): the simplest handler.
//! * [`Buffered`] (in `src/handler.rs`): runs a [`StreamHandler`] as a
//!   [`Handler`]: setup, handle, finish.
//! * [`ThreadingServer::run`] (in `src/threading.rs`): a thread per connection.
//! * [`PoolServer::run`] (in `src/pool.rs`): `n` worker threads and a bounded
//!   queue of accepted connections.
//!
//! Try it by hand: `cargo run --bin socketserver-echo -- pool 2`, then connect
//! three `nc 127.0.0.1 7000` at once: the third waits until one of the first
//! two leaves.

pub mod base;
mod handler;
mod pool;
mod threading;

pub use base::{Connections, Listener, Stopper, Tracked};
pub use handler::{Buffered, Conn, Echo, Handler, StreamHandler};
pub use pool::PoolServer;
pub use threading::ThreadingServer;
