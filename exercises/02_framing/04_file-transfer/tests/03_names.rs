//! Step 3, `FileName::new`: a name from the network is checked before it becomes
//! a path.
//!
//! The lesson: (lesson 02.4, 'A name is not a path').

use std::path::Path;

use file_transfer::{FileName, NameError, MAX_NAME_LEN};
use testkit::expect;

const GOOD_NAMES: &[&str] = &[
    "report.pdf",
    "a",
    "README",
    "with space.txt",
    "x..y",
    "a.b.c",
    "trailing-dot.",
    "报告 2024.txt",
    "отчёт.pdf",
    "😀.png",
];

#[test]
fn plain_file_names_are_accepted() {
    let longest = "a".repeat(MAX_NAME_LEN);
    let longest_cjk = "文".repeat(MAX_NAME_LEN / 3); // 3 bytes each: exactly 255
    let mut names: Vec<&str> = GOOD_NAMES.to_vec();
    names.push(&longest);
    names.push(&longest_cjk);
    for name in names {
        let parsed = expect::ok(
            &format!("FileName::new({name:?})"),
            FileName::new(name),
            "a plain name (no '/', '\\', ':', control characters or leading dot, at most \
             255 bytes) must be accepted; any other Unicode is fine",
        );
        expect::eq(
            &format!("FileName::new({name:?}).as_str()"),
            parsed.as_str(),
            name,
            "keep the name exactly as given",
        );
    }
}

#[test]
fn hostile_names_are_refused_with_the_reason() {
    let cases: Vec<(String, NameError)> = vec![
        (String::new(), NameError::Empty),
        (".".into(), NameError::LeadingDot),
        ("..".into(), NameError::LeadingDot),
        (".bashrc".into(), NameError::LeadingDot),
        (".upload-abc123.part".into(), NameError::LeadingDot),
        ("a/b".into(), NameError::Separator),
        ("/etc/passwd".into(), NameError::Separator),
        ("uploads/".into(), NameError::Separator),
        ("a\\b".into(), NameError::Separator),
        ("C:x".into(), NameError::Colon),
        ("file.txt:stream".into(), NameError::Colon),
        ("nul\0byte".into(), NameError::Control),
        ("line\nbreak".into(), NameError::Control),
        ("red\x1b[31m".into(), NameError::Control),
        ("del\x7f".into(), NameError::Control),
        ("c1\u{85}control".into(), NameError::Control),
        (
            "a".repeat(MAX_NAME_LEN + 1),
            NameError::TooLong { len: 256 },
        ),
        // 86 characters, but 258 bytes: the limit counts bytes.
        ("文".repeat(86), NameError::TooLong { len: 258 }),
    ];
    for (name, reason) in cases {
        expect::eq(
            &format!("FileName::new({name:?})"),
            &FileName::new(&name),
            &Err(reason),
            "see the rules in the lesson's 'A name is not a path'; the first failing \
             rule in the order of NameError's variants decides the reason",
        );
    }
}

#[test]
fn paths_in_disguise_are_refused() {
    for name in [
        "../x",
        "..\\x",
        "../../etc/passwd",
        "C:\\Windows\\win.ini",
        "\\\\server\\share",
        "/",
        "./x",
        "a/../../b",
    ] {
        let result = FileName::new(name);
        expect::that(
            result.is_err(),
            &format!("FileName::new({name:?}) must be refused"),
            &result,
            "a name with a separator, a colon or a leading dot could point outside the \
             folder once joined to it",
        );
    }
}

#[test]
fn an_accepted_name_joins_to_a_direct_child() {
    let dir = Path::new("uploads");
    for &name in GOOD_NAMES {
        let name = expect::ok(name, FileName::new(name), "this name is plain");
        let joined = dir.join(&name);
        expect::eq(
            &format!("the parent of uploads.join({name:?})"),
            &joined.parent(),
            &Some(dir),
            "FileName must implement AsRef<Path> as the plain name",
        );
    }
}

#[test]
fn names_and_refusals_display_as_text() {
    for &name in GOOD_NAMES {
        let parsed = expect::ok(name, FileName::new(name), "this name is plain");
        expect::eq(
            &format!("FileName::new({name:?}) shown with {{}}"),
            parsed.to_string().as_str(),
            name,
            "a FileName displays as the name itself",
        );
    }
    let too_long = "a".repeat(MAX_NAME_LEN + 1);
    let cases: [(&str, &str); 6] = [
        ("", "the name is empty"),
        (&too_long, "the name is 256 bytes long, over 255"),
        (".bashrc", "the name starts with a dot"),
        ("a/b", "the name contains a path separator"),
        ("C:x", "the name contains a colon"),
        ("nul\0byte", "the name contains a control character"),
    ];
    for (name, message) in cases {
        let reason = expect::err(
            &format!("FileName::new({name:?})"),
            FileName::new(name),
            "this name breaks a rule",
        );
        expect::eq(
            &format!("the refusal of {name:?} shown with {{}}"),
            reason.to_string().as_str(),
            message,
            "the message a receiver logs or sends back comes from NameError's Display",
        );
    }
}
