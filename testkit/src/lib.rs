//! The course's shared test kit.
//!
//! Every exercise's tests use these helpers so that they stay short, read the same
//! way, and share three promises made to the learner:
//!
//! * **Nothing hangs.** Anything that waits on a socket, thread, process or channel
//!   is bounded ([`deadline::within`], the timeouts on [`net::connect`]); a server
//!   that never answers fails the test in seconds with a message that says so.
//! * **Failures teach.** [`expect::eq`] prints what was expected, what came back and
//!   a hint, instead of a bare `left != right`.
//! * **Framing bugs show up every run.** [`chaos`] splits byte streams into seeded
//!   1-byte, random and coalesced chunks, so a decoder that assumes one `read` is
//!   one message fails deterministically.

pub mod alloc;
pub mod chaos;
pub mod chat;
pub mod deadline;
pub mod echo;
pub mod expect;
pub mod hexdump;
pub mod limits;
pub mod net;
pub mod peak;
pub mod process;
pub mod server;
pub mod transcript;

pub use deadline::{within, within_hint};
pub use hexdump::hexdump;
