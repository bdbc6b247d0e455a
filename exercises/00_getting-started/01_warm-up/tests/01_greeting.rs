//! Step 1: `greeting`. Run these tests alone with `cargo test --test 01_greeting`.
//!
//! Each failure names the call that went wrong, what it should have returned,
//! what it returned, and a hint.

use testkit::expect;
use warm_up::greeting;

#[test]
fn greets_by_name() {
    for (name, want) in [
        ("Ferris", "Hello, Ferris!"),
        ("Grace Hopper", "Hello, Grace Hopper!"),
        ("Ada \t Lovelace", "Hello, Ada \t Lovelace!"),
        ("  Ferris\n", "Hello, Ferris!"),
        ("李雷", "Hello, 李雷!"),
    ] {
        expect::eq(
            &format!("greeting({name:?})"),
            greeting(name).as_str(),
            want,
            "build the text with format!(\"Hello, {name}!\"); trim the name first \
             (str::trim), but keep the whitespace inside it exactly as it is",
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
