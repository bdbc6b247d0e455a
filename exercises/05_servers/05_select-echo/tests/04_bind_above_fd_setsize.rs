//! A process that already has `FD_SETSIZE` descriptors open cannot run a select
//! server at all. Run with `cargo test --test 04_bind_above_fd_setsize`.
//!
//! This file is a test binary of its own: it fills this process's descriptor
//! table on purpose, which would disturb any other test running beside it.

use std::fs::File;
use std::os::fd::AsRawFd;

use select_echo::{Server, FD_SETSIZE};
use testkit::{deadline::DEFAULT, expect, within};

/// Opens `/dev/null` until only `free` descriptors below `FD_SETSIZE` are
/// left. Descriptors are handed out lowest first, so the next ones get the
/// numbers `FD_SETSIZE - free`, and so on up.
fn leave_free_below_fd_setsize(free: usize) -> Vec<File> {
    let mut filler = Vec::new();
    while filler
        .last()
        .is_none_or(|f: &File| (f.as_raw_fd() as usize) < FD_SETSIZE - 1 - free)
    {
        filler.push(File::open("/dev/null").expect("could not open /dev/null"));
    }
    filler
}

#[test]
fn bind_refuses_descriptors_that_select_cannot_watch() {
    testkit::limits::raise_fd_limit(FD_SETSIZE as u64 + 100);
    within(
        DEFAULT,
        "binding with (almost) every descriptor below FD_SETSIZE taken",
        || {
            // bind opens three: the listener, then the two ends of the wake-up
            // channel. With none free, all three are beyond the limit; with two
            // free, only the last, which is exactly FD_SETSIZE.
            for free in [0, 2] {
                let filler = leave_free_below_fd_setsize(free);
                let bound = Server::bind("127.0.0.1:0");
                expect::that(
                    bound.is_err(),
                    &format!(
                        "Server::bind with {free} descriptors free below FD_SETSIZE: its \
                         wake-up socket would be FD_SETSIZE or more"
                    ),
                    format!("{bound:?}"),
                    "bind is given: it returns an error rather than a server whose first \
                     FdSet::insert would panic (a descriptor of exactly FD_SETSIZE has \
                     no bit either)",
                );
                drop(filler);
            }
            expect::ok(
                "Server::bind once descriptors are free again",
                Server::bind("127.0.0.1:0"),
                "bind is given: is the loopback interface up?",
            );
        },
    );
}
