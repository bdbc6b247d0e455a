//! Test code shared by this exercise's test files, each using a part of it
//! (Linux only: it reads `/proc` and uses Linux system calls).
#![cfg(target_os = "linux")]
#![allow(dead_code)]

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

/// Makes `close_range` fail with `ENOSYS` (as on Linux before 5.9) for the
/// calling thread and every process it forks from now on, with a seccomp
/// filter; every other system call is allowed. The thread also gets
/// `no_new_privs`, which a filter requires. Both last as long as the thread
/// (and are inherited by its children); other threads are not touched.
///
/// Async-signal-safe (two `prctl` calls): it may run in a forked child.
pub fn without_close_range() {
    const fn stmt(code: u32, k: u32) -> libc::sock_filter {
        libc::sock_filter {
            code: code as u16,
            jt: 0,
            jf: 0,
            k,
        }
    }
    let filter = [
        // The system call's number: the first field of seccomp_data.
        stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0),
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: libc::SYS_close_range as u32,
        },
        stmt(
            libc::BPF_RET | libc::BPF_K,
            libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32,
        ),
        stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW),
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: prctl reads `program` (which outlives the call) and changes
    // only this thread's own flags and filters.
    unsafe {
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &program as *const libc::sock_fprog,
        );
    }
    // Failures are ignored (no panic: this may run in a forked child). The
    // test then runs on a system that has close_range, and proves less, but
    // nothing wrong.
}
