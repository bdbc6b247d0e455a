//! Serialisation with serde, shown step by step: typed messages, what a parser
//! refuses, how a message format evolves, a depth limit, and text against binary.
//!
//! Run it from the exercise folder (it does not use your code):
//!
//! ```text
//! cargo run --example serialization
//! ```
//!
//! Lesson: `book/02_framing/07_serialization.md`.

use serde::{Deserialize, Serialize};

// ANCHOR: types
/// Version 1 of a request: exactly these fields, nothing else.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchV1 {
    id: u32,
    path: String,
}

/// Version 2 adds a field. `default` makes it optional on the wire, so a
/// version 1 message still parses (with `offset` = 0).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct FetchV2 {
    id: u32,
    path: String,
    #[serde(default)]
    offset: u64,
}

/// A closed set of message kinds. The `"type"` field picks one of these
/// variants, and nothing else: the input chooses data, never code.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Command {
    Fetch { path: String },
    Delete { path: String },
}
// ANCHOR_END: types

fn main() {
    round_trip();
    typed_parsing();
    unknown_and_missing_fields();
    a_closed_set_of_kinds();
    nesting_depth();
    text_and_binary();
}

// ANCHOR: round_trip
fn round_trip() {
    let request = FetchV1 {
        id: 7,
        path: "报告.txt".into(),
    };
    let bytes: Vec<u8> = serde_json::to_vec(&request).expect("plain data always serialises");
    // JSON is text: the bytes are always valid UTF-8.
    println!(
        "on the wire: {}",
        std::str::from_utf8(&bytes).expect("JSON is UTF-8")
    );
    let back: FetchV1 = serde_json::from_slice(&bytes).expect("what we wrote parses");
    assert_eq!(back, request);
}
// ANCHOR_END: round_trip

// ANCHOR: typed
fn typed_parsing() {
    for json in [
        r#"{"id":"7","path":"a"}"#,        // a number written as a string
        r#"{"id":-1,"path":"a"}"#,         // negative, but id is a u32
        r#"{"id":4294967296,"path":"a"}"#, // 2^32 does not fit a u32
        r#"{"path":"a"}"#,                 // id missing
        r#"{"id":7,"path":"a"} x"#,        // bytes after the value
    ] {
        let parsed: Result<FetchV1, _> = serde_json::from_str(json);
        let err = parsed.expect_err("every one of these is refused");
        println!("{json:<32} -> {err}");
    }
}
// ANCHOR_END: typed

// ANCHOR: evolution
fn unknown_and_missing_fields() {
    // A new sender talks to an old, strict receiver: refused, with the reason.
    let v2 = r#"{"id":1,"path":"a","offset":5}"#;
    let strict: Result<FetchV1, _> = serde_json::from_str(v2);
    println!("v2 message, v1 strict receiver -> {}", strict.unwrap_err());

    // An old sender talks to a new receiver: the missing field takes its default.
    let v1 = r#"{"id":1,"path":"a"}"#;
    let new: FetchV2 = serde_json::from_str(v1).expect("offset has a default");
    println!("v1 message, v2 receiver -> {new:?}");
    assert_eq!(new.offset, 0);
}
// ANCHOR_END: evolution

// ANCHOR: closed_set
fn a_closed_set_of_kinds() {
    let ok: Command =
        serde_json::from_str(r#"{"type":"delete","path":"old.log"}"#).expect("a declared variant");
    println!("a declared kind -> {ok:?}");
    let evil = r#"{"type":"os.system","path":"rm -rf ~"}"#;
    let refused: Result<Command, _> = serde_json::from_str(evil);
    println!("any other kind -> {}", refused.unwrap_err());
}
// ANCHOR_END: closed_set

// ANCHOR: depth
fn nesting_depth() {
    // 100,000 nested arrays: 200 KB that would need 100,000 stack frames to
    // parse recursively. serde_json stops at a depth of 128.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(&deep);
    println!("100000 nested arrays -> {}", parsed.unwrap_err());
}
// ANCHOR_END: depth

// ANCHOR: binary
/// The same request as a fixed binary layout, written by hand: the field names
/// are gone, the numbers are raw bytes, and both sides must agree on the layout.
///
/// ```text
/// [id: u32 big-endian][path length: u16 big-endian][path: UTF-8 bytes]
/// ```
fn encode_binary(request: &FetchV1) -> Vec<u8> {
    let path = request.path.as_bytes();
    let len = u16::try_from(path.len()).expect("a path under 64 KiB");
    let mut out = Vec::with_capacity(6 + path.len());
    out.extend_from_slice(&request.id.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(path);
    out
}

fn text_and_binary() {
    let request = FetchV1 {
        id: 7,
        path: "a.txt".into(),
    };
    let text = serde_json::to_vec(&request).unwrap();
    let binary = encode_binary(&request);
    let readable = std::str::from_utf8(&text).expect("JSON is UTF-8");
    println!("JSON:   {:2} bytes  {readable}", text.len());
    println!(
        "binary: {:2} bytes  {}",
        binary.len(),
        binary.escape_ascii()
    );
}
// ANCHOR_END: binary
