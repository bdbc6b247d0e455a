//! The programs of `cargo xtask bench`, as a library their binaries share with
//! the tests:
//!
//! * [`load`]: the load generator (open and hold connections, ping-pong, time);
//! * [`report`]: what one run measured, summarised, in the line format the
//!   runner reads.
//!
//! The binaries are `c10k-load` (the load generator as a program) and
//! `tokio-echo` (the Tokio reference server).

pub mod load;
pub mod report;
