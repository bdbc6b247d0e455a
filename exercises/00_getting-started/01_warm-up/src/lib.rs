//! Warm-up: two small functions to practise the course's loop.
//!
//! Read the lesson first: `book/00_getting-started/01_warm-up.md`
//! ("Warm-up: the learner's loop"). Then run `cargo test` in this folder, read the
//! first failure, change the file it points at, and run `cargo test` again until
//! every test passes. Nothing here touches the network.
//!
//! * [`greeting`] (in `src/greeting.rs`) is step 1: the tests in
//!   `tests/01_greeting.rs`.
//! * [`parse_port`] (in `src/port.rs`) is step 2: the tests in
//!   `tests/02_parse_port.rs`.

mod greeting;
mod port;

pub use greeting::greeting;
pub use port::{parse_port, PortError};
