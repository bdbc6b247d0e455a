//! A `read` cut short by a signal is retried, not taken for a failed
//! connection. Run with `cargo test --test 05_interrupted` (Linux only:
//! elsewhere this file compiles to nothing).
//!
//! A signal that arrives while a thread waits in a system call runs its handler
//! and, unless the handler was installed with `SA_RESTART`, makes the call fail
//! with `EINTR` (`ErrorKind::Interrupted`) having done nothing. This test
//! installs such a handler, waits until `handle_client`'s thread sleeps in
//! `read`, and sends that thread the signal. (`TcpListener::accept` needs no such
//! test: the standard library retries an interrupted `accept` by itself, but it
//! hands an interrupted `read` to its caller.)
#![cfg(target_os = "linux")]

use std::ffi::c_int;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::Shutdown;
use std::os::unix::fs::FileExt;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use line_codec::handle_client;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use testkit::deadline::DEFAULT;
use testkit::expect;
use testkit::net;

/// Counts the signals the handler has seen.
static DELIVERED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn note_delivery(_signal: c_int) {
    DELIVERED.fetch_add(1, Ordering::SeqCst);
}

/// Installs the handler, without `SA_RESTART`.
fn install_handler() {
    let handler = SigAction::new(
        SigHandler::Handler(note_delivery),
        // No SA_RESTART: the interrupted call fails with EINTR.
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler only adds to an atomic, which is async-signal-safe;
    // nothing else in this test binary uses SIGUSR1.
    unsafe { sigaction(Signal::SIGUSR1, &handler) }.expect("installing a SIGUSR1 handler");
}

/// A thread running `body`, with its `/proc/thread-self/status` open so that the
/// test can see when it sleeps in a system call.
fn watched<T: Send + 'static>(
    body: impl FnOnce() -> T + Send + 'static,
) -> (JoinHandle<()>, mpsc::Receiver<T>) {
    let (status_tx, status_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let status = File::open("/proc/thread-self/status").expect("/proc is mounted");
        let _ = status_tx.send(status);
        let _ = done_tx.send(body());
    });
    let status = status_rx.recv().expect("the server thread started");
    // Wait until it sleeps in its first blocking call.
    let until = Instant::now() + DEFAULT;
    while !handle.is_finished() && !asleep(&status) && Instant::now() < until {
        thread::sleep(Duration::from_millis(1));
    }
    if handle.is_finished() {
        panic!(
            "the server thread ended before the client did anything: it returned, or \
             panicked (its message is above)"
        );
    }
    assert!(
        asleep(&status),
        "the server thread never waited for the client"
    );
    (handle, done_rx)
}

/// Whether the thread whose status file is `status` sleeps in a system call.
fn asleep(status: &File) -> bool {
    let mut buf = [0u8; 4096];
    let n = status.read_at(&mut buf, 0).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .find_map(|line| line.strip_prefix("State:"))
        .is_some_and(|state| state.trim_start().starts_with('S'))
}

/// Sends SIGUSR1 to `thread`, asleep in a system call, and waits for delivery.
fn interrupt(thread: &JoinHandle<()>) {
    let before = DELIVERED.load(Ordering::SeqCst);
    // SAFETY: the thread is alive (it sleeps, waiting for the client, and ends
    // only after the client acts), so its pthread_t is valid.
    let sent = unsafe { libc::pthread_kill(thread.as_pthread_t(), libc::SIGUSR1) };
    assert_eq!(sent, 0, "signalling the server thread failed");
    let until = Instant::now() + DEFAULT;
    while DELIVERED.load(Ordering::SeqCst) == before {
        assert!(Instant::now() < until, "the signal was never delivered");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_read_interrupted_by_a_signal_is_retried() {
    install_handler();
    let (mut client, server) = net::pair();
    let (thread, done) = watched(move || handle_client(server, 64));
    interrupt(&thread);

    client.write_all(b"still here\n").unwrap();
    let mut reply = Vec::new();
    let _ = BufReader::new(&client).read_until(b'\n', &mut reply);
    expect::bytes_eq(
        "the reply to a line sent after handle_client's read was interrupted",
        &reply,
        b"echo: still here\n",
        "a read that fails with ErrorKind::Interrupted was cut short by a signal \
         before any byte arrived: nothing is wrong with the connection, so read \
         again. Only other errors end the session",
    );
    client.shutdown(Shutdown::Write).unwrap();
    let outcome = done.recv_timeout(DEFAULT);
    expect::that(
        matches!(outcome, Ok(Ok(()))),
        "what handle_client returned after the client stopped sending",
        format_args!("{outcome:?}"),
        "a session that ended by the rules is Ok(())",
    );
}
