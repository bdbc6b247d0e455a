//! The programs the benchmark runs, all built in release mode: the echo servers
//! of part 05 (their solutions), and from the stand-alone crate `benches/c10k`
//! the Tokio echo server and the load generator. Returns where cargo put them.

use super::SERVERS;
use crate::cargo;
use crate::course::{Course, Exercise};
use crate::scratch;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The longest a release build may take (the first one compiles dependencies).
const BUILD_LIMIT: Duration = Duration::from_secs(900);
/// The benchmark's own crate, and its folder under the course's `target/`.
const BENCH_CRATE: &str = "benches/c10k";
const BENCH_TARGET: &str = "target/bench";
/// Its server row and its load generator (binaries of that crate).
const TOKIO_ECHO: &str = "tokio-echo";
const LOAD: &str = "c10k-load";

/// Everything built: the servers in table order, and the load generator.
pub(super) struct Programs {
    pub(super) servers: Vec<(String, PathBuf)>,
    pub(super) load: PathBuf,
}

/// The exercises of [`SERVERS`], checked to be runnable here.
pub(super) fn servers(course: &Course) -> Result<Vec<&Exercise>> {
    let mut found = Vec::new();
    for name in SERVERS {
        let exercise = course.find(name)?;
        if !exercise.runs_here() {
            bail!(
                "{name} needs {}; the benchmark cannot run on this system",
                exercise.platform_need().unwrap_or("another system")
            );
        }
        if !course.path(&exercise.rel_solution()).is_dir() {
            bail!(
                "{name} has no solution at {}: the benchmark runs the solutions",
                exercise.rel_solution()
            );
        }
        found.push(exercise);
    }
    if !cfg!(target_os = "linux") {
        println!("note: epoll-echo needs Linux; on this system its row will say it failed.");
    }
    Ok(found)
}

/// Builds every program in release mode.
pub(super) fn build(course: &Course, exercises: &[&Exercise]) -> Result<Programs> {
    let mut servers = solutions(course, exercises)?;
    let mut cmd = cargo::cargo(&course.path(BENCH_CRATE), &course.path(BENCH_TARGET));
    // --locked: the crate's Cargo.lock is committed; measure what it says.
    cmd.args(["build", "--release", "--locked", "--bins"]);
    let mut built = release_build(cmd, BENCH_CRATE)?;
    let mut take = |bin: &str| {
        built
            .iter()
            .position(|(_, name, _)| name == bin)
            .map(|i| built.swap_remove(i).2)
            .with_context(|| format!("{BENCH_CRATE} has no binary named `{bin}`"))
    };
    servers.push((TOKIO_ECHO.to_string(), take(TOKIO_ECHO)?));
    let load = take(LOAD)?;
    Ok(Programs { servers, load })
}

/// The solutions' binaries; returns (package, executable) in [`SERVERS`] order.
fn solutions(course: &Course, exercises: &[&Exercise]) -> Result<Vec<(String, PathBuf)>> {
    let scratch = scratch::prepare(course, exercises)?;
    let mut cmd = cargo::cargo(&scratch.dir, &course.path("target"));
    cmd.args(["build", "--release", "--bins"]);
    for exercise in exercises {
        cmd.args(["-p", &exercise.name]);
    }
    let executables = release_build(cmd, "the solutions")?;
    exercises
        .iter()
        .map(|exercise| {
            let binary = executables
                .iter()
                .find(|(package, bin, _)| *package == exercise.name && *bin == exercise.name)
                .map(|(_, _, path)| path.clone())
                .with_context(|| {
                    format!(
                        "{}'s solution has no binary named `{}` (src/bin/{}.rs); the \
                         benchmark starts it",
                        exercise.name, exercise.name, exercise.name
                    )
                })?;
            Ok((exercise.name.clone(), binary))
        })
        .collect()
}

/// Runs a `cargo build`, asking for JSON messages; returns its executables.
fn release_build(mut cmd: Command, what: &str) -> Result<Vec<(String, String, PathBuf)>> {
    cmd.arg("--message-format=json-render-diagnostics");
    let run = cargo::run(&mut cmd, Some(BUILD_LIMIT))?;
    if !run.success() {
        bail!(
            "the release build of {what} failed:\n{}",
            cargo::first_lines(run.stderr.trim(), 40)
        );
    }
    Ok(executables(&run.stdout))
}

/// `(package, binary, path)` of every executable in cargo's JSON messages.
fn executables(json: &str) -> Vec<(String, String, PathBuf)> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter_map(|msg| {
            let path = msg["executable"].as_str()?;
            // package_id looks like "path+file:///…/07_epoll-echo#epoll-echo@0.1.0",
            // or "path+file:///…/c10k#0.1.0" when the folder is the package's name.
            let id = msg["package_id"].as_str()?;
            let (location, version) = id.rsplit_once('#')?;
            let package = match version.split_once('@') {
                Some((name, _)) => name,
                None => location.rsplit('/').next()?,
            };
            let bin = msg["target"]["name"].as_str()?.to_string();
            Some((package.to_string(), bin, PathBuf::from(path)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_executables_in_cargo_messages() {
        let json = [
            r#"{"reason":"compiler-artifact","package_id":"path+file:///c/x/07_epoll-echo#epoll-echo@0.1.0","target":{"name":"epoll-echo","kind":["bin"]},"executable":"/c/target/release/epoll-echo"}"#,
            r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#libc@0.2.1","target":{"name":"libc","kind":["lib"]},"executable":null}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///c/benches/c10k#0.1.0","target":{"name":"c10k-load","kind":["bin"]},"executable":"/c/target/bench/release/c10k-load"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            executables(&json),
            vec![
                (
                    "epoll-echo".to_string(),
                    "epoll-echo".to_string(),
                    PathBuf::from("/c/target/release/epoll-echo")
                ),
                (
                    "c10k".to_string(),
                    "c10k-load".to_string(),
                    PathBuf::from("/c/target/bench/release/c10k-load")
                )
            ]
        );
    }
}
