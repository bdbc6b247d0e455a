//! Test code shared by this exercise's test files (Linux only: it reads
//! `/proc` and uses Linux system calls).
#![cfg(target_os = "linux")]

use std::mem::ManuallyDrop;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{FromRawFd, RawFd};

/// Shuts down, in this process, the listening socket bound to `addr` (a
/// server under test that runs on a thread of this process), and returns its
/// descriptor. From then on every `accept` on it fails at once with `EINVAL`,
/// and a thread blocked in `accept` wakes with that error: an accept error
/// that concerns neither one client nor a lack of resources, which a server
/// must return, not retry.
///
/// The socket is found among this process's descriptors: the one bound to
/// `addr` that listens (connections accepted from it share its address, but
/// do not listen). Linux only: it reads `/proc/self/fd`.
pub fn shut_down_listener(addr: SocketAddr) -> RawFd {
    let fds: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")
        .expect("reading /proc/self/fd")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    for fd in fds {
        if !is_listening(fd) {
            continue;
        }
        // SAFETY: only borrowed to ask its address; ManuallyDrop never closes
        // it, so the server keeps the descriptor it owns.
        let socket = ManuallyDrop::new(unsafe { TcpListener::from_raw_fd(fd) });
        if socket.local_addr().ok() == Some(addr) {
            // SAFETY: shutdown(2) on a descriptor of this process, touching
            // no memory.
            let done = unsafe { libc::shutdown(fd, libc::SHUT_RDWR) };
            assert_eq!(done, 0, "shutdown of the listener failed");
            return fd;
        }
    }
    panic!("no listening socket bound to {addr} in this process");
}

/// Whether `fd` is a socket that listens (`SO_ACCEPTCONN`).
fn is_listening(fd: RawFd) -> bool {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `value`; any
    // descriptor (or none) only makes it fail.
    let got = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    got == 0 && value == 1
}
