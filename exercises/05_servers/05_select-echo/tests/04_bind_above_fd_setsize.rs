//! A process that already has `FD_SETSIZE` descriptors open cannot run a select
//! server at all. Run with `cargo test --test 04_bind_above_fd_setsize`.
//!
//! This file is a test binary of its own: it fills this process's descriptor
//! table on purpose, which would disturb any other test running beside it.

use std::fs::File;
use std::os::fd::AsRawFd;

use select_echo::{Server, FD_SETSIZE};
use testkit::{deadline::DEFAULT, expect, within};

#[test]
fn bind_refuses_descriptors_that_select_cannot_watch() {
    testkit::limits::raise_fd_limit(FD_SETSIZE as u64 + 100);
    within(
        DEFAULT,
        "binding with every descriptor below FD_SETSIZE taken",
        || {
            // Descriptors are handed out lowest first: once one is FD_SETSIZE - 1,
            // every number below the limit is in use.
            let mut filler = Vec::new();
            while filler
                .last()
                .is_none_or(|f: &File| (f.as_raw_fd() as usize) < FD_SETSIZE - 1)
            {
                filler.push(File::open("/dev/null").expect("could not open /dev/null"));
            }
            let bound = Server::bind("127.0.0.1:0");
            expect::that(
                bound.is_err(),
                "Server::bind whose listener would get a descriptor of FD_SETSIZE or more",
                format!("{bound:?}"),
                "bind is given: it returns an error rather than a server whose first \
             FdSet::insert would panic",
            );
            drop(filler);
            expect::ok(
                "Server::bind once descriptors are free again",
                Server::bind("127.0.0.1:0"),
                "bind is given: is the loopback interface up?",
            );
        },
    );
}
