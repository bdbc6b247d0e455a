//! Assertions that speak to the learner: what was expected, what came back, a hint.

use std::fmt::Debug;

/// Fails the test unless `got == want`, printing both and a hint.
///
/// `what` says what was being checked, in words ("decoding two lines sent in
/// 1-byte chunks"); `hint` says where to look when it goes wrong.
#[track_caller]
pub fn eq<T: PartialEq + Debug + ?Sized>(what: &str, got: &T, want: &T, hint: &str) {
    if got != want {
        panic!(
            "{}",
            report(what, &format!("{want:?}"), &format!("{got:?}"), hint)
        );
    }
}

/// Fails the test unless `ok` holds; `got` describes what was seen instead.
#[track_caller]
pub fn that(ok: bool, what: &str, got: impl Debug, hint: &str) {
    if !ok {
        panic!("{}", report(what, "(see above)", &format!("{got:?}"), hint));
    }
}

/// Unwraps `result`, or fails the test with the error and a hint.
#[track_caller]
pub fn ok<T, E: Debug>(what: &str, result: Result<T, E>, hint: &str) -> T {
    match result {
        Ok(value) => value,
        Err(err) => panic!("{}", report(what, "Ok(..)", &format!("Err({err:?})"), hint)),
    }
}

/// Returns the error of `result`, or fails the test with the value that came back.
#[track_caller]
pub fn err<T: Debug, E>(what: &str, result: Result<T, E>, hint: &str) -> E {
    match result {
        Ok(value) => panic!(
            "{}",
            report(what, "an error", &format!("Ok({value:?})"), hint)
        ),
        Err(err) => err,
    }
}

/// Fails the test unless the byte strings `got` and `want` are equal, showing
/// both as Rust writes a byte string literal (see [`escaped`]).
///
/// Use it for bytes on the wire. Through `String::from_utf8_lossy` every invalid
/// byte would print as the same replacement character, and a `\r` as nothing.
#[track_caller]
pub fn bytes_eq(what: &str, got: &[u8], want: &[u8], hint: &str) {
    if got != want {
        panic!("{}", report(what, &escaped(want), &escaped(got), hint));
    }
}

/// `bytes` as a Rust byte string literal, `b"caf\xe9\r\n"`: printable ASCII as
/// it is, everything else escaped, so that every byte can be read off exactly.
///
/// ```
/// assert_eq!(testkit::expect::escaped(b"caf\xe9\r\n"), r#"b"caf\xe9\r\n""#);
/// ```
pub fn escaped(bytes: &[u8]) -> String {
    format!("b\"{}\"", bytes.escape_ascii())
}

fn report(what: &str, want: &str, got: &str, hint: &str) -> String {
    format!("{what}\n  expected: {want}\n  got:      {got}\n  hint: {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_all_four_parts() {
        let text = report("adding", "4", "5", "check the carry");
        assert_eq!(
            text,
            "adding\n  expected: 4\n  got:      5\n  hint: check the carry"
        );
    }

    #[test]
    #[should_panic(expected = "expected: [1, 2]\n  got:      [1]")]
    fn eq_panics_with_both_values() {
        eq("a list", &vec![1], &vec![1, 2], "push both");
    }

    #[test]
    #[should_panic(expected = r#"expected: b"ok\n"
  got:      b"\xff\xfe\r""#)]
    fn bytes_eq_shows_every_byte_escaped() {
        bytes_eq("a reply", b"\xff\xfe\r", b"ok\n", "escape them");
    }

    #[test]
    fn eq_is_quiet_when_equal() {
        eq("a string", "x", "x", "unused");
    }
}
