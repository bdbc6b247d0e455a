//! Process limits that tests with hundreds of connections run into.
//!
//! Every socket is a file descriptor, and a test whose clients and server live in
//! one process uses two per connection (the client's end and the server's), plus
//! the listener, a wake-up pipe and whatever the test harness holds. Many systems
//! start processes with a soft `RLIMIT_NOFILE` of 1024 (some even 256), far below
//! what 500 connections need, while allowing far more: the *hard* limit is what a
//! process may raise its own soft limit to, without any privilege.

/// Makes sure this process may have at least `min` file descriptors open, raising
/// the soft `RLIMIT_NOFILE` if it is lower, and returns the soft limit now in
/// effect (at least `min`).
///
/// * A soft limit that is already `min` or more is left alone: the call never
///   lowers a limit, so concurrent tests in one binary cannot undo each other.
/// * The soft limit is raised to exactly `min`, not to the hard limit: some
///   systems (macOS) report an unlimited hard limit but refuse soft limits
///   above a kernel maximum.
/// * Panics with a message for the learner when the hard limit is below `min`
///   or the kernel refuses the change: the test cannot run as written, and
///   `ulimit -n` in the shell is the fix.
/// * On a system without `RLIMIT_NOFILE` (not Unix) it returns `min` unchanged.
///
/// ```
/// // 500 clients and their 500 server-side sockets, plus some headroom.
/// let limit = testkit::limits::raise_fd_limit(1100);
/// assert!(limit >= 1100);
/// ```
#[track_caller]
pub fn raise_fd_limit(min: u64) -> u64 {
    imp::raise_fd_limit(min)
}

/// Every file descriptor this process may still open, held by the test until
/// dropped (see [`exhaust_descriptors`]).
#[cfg(unix)]
pub struct Exhausted {
    files: Vec<std::fs::File>,
    /// The limits before, put back on drop.
    saved: (u64, u64),
}

/// Lowers the soft `RLIMIT_NOFILE` to `limit` (if it is higher), then opens
/// `/dev/null` until the process has no descriptor left (`EMFILE`): the next
/// `accept`, `socket` or `open` in this process fails, until
/// [`Exhausted::free_one`] or a drop gives descriptors back. Dropping it also
/// restores the limit.
///
/// For tests of what a server does when `accept` fails with `EMFILE`. The test
/// binary must have the process to itself (one test in its file): every thread
/// of the process is out of descriptors meanwhile. (For that reason it has no
/// unit test here, where tests run side by side; the exercises' tests use it.)
#[cfg(unix)]
#[track_caller]
pub fn exhaust_descriptors(limit: u64) -> Exhausted {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let saved = getrlimit(Resource::RLIMIT_NOFILE)
        .unwrap_or_else(|e| panic!("could not read RLIMIT_NOFILE: {e}"));
    if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, saved.0.min(limit), saved.1) {
        panic!("could not lower RLIMIT_NOFILE to {limit}: {e}");
    }
    let mut files = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(file) => files.push(file),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => break,
            Err(e) => panic!("could not open /dev/null: {e}"),
        }
        assert!(
            files.len() as u64 <= limit,
            "opened {limit} files without reaching the descriptor limit"
        );
    }
    Exhausted { files, saved }
}

#[cfg(unix)]
impl Exhausted {
    /// Closes one of the held descriptors: the next one this process opens (a
    /// test client's socket, say) takes it, and then none is left again.
    pub fn free_one(&mut self) {
        drop(self.files.pop());
    }
}

#[cfg(unix)]
impl Drop for Exhausted {
    fn drop(&mut self) {
        use nix::sys::resource::{setrlimit, Resource};
        self.files.clear();
        let _ = setrlimit(Resource::RLIMIT_NOFILE, self.saved.0, self.saved.1);
    }
}

#[cfg(unix)]
mod imp {
    use nix::sys::resource::{getrlimit, setrlimit, Resource, RLIM_INFINITY};

    #[track_caller]
    pub fn raise_fd_limit(min: u64) -> u64 {
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)
            .unwrap_or_else(|e| panic!("could not read RLIMIT_NOFILE: {e}"));
        if soft == RLIM_INFINITY || soft >= min {
            return soft;
        }
        if hard != RLIM_INFINITY && hard < min {
            panic!(
                "this test needs {min} open file descriptors, but this process may \
                 have at most {hard} (the hard RLIMIT_NOFILE)\n  \
                 hint: raise it in the shell before running the tests, e.g. \
                 `ulimit -n {min}` (or ask your administrator to raise the hard limit)"
            );
        }
        if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, min, hard) {
            panic!(
                "this test needs {min} open file descriptors; the soft limit is {soft} \
                 and raising it failed: {e}\n  \
                 hint: run `ulimit -n {min}` in the shell before running the tests"
            );
        }
        min
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn raise_fd_limit(min: u64) -> u64 {
        min
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};

    fn limits() -> (u64, u64) {
        getrlimit(Resource::RLIMIT_NOFILE).unwrap()
    }

    #[test]
    fn a_limit_already_high_enough_is_left_alone() {
        // Other tests in this binary may raise the limit meanwhile, never lower it.
        let (soft, _) = limits();
        assert!(raise_fd_limit(1) >= soft);
        assert!(limits().0 >= soft, "asking for 1 must not lower the limit");
    }

    #[test]
    fn a_lower_soft_limit_is_raised() {
        let (soft, hard) = limits();
        if soft == RLIM_INFINITY || soft == hard {
            return; // no room to raise it: the call must simply return
        }
        let want = soft + 1;
        let got = raise_fd_limit(want);
        assert!(got >= want, "asked for {want}, the limit is now {got}");
        assert!(limits().0 >= want);
    }

    #[test]
    fn asking_beyond_the_hard_limit_explains_the_fix() {
        let (_, hard) = limits();
        if hard == RLIM_INFINITY {
            return; // nothing is beyond an unlimited hard limit
        }
        let outcome = std::panic::catch_unwind(|| raise_fd_limit(hard + 1));
        let message = *outcome
            .expect_err("asking for more than the hard limit must fail")
            .downcast::<String>()
            .unwrap();
        assert!(message.contains("ulimit -n"), "{message}");
    }
}
