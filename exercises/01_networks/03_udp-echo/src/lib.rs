//! UDP: an echo server and a client that retries.
//!
//! Read the lesson first: `book/01_networks/03_udp-echo.md` ("UDP: datagrams").
//! Then run `cargo test` in this folder.
//!
//! Three steps, in the order of the test files:
//!
//! 1. [`serve`] (in `src/server.rs`, `tests/01_server.rs`) sends every
//!    datagram it receives back to whoever sent it, until its stop flag is set.
//! 2. [`request`] (in `src/client.rs`, `tests/02_client.rs`) sends one datagram
//!    and waits for the answer, sending again when none comes, a bounded
//!    number of times.
//! 3. [`recv_whole`] (in `src/recv.rs`, `tests/03_recv_whole.rs`) receives one
//!    datagram and says so when it was longer than the buffer, instead of
//!    silently handing back its start.
//!
//! [`UdpError`] (in `src/error.rs`, already written) says what can go wrong.
//!
//! Try it by hand: `cargo run --bin udp-echo-server`, then in another terminal
//! `cargo run --bin udp-echo-client -- hello` or `nc -u 127.0.0.1 9000`.

mod client;
mod error;
mod recv;
mod server;

pub use client::request;
pub use error::UdpError;
pub use recv::recv_whole;
pub use server::{serve, STOP_CHECK};

/// The largest payload one UDP datagram over IPv4 can carry, in bytes.
///
/// The IPv4 total-length field is 16 bits, so a packet is at most 65 535 bytes;
/// take away the 20-byte IPv4 header and the 8-byte UDP header and 65 507 bytes
/// are left for the payload. (Over IPv6 the limit is 65 527, because the IPv6
/// length field does not count the IPv6 header; this crate keeps the smaller,
/// portable limit.) Anything above 1 472 bytes is already fragmented on an
/// Ethernet path with a 1 500-byte MTU, and some systems refuse to send much
/// less than this limit: macOS stops at 9 216 bytes unless
/// `net.inet.udp.maxdgram` is raised.
pub const MAX_DATAGRAM: usize = 65_507;

/// A receive buffer large enough for any UDP datagram, IPv4 or IPv6.
///
/// A buffer of this size can never truncate a datagram, which is why the
/// server and the client receive into one.
pub const RECV_BUFFER: usize = 65_536;
