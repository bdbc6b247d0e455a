//! Tests for the warm-up. Run them with `cargo test` in this folder.
//!
//! Each failure names the call that went wrong, what it should have returned,
//! what it returned, and a hint.

use testkit::expect;
use warm_up::{greeting, parse_port, PortError};

#[test]
fn greets_by_name() {
    for (name, want) in [
        ("Ferris", "Hello, Ferris!"),
        ("Grace Hopper", "Hello, Grace Hopper!"),
        ("  Ferris\n", "Hello, Ferris!"),
        ("李雷", "Hello, 李雷!"),
    ] {
        expect::eq(
            &format!("greeting({name:?})"),
            greeting(name).as_str(),
            want,
            "build the text with format!(\"Hello, {name}!\"); trim the name first \
             (str::trim), but keep the spaces inside it",
        );
    }
}

#[test]
fn greets_the_world_when_the_name_is_blank() {
    for name in ["", "   ", "\t\n"] {
        expect::eq(
            &format!("greeting({name:?})"),
            greeting(name).as_str(),
            "Hello, world!",
            "after trimming, an empty name means nobody was named: greet \"world\"",
        );
    }
}

#[test]
fn parses_ports_from_1_to_65535() {
    for (text, want) in [
        ("1", 1),
        ("80", 80),
        ("8080", 8080),
        ("65535", 65535),
        ("0080", 80),
        ("  443\n", 443),
    ] {
        expect::eq(
            &format!("parse_port({text:?})"),
            &parse_port(text),
            &Ok(want),
            "trim the text (str::trim), then str::parse::<u16>() reads the digits; \
             leading zeros are fine",
        );
    }
}

#[test]
fn rejects_empty_input() {
    for text in ["", " ", "\n", " \t \r\n"] {
        expect::eq(
            &format!("parse_port({text:?})"),
            &parse_port(text),
            &Err(PortError::Empty),
            "check for empty text after trimming, before anything else",
        );
    }
}

#[test]
fn rejects_anything_but_ascii_digits() {
    for text in [
        "http", "80a", "a80", "8.0", "80 80", "-1", "+80", "0x50", "8_080", "٨٠",
    ] {
        expect::eq(
            &format!("parse_port({text:?})"),
            &parse_port(text),
            &Err(PortError::NotANumber),
            "look at every byte yourself (u8::is_ascii_digit): parse::<u16>() accepts \
             a leading '+', and char::is_numeric accepts digits of other scripts",
        );
    }
}

#[test]
fn rejects_zero_and_numbers_above_65535() {
    const ZERO: &str = "0 is not a port anyone listens on (bind uses it to mean \"any free port\")";
    const TOO_LARGE: &str = "a port is 16 bits: when parse::<u16>() fails on text that is only \
                             digits, the number is too large, however long it is";
    for (text, want, hint) in [
        ("0", PortError::Zero, ZERO),
        ("000", PortError::Zero, ZERO),
        ("65536", PortError::TooLarge, TOO_LARGE),
        ("70000", PortError::TooLarge, TOO_LARGE),
        ("4294967296", PortError::TooLarge, TOO_LARGE),
        (
            "99999999999999999999999999999999",
            PortError::TooLarge,
            TOO_LARGE,
        ),
    ] {
        expect::eq(
            &format!("parse_port({text:?})"),
            &parse_port(text),
            &Err(want),
            hint,
        );
    }
}
