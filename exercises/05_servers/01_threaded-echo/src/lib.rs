//! Thread per connection: an echo server that serves every client at once.
//!
//! Read the lesson first: `book/05_servers/01_threaded-echo.md` ("Thread per
//! connection"). Then run `cargo test` in this folder.
//!
//! Two files, in this order:
//!
//! * [`handle_client`] (in `src/handler.rs`): the conversation with one client,
//!   the echo loop of part 01's `tcp-echo`.
//! * [`Server::run`] (in `src/server.rs`): accept clients in a loop and start
//!   one thread per connection, until a [`Stopper`] asks the loop to end.
//!   [`Stopper::stop`]: set the stop flag, then wake the blocked `accept` by
//!   connecting to the server's own address.
//!
//! Try it by hand: `cargo run --bin threaded-echo`, then `nc 127.0.0.1 7000` in
//! two or three terminals at once: every one of them gets its echo.

mod handler;
mod server;

pub use handler::handle_client;
pub use server::{Server, Stopper};
