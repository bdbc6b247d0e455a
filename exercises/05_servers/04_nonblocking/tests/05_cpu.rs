//! Step 3, continued: waiting for a deadline must not cost CPU. Run with
//! `cargo test --test 05_cpu`.
//!
//! This file is a test binary of its own, so no other test runs in the same
//! process while it measures the process's CPU time.

mod common;

use std::time::{Duration, Instant};

use common::pair;
use nonblocking::{read_with_deadline, ReadOutcome};
use testkit::process::cpu_time;
use testkit::{deadline::DEFAULT, expect, within};

#[test]
fn waiting_for_a_deadline_burns_no_cpu() {
    within(
        DEFAULT,
        "read_with_deadline on a silent socket for 300 ms",
        || {
            let (_client, mut server) = pair();
            let mut buf = [0u8; 64];
            let wait = Duration::from_millis(300);
            let cpu_before = cpu_time();
            let start = Instant::now();
            let got = read_with_deadline(&mut server, &mut buf, start + wait);
            let cpu = cpu_time() - cpu_before;
            expect::eq(
                "read_with_deadline on a socket that stays silent",
                &got.map_err(|e| e.to_string()),
                &Ok(ReadOutcome::NotYet),
                "when the deadline passes with nothing read, answer NotYet",
            );
            // A sleeping thread uses microseconds; a loop of non-blocking reads
            // uses the whole 300 ms (or whatever share of a core it gets).
            expect::that(
                cpu < Duration::from_millis(60),
                "waiting 300 ms for bytes that never come uses (almost) no CPU time",
                format!("{} ms of CPU", cpu.as_millis()),
                "let the kernel do the waiting: a blocking read with set_read_timeout sleeps; \
             a loop of non-blocking reads that retries on WouldBlock spins",
            );
        },
    );
}
