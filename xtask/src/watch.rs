//! `cargo xtask watch [NAME]`: rerun the current exercise's tests on every save.
//!
//! The learner keeps one terminal open beside the editor; each save reruns the
//! tests (bounded by the time limit, so a hung server cannot freeze the loop) and
//! says what to do next.

use crate::cargo;
use crate::course::{Course, Exercise};
use crate::status::test_in_place;
use crate::watcher::Changes;
use anyhow::Result;
use std::io::IsTerminal;
use std::time::Duration;

pub fn watch(course: &Course, name: Option<&str>, limit: Duration) -> Result<()> {
    let exercise = pick(course, name, limit)?;
    let dir = course.path(&exercise.rel_dir());
    let changes = Changes::watch(std::slice::from_ref(&dir))?;
    loop {
        if std::io::stdout().is_terminal() {
            print!("\x1b[2J\x1b[H"); // a clean screen for each run
        }
        println!("watching {} ({})\n", exercise.name, exercise.rel_dir());
        let mut cmd = cargo::cargo(&course.root, &course.path("target"));
        cmd.args(["test", "-p", &exercise.name, "--no-fail-fast"]);
        let ended = cargo::run_inherited(&mut cmd, Some(limit))?;
        println!();
        match ended {
            cargo::Ended::Exited(Some(0)) => {
                println!("✓ all tests of {} pass.", exercise.name);
                if let Some(next) = next_after(course, exercise) {
                    println!(
                        "  next: {} — cargo xtask watch {} (lesson {})",
                        next.name,
                        next.name,
                        next.rel_lesson()
                    );
                }
            }
            cargo::Ended::Exited(_) => println!(
                "✗ not yet: read the first failure above. Stuck? cargo xtask hint {}",
                exercise.name
            ),
            cargo::Ended::TimedOut(after) => println!(
                "✗ the tests were still running after {} s and were stopped: something waits \
                 forever (a read with no timeout, a lock never released, a thread never joined)",
                after.as_secs()
            ),
        }
        println!(
            "\nsave a file in {} to run again; Ctrl-C to stop",
            exercise.rel_dir()
        );
        changes.drain();
        changes.wait()?;
    }
}

/// NAME, else the exercise the learner stands in, else the first not passing.
fn pick<'c>(course: &'c Course, name: Option<&str>, limit: Duration) -> Result<&'c Exercise> {
    if name.is_some() {
        return course.find(name.unwrap_or_default());
    }
    let cwd = std::env::current_dir()?;
    if let Some(exercise) = course.containing(&cwd) {
        return Ok(exercise);
    }
    println!("looking for the first exercise that does not pass yet…");
    for exercise in course.exercises.iter().filter(|e| e.runs_here()) {
        if !test_in_place(course, exercise, limit)?.all_pass() {
            return Ok(exercise);
        }
    }
    anyhow::bail!("every exercise passes already; name one to watch: cargo xtask watch NAME")
}

fn next_after<'c>(course: &'c Course, exercise: &Exercise) -> Option<&'c Exercise> {
    course
        .exercises
        .iter()
        .skip_while(|e| e.name != exercise.name)
        .nth(1)
}
