//! What a child process does between `fork` and its end.
//!
//! The child is a copy of a process that may have many threads (a test binary
//! has one per running test). Only the thread that called `fork` exists in the
//! child; a lock another thread held at that moment (the memory allocator's,
//! stdout's) stays locked for ever. So until it exits, the child makes only
//! async-signal-safe system calls, allocates nothing, and never returns into
//! the code that called `fork`.

use std::net::TcpStream;
use std::os::fd::RawFd;

/// Serves the client on `stream` in a freshly forked child, then ends the
/// child process. Never returns.
///
/// 1. Closes every descriptor it inherited except 0, 1, 2 and `stream`, with
///    [`close_inherited_fds`]: the listener, and (in a test process) every
///    other client's socket, which would otherwise stay open as long as this
///    child lives.
/// 2. If `greeting` is true, writes `pid <its pid>\n` (see
///    [`Server::with_pid_greeting`](crate::Server::with_pid_greeting)). Always
///    after step 1, so a client that reads the greeting knows the child holds
///    nothing but its connection.
/// 3. Echoes everything until the client half-closes or closes (read returns
///    0), with a buffer of [`CHUNK`](crate::CHUNK) bytes on the stack.
/// 4. Ends the process with `_exit`: status 0 after end-of-file, 1 after an I/O
///    error (a reset, a broken pipe), 2 after a panic. No destructor, `atexit`
///    handler or stdio flush runs: they belong to the parent's state.
///
/// Nothing here allocates, and a panic never unwinds out of this function
/// into the caller's code (in a test, the test harness would then go on in
/// two processes).
pub fn serve(stream: &TcpStream, greeting: bool, fd_limit: RawFd) -> ! {
    let _ = (stream, greeting, fd_limit);
    todo!(
        "close_inherited_fds, the greeting (a stack buffer and io::Cursor), the echo \
         loop with a [0u8; CHUNK] buffer, then unsafe {{ libc::_exit(status) }} \
         (lesson 05.2, 'Forking a multithreaded process')"
    )
}

// ANCHOR: close_inherited
/// Closes every file descriptor from 3 up except `keep`; 0, 1 and 2 (stdin,
/// stdout, stderr) stay open.
///
/// `limit` is one more than the highest descriptor that may be open; read it
/// before `fork` (`getrlimit` is not on the async-signal-safe list). On Linux
/// one `close_range` system call does it all (Linux 5.9 and later); elsewhere,
/// or on an older kernel, each descriptor below `limit` is closed in turn.
pub fn close_inherited_fds(keep: RawFd, limit: RawFd) {
    if keep > 3 {
        close_fds(3, keep - 1, limit);
    }
    close_fds((keep + 1).max(3), RawFd::MAX, limit);
}

fn close_fds(first: RawFd, last: RawFd, limit: RawFd) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: close_range only closes descriptors. The child uses none of
        // them: it owns `keep` and nothing else.
        let closed = unsafe {
            libc::syscall(
                libc::SYS_close_range,
                first as libc::c_uint,
                last as libc::c_uint,
                0 as libc::c_uint,
            )
        };
        if closed == 0 {
            return;
        }
    }
    for fd in first..=last.min(limit - 1) {
        // SAFETY: as above. Descriptors that were not open fail with EBADF,
        // which is harmless and ignored.
        unsafe { libc::close(fd) };
    }
}
// ANCHOR_END: close_inherited
