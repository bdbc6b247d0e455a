//! Process helpers: who are my children, are any of them zombies, and how much
//! CPU has this process used?
//!
//! The child helpers read `/proc`, so they work on Linux only; elsewhere they
//! return empty lists and tests that need them say so.

use std::time::Duration;

/// CPU time (user + system, every thread) this process has used so far.
///
/// The difference of two readings around an idle moment shows a loop that spins:
/// a thread asleep in `select`, `poll` or `epoll_wait` uses none.
#[cfg(unix)]
pub fn cpu_time() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    use nix::sys::time::TimeValLike;
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage(RUSAGE_SELF) failed");
    let micros = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}

/// CPU time is not measured off Unix: always zero.
#[cfg(not(unix))]
pub fn cpu_time() -> Duration {
    Duration::ZERO
}

/// The pids of this process's children that have exited but not been reaped.
pub fn zombie_children() -> Vec<u32> {
    children()
        .into_iter()
        .filter(|(_, state)| *state == 'Z')
        .map(|(pid, _)| pid)
        .collect()
}

/// The pids of this process's living (not zombie) children.
pub fn live_children() -> Vec<u32> {
    children()
        .into_iter()
        .filter(|(_, state)| *state != 'Z')
        .map(|(pid, _)| pid)
        .collect()
}

/// `(pid, state)` of every process whose parent is this process.
#[cfg(target_os = "linux")]
fn children() -> Vec<(u32, char)> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name is in parentheses and may hold spaces, so parse
            // from the last ')': "pid (comm) state ppid ...".
            let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
            let state = fields.first()?.chars().next()?;
            let ppid: u32 = fields.get(1)?.parse().ok()?;
            (ppid == me).then_some((pid, state))
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn children() -> Vec<(u32, char)> {
    Vec::new()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn an_unreaped_child_is_a_zombie_until_waited_for() {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Wait for the exit without reaping: poll /proc until the state is Z.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !zombie_children().contains(&pid) {
            assert!(std::time::Instant::now() < deadline, "child never exited");
            std::thread::yield_now();
        }
        child.wait().unwrap();
        assert!(!zombie_children().contains(&pid));
        assert!(!live_children().contains(&pid));
    }
}
