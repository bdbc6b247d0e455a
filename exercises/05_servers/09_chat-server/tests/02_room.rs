//! The protocol of the room: names, messages, commands, announcements.
//!
//! Every test talks to a real server over loopback through `testkit::chat`.
//! A test that must show that a client did NOT receive something makes
//! something else happen afterwards and checks that it is the next line.

mod common;

use testkit::chaos::{self, Chunking};
use testkit::chat::{self, ChatClient, Log};
use testkit::deadline::DEFAULT;
use testkit::within;

#[test]
fn welcomes_a_name_and_tells_the_others() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "two clients joining", move || {
        let mut alice = ChatClient::connect(addr, "alice");
        alice.send("alice");
        alice.expect(
            "ok welcome alice",
            "the first line a client sends is its name; answer a good one with \
             \"ok welcome NAME\\n\"",
        );
        let _bob = ChatClient::join(addr, "bob");
        alice.expect(
            "* bob joined",
            "when a client joins, everyone already in the room gets \"* NAME joined\"",
        );
    });
}

#[test]
fn a_message_reaches_everyone_but_its_sender() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a message to the room", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        let mut carol = ChatClient::join(addr, "carol");
        alice.expect("* bob joined", "join notices come in the order of joining");
        alice.expect(
            "* carol joined",
            "join notices come in the order of joining",
        );
        bob.expect(
            "* carol joined",
            "join notices come in the order of joining",
        );

        alice.send("hello, room");
        let hint = "a line from a client that joined goes to every other client as \
                    \"NAME: text\\n\"";
        bob.expect("alice: hello, room", hint);
        carol.expect("alice: hello, room", hint);
        // Had alice received her own message, it would come before bob's.
        bob.send("hi alice");
        alice.expect(
            "bob: hi alice",
            "the sender does not get its own message back; the next line alice \
             receives is bob's answer",
        );
        carol.expect("bob: hi alice", hint);
    });
}

#[test]
fn refuses_a_taken_name_and_lets_the_client_try_another() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "a duplicate name", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut second = ChatClient::connect(addr, "second client");
        second.send("alice");
        second.expect(
            "error name taken",
            "a name already in the room is refused with \"error name taken\\n\"; keep \
             the connection open so the client can try again",
        );
        second.choose_name("alice2");
        alice.expect(
            "* alice2 joined",
            "a refused name is not announced; the next thing alice hears is the \
             second client joining under its new name",
        );
        // Names are compared exactly: another case is another name.
        let _other = ChatClient::join(addr, "Alice");
        alice.expect(
            "* Alice joined",
            "names are case-sensitive: \"Alice\" is free",
        );
    });
}

#[test]
fn refuses_invalid_names_and_says_why() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "invalid names", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut newcomer = ChatClient::connect(addr, "newcomer");
        let cases = [
            ("", "empty"),
            (&"a".repeat(33), "more than 32 characters"),
            (&"é".repeat(33), "more than 32 characters"),
            ("bell\u{7}", "control characters are not allowed"),
            ("tab\tbed", "control characters are not allowed"),
            ("bob smith", "spaces are not allowed"),
            ("wide\u{3000}space", "spaces are not allowed"),
            ("/bob", "must not start with '/'"),
        ];
        for (name, why) in cases {
            newcomer.send(name);
            newcomer.expect(
                &chat::invalid_name(why),
                &format!(
                    "the name {name:?} breaks a rule; the checks run in this order: \
                     not empty, at most 32 characters (chars, not bytes), no control \
                     characters, no whitespace (char::is_whitespace), no leading '/'; \
                     the connection stays open"
                ),
            );
        }
        // 32 characters of two bytes each: the limit counts characters.
        let longest = "é".repeat(32);
        newcomer.choose_name(&longest);
        alice.expect(
            &chat::joined(&longest),
            "refused names are announced to nobody; a 32-character name is accepted",
        );
    });
}

#[test]
fn quit_says_goodbye_and_tells_the_others() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "two clients quitting", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        let mut carol = ChatClient::join(addr, "carol");
        alice.expect("* bob joined", "");
        alice.expect("* carol joined", "");
        bob.expect("* carol joined", "");

        bob.quit();
        alice.expect(
            "* bob left",
            "after \"/quit\" the others get \"* NAME left\"",
        );
        carol.expect(
            "* bob left",
            "after \"/quit\" the others get \"* NAME left\"",
        );

        carol.send("/quit see you tomorrow");
        carol.expect(
            "ok bye",
            "\"/quit\" is the first word of the line; words after it are ignored",
        );
        carol.expect_closed("after \"ok bye\" the server closes the connection");
        alice.expect(
            "* carol left",
            "after \"/quit\" the others get \"* NAME left\"",
        );
    });
}

#[test]
fn quit_before_joining_tells_nobody() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "quitting before choosing a name", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut shy = ChatClient::connect(addr, "shy");
        shy.quit();
        let _bob = ChatClient::join(addr, "bob");
        alice.expect(
            "* bob joined",
            "a client that leaves before it has a name was never in the room: nobody \
             is told",
        );
    });
}

#[test]
fn lines_after_quit_are_ignored() {
    let server = common::start();
    let addr = server.addr;
    within(
        DEFAULT,
        "lines that come after /quit in the same read",
        move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::join(addr, "bob");
            alice.expect("* bob joined", "");
            // One write, so the server reads the three lines at once.
            bob.send_raw(b"/quit\nstill talking\n/nick bobby\n");
            bob.expect("ok bye", "\"/quit\" is answered \"ok bye\"");
            bob.expect_closed(
                "after \"/quit\" the client is out of the room: the lines it sent after \
             it are never acted on (no message, no reply, not even an error), however \
             many came in the same read",
            );
            alice.expect(
                "* bob left",
                "the others hear \"* NAME left\", and nothing of what bob sent after /quit",
            );
            // Before joining too: the line after /quit is no name.
            let mut shy = ChatClient::connect(addr, "shy");
            shy.send_raw(b"/quit\ncarol\n");
            shy.expect(
                "ok bye",
                "\"/quit\" before joining is answered \"ok bye\" too",
            );
            shy.expect_closed("after \"ok bye\" the server closes the connection");
            let _dave = ChatClient::join(addr, "dave");
            alice.expect(
                "* dave joined",
                "a line that comes after /quit is not taken as a name: carol never joined",
            );
        },
    );
}

#[test]
fn blank_lines_are_ignored() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "blank lines", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        alice.send("");
        alice.send("   ");
        alice.send_raw(b"\r\n");
        alice.send("after the blanks");
        bob.expect(
            "alice: after the blanks",
            "an empty line, or one of only whitespace, is ignored: nothing is sent",
        );
        bob.send("ok");
        alice.expect(
            "bob: ok",
            "blank lines get no reply either (not even an error)",
        );
    });
}

#[test]
fn control_characters_are_refused_and_the_client_stays() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "control characters in messages", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        for text in [
            "clear \u{1b}[2J the screen",
            "ring\u{7}",
            "tab\there",
            "a\rb",
        ] {
            alice.send(text);
            alice.expect(
                "error control characters are not allowed",
                &format!(
                    "{text:?} holds a control character (an escape sequence can rewrite \
                     the other terminals); refuse it with an error to the sender only"
                ),
            );
        }
        alice.send("still here");
        bob.expect(
            "alice: still here",
            "refused messages reach nobody, and the sender stays in the room",
        );
    });
}

#[test]
fn unknown_commands_get_an_error() {
    let server = common::start();
    let addr = server.addr;
    within(DEFAULT, "an unknown command", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        alice.expect("* bob joined", "");
        alice.send("/nick bobby");
        alice.expect(
            "error unknown command: /nick",
            "a line starting with '/' is a command; only /quit exists, any other gets \
             \"error unknown command: <its first word>\"",
        );
        alice.send("/quitting");
        alice.expect(
            "error unknown command: /quitting",
            "the command is the whole first word: \"/quitting\" is not \"/quit\"",
        );
        alice.send("plain text");
        bob.expect(
            "alice: plain text",
            "commands are never broadcast, and alice is still in the room",
        );
    });
}

#[test]
fn lines_arrive_whole_however_the_bytes_are_cut() {
    let talk = "bob\r\nhéllo wörld 你好\r\nsecond\n\nthird 🦀\n".as_bytes();
    for chunking in Chunking::ALL {
        let server = common::start();
        let addr = server.addr;
        within(DEFAULT, "lines sent in pieces", move || {
            let mut alice = ChatClient::join(addr, "alice");
            let mut bob = ChatClient::connect(addr, "bob");
            if let Err(e) = chaos::write_chunked(&mut bob.stream(), talk, chunking) {
                panic!("bob could not send in {chunking}: {e}");
            }
            let hint = format!(
                "bob's bytes came in {chunking}: one read is not one line; keep each \
                 client's partial line until its '\\n' arrives (a character may be split \
                 too), and drop the '\\r' of a \"\\r\\n\""
            );
            bob.expect("ok welcome bob", &hint);
            for want in [
                "* bob joined",
                "bob: héllo wörld 你好",
                "bob: second",
                "bob: third 🦀",
            ] {
                alice.expect(want, &hint);
            }
        });
    }
}

#[test]
fn announcements_reach_everyone_who_joined() {
    let server = common::start();
    let addr = server.addr;
    let announce = move |text: &str| server.announce(text);
    within(DEFAULT, "announcements", move || {
        let mut alice = ChatClient::join(addr, "alice");
        let mut bob = ChatClient::join(addr, "bob");
        let mut newcomer = ChatClient::connect(addr, "newcomer");
        alice.expect("* bob joined", "");
        announce("the room closes at midnight\nsave your work");
        announce("");
        let hint = "Announcer::announce sends \"[admin] <line>\" for each line of its \
                    text to every client that joined; the loop must wake up for it (it \
                    is asleep in poll) through the wake-up socket";
        for client in [&mut alice, &mut bob] {
            client.expect("[admin] the room closes at midnight", hint);
            client.expect("[admin] save your work", hint);
        }
        newcomer.choose_name("carol");
        alice.expect("* carol joined", "an empty announcement sends nothing");
        announce("welcome, carol");
        newcomer.expect(
            "[admin] welcome, carol",
            "a client still choosing its name is not in the room and gets no \
             announcement; once it joined, it gets them",
        );
    });
}

#[test]
fn three_clients_session_transcript() {
    let server = common::start();
    let addr = server.addr;
    let announce = move |text: &str| server.announce(text);
    let transcript = within(DEFAULT, "a session of three clients", move || {
        let log = Log::new();
        let mut alice = ChatClient::connect(addr, "alice").logged(&log);
        alice.choose_name("alice");

        let mut bob = ChatClient::connect(addr, "bob").logged(&log);
        bob.send("bob smith");
        bob.expect(&chat::invalid_name("spaces are not allowed"), "");
        bob.send("alice");
        bob.expect(chat::NAME_TAKEN, "");
        bob.choose_name("bob");
        alice.expect("* bob joined", "");

        let mut carol = ChatClient::connect(addr, "carol").logged(&log);
        carol.choose_name("carol");
        alice.expect("* carol joined", "");
        bob.expect("* carol joined", "");

        alice.send("hello, room");
        bob.expect("alice: hello, room", "");
        carol.expect("alice: hello, room", "");
        bob.send("hi alice 👋");
        alice.expect("bob: hi alice 👋", "");
        carol.expect("bob: hi alice 👋", "");
        carol.send("/nick caz");
        carol.expect(&chat::unknown_command("/nick"), "");

        log.note("the operator announces \"the room closes at midnight\"");
        announce("the room closes at midnight");
        for client in [&mut alice, &mut bob, &mut carol] {
            client.expect("[admin] the room closes at midnight", "");
        }

        carol.quit();
        alice.expect("* carol left", "");
        bob.expect("* carol left", "");
        bob.vanish();
        alice.expect("* bob left", "");
        alice.quit();
        log.render()
    });
    insta::assert_snapshot!(transcript);
}
