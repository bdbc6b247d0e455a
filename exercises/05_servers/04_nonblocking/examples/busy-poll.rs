//! What waiting costs: a busy-polling loop against a blocking read with a
//! timeout, both waiting one second for bytes that never come.
//!
//! ```text
//! cargo run --example busy-poll
//! ```

use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeValLike;

const WAIT: Duration = Duration::from_secs(1);

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let _client = TcpStream::connect(listener.local_addr()?)?;
    let (mut server, _) = listener.accept()?;
    let mut buf = [0u8; 1024];

    // 1. Non-blocking, and nothing to wait with: ask again and again.
    server.set_nonblocking(true)?;
    let (cpu, calls) = measure(|| {
        let mut calls = 0u64;
        let start = Instant::now();
        while start.elapsed() < WAIT {
            calls += 1;
            match server.read(&mut buf) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                other => panic!("the silent client did something: {other:?}"),
            }
        }
        calls
    });
    println!("busy polling:           {calls:>10} read calls, {cpu:>4} ms of CPU in 1 s");

    // 2. Blocking, with a timeout: the kernel puts the thread to sleep.
    server.set_nonblocking(false)?;
    server.set_read_timeout(Some(WAIT))?;
    let (cpu, calls) = measure(|| match server.read(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => 1,
        other => panic!("the silent client did something: {other:?}"),
    });
    println!("blocking with timeout:  {calls:>10} read call,  {cpu:>4} ms of CPU in 1 s");
    Ok(())
}

/// Runs `work` and returns the CPU time it used, in milliseconds, and its result.
fn measure(work: impl FnOnce() -> u64) -> (i64, u64) {
    let before = cpu_millis();
    let result = work();
    (cpu_millis() - before, result)
}

fn cpu_millis() -> i64 {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage failed");
    usage.user_time().num_milliseconds() + usage.system_time().num_milliseconds()
}
