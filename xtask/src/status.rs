//! `cargo xtask status` and `cargo xtask hint`: the learner's view of the course.
//!
//! Status runs every exercise's tests exactly as the learner left them, in place,
//! each bounded by the time limit, and ends with the one thing a learner wants to
//! know: which exercise is next and where it is.

use crate::course::{Course, Exercise};
use crate::testrun::{self, Target, TestRun};
use crate::verdict_cache::{Cache, Verdict};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs;
use std::time::Duration;

/// Runs one exercise in place, as the learner's own `cargo test` would.
pub fn test_in_place(course: &Course, exercise: &Exercise, limit: Duration) -> Result<TestRun> {
    testrun::test_package(
        &Target {
            workspace: &course.root,
            target_dir: &course.path("target"),
            package: &exercise.name,
            package_dir: &course.path(&exercise.rel_dir()),
            env: &[],
            tests: &[],
        },
        limit,
    )
}

/// Prints progress through the course. Unfinished exercises are the normal state
/// of a learner, not an error, so this succeeds either way.
pub fn status(course: &Course, limit: Duration) -> Result<()> {
    let exercises: Vec<&Exercise> = course.exercises.iter().collect();
    if exercises.is_empty() {
        println!("There are no exercises yet.");
        return Ok(());
    }
    let bar = ProgressBar::new(exercises.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .expect("a valid template")
            .progress_chars("█▌ "),
    );
    let mut cache = Cache::load(course);
    let mut done = 0;
    let mut skipped = 0;
    let mut remembered = 0;
    let mut next: Option<&Exercise> = None;
    for exercise in &exercises {
        if !exercise.runs_here() {
            say(
                &bar,
                format!(
                    "  – {} (needs {})",
                    exercise.name,
                    exercise.platform_need().unwrap_or("another system")
                ),
            );
            skipped += 1;
            bar.inc(1);
            continue;
        }
        let fingerprint = cache.fingerprint(course, exercise);
        let verdict = match cache.get(&exercise.name, &fingerprint) {
            Some(verdict) => {
                remembered += 1;
                verdict.clone()
            }
            None => {
                bar.set_message(format!("testing {}…", exercise.name));
                let run = test_in_place(course, exercise, limit)?;
                let verdict = Verdict {
                    passes: run.all_pass(),
                    summary: run.summary(limit),
                };
                // A run stopped by the time limit says more about the machine's
                // load than about the code: ask again next time.
                if !run.hung() {
                    cache.put(&exercise.name, fingerprint, verdict.clone());
                }
                verdict
            }
        };
        if verdict.passes {
            done += 1;
            say(&bar, format!("  ✓ {}", exercise.name));
        } else {
            say(&bar, format!("  ✗ {} — {}", exercise.name, verdict.summary));
            next.get_or_insert(exercise);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    cache.save();
    if remembered > 0 {
        println!(
            "\n({remembered} verdict(s) remembered from an earlier run: those exercises' files, \
             the test kit and the toolchain have not changed since.)"
        );
    }

    let counted = exercises.len() - skipped;
    println!("\n{done} of {counted} exercises pass.");
    match next {
        Some(e) => {
            println!(
                "next: {} — exercises: {}, lesson {}",
                e.name,
                e.rel_dir(),
                e.rel_lesson()
            );
            println!("  cd {} && cargo test", e.rel_dir());
            println!("  stuck? cargo xtask hint {}", e.name);
        }
        None => println!("Every exercise passes. Well done!"),
    }
    Ok(())
}

/// Prints a line above the bar. (`ProgressBar::println` prints nothing when the
/// bar is hidden, e.g. in CI or a pipe; the verdicts must show there too.)
fn say(bar: &ProgressBar, line: String) {
    bar.suspend(|| println!("{line}"));
}

/// Prints an exercise's hints up to the next level: each call says one thing more.
///
/// The level reached is remembered per exercise in `target/xtask/hints/NAME`, so a
/// learner who asks again gets the next hint; `--level N` shows exactly the first N.
pub fn hint(course: &Course, name: Option<&str>, level: Option<usize>) -> Result<()> {
    let exercise = course.named_or_current(name, "hint")?;
    let hints = &exercise.meta.hints;
    if hints.is_empty() {
        println!(
            "{} has no hint yet. Read its lesson: {}",
            exercise.name,
            exercise.rel_lesson()
        );
        return Ok(());
    }
    let memory = course.path("target/xtask/hints").join(&exercise.name);
    let seen: usize = fs::read_to_string(&memory)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let shown = level.unwrap_or(seen + 1).clamp(1, hints.len());
    if let Some(dir) = memory.parent() {
        // Remembering is a convenience: a read-only checkout still gets its hint.
        let _ = fs::create_dir_all(dir).and_then(|()| fs::write(&memory, shown.to_string()));
    }

    println!("Hints for {} ({}):", exercise.name, exercise.rel_dir());
    for (n, hint) in hints.iter().enumerate().take(shown) {
        println!(
            "\n{} {} of {}:",
            if n + 1 == shown { "▶" } else { " " },
            n + 1,
            hints.len()
        );
        for line in hint.trim().lines() {
            println!("    {line}");
        }
    }
    if shown < hints.len() {
        println!(
            "\nStill stuck? Run `cargo xtask hint {}` again for hint {} of {}.",
            exercise.name,
            shown + 1,
            hints.len()
        );
    } else {
        println!(
            "\nThat was the last hint. After you have solved it, the lesson's walk-through \
             explains the reference solution."
        );
    }
    println!("The lesson: {}", exercise.rel_lesson());
    Ok(())
}
