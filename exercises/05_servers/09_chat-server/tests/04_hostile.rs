//! Input the server must survive: lines too long, bytes that are not UTF-8,
//! and a client that never reads.

mod common;

use std::io::{ErrorKind, Write};
use std::time::Duration;

use chat_server::OUTBOX_LIMIT;
use testkit::chat::{self, ChatClient, MAX_LINE};
use testkit::deadline::DEFAULT;
use testkit::{expect, within, within_hint};

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

/// What waits for bob when his line is refused: an announcement of this many
/// bytes, then this many messages of 4000 bytes. Together well over what the
/// kernels' buffers hold for his narrow link, well under his outbox's limit.
const BACKLOG_ANNOUNCED: usize = 200 * 1024;
const BACKLOG_MESSAGES: usize = 20;

#[test]
fn a_refused_client_still_gets_its_backlog_and_the_error() {
    let server = common::start();
    let addr = server.addr;
    let announce = move |text: &str| server.announce(text);
    within(
        DEFAULT,
        "a client that stopped reading, then sent a line too long",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            // A narrow link: the kernels' buffers hold little for him, and
            // the rest of his backlog waits in his outbox.
            let mut bob = ChatClient::connect_over_a_narrow_link(addr, "bob");
            bob.choose_name("bob");
            alice.expect("* bob joined", "");
            let mut carol = ChatClient::join(addr, "carol");
            alice.expect("* carol joined", "");
            // Bob reads nothing for now. An announcement, queued for everyone
            // in one turn of the loop, fills his buffers; most of it, and the
            // messages after it, wait in his outbox.
            let notice = announcement_of(BACKLOG_ANNOUNCED);
            announce(&notice.join("\n"));
            for line in &notice {
                for client in [&mut alice, &mut carol] {
                    client.expect(
                        &chat::admin(line),
                        "an announcement reaches everyone who joined",
                    );
                }
            }
            let texts: Vec<String> = (0..BACKLOG_MESSAGES)
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
            // Another turn of the loop, for carol's message: by its end the
            // server has also read, and thrown away, the rest of bob's line.
            carol.send("bob went quiet");
            alice.expect(
                &chat::said("carol", "bob went quiet"),
                "a message reaches everyone else",
            );

            let hint = "bob stopped reading, so when his line is refused the server still \
                        holds lines for him that his kernel has not received yet, and \
                        unread input from him. Closing a socket with unread input sends a \
                        reset (RST), and the reset throws away everything not yet sent. \
                        Queue the error line, write the outbox out as the socket takes it, \
                        then shut down the writing side and keep reading (and discarding) \
                        until bob closes, about 2 s pass, or he has sent 64 KiB more \
                        (lesson 05.9, 'Leaving, politely or not')";
            bob.expect("* carol joined", hint);
            for line in &notice {
                bob.expect(&chat::admin(line), hint);
            }
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
        // The same length in two writes, with a turn of the loop between them.
        let held = "c".repeat(MAX_LINE);
        bob.send_raw(held.as_bytes());
        alice.send("still there?");
        bob.expect(
            &chat::said("alice", "still there?"),
            "4096 bytes without a newline are not too long yet: only more than 4096 \
             prove the line too long (check the waiting bytes with >, not >=)",
        );
        bob.send_raw(b"\n");
        alice.expect(
            &chat::said("bob", &held),
            "a line of 4096 bytes whose newline comes in a later read is fine too",
        );
    });
}

/// The lines of an announcement whose `[admin] ` lines take exactly `total`
/// bytes in an outbox, each line's `\n` included.
fn announcement_of(total: usize) -> Vec<String> {
    const PREFIX_AND_NEWLINE: usize = "[admin] \n".len();
    const LINE: usize = 1000 + PREFIX_AND_NEWLINE;
    let mut lines = Vec::new();
    let mut left = total;
    while left > 0 {
        // Whole lines, then the rest in one or two lines of at least half a
        // line each, so that every line has room for its number.
        let cost = if left >= 2 * LINE {
            LINE
        } else if left > LINE {
            left / 2
        } else {
            left
        };
        let number = format!("{:03} ", lines.len());
        let text = number.clone() + &"a".repeat(cost - PREFIX_AND_NEWLINE - number.len());
        lines.push(text);
        left -= cost;
    }
    lines
}

#[test]
fn an_announcement_bigger_than_the_socket_takes_arrives_whole() {
    let server = common::start();
    let addr = server.addr;
    let announce = move |text: &str| server.announce(text);
    within(
        DEFAULT,
        "200 KiB of announcement for a client on a narrow link",
        move || {
            let mut bob = ChatClient::connect_over_a_narrow_link(addr, "bob");
            bob.choose_name("bob");
            let lines = announcement_of(200 * 1024);
            announce(&lines.join("\n"));
            for line in &lines {
                bob.expect(
                    &chat::admin(line),
                    "the socket takes only part of a big outbox: write until the \
                     write fails with WouldBlock, keep the rest, and go on at the \
                     next POLLOUT. WouldBlock is not an error and not a reason to drop \
                     the client",
                );
            }
            let _carol = ChatClient::join(addr, "carol");
            bob.expect("* carol joined", "bob is still in the room");
        },
    );
}

#[test]
fn an_outbox_holds_exactly_outbox_limit_bytes() {
    let server = common::start();
    let addr = server.addr;
    let announce = move |text: &str| server.announce(text);
    within(DEFAULT, "announcements the size of an outbox", move || {
        let mut bob = ChatClient::join(addr, "bob");
        // Queued in one turn of the loop, before anything is written.
        let fits = announcement_of(OUTBOX_LIMIT);
        announce(&fits.join("\n"));
        for line in &fits {
            bob.expect(
                &chat::admin(line),
                "an outbox holds up to OUTBOX_LIMIT bytes: a line that makes it exactly \
                 full still fits (refuse a line only when the total would be MORE than \
                 the limit, counting its '\\n')",
            );
        }
        let _carol = ChatClient::join(addr, "carol");
        bob.expect("* carol joined", "bob is still in the room");

        let one_too_many = announcement_of(OUTBOX_LIMIT + 1);
        announce(&one_too_many.join("\n"));
        bob.expect_closed(
            "these lines take OUTBOX_LIMIT + 1 bytes, one more than an outbox holds: the \
             last line does not fit, so bob is dropped (count each line with its '\\n')",
        );
    });
}

/// What bob sends after /quit, one chunk per turn of the loop: an odd size,
/// so that the bytes the server reads and throws away never add up to exactly
/// 64 KiB; and more chunks than it takes to pass 64 KiB.
const AFTERWORD: usize = 3000;
const AFTERWORDS: usize = 40;

#[test]
fn a_client_that_keeps_sending_after_quit_is_cut_off() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "a client that sends and sends after /quit",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut carol = ChatClient::join(addr, "carol");
            alice.expect("* carol joined", "");
            let mut bob = ChatClient::join(addr, "bob");
            alice.expect("* bob joined", "");
            carol.expect("* bob joined", "");
            bob.quit();
            alice.expect("* bob left", "");
            carol.expect("* bob left", "");
            let afterword = vec![b'z'; AFTERWORD];
            let mut sent = 0;
            let failed = loop {
                if let Err(e) = bob.stream().write_all(&afterword) {
                    break e;
                }
                sent += 1;
                if sent > AFTERWORDS {
                    panic!(
                        "bob has sent {} bytes since \"ok bye\" and is still connected\n  \
                     hint: while lingering, count the bytes read and thrown away; past \
                     64 KiB, drop the connection at once instead of waiting for the 2 s \
                     deadline (lesson 05.9, 'Leaving, politely or not')",
                        sent * AFTERWORD
                    );
                }
                // A turn of the loop, for alice's message: by its end the server has
                // read (and thrown away) bob's chunk.
                let tick = format!("tick {sent}");
                alice.send(&tick);
                carol.expect(
                    &chat::said("alice", &tick),
                    "a message reaches everyone else",
                );
            };
            expect::that(
                matches!(
                    failed.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
                ),
                "how bob's writes after /quit ended",
                &failed,
                "the server drops a closing connection that sent more than 64 KiB: bob's \
             kernel is answered with a reset",
            );
        },
    );
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
