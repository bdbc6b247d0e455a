//! Helpers shared by the test files: connected pairs, and ways to wait for the
//! kernel without sleeping.

#![allow(dead_code)] // each test file uses a different part of this module

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// How long a test waits for something the kernel does in microseconds.
pub const KERNEL_WAIT: Duration = Duration::from_secs(2);

/// A connected pair: `(client, server)`, both blocking, on loopback.
pub fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
    let client = testkit::net::connect(listener.local_addr().unwrap());
    let (server, _) = listener
        .accept()
        .expect("accepting the test's client failed");
    (client, server)
}

/// A pair whose server end is non-blocking, for `try_read`.
pub fn nonblocking_pair() -> (TcpStream, TcpStream) {
    let (client, server) = pair();
    server.set_nonblocking(true).unwrap();
    (client, server)
}

/// Closes `stream` with a reset (RST) instead of a FIN: its peer's next read
/// fails with `ConnectionReset`.
pub fn reset(stream: TcpStream) {
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(stream);
}

/// Waits (without spinning) until `fd` has something to report: bytes,
/// end-of-file or an error. This is what the next lessons are about; here it
/// only makes the tests independent of timing.
#[track_caller]
pub fn wait_readable(fd: &impl AsFd) {
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    let millis = u16::try_from(KERNEL_WAIT.as_millis()).unwrap();
    match poll(&mut fds, PollTimeout::from(millis)) {
        Ok(0) => panic!(
            "the test waited {} s for the socket to become readable; it never did",
            KERNEL_WAIT.as_secs()
        ),
        Ok(_) => {}
        Err(e) => panic!("poll failed in the test: {e}"),
    }
}

/// Waits until `n` finished connections wait in `listener`'s accept queue, so
/// that one `accept_ready` call is sure to find them all.
///
/// The kernel completes handshakes on its own, usually before `connect`
/// returns, but not always on a busy machine. On Linux the queue's length is
/// the `rx_queue` column of the listener's line in `/proc/net/tcp` (what
/// `ss -lnt` shows as Recv-Q); elsewhere the test trusts `connect`.
#[track_caller]
pub fn wait_for_queue(listener: &TcpListener, n: usize) {
    let addr = listener.local_addr().unwrap();
    let until = Instant::now() + KERNEL_WAIT;
    while let Some(queued) = accept_queue_len(addr) {
        if queued >= n {
            return;
        }
        assert!(
            Instant::now() < until,
            "only {queued} of {n} connections reached the accept queue within {} s",
            KERNEL_WAIT.as_secs()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[cfg(target_os = "linux")]
fn accept_queue_len(addr: SocketAddr) -> Option<usize> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let port = format!(":{:04X}", addr.port());
    table.lines().skip(1).find_map(|line| {
        // sl local_address rem_address st tx_queue:rx_queue ...
        let fields: Vec<&str> = line.split_whitespace().collect();
        let listening = fields.get(3) == Some(&"0A");
        if !listening || !fields.get(1)?.ends_with(&port) {
            return None;
        }
        let rx_queue = fields.get(4)?.split(':').nth(1)?;
        usize::from_str_radix(rx_queue, 16).ok()
    })
}

#[cfg(not(target_os = "linux"))]
fn accept_queue_len(_addr: SocketAddr) -> Option<usize> {
    None
}

/// A signal handler that does nothing: its only effect is to interrupt the
/// system call the thread is blocked in (`EINTR`).
#[cfg(target_os = "linux")]
extern "C" fn ignore_signal(_: std::ffi::c_int) {}

/// Runs `read` on a new thread and, while that thread is blocked in its read,
/// interrupts the read once with a signal (`SIGUSR1`, with a handler installed
/// without `SA_RESTART`, so the blocked call fails with `EINTR` instead of
/// going on). Returns once the signal has been taken and the thread is blocked
/// in a read again (or has finished); `read`'s result comes on the receiver.
#[cfg(target_os = "linux")]
pub fn read_interrupted_once<T: Send + 'static>(
    read: impl FnOnce() -> T + Send + 'static,
) -> std::sync::mpsc::Receiver<T> {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let action = SigAction::new(
        SigHandler::Handler(ignore_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing, so it is async-signal-safe.
    unsafe { sigaction(Signal::SIGUSR1, &action) }.expect("installing a SIGUSR1 handler");
    let (ids, id) = std::sync::mpsc::channel();
    let (report, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // SAFETY: pthread_self only returns the calling thread's handle.
        let me = unsafe { nix::libc::pthread_self() };
        let _ = ids.send((me, nix::unistd::gettid()));
        let _ = report.send(read());
    });
    let (thread, tid) = id.recv().unwrap();
    let status = |file: &str| {
        std::fs::read_to_string(format!("/proc/self/task/{tid}/{file}")).unwrap_or_default()
    };
    let in_read = || {
        let now = status("syscall");
        let number = now.split(' ').next().and_then(|n| n.parse::<i64>().ok());
        number.is_some_and(|n| [nix::libc::SYS_recvfrom, nix::libc::SYS_read].contains(&n))
    };
    let gone = || !std::path::Path::new(&format!("/proc/self/task/{tid}")).exists();
    let until = Instant::now() + KERNEL_WAIT;
    while !in_read() {
        if gone() {
            return result; // it returned (or panicked) without waiting
        }
        assert!(
            Instant::now() < until,
            "the reading thread never blocked in a read"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // SAFETY: `thread` is alive (blocked in its read), and pthread_kill
    // only sends it a signal.
    let sent = unsafe { nix::libc::pthread_kill(thread, nix::libc::SIGUSR1) };
    assert_eq!(sent, 0, "signalling the reading thread failed");
    // Taken: no signal pending any more, and blocked in a read again; or the
    // thread is gone (its read returned).
    loop {
        let text = status("status");
        if text.is_empty() {
            break;
        }
        let pending = text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("SigPnd:")
                    .or_else(|| l.strip_prefix("ShdPnd:"))
            })
            .any(|v| v.trim().chars().any(|c| c != '0'));
        if !pending && in_read() {
            break;
        }
        assert!(
            Instant::now() < until,
            "the reading thread did not take its signal"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    result
}
