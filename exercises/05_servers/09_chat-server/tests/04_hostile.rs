//! Input the server must survive: lines too long, bytes that are not UTF-8,
//! and a client that never reads.

mod common;

use std::time::Duration;

use testkit::chat::{self, ChatClient, MAX_LINE};
use testkit::deadline::DEFAULT;
use testkit::{within, within_hint};

#[test]
fn an_overlong_line_is_refused_without_waiting_for_its_newline() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a line with no end", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        // One byte too many, no newline, and the connection stays open: a
        // server that waits for the '\n' waits for ever.
        bob.send_raw(&vec![b'x'; MAX_LINE + 1]);
        bob.expect(
            chat::LINE_TOO_LONG,
            "more than 4096 bytes without a '\\n' is already too long: check the \
             length of the partial line after every read, not only of complete lines",
        );
        bob.expect_closed("after \"error line too long\" the server closes the connection");
        alice.expect(
            "* bob left",
            "a client closed for breaking the rules has left: tell the others",
        );
    });
}

/// How many messages of 4000 bytes wait for bob when his line is refused:
/// well over what his small receive buffer holds, well under his outbox's limit.
const BACKLOG: usize = 40;

#[test]
fn a_refused_client_still_gets_its_backlog_and_the_error() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "a client that stopped reading, then sent a line too long",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::connect_with_small_receive_buffer(addr, "bob");
            bob.choose_name("bob");
            alice.expect("* bob joined", "");
            let mut carol = ChatClient::join(addr, "carol");
            alice.expect("* carol joined", "");
            // Bob reads nothing for now: alice's messages fill his small
            // receive buffer, and the rest wait in the server.
            let texts: Vec<String> = (0..BACKLOG)
                .map(|i| format!("{i} {}", "x".repeat(4000)))
                .collect();
            for text in &texts {
                alice.send(text);
                carol.expect(
                    &chat::said("alice", text),
                    "a message reaches everyone else",
                );
            }
            bob.send_raw(&vec![b'b'; 3 * MAX_LINE]);
            // The server has acted on bob's line once the others hear he left.
            // Only then does bob read: a slow reader, still behind.
            alice.expect(
                "* bob left",
                "more than 4096 bytes without a '\\n' is a line too long, and the client \
                 who sent it has left",
            );

            let hint = "bob stopped reading, so when his line is refused the server still \
                        holds lines for him that his kernel has not received yet, and \
                        unread input from him. Closing a socket with unread input sends a \
                        reset (RST), and the reset throws away everything not yet sent. \
                        Queue the error line, write the outbox out as the socket takes it, \
                        then shut down the writing side and keep reading (and discarding) \
                        until bob closes or about 2 s pass \
                        (lesson 05.9, 'Leaving, politely or not')";
            bob.expect("* carol joined", hint);
            for text in &texts {
                bob.expect(&chat::said("alice", text), hint);
            }
            bob.expect(chat::LINE_TOO_LONG, hint);
            bob.expect_closed("after \"error line too long\" the server closes the connection");
        },
    );
}

#[test]
fn an_overlong_name_is_refused_too() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a name line with no end", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut flooder = ChatClient::connect(addr, "flooder");
        flooder.send_raw(&vec![b'n'; 3 * MAX_LINE]);
        flooder.expect(
            chat::LINE_TOO_LONG,
            "the line limit holds before a client has joined, too",
        );
        flooder.expect_closed("after the error the server closes the connection");
        let _bob = ChatClient::join(addr, "bob");
        alice.expect(
            "* bob joined",
            "a client that never joined leaves unannounced",
        );
    });
}

#[test]
fn a_line_of_exactly_the_limit_is_accepted() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "lines of exactly 4096 bytes", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        let hint = "the limit is 4096 bytes not counting the line ending: a line of \
                    exactly 4096 bytes is fine, with \"\\n\" or with \"\\r\\n\"";
        let ascii = "a".repeat(MAX_LINE);
        bob.send(&ascii);
        alice.expect(&chat::said("bob", &ascii), hint);
        let wide = "é".repeat(MAX_LINE / 2);
        bob.send_raw(format!("{wide}\r\n").as_bytes());
        alice.expect(
            &chat::said("bob", &wide),
            "the line limit counts bytes, not characters: 2048 'é' are 4096 bytes",
        );
    });
}

#[test]
fn invalid_utf8_is_refused_and_closes() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a message that is not UTF-8", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        bob.send_raw(b"fine\ncaf\xe9\nnever sent\n");
        alice.expect("bob: fine", "lines before the bad one are handled as usual");
        bob.expect(
            chat::INVALID_UTF8,
            "a line that is not UTF-8 (here Latin-1 \"caf\\xe9\") is answered \
             \"error invalid utf-8\"",
        );
        bob.expect_closed(
            "after \"error invalid utf-8\" the server closes the connection; the lines \
             after the bad one are never read",
        );
        alice.expect(
            "* bob left",
            "the bad line is not broadcast, and bob has left",
        );
    });
}

#[test]
fn invalid_utf8_as_a_name_closes_too() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a name that is not UTF-8", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut odd = ChatClient::connect(addr, "odd");
        // A UTF-16 surrogate encoded as if it were a character: not UTF-8.
        odd.send_raw(b"\xed\xa0\x80\n");
        odd.expect(chat::INVALID_UTF8, "names must be UTF-8 too");
        odd.expect_closed("after \"error invalid utf-8\" the server closes the connection");
        let _bob = ChatClient::join(addr, "bob");
        alice.expect(
            "* bob joined",
            "a client that never joined leaves unannounced",
        );
    });
}

#[test]
fn a_slow_reader_is_dropped_and_the_room_keeps_flowing() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "a client that never reads, while the others chat",
        move || chat::slow_reader_is_dropped(addr),
    );
}

/// How many empty lines the flood below holds: 2 MiB of `\n`.
const TINY_LINES: usize = 2 << 20;

#[test]
fn a_flood_of_tiny_lines_costs_no_more_than_its_bytes() {
    let server = common::start();
    let addr = server.addr;
    within_hint(
        Duration::from_secs(10),
        "2 MiB of empty lines in one write, then one message",
        "cutting lines must cost about the same per byte whether the lines are long or \
         tiny. Two ways to make it quadratic: reading everything the socket holds \
         before cutting lines (read one chunk per turn), and removing each line from \
         the front of the buffer, which moves every byte behind it once per line. \
         Move a cursor past each line instead, and drop the consumed bytes once per \
         read (lesson 05.9, 'Per-client state')",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::join(addr, "bob");
            alice.expect("* bob joined", "");
            // The deadline above is the test's limit, not alice's read timeout.
            alice.set_timeout(Duration::from_secs(30));
            let mut flood = vec![b'\n'; TINY_LINES];
            flood.extend_from_slice(b"after the flood\n");
            bob.send_raw(&flood);
            alice.expect(
                "bob: after the flood",
                "empty lines are ignored, and the line after them is a message like any \
                 other",
            );
        },
    );
}
