//! Deadlines for test bodies: a hung test fails with a message instead of hanging.

use std::panic;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The deadline most tests use: generous for a loaded 2-core CI machine, yet short
/// enough that a learner is never left staring at a silent terminal.
pub const DEFAULT: Duration = Duration::from_secs(5);

/// What a learner is told when a deadline passes and the test gave no hint of its own.
const GENERIC_HINT: &str = "something is waiting for bytes, a connection or a thread that \
     never comes. Look for a read that waits for more than the peer sends, a missing flush, \
     or a loop that never sees end-of-file.";

/// Runs `body` on its own thread and waits at most `limit` for it to finish.
///
/// * If `body` returns, its value is returned.
/// * If `body` panics (a failed assertion), the same panic is raised here, so the
///   learner sees the original message.
/// * If `limit` passes first, the test fails with `no answer within N s: <what>`
///   and a hint. The stuck thread is left behind; the test process ends anyway.
///
/// ```
/// let n = testkit::within(testkit::deadline::DEFAULT, "adding numbers", || 2 + 2);
/// assert_eq!(n, 4);
/// ```
#[track_caller]
pub fn within<T, F>(limit: Duration, what: &str, body: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    within_hint(limit, what, GENERIC_HINT, body)
}

/// [`within`], with the test's own hint for when the deadline passes.
///
/// Use it where running out of time means something more specific than "waiting
/// for bytes that never come": a decoder that does quadratic work, a server that
/// serves one client at a time.
///
/// ```should_panic
/// use std::time::Duration;
/// testkit::deadline::within_hint(
///     Duration::from_millis(10),
///     "a loop that never ends",
///     "look at the loop's exit condition",
///     || loop { std::thread::park() },
/// );
/// ```
#[track_caller]
pub fn within_hint<T, F>(limit: Duration, what: &str, hint: &str, body: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (done_tx, done_rx) = mpsc::channel();
    let name = thread::current().name().unwrap_or("test").to_string();
    thread::Builder::new()
        .name(name)
        .spawn(move || {
            // Catch the panic so it can be re-raised on the test's own thread.
            let outcome = panic::catch_unwind(panic::AssertUnwindSafe(body));
            let _ = done_tx.send(outcome);
        })
        .expect("the test kit could not start a thread");

    match done_rx.recv_timeout(limit) {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!(
            "no answer within {} s: {what}\n  hint: {hint}",
            limit.as_secs_f32()
        ),
    }
}
