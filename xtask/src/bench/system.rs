//! What the benchmark asks of the operating system: the open-file limit, how busy
//! the CPUs are, and what a server process costs (threads, memory).

use std::thread;
use std::time::Duration;

/// What the server process costs the machine, read from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub threads: u64,
    /// Resident memory, in KiB.
    pub rss_kib: u64,
}

impl Footprint {
    /// Reads `Threads:` and `VmRSS:` of a running process; `None` off Linux.
    pub(super) fn of(pid: u32) -> Option<Footprint> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line[name.len()..].split_whitespace().next()?.parse().ok()
        };
        Some(Footprint {
            threads: field("Threads:")?,
            rss_kib: field("VmRSS:")?,
        })
    }
}

/// The fraction of CPU time not idle over `window`, from `/proc/stat` (Linux).
pub(super) fn cpu_busy(window: Duration) -> Option<f64> {
    fn sample() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|t| t.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal ...
        let idle = ticks.get(3)? + ticks.get(4).unwrap_or(&0);
        Some((ticks.iter().sum(), idle))
    }
    let (total_before, idle_before) = sample()?;
    thread::sleep(window);
    let (total_after, idle_after) = sample()?;
    let total = total_after.checked_sub(total_before)?;
    let idle = idle_after.checked_sub(idle_before)?;
    (total > 0).then(|| 1.0 - idle as f64 / total as f64)
}

pub(super) use limits::raise_fd_limit;

/// The open-file limit: 10,000 client sockets here and 10,000 in the server
/// (which inherits the limit) need far more than the common default of 1,024.
mod limits {
    /// Raises the soft `RLIMIT_NOFILE` towards `want` (never above the hard
    /// limit, never lowering it); returns the soft limit now in effect.
    #[cfg(unix)]
    pub fn raise_fd_limit(want: u64) -> Option<u64> {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one `rlimit` into memory we own.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return None;
        }
        let target = (want as libc::rlim_t).min(limit.rlim_max);
        if limit.rlim_cur < target {
            let raised = libc::rlimit {
                rlim_cur: target,
                rlim_max: limit.rlim_max,
            };
            // SAFETY: setrlimit reads one `rlimit` we own.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                limit.rlim_cur = target;
            }
        }
        #[allow(clippy::unnecessary_cast)] // rlim_t is u64 on most systems, not all
        Some(limit.rlim_cur as u64)
    }

    #[cfg(not(unix))]
    pub fn raise_fd_limit(_want: u64) -> Option<u64> {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn reads_a_process_footprint() {
        let me = Footprint::of(std::process::id()).expect("/proc/self/status");
        assert!(me.threads >= 1 && me.rss_kib > 0, "{me:?}");
        assert_eq!(Footprint::of(u32::MAX), None);
    }
}
