//! Process per connection: an echo server that forks a child for every client.
//!
//! Read the lesson first: `book/05_servers/02_forking-echo.md` ("Process per
//! connection"). Then run `cargo test` in this folder. Unix only: `fork` and
//! `waitpid` do not exist on Windows.
//!
//! Two files, in this order:
//!
//! * [`child::serve`] (in `src/child.rs`): what the child process does: close
//!   what it inherited, (optionally) greet with its pid, echo, `_exit`.
//! * [`Server::run`] (in `src/server.rs`): accept, `fork`; the parent closes its
//!   copy of the connection, remembers the child's pid and reaps children that
//!   have exited; on stop it ends the children still serving and reaps them.
//!
//! Try it by hand: `cargo run --bin forking-echo`, connect with `nc 127.0.0.1 7000`
//! from two terminals, and look at the processes with
//! `ps -o pid,ppid,stat,cmd --ppid $(pgrep -x forking-echo)`.

pub mod child;
mod server;

pub use server::{Server, Stopper, REAP_INTERVAL};

/// The size of the buffer a child reads into, in bytes. It lives on the
/// child's stack: after `fork`, the child allocates nothing.
pub const CHUNK: usize = 8 * 1024;
