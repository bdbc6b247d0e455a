//! Clients that leave without `/quit`, and the server stopping.

mod common;

use std::time::Duration;

use testkit::chat::ChatClient;
use testkit::deadline::DEFAULT;
use testkit::{expect, within};

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
