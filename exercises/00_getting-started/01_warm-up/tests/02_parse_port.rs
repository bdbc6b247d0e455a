//! Step 2: `parse_port`. Run these tests alone with
//! `cargo test --test 02_parse_port`.
//!
//! Each failure names the call that went wrong, what it should have returned,
//! what it returned, and a hint.

use testkit::expect;
use warm_up::{parse_port, PortError};

#[test]
fn parses_ports_from_1_to_65535() {
    for (text, want) in [
        ("1", 1),
        ("80", 80),
        ("8080", 8080),
        ("65535", 65535),
        ("0080", 80),
        ("0000000443", 443),
        ("  443\n", 443),
    ] {
        expect::eq(
            &format!("parse_port({text:?})"),
            &parse_port(text),
            &Ok(want),
            "trim the text (str::trim), then str::parse::<u16>() reads the digits; \
             leading zeros are fine, however many there are",
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

#[test]
fn each_error_reads_as_a_sentence() {
    // `PortError`'s Display is given: it is what a program prints when the port
    // on its command line is wrong. Each error from `parse_port` must print as
    // words that say what was wrong, never as nothing.
    for (text, want) in [
        ("", "no port number given"),
        ("80a", "a port number is written with the digits 0-9 only"),
        (
            "0",
            "port 0 means \"any free port\"; it cannot be connected to",
        ),
        ("65536", "port numbers stop at 65535"),
    ] {
        expect::eq(
            &format!("parse_port({text:?}), the error printed with {{}}"),
            &parse_port(text).map_err(|e| e.to_string()),
            &Err(want.to_string()),
            "return the PortError variant its doc comment names; its Display text is given",
        );
    }
}
