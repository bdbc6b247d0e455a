//! Step 1: the rules of the protocol, as pure functions, before any socket.
//!
//! `check_name` and `parse` in `src/protocol.rs` decide what a line means; the
//! server only decides who gets the answer. Run these alone with
//! `cargo test --test 01_protocol`.

use chat_server::protocol::{check_name, parse, NameError, Request};
use testkit::expect;

#[test]
fn check_name_accepts_plain_names() {
    for name in ["alice", "Alice", "bob_2", "你好", "[admin]", "a/b", "é"] {
        expect::eq(
            &format!("check_name({name:?})"),
            &check_name(name),
            &Ok(()),
            "any non-empty name of at most 32 characters with no control character, no \
             whitespace and no leading '/' is fine (a '/' further in is allowed)",
        );
    }
}

#[test]
fn check_name_counts_characters_not_bytes() {
    let longest = "é".repeat(32); // 64 bytes, 32 characters
    expect::eq(
        "check_name of 32 'é' (64 bytes)",
        &check_name(&longest),
        &Ok(()),
        "the limit is 32 characters: count with chars().count(), not len() (bytes)",
    );
    for name in ["a".repeat(33), "é".repeat(33)] {
        expect::eq(
            &format!("check_name of {} characters", name.chars().count()),
            &check_name(&name),
            &Err(NameError::TooLong),
            "33 characters are one too many",
        );
    }
}

#[test]
fn check_name_refuses_in_the_documented_order() {
    let long_slash = format!("/{}", "x".repeat(40));
    let cases: [(&str, NameError, &str); 9] = [
        ("", NameError::Empty, "an empty name comes first"),
        (
            &long_slash,
            NameError::TooLong,
            "length is checked before the '/'",
        ),
        (
            "bell\u{7}",
            NameError::ControlChar,
            "BEL is a control character",
        ),
        (
            "tab\tbed",
            NameError::ControlChar,
            "a tab is whitespace AND a control character: control characters are \
             checked first",
        ),
        ("bob smith", NameError::Whitespace, "a space"),
        (
            "wide\u{3000}space",
            NameError::Whitespace,
            "the ideographic space U+3000 is whitespace too: use char::is_whitespace",
        ),
        (
            "/ bob",
            NameError::Whitespace,
            "whitespace is checked before the '/'",
        ),
        (
            "/bob",
            NameError::Slash,
            "a leading '/' would look like a command",
        ),
        ("/", NameError::Slash, "a '/' alone starts with '/'"),
    ];
    for (name, want, why) in cases {
        expect::eq(
            &format!("check_name({name:?})"),
            &check_name(name),
            &Err(want),
            &format!(
                "{why}; the checks run in this order: empty, more than 32 characters, \
                 control characters, whitespace, leading '/'"
            ),
        );
    }
}

#[test]
fn parse_ignores_blank_lines() {
    for line in ["", " ", "   ", "\t", " \u{3000} "] {
        expect::eq(
            &format!("parse({line:?})"),
            &parse(line),
            &Request::Blank,
            "an empty line, or one of only whitespace (trim it first), is Blank: \
             nobody wants to read \"bob:   \"",
        );
    }
}

#[test]
fn parse_refuses_control_characters_before_commands() {
    for line in [
        "clear \u{1b}[2J",
        "ring\u{7}",
        "tab\there",
        "a\rb",
        "/quit\u{7}",
        "/nick\u{1b}",
    ] {
        expect::eq(
            &format!("parse({line:?})"),
            &parse(line),
            &Request::ControlChars,
            "a line with any control character is ControlChars, checked before the \
             command, so that no reply ever echoes a control character back",
        );
    }
}

#[test]
fn parse_finds_commands_by_their_first_word() {
    let cases = [
        ("/quit", Request::Quit),
        ("/quit see you tomorrow", Request::Quit),
        ("/quitting", Request::Unknown("/quitting")),
        ("/nick bobby", Request::Unknown("/nick")),
        ("/", Request::Unknown("/")),
    ];
    for (line, want) in cases {
        expect::eq(
            &format!("parse({line:?})"),
            &parse(line),
            &want,
            "a line that starts with '/' is a command: its first word (up to the first \
             whitespace) is exactly \"/quit\", or it is Unknown with that first word",
        );
    }
}

#[test]
fn parse_passes_messages_exactly_as_typed() {
    for line in ["hello, room", "  indented  ", " /quit", "a/b", "你好 🦀"] {
        expect::eq(
            &format!("parse({line:?})"),
            &parse(line),
            &Request::Say(line),
            "anything else is a message, the whole line exactly as typed (not trimmed; \
             a '/' that is not the first character is no command)",
        );
    }
}
