//! What a thread and a process cost: to start, to keep, to switch between.
//!
//! ```text
//! cargo run --release --example costs
//! ```
//!
//! The numbers depend on the machine; their ratios are what the lesson is
//! about. Memory is read from `/proc`, so that part is Linux-only.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};

/// How many threads or processes to start for the creation times.
const STARTS: u32 = 2_000;
/// How many to keep alive at once for the memory figures.
const KEPT: usize = 200;
/// How many one-byte round trips for the switch times.
const ROUND_TRIPS: u32 = 20_000;

fn main() -> ExitCode {
    // The process measurements come first, while this program has one thread:
    // a child forked now may do anything, not only async-signal-safe calls.
    let results = (|| -> io::Result<()> {
        println!("start and wait for one (average of {STARTS}):");
        println!("  process: {:>9.1?}", per(STARTS, fork_and_wait)?);
        println!("  thread:  {:>9.1?}", per(STARTS, spawn_and_join)?);
        println!("one round trip over a socket pair (two context switches):");
        println!("  between processes: {:>9.1?}", ping_pong_processes()?);
        println!("  between threads:   {:>9.1?}", ping_pong_threads()?);
        memory()
    })();
    match results {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("costs: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The average time of `times` calls of `once`.
fn per(times: u32, mut once: impl FnMut() -> io::Result<()>) -> io::Result<Duration> {
    let start = Instant::now();
    for _ in 0..times {
        once()?;
    }
    Ok(start.elapsed() / times)
}

// ANCHOR: fork_and_wait
fn fork_and_wait() -> io::Result<()> {
    // SAFETY: the child only calls `_exit`, which is async-signal-safe.
    match unsafe { fork() }? {
        // SAFETY: `_exit` ends the child at once, running nothing of the parent's.
        ForkResult::Child => unsafe { libc::_exit(0) },
        ForkResult::Parent { child } => {
            waitpid(child, None)?;
            Ok(())
        }
    }
}
// ANCHOR_END: fork_and_wait

fn spawn_and_join() -> io::Result<()> {
    thread::Builder::new()
        .spawn(|| {})?
        .join()
        .map_err(|_| io::Error::other("a thread panicked"))
}

/// The time of one round trip between this process and a forked child.
fn ping_pong_processes() -> io::Result<Duration> {
    let (mut here, there) = UnixStream::pair()?;
    // SAFETY: still single-threaded here; the child runs `bounce` (reads and
    // writes on a socket) and `_exit`s.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop(here);
            let status = i32::from(bounce(there).is_err());
            // SAFETY: ends the child without running the parent's destructors.
            unsafe { libc::_exit(status) }
        }
        ForkResult::Parent { child } => {
            drop(there);
            let time = serve_ball(&mut here)?;
            drop(here);
            waitpid(child, None)?;
            Ok(time)
        }
    }
}

/// The time of one round trip between two threads of this process.
fn ping_pong_threads() -> io::Result<Duration> {
    let (mut here, there) = UnixStream::pair()?;
    let partner = thread::spawn(move || bounce(there));
    let time = serve_ball(&mut here)?;
    drop(here);
    partner
        .join()
        .map_err(|_| io::Error::other("a thread panicked"))??;
    Ok(time)
}

/// Sends one byte and waits for it to come back, `ROUND_TRIPS` times.
fn serve_ball(stream: &mut UnixStream) -> io::Result<Duration> {
    let mut ball = [0u8; 1];
    let start = Instant::now();
    for _ in 0..ROUND_TRIPS {
        stream.write_all(&ball)?;
        stream.read_exact(&mut ball)?;
    }
    Ok(start.elapsed() / ROUND_TRIPS)
}

/// Returns every byte it receives, until the other end closes.
fn bounce(mut stream: UnixStream) -> io::Result<()> {
    let mut ball = [0u8; 1];
    while stream.read(&mut ball)? == 1 {
        stream.write_all(&ball)?;
    }
    Ok(())
}

/// What `KEPT` living threads add to this process, and what a living forked
/// child holds for itself.
#[cfg(target_os = "linux")]
fn memory() -> io::Result<()> {
    use std::sync::{mpsc, Arc, Mutex};

    println!("memory, with {KEPT} alive at once:");
    // Threads that wait on a channel: alive, but doing nothing.
    let before = status_kib("VmRSS")?;
    let virtual_before = status_kib("VmSize")?;
    let (release, wait) = mpsc::channel::<()>();
    let wait = Arc::new(Mutex::new(wait));
    let threads: Vec<_> = (0..KEPT)
        .map(|_| {
            let wait = Arc::clone(&wait);
            thread::spawn(move || {
                let _ = wait.lock().map(|w| w.recv());
            })
        })
        .collect();
    let rss = status_kib("VmRSS")?.saturating_sub(before);
    let virt = status_kib("VmSize")?.saturating_sub(virtual_before);
    drop(release);
    for thread in threads {
        let _ = thread.join();
    }
    println!(
        "  a thread adds {} KiB resident, {} KiB of address space (its stack, mostly untouched)",
        rss / KEPT as u64,
        virt / KEPT as u64
    );
    let private = child_private_kib()?;
    println!("  a forked child holds {private} KiB of private memory; the rest it shares with its parent");
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn memory() -> io::Result<()> {
    println!("memory: measured from /proc, on Linux only");
    Ok(())
}

/// A field of `/proc/self/status`, in KiB.
#[cfg(target_os = "linux")]
fn status_kib(field: &str) -> io::Result<u64> {
    kib_field(&std::fs::read_to_string("/proc/self/status")?, field)
}

/// The private memory (clean + dirty) of a forked child that waits, in KiB.
/// Every other thread has been joined by now; the child still only blocks in
/// `read` and `_exit`s.
#[cfg(target_os = "linux")]
fn child_private_kib() -> io::Result<u64> {
    let (mut here, there) = UnixStream::pair()?;
    // SAFETY: the child only reads one byte and calls `_exit`.
    match unsafe { fork() }? {
        ForkResult::Child => {
            let mut byte = [0u8; 1];
            let _ = (&there).read(&mut byte);
            // SAFETY: ends the child without running the parent's destructors.
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            drop(there);
            let rollup = std::fs::read_to_string(format!("/proc/{child}/smaps_rollup"));
            here.write_all(b"x")?;
            waitpid(child, None)?;
            let rollup = rollup?;
            Ok(kib_field(&rollup, "Private_Clean")? + kib_field(&rollup, "Private_Dirty")?)
        }
    }
}

/// The number in a `Name:   1234 kB` line.
#[cfg(target_os = "linux")]
fn kib_field(text: &str, field: &str) -> io::Result<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc")))
}
