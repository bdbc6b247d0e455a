//! The servers' binaries: which exercises, built in release mode from their
//! solutions, and where cargo put the executables.

use super::SERVERS;
use crate::cargo;
use crate::course::{Course, Exercise};
use crate::scratch;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// The longest the release build may take (the first one compiles dependencies).
const BUILD_LIMIT: Duration = Duration::from_secs(900);

/// The three exercises, checked to be runnable here.
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

/// Builds the solutions' binaries in release mode; returns (package, executable).
pub(super) fn build(course: &Course, exercises: &[&Exercise]) -> Result<Vec<(String, PathBuf)>> {
    let scratch = scratch::prepare(course, exercises)?;
    let mut cmd = cargo::cargo(&scratch.dir, &course.path("target"));
    cmd.args([
        "build",
        "--release",
        "--bins",
        "--message-format=json-render-diagnostics",
    ]);
    for exercise in exercises {
        cmd.args(["-p", &exercise.name]);
    }
    let run = cargo::run(&mut cmd, Some(BUILD_LIMIT))?;
    if !run.success() {
        bail!(
            "the release build of the solutions failed:\n{}",
            cargo::first_lines(run.stderr.trim(), 40)
        );
    }
    let executables = executables(&run.stdout);
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

/// `(package, binary, path)` of every executable in cargo's JSON messages.
fn executables(json: &str) -> Vec<(String, String, PathBuf)> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter_map(|msg| {
            let path = msg["executable"].as_str()?;
            // package_id looks like "path+file:///…/07_epoll-echo#epoll-echo@0.1.0".
            let id = msg["package_id"].as_str()?;
            let package = id.rsplit_once('#')?.1.split('@').next()?.to_string();
            let bin = msg["target"]["name"].as_str()?.to_string();
            Some((package, bin, PathBuf::from(path)))
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
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            executables(&json),
            vec![(
                "epoll-echo".to_string(),
                "epoll-echo".to_string(),
                PathBuf::from("/c/target/release/epoll-echo")
            )]
        );
    }
}
