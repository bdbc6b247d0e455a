//! The lesson's steps: test order that follows the lesson.
//!
//! Plain `cargo test` runs an exercise's test binaries in name order and stops at
//! the first one that fails. So what a learner meets first is decided by file
//! names: the test files are numbered (`tests/01_codec.rs`), and `exercise.toml`
//! lists the lesson's steps with the test files that check each and the solution
//! files each writes. This module checks that the files agree with that list; the
//! proof that the order holds (each step's tests fail before its files are written
//! and pass after) is run by `verify`, step by step, in the scratch copy.

use crate::course::{Course, Exercise, split_number};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use walkdir::WalkDir;

/// What is wrong with an exercise's steps, in words for its author.
pub fn layout_problems(course: &Course, exercise: &Exercise) -> Vec<String> {
    let dir = course.path(&exercise.rel_dir());
    let toml = format!("{}/exercise.toml", exercise.rel_dir());
    let mut problems = Vec::new();

    let on_disk = test_files(&dir.join("tests"));
    for name in &on_disk {
        if !is_numbered(name) {
            problems.push(format!(
                "{}/tests/{name}.rs is not numbered: cargo runs test files in name order, so \
                 each is `NN_name.rs` in the order of the lesson's steps (whole-program and \
                 stress tests last)",
                exercise.rel_dir()
            ));
        }
    }
    let listed: Vec<&str> = exercise.meta.step_tests().collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &listed {
        *count.entry(name).or_default() += 1;
    }
    for (name, n) in &count {
        if *n > 1 {
            problems.push(format!(
                "{toml}: `{name}` is listed in {n} steps; give it one"
            ));
        }
        if !on_disk.iter().any(|f| f == name) {
            problems.push(format!(
                "{toml}: a step lists `{name}`, but there is no tests/{name}.rs"
            ));
        }
    }
    for name in on_disk.iter().filter(|f| !count.contains_key(f.as_str())) {
        problems.push(format!(
            "tests/{name}.rs belongs to no step: add it to a [[steps]] entry's `tests` in {toml}"
        ));
    }
    if listed.windows(2).any(|w| w[0] >= w[1]) {
        problems.push(format!(
            "{toml}: the steps' test files are not in name order ({}): cargo would run them in \
             another order than the lesson's steps; renumber the files",
            listed.join(", ")
        ));
    }

    let solution = course.path(&exercise.rel_solution());
    let written = solution_files(&solution);
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for step in &exercise.meta.steps {
        for file in &step.files {
            *owners.entry(file).or_default() += 1;
            if !written.contains(file) {
                problems.push(format!(
                    "{toml}: step \"{}\" writes `{file}`, but {}/{file} does not exist",
                    step.title,
                    exercise.rel_solution()
                ));
            }
        }
    }
    for (file, n) in owners.iter().filter(|(_, n)| **n > 1) {
        problems.push(format!(
            "{toml}: `{file}` is written by {n} steps; a file belongs to one step"
        ));
    }
    for file in written.iter().filter(|f| !owners.contains_key(f.as_str())) {
        problems.push(format!(
            "{}/{file} belongs to no step: add it to the `files` of the step that writes it \
             in {toml}",
            exercise.rel_solution()
        ));
    }
    problems
}

/// The solution files written by steps `..upto` (relative paths, `/`-separated).
pub fn files_up_to(exercise: &Exercise, upto: usize) -> Vec<&str> {
    exercise.meta.steps[..upto]
        .iter()
        .flat_map(|s| s.files.iter().map(String::as_str))
        .collect()
}

/// `NN_name`: two digits, an underscore, a name.
fn is_numbered(name: &str) -> bool {
    split_number(name).is_some()
}

/// The test binaries of a `tests/` folder: its top-level `.rs` files, without
/// the extension, sorted.
fn test_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Every file of a solution overlay, relative and `/`-separated.
fn solution_files(dir: &Path) -> Vec<String> {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_are_numbered_like_folders() {
        assert!(is_numbered("01_codec"));
        assert!(is_numbered("10_binary"));
        assert!(!is_numbered("codec"));
        assert!(!is_numbered("1_codec"));
        assert!(!is_numbered("01_"));
    }
}
