//! Step 2, `exec::run`: one program, no shell, both output streams, bounded in
//! size and time.
//!
//! The lesson: (lesson 02.6, 'Starting the program') and
//! (lesson 02.6, 'Reading stdout and stderr without deadlock').

mod common;

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{locate, pattern, test_limits, Shown};
use remote_exec::exec::{run, Ending, Execution};
use remote_exec::{Limits, Reply};
use testkit::{deadline, expect, within};

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

#[track_caller]
fn run_ok(program: &Path, args: &[String], limits: &Limits) -> Execution {
    let shown = format!("{args:?}");
    let shown = if shown.len() > 120 {
        format!("[{} arguments]", args.len())
    } else {
        shown
    };
    expect::ok(
        &format!("run({}, {shown})", program.display()),
        run(program, args, limits),
        "start the program with Command::new(program).args(args); an error here means \
         it could not be started or waited for",
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn run_captures_stdout_and_the_exit_code() {
    within(deadline::DEFAULT, "running echo hello world", || {
        let ran = run_ok(
            &locate("echo"),
            &strings(&["hello", "world"]),
            &test_limits(),
        );
        expect::eq(
            "how echo ended",
            &ran.ending,
            &Ending::Exited(0),
            "wait for the child and report status.code()",
        );
        expect::eq(
            "echo's stdout",
            &Shown::of(&ran.stdout.bytes),
            &Shown::of("hello world\n"),
            "capture stdout with Stdio::piped()",
        );
        expect::eq(
            "echo's stderr",
            &Shown::of(&ran.stderr.bytes),
            &Shown::of(""),
            "capture stderr separately",
        );
        expect::that(
            !ran.stdout.truncated && !ran.stderr.truncated,
            "12 bytes of output are not truncated",
            &ran,
            "",
        );
    });
}

#[test]
fn run_reports_a_failing_exit_code_and_stderr() {
    within(deadline::DEFAULT, "running cat on a missing file", || {
        let missing = "/nonexistent/remote-exec-test";
        let ran = run_ok(&locate("cat"), &strings(&[missing]), &test_limits());
        expect::eq(
            "how `cat /nonexistent/...` ended",
            &ran.ending,
            &Ending::Exited(1),
            "a program that fails still ran: report its exit code, not an error",
        );
        expect::that(
            text(&ran.stderr.bytes).contains(missing),
            "cat's complaint, naming the file, should arrive on stderr",
            Shown::of(&ran.stderr.bytes),
            "capture stderr with its own pipe; do not merge it into stdout",
        );
        expect::eq(
            "cat's stdout",
            &ran.stdout.bytes,
            &Vec::new(),
            "nothing goes to stdout here",
        );
    });
}

#[test]
fn large_stdout_and_stderr_together_do_not_deadlock() {
    // Each missing path makes cat write ~3 KB to stderr; 40 of them are ~120 KB, far
    // past a pipe's 64 KiB. The file makes ~200 KB of stdout. In one order cat fills
    // stderr first, in the other stdout first: reading one pipe to its end before
    // touching the other hangs in one of the two.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.bin");
    let content = pattern(200_000);
    std::fs::write(&file, &content).unwrap();
    let missing: Vec<String> = (0..40)
        .map(|i| format!("/nonexistent/{i}/{}", "abcdefgh/".repeat(333)))
        .collect();
    let file = file.to_string_lossy().into_owned();
    let errors_first = [missing.clone(), vec![file.clone()]].concat();
    let output_first = [vec![file], missing].concat();
    for (order, args) in [
        ("stderr first", errors_first),
        ("stdout first", output_first),
    ] {
        let content = content.clone();
        within(
            deadline::DEFAULT,
            &format!("cat writing 200 KB of stdout and 120 KB of stderr, {order}"),
            move || {
                let ran = run_ok(&locate("cat"), &args, &test_limits());
                expect::that(
                    ran.stdout.bytes == content,
                    &format!("stdout ({order}) should be the whole 200,000-byte file"),
                    format!("{} bytes", ran.stdout.bytes.len()),
                    "read stdout to its end, while stderr is read too",
                );
                expect::that(
                    ran.stderr.bytes.len() > 100_000,
                    &format!("stderr ({order}) should hold 40 complaints of ~3 KB each"),
                    format!("{} bytes", ran.stderr.bytes.len()),
                    "read both pipes at the same time (one thread each)",
                );
                expect::eq(
                    "how cat ended",
                    &ran.ending,
                    &Ending::Exited(1),
                    "cat exits 1 when a file was missing",
                );
            },
        );
    }
}

#[test]
fn output_over_the_cap_is_cut_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    let exact = dir.path().join("exact.bin");
    let content = pattern(300_000);
    std::fs::write(&big, &content).unwrap();
    std::fs::write(&exact, &content[..10_000]).unwrap();
    within(
        deadline::DEFAULT,
        "cat of 300 KB with max_output = 10,000",
        move || {
            let limits = Limits {
                max_output: 10_000,
                ..test_limits()
            };
            let ran = run_ok(
                &locate("cat"),
                &[big.to_string_lossy().into_owned()],
                &limits,
            );
            expect::that(
                ran.stdout.bytes == content[..10_000],
                "stdout should be exactly the first 10,000 bytes of the file",
                format!("{} bytes", ran.stdout.bytes.len()),
                "keep at most max_output bytes: read through Read::take",
            );
            expect::eq(
                "stdout.truncated for 300 KB of output",
                &ran.stdout.truncated,
                &true,
                "more was written than kept",
            );
            expect::that(
                ran.ending != Ending::TimedOut,
                "cat should end soon after its output is cut off, not run into the time limit",
                ran.ending,
                "stop reading and drop the pipe: cat's next write then fails (SIGPIPE)",
            );
            let reply = ran.into_response().reply;
            expect::that(
                matches!(
                    reply,
                    Reply::Exited {
                        truncated: true,
                        ..
                    } | Reply::Signalled {
                        truncated: true,
                        ..
                    }
                ),
                "the reply for 300 KB of stdout (cut) and no stderr says truncated",
                &reply,
                "into_response (given) sets truncated when either stream was cut; \
                 stdout.truncated must be true here",
            );

            let ran = run_ok(
                &locate("cat"),
                &[exact.to_string_lossy().into_owned()],
                &limits,
            );
            expect::eq(
                "stdout length for a file of exactly max_output bytes",
                &ran.stdout.bytes.len(),
                &10_000,
                "",
            );
            expect::eq(
                "stdout.truncated for output of exactly max_output bytes",
                &ran.stdout.truncated,
                &false,
                "exactly max_output bytes is not truncated: read up to max_output + 1 to tell",
            );
        },
    );
}

#[test]
fn a_program_past_the_time_limit_is_killed() {
    within(
        deadline::DEFAULT,
        "sleep 30 with a 200 ms time limit",
        || {
            let limits = Limits {
                time_limit: Duration::from_millis(200),
                ..test_limits()
            };
            let started = Instant::now();
            let ran = run_ok(&locate("sleep"), &strings(&["30"]), &limits);
            let took = started.elapsed();
            expect::eq(
                "how `sleep 30` ended with a 200 ms limit",
                &ran.ending,
                &Ending::TimedOut,
                "",
            );
            expect::that(
                took < Duration::from_secs(2),
                "run should return soon after the 200 ms time limit",
                took,
                "check the clock while waiting (try_wait in a loop) and kill the child when \
             the time is up",
            );
        },
    );
}

#[test]
fn a_timeout_also_kills_what_the_program_started() {
    // The shell starts a background `sleep` that inherits stdout, then waits. Killing
    // only the shell leaves that sleep holding the pipe open for 30 s.
    within(
        deadline::DEFAULT,
        "sh starting a background sleep, with a 200 ms limit",
        || {
            let limits = Limits {
                time_limit: Duration::from_millis(200),
                ..test_limits()
            };
            let started = Instant::now();
            let ran = run_ok(&locate("sh"), &strings(&["-c", "sleep 30 & wait"]), &limits);
            expect::eq("how the shell ended", &ran.ending, &Ending::TimedOut, "");
            expect::that(
                started.elapsed() < Duration::from_secs(2),
                "run should return soon after the time limit",
                started.elapsed(),
                "put the child in its own process group (CommandExt::process_group(0)) and \
             kill the whole group (nix::sys::signal::killpg)",
            );
        },
    );
}

#[test]
fn a_background_process_holding_the_pipes_is_killed_at_the_time_limit() {
    // The shell exits at once, but the `sleep` it left running in the background
    // holds both pipes open, or stderr alone: the output is not over until it ends.
    for (holds, script) in [
        ("stdout and stderr", "sleep 30 &"),
        ("stderr only", "sleep 30 >/dev/null &"),
    ] {
        within(
            deadline::DEFAULT,
            &format!("sh leaving a background sleep that holds {holds}, with a 200 ms limit"),
            move || {
                let limits = Limits {
                    time_limit: Duration::from_millis(200),
                    ..test_limits()
                };
                let started = Instant::now();
                let ran = run_ok(&locate("sh"), &strings(&["-c", script]), &limits);
                expect::eq(
                    &format!("how the shell ended, its background sleep still holding {holds}"),
                    &ran.ending,
                    &Ending::TimedOut,
                    "the program is done only when it has exited AND both pipes reached \
                     end-of-file; until then keep waiting, and at the time limit kill the \
                     whole process group",
                );
                expect::that(
                    started.elapsed() < Duration::from_secs(2),
                    "run should return soon after the time limit",
                    started.elapsed(),
                    "do not wait for a pipe after the shell exited: the background sleep \
                     keeps it open for 30 s; kill its process group at the deadline",
                );
            },
        );
    }
}

#[test]
fn a_program_that_cannot_start_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let not_executable = dir.path().join("script.sh");
    std::fs::write(&not_executable, "#!/bin/sh\necho hi\n").unwrap();
    let missing = dir.path().join("missing");
    within(
        deadline::DEFAULT,
        "running programs that cannot start",
        move || {
            for (what, path, kind) in [
                ("a path that does not exist", missing, ErrorKind::NotFound),
                (
                    "a file without execute permission",
                    not_executable,
                    ErrorKind::PermissionDenied,
                ),
            ] {
                let result = run(&path, &[], &test_limits());
                expect::that(
                    matches!(&result, Err(e) if e.kind() == kind),
                    &format!("run on {what}: expected an error of kind {kind:?}"),
                    &result,
                    "return the error from spawn(); the server turns it into a `failed` reply",
                );
            }
        },
    );
}

#[test]
fn the_program_gets_a_minimal_environment() {
    within(deadline::DEFAULT, "running env", || {
        let ran = run_ok(&locate("env"), &[], &test_limits());
        let names: BTreeSet<String> = text(&ran.stdout.bytes)
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name.to_string()))
            .collect();
        expect::eq(
            "the names of the environment variables the program sees",
            &names,
            &BTreeSet::from(["LC_ALL".to_string(), "PATH".to_string()]),
            "env_clear(), then set PATH=/usr/bin:/bin and LC_ALL=C: the server's own \
             variables (tokens, keys, HOME) are none of a client's business",
        );
    });
}

#[test]
fn the_program_reads_an_empty_stdin() {
    within(
        deadline::DEFAULT,
        "cat without arguments (it copies stdin)",
        || {
            // Give this test process a stdin that never ends: a pipe nobody writes to.
            // A child that inherits it waits forever; a child given Stdio::null() reads
            // end-of-file at once. (No other test in this file uses stdin.)
            let (endless, writer) = std::io::pipe().unwrap();
            nix::unistd::dup2_stdin(&endless).unwrap();
            // The write end must stay open for as long as the process runs.
            std::mem::forget(writer);

            let limits = Limits {
                time_limit: Duration::from_secs(1),
                ..test_limits()
            };
            let ran = run_ok(&locate("cat"), &[], &limits);
            expect::eq(
                "how `cat` with no arguments ended",
                &ran.ending,
                &Ending::Exited(0),
                "give the child Stdio::null() as stdin: spawn() otherwise lends it the \
             server's own stdin, and cat waits on it until the time limit",
            );
        },
    );
}
