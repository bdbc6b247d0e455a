//! Clients that leave without `/quit`, and the server stopping.

mod common;

use std::io::{ErrorKind, Write};
use std::thread;
use std::time::{Duration, Instant};

use testkit::chat::{self, ChatClient};
use testkit::deadline::DEFAULT;
use testkit::{expect, within, within_hint};

#[test]
fn a_reset_connection_counts_as_leaving() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a client whose connection is reset", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        bob.vanish();
        alice.expect(
            "* bob left",
            "a reset (RST) makes bob's next read fail with ConnectionReset: that \
             client is gone, so remove it and tell the others \"* NAME left\" (and \
             do not let the error stop the server)",
        );
        let _carol = ChatClient::join(addr, "carol");
        alice.expect("* carol joined", "the room goes on after a reset");
    });
}

#[test]
fn a_closed_connection_counts_as_leaving() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a client that closes without /quit", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        bob.hang_up();
        alice.expect(
            "* bob left",
            "when a read returns 0 bytes the client closed its side: treat it as \
             leaving, tell the others \"* NAME left\" and close the socket",
        );
    });
}

#[test]
fn a_client_vanishing_mid_line_sends_nothing() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "clients that vanish in the middle of a line",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::join(addr, "bob");
            let mut carol = ChatClient::join(addr, "carol");
            alice.expect("* bob joined", "");
            alice.expect("* carol joined", "");
            bob.expect("* carol joined", "");

            bob.send_raw(b"half a mess");
            bob.hang_up();
            alice.expect(
                "* bob left",
                "a line is complete only with its '\\n': the bytes of an unfinished line \
             are dropped when the client goes, never broadcast",
            );
            carol.send_raw("half a 消".as_bytes());
            carol.vanish();
            alice.expect(
                "* carol left",
                "the same after a reset: an unfinished line is never broadcast",
            );
        },
    );
}

#[test]
fn a_client_vanishing_before_joining_tells_nobody() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "clients that vanish before they have a name",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut shy = ChatClient::connect(addr, "shy");
            shy.send_raw(b"sh");
            shy.vanish();
            let mut silent = ChatClient::connect(addr, "silent");
            silent.send("bob smith");
            silent.expect(
                "error invalid name: spaces are not allowed",
                "a name with a space is refused",
            );
            silent.hang_up();
            let _bob = ChatClient::join(addr, "bob");
            alice.expect(
                "* bob joined",
                "clients that never joined were never in the room: their going is \
             announced to nobody",
            );
        },
    );
}

#[test]
fn a_name_is_free_again_after_its_owner_left() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "reusing the name of a client that left",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let bob = ChatClient::join(addr, "bob");
            alice.expect("* bob joined", "");
            bob.vanish();
            alice.expect("* bob left", "");
            let _bob_again = ChatClient::join(addr, "bob");
            alice.expect(
                "* bob joined",
                "when a client leaves, however it leaves, its name is free again",
            );
        },
    );
}

#[test]
fn a_client_vanishing_with_lines_still_queued_counts_as_leaving() {
    let server = common::start();
    let addr = server.addr;
    let announce = move |text: &str| server.announce(text);
    within(
        DEFAULT,
        "a client that vanishes while the server writes to it",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::connect_over_a_narrow_link(addr, "bob");
            bob.choose_name("bob");
            alice.expect("* bob joined", "");
            // 200 KiB at once: more than bob's link takes, so most of it waits in
            // his outbox when he vanishes.
            let lines: Vec<String> = (0..200)
                .map(|i| format!("{i:03} {}", "v".repeat(1000)))
                .collect();
            announce(&lines.join("\n"));
            bob.expect(
                &chat::admin(&lines[0]),
                "an announcement reaches everyone who joined",
            );
            for line in &lines {
                alice.expect(
                    &chat::admin(line),
                    "an announcement reaches everyone who joined",
                );
            }
            bob.vanish();
            alice.expect(
                "* bob left",
                "writing to a connection that was reset fails (ECONNRESET, then EPIPE): that \
             client is gone, so remove it and tell the others \"* NAME left\"; only \
             WouldBlock means \"try again at the next POLLOUT\", and no error is worth \
             retrying in a loop",
            );
        },
    );
}

#[test]
fn the_connection_closes_right_after_ok_bye() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "the close that follows \"ok bye\"", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        bob.send("/quit");
        bob.expect("ok bye", "\"/quit\" is answered \"ok bye\"");
        // A later turn of the loop: the server has certainly acted on /quit.
        bob.set_timeout(Duration::from_millis(500));
        alice.expect(
            "* bob left",
            "after \"/quit\" the others get \"* NAME left\"",
        );
        bob.expect_closed(
            "once the outbox holding \"ok bye\" is written out, send FIN at once \
             (shutdown(Write)); the 2 s linger time is how long to wait for the \
             client's own close, not a delay before the server's",
        );
    });
}

/// How long the server keeps a closing connection at most (the lesson says 2 s),
/// and the least a test waits before calling that too short.
const LINGER_TIME: Duration = Duration::from_secs(2);
const TOO_SOON: Duration = Duration::from_secs(1);

#[test]
fn a_client_that_never_closes_is_let_go_after_the_linger_time() {
    let server = common::start();
    let addr = server.addr;
    within_hint(
        LINGER_TIME * 4,
        "a client that said /quit and keeps its connection open",
        "a closing connection is dropped at its deadline, about 2 s after its last \
         line, even if the client never closes its side: keep that deadline, pass \
         poll the time left as its timeout, and on every turn drop the connections \
         whose time is up (lesson 05.9, 'Leaving, politely or not')",
        move || {
            let mut bob = ChatClient::join(addr, "bob");
            bob.quit();
            let quit_at = Instant::now();
            // Bob never closes. While the server lingers it reads and throws
            // away what he sends; once it has dropped the connection, his
            // kernel gets a reset in answer, and his next write fails. Waiting
            // between the bytes measures the server's timer; it synchronises
            // nothing.
            let failed = loop {
                if let Err(e) = bob.stream().write_all(b"?") {
                    break e;
                }
                thread::sleep(Duration::from_millis(20));
            };
            let lingered = quit_at.elapsed();
            expect::that(
                matches!(
                    failed.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
                ),
                "how bob's writes ended, after his /quit",
                &failed,
                "the server drops the connection: bob's kernel is answered with a reset",
            );
            expect::that(
                lingered >= TOO_SOON,
                "how long the server kept bob's connection after \"ok bye\"",
                format!("{} ms", lingered.as_millis()),
                "linger for about 2 s: a client that is behind needs that time to read \
                 its last lines, and dropping the socket earlier can throw them away",
            );
        },
    );
}

#[test]
fn stop_closes_every_connection_and_run_returns() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "stopping the server", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        let mut newcomer = ChatClient::connect(addr, "newcomer");
        alice.expect("* bob joined", "");
        let result = server.stop_within(Duration::from_secs(2));
        expect::ok(
            "what run returned after stop()",
            result,
            "run returns Ok(()) when it is stopped",
        );
        let hint = "when run returns, every connection is closed (dropping the room \
                    and its streams does it)";
        alice.expect_closed(hint);
        bob.expect_closed(hint);
        newcomer.expect_closed(hint);
    });
}

#[test]
fn stop_before_run_makes_run_return_at_once() {
    within(DEFAULT, "run after an early stop", || {
        expect::ok(
            "what run returned after an earlier stop()",
            common::run_after_an_early_stop(),
            "a stop requested before run starts must not be lost: the request and the \
             wake-up byte wait until the loop looks at them",
        );
    });
}
