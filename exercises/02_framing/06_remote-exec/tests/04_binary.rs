//! Last, the program: `rexec-server` with its own allow-list, over loopback.
//! `date` is on it, but only without arguments: an operand would set the clock.

mod common;

use common::{ask, Shown};
use remote_exec::{Reply, Request};
use testkit::server::Binary;
use testkit::{deadline, expect, net, within};

const SERVER: &str = env!("CARGO_BIN_EXE_rexec-server");

#[test]
fn the_server_program_runs_its_list_and_refuses_the_rest() {
    within(
        deadline::DEFAULT,
        "requests to the rexec-server program",
        || {
            let mut server = Binary::start(
                SERVER,
                "rexec-server prints `listening on <addr>` on stdout once it listens",
            );
            // A path that does not exist, for the operand of `rm`: were a wrong
            // solution to run it (as root, in CI), it would find nothing to delete.
            let scratch = tempfile::tempdir().unwrap();
            let absent = scratch.path().join("absent");
            let absent = absent.to_string_lossy();
            server.check(|addr| {
                let mut stream = net::connect(addr);
                let response = ask(&mut stream, &Request::new("echo", &["hello", "world"]));
                expect::eq(
                    "the stdout of `echo hello world` from rexec-server",
                    &Shown::of(&response.stdout),
                    &Shown::of("hello world\n"),
                    "the server answers each request with header, stdout and stderr frames",
                );
                for (program, args) in [
                    // Month 13: `date` would refuse it even as root (see 03_server.rs).
                    ("date", &["133100002030"][..]),
                    ("echo", &["-n", "hi"]),
                    ("rm", &["-rf", &absent]),
                    ("/bin/date", &[]),
                ] {
                    let response = ask(&mut stream, &Request::new(program, args));
                    expect::that(
                        matches!(response.reply, Reply::Refused { .. }),
                        &format!(
                            "the reply of rexec-server to {program} {args:?}: expected Refused"
                        ),
                        &response.reply,
                        "date is allowed only without arguments (an operand sets the clock), \
                     echo without options, and rm and paths not at all: AllowList::check \
                     decides from each program's Arguments",
                    );
                }
                let response = ask(&mut stream, &Request::new("date", &[]));
                expect::that(
                    matches!(response.reply, Reply::Exited { code: 0, .. })
                        && !response.stdout.is_empty(),
                    "the reply of rexec-server to a bare `date`: it prints the time",
                    &response,
                    "a program allowed without arguments runs when it gets none",
                );
            });
        },
    );
}
