//! `cargo xtask snapshots NAME`: create or refresh an exercise's insta snapshots
//! from its solution.
//!
//! Snapshots describe what a *correct* exercise produces, so they come from the
//! solution, never from a learner's run. The solution is laid over a scratch copy,
//! the copy's snapshots are removed, and the tests run with `INSTA_UPDATE=always`,
//! so every snapshot the tests still take is written afresh. New and changed ones
//! are copied into the exercise's `tests/snapshots/` and printed for review; the
//! exercise's snapshots that no test wrote any more are stale and deleted. No
//! `.snap.new` file is left anywhere.

use crate::course::{Course, Exercise};
use crate::scratch;
use crate::testrun::{self, Target};
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn snapshots(course: &Course, name: &str, limit: Duration) -> Result<()> {
    let exercise = course.find(name)?;
    if !course.path(&exercise.rel_solution()).is_dir() {
        bail!(
            "{name} has no solution at {}: snapshots are taken from the solution",
            exercise.rel_solution()
        );
    }
    let scratch = scratch::prepare(course, &[exercise])?;
    let copy = scratch.copy_of(exercise);
    let theirs = copy.join("tests/snapshots");
    for old in snap_files(&theirs)?.into_values() {
        fs::remove_file(old)?;
    }

    println!("running {name}'s tests against its solution, writing snapshots…");
    let run = testrun::test_package(
        &Target {
            workspace: &scratch.dir,
            target_dir: &course.path("target"),
            package: name,
            package_dir: &copy,
            env: &[("INSTA_UPDATE", "always")],
            tests: &[],
        },
        limit,
    )?;
    for pending in scratch::pending_snapshots(&copy) {
        fs::remove_file(pending)?;
    }
    if run.run.is_none() {
        bail!("the solution does not compile:\n{}", run.first_error());
    }
    if run.hung() {
        bail!(
            "the solution's tests were still running after {} s",
            limit.as_secs()
        );
    }

    let ours = course.path(&exercise.rel_dir()).join("tests/snapshots");
    let written = snap_files(&theirs)?;
    let existing = snap_files(&ours)?;
    let mut changes = 0;
    for (file, path) in &written {
        let new = as_in_exercise(&fs::read_to_string(path)?, exercise);
        let old = existing.get(file).and_then(|p| fs::read_to_string(p).ok());
        if old.as_deref().is_some_and(|old| same_snapshot(old, &new)) {
            continue;
        }
        fs::create_dir_all(&ours)?;
        fs::write(ours.join(file), &new)?;
        changes += 1;
        let what = if old.is_some() { "changed" } else { "new" };
        println!("\n── {what}: {}/tests/snapshots/{file}", exercise.rel_dir());
        println!("{}", new.trim_end());
    }
    for (file, path) in &existing {
        if !written.contains_key(file) {
            fs::remove_file(path)?;
            changes += 1;
            println!(
                "\n── stale, deleted: {}/tests/snapshots/{file} (no test takes it any more)",
                exercise.rel_dir()
            );
        }
    }
    for pending in scratch::pending_snapshots(&course.path(&exercise.rel_dir())) {
        fs::remove_file(pending)?;
    }

    let failed = run.names(crate::libtest::Outcome::Failed);
    if !failed.is_empty() {
        println!(
            "\nnote: the solution still fails {} — fix that before trusting these snapshots",
            failed.join(", ")
        );
    }
    if changes == 0 {
        println!(
            "\nall {} snapshot(s) of {name} are up to date",
            written.len()
        );
    } else {
        println!(
            "\n{changes} snapshot file(s) updated: read each one above before committing; \
             then `cargo xtask verify {name}`"
        );
    }
    Ok(())
}

/// The scratch copy lives at `solutions/…` (see `scratch.rs`), so insta's header
/// names the test file there; the committed snapshot names the exercise's file.
fn as_in_exercise(snap: &str, exercise: &Exercise) -> String {
    let copy = format!("source: {}/", exercise.rel_solution());
    let real = format!("source: {}/", exercise.rel_dir());
    match snap.split_once("\n---\n") {
        Some((header, body)) => format!("{}\n---\n{body}", header.replacen(&copy, &real, 1)),
        None => snap.to_string(),
    }
}

/// `*.snap` files directly in `dir`, by file name.
fn snap_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "snap") {
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into();
                files.insert(name, path);
            }
        }
    }
    Ok(files)
}

/// Snapshot contents compared without insta's header, whose `assertion_line`
/// moves whenever a test above it changes.
fn same_snapshot(a: &str, b: &str) -> bool {
    body(a) == body(b)
}

fn body(snap: &str) -> &str {
    // An insta snapshot is `---\n<yaml header>\n---\n<body>`.
    snap.strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(snap, |(_, body)| body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_do_not_make_a_snapshot_differ() {
        let a = "---\nsource: a.rs\nassertion_line: 3\n---\nhello\n";
        let b = "---\nsource: a.rs\nassertion_line: 9\n---\nhello\n";
        let c = "---\nsource: a.rs\n---\nbye\n";
        assert!(same_snapshot(a, b));
        assert!(!same_snapshot(a, c));
    }
}
