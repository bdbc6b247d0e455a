//! Running cargo (and other tools) with a time limit, and reading what they print.
//!
//! Two promises of the course live here:
//!
//! * **Nothing hangs.** A child runs in its own process group; when the time limit
//!   passes, the whole group is killed — cargo, the test binary it started and any
//!   server the test left running — not just the `cargo` process at the top.
//! * **Verdicts come from what cargo says.** Test results are read from libtest's
//!   own lines (see [`crate::libtest`]), and warnings from `--message-format=json`,
//!   so the runner never guesses from exit codes alone.

use anyhow::{Context, Result};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A `cargo` command: the same cargo that started the runner when there is one
/// (`cargo xtask` sets `CARGO`), so toolchain overrides carry through.
pub fn cargo(dir: &Path, target_dir: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    // One target folder for every run: the in-place stubs, the scratch copies and
    // the learner's own `cargo test` all reuse the same compiled dependencies.
    cmd.env("CARGO_TARGET_DIR", target_dir);
    cmd
}

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It exited (or died of a signal) on its own.
    Exited(Option<i32>),
    /// It ran past the time limit and its process group was killed.
    TimedOut(Duration),
}

/// What a finished child left behind.
#[derive(Debug)]
pub struct Run {
    pub ended: Ended,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn success(&self) -> bool {
        self.ended == Ended::Exited(Some(0))
    }

    pub fn timed_out(&self) -> bool {
        matches!(self.ended, Ended::TimedOut(_))
    }
}

/// Runs `cmd` with its output captured, killing its process group after `limit`.
pub fn run(cmd: &mut Command, limit: Option<Duration>) -> Result<Run> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    own_process_group(cmd);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start {}", describe(cmd)))?;
    let stdout = drain(child.stdout.take().expect("stdout was piped"));
    let stderr = drain(child.stderr.take().expect("stderr was piped"));
    let ended = wait(&mut child, limit)?;
    // A test may leave a server or child process behind that still holds the pipes
    // open; reading must not wait for it forever.
    let grace = Duration::from_secs(2);
    Ok(Run {
        ended,
        stdout: collect(stdout, grace),
        stderr: collect(stderr, grace),
        elapsed: start.elapsed(),
    })
}

/// Runs `cmd` with the terminal as its output (so colours and progress show),
/// killing its process group after `limit`.
pub fn run_inherited(cmd: &mut Command, limit: Option<Duration>) -> Result<Ended> {
    cmd.stdin(Stdio::null());
    own_process_group(cmd);
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start {}", describe(cmd)))?;
    wait(&mut child, limit)
}

/// Runs a quick tool (git, rustfmt) to completion and fails unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> Result<String> {
    let run = run(cmd, None)?;
    if run.success() {
        Ok(run.stdout)
    } else {
        anyhow::bail!(
            "{} failed:\n{}{}",
            describe(cmd),
            run.stdout.trim_end(),
            run.stderr.trim_end()
        )
    }
}

/// `program arg arg` for messages.
pub fn describe(cmd: &Command) -> String {
    let mut text = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(cmd.get_program())
        .to_string_lossy()
        .into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

#[cfg(unix)]
fn own_process_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_cmd: &mut Command) {}

/// Waits for `child`, polling so that a time limit can cut in.
fn wait(child: &mut Child, limit: Option<Duration>) -> Result<Ended> {
    let start = Instant::now();
    interrupt::track(child.id());
    let ended = wait_untracked(child, limit, start);
    interrupt::untrack();
    ended
}

fn wait_untracked(child: &mut Child, limit: Option<Duration>, start: Instant) -> Result<Ended> {
    loop {
        if let Some(status) = child.try_wait()? {
            // Whatever the test started and left running goes too.
            kill_group(child);
            return Ok(Ended::Exited(exit_code(status)));
        }
        if let Some(limit) = limit
            && start.elapsed() >= limit
        {
            kill_group(child);
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Ended::TimedOut(limit));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn exit_code(status: ExitStatus) -> Option<i32> {
    status.code()
}

/// Kills every process in the child's group (the child leads it).
#[cfg(unix)]
fn kill_group(child: &Child) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; a negative
    // pid names the process group the child leads (set up by `process_group(0)`).
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(child: &Child) {
    let _ = child;
}

/// Ctrl-C reaches only the terminal's foreground process group, and every child
/// runs in a group of its own (so that a time limit can kill it whole). Without
/// this, Ctrl-C would stop the runner but leave `cargo test` running behind the
/// prompt. So on Ctrl-C the runner kills the current child's group, then exits.
#[cfg(unix)]
pub mod interrupt {
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The process group of the child being waited for; 0 when there is none.
    static CHILD_GROUP: AtomicI32 = AtomicI32::new(0);

    extern "C" fn on_interrupt(_signal: libc::c_int) {
        let group = CHILD_GROUP.load(Ordering::SeqCst);
        // SAFETY: kill(2) and _exit(2) are async-signal-safe, and the handler
        // touches nothing but an atomic.
        unsafe {
            if group > 0 {
                libc::kill(-group, libc::SIGKILL);
            }
            libc::_exit(130);
        }
    }

    /// Installs the handler; call once, early in `main`.
    pub fn forward() {
        let handler: extern "C" fn(libc::c_int) = on_interrupt;
        // SAFETY: `handler` is an `extern "C"` function that only performs
        // async-signal-safe calls.
        unsafe {
            libc::signal(libc::SIGINT, handler as libc::sighandler_t);
            libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
        }
    }

    pub(super) fn track(pid: u32) {
        CHILD_GROUP.store(pid as i32, Ordering::SeqCst);
    }

    pub(super) fn untrack() {
        CHILD_GROUP.store(0, Ordering::SeqCst);
    }
}

#[cfg(not(unix))]
pub mod interrupt {
    pub fn forward() {}
    pub(super) fn track(_pid: u32) {}
    pub(super) fn untrack() {}
}

/// Reads a pipe to the end on its own thread.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn collect(rx: mpsc::Receiver<Vec<u8>>, grace: Duration) -> String {
    let bytes = rx.recv_timeout(grace).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// What `cargo … --message-format=json` said about one package.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// `build-finished` said success.
    pub success: bool,
    /// Warnings whose source file lies in the package's folder (rendered).
    pub warnings: Vec<String>,
    /// Errors from anywhere in the build (rendered).
    pub errors: Vec<String>,
}

/// Reads cargo's JSON messages; `package_dir` picks which warnings count.
pub fn parse_build(json: &str, package_dir: &Path) -> BuildReport {
    let mut report = BuildReport::default();
    for line in json.lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("build-finished") => report.success = msg["success"].as_bool() == Some(true),
            Some("compiler-message") => {
                let message = &msg["message"];
                let rendered = message["rendered"]
                    .as_str()
                    .unwrap_or_else(|| message["message"].as_str().unwrap_or(""))
                    .trim_end()
                    .to_string();
                let is_summary = message["spans"].as_array().is_none_or(|s| s.is_empty())
                    && message["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("emitted") || m.starts_with("aborting due to"));
                match message["level"].as_str() {
                    Some("error") if !is_summary => report.errors.push(rendered),
                    Some("warning") if !is_summary => {
                        let src = PathBuf::from(msg["target"]["src_path"].as_str().unwrap_or(""));
                        // The library is compiled twice (as itself and as its unit
                        // tests), so the same warning can come twice.
                        if src.starts_with(package_dir) && !report.warnings.contains(&rendered) {
                            report.warnings.push(rendered);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    report
}

/// The first few lines of a long message, for a one-line reason in a report.
pub fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().take(n).collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_the_packages_own_warnings() {
        let dir = Path::new("/c/exercises/01_a/01_x");
        let json = [
            r#"{"reason":"compiler-message","target":{"src_path":"/c/exercises/01_a/01_x/src/lib.rs"},"message":{"level":"warning","message":"unused","spans":[{}],"rendered":"warning: unused"}}"#,
            r#"{"reason":"compiler-message","target":{"src_path":"/c/exercises/01_a/01_x/src/lib.rs"},"message":{"level":"warning","message":"1 warning emitted","spans":[],"rendered":"warning: 1 warning emitted"}}"#,
            r#"{"reason":"compiler-message","target":{"src_path":"/c/testkit/src/lib.rs"},"message":{"level":"warning","message":"other","spans":[{}],"rendered":"warning: other"}}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        let report = parse_build(&json, dir);
        assert!(report.success);
        assert_eq!(report.warnings, vec!["warning: unused".to_string()]);
        assert!(report.errors.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_hung_child_is_killed_with_its_group() {
        let start = Instant::now();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & sleep 30; echo never"]);
        let run = run(&mut cmd, Some(Duration::from_millis(300))).unwrap();
        assert!(run.timed_out());
        assert!(!run.stdout.contains("never"));
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
