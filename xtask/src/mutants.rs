//! `cargo xtask mutants [NAME…]`: are the tests strong enough to reject wrong code?
//!
//! A test suite is judged by the wrong solutions it rejects. cargo-mutants makes
//! them mechanically: it changes one thing in the code (a `<` into `<=`, a body into
//! `Ok(())`, a `&&` into `||`), rebuilds, and runs the tests; a mutant the tests
//! still pass is a wrong solution a learner could hand in with every test green.
//!
//! For each exercise, the solution is laid over the scratch copy `verify` uses
//! (never the learner's folder), cargo-mutants mutates only the files the solution
//! provides (what the learner writes) and runs the exercise's own tests. The
//! target is at least 90% of viable mutants caught; every survivor must be listed
//! under `[surviving-mutants]` in `exercise.toml` with the reason no test can see
//! it. This is an author's tool: it takes minutes per exercise and is not part of
//! `verify`.

use crate::cargo;
use crate::course::{Course, Exercise};
use crate::scratch;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The share of viable mutants an exercise's tests must catch.
const TARGET: f64 = 0.90;

pub struct Options {
    pub names: Vec<String>,
    /// Install cargo-mutants first if it is missing.
    pub install: bool,
}

/// What one exercise's run found.
struct Tally {
    name: String,
    caught: usize,
    timeouts: usize,
    unviable: usize,
    /// `file: description` of each surviving mutant, as `exercise.toml` keys them.
    missed: Vec<String>,
    seconds: f64,
}

impl Tally {
    fn viable(&self) -> usize {
        self.caught + self.timeouts + self.missed.len()
    }

    /// A mutant that makes the tests hang until the time limit is caught too:
    /// the learner would see a failure.
    fn score(&self) -> f64 {
        if self.viable() == 0 {
            1.0
        } else {
            (self.caught + self.timeouts) as f64 / self.viable() as f64
        }
    }
}

/// Runs cargo-mutants on the named exercises (all, in course order, if none).
pub fn run(course: &Course, opts: &Options) -> Result<bool> {
    ensure_installed(opts.install)?;
    let exercises: Vec<&Exercise> = if opts.names.is_empty() {
        course.exercises.iter().filter(|e| e.runs_here()).collect()
    } else {
        opts.names
            .iter()
            .map(|n| course.find(n))
            .collect::<Result<_>>()?
    };
    let mut tallies = Vec::new();
    for exercise in &exercises {
        println!("{} …", exercise.name);
        // One scratch workspace per exercise: runs on different exercises can go
        // side by side, and none of them holds up `verify`.
        let dir = course
            .path("target/mutants")
            .join(&exercise.name)
            .join("workspace");
        let scratch = scratch::prepare_in(course, &dir, "mutants", &[exercise])?;
        let tally = mutate(course, exercise, &scratch.dir, &scratch.copy_of(exercise))?;
        println!(
            "  {} viable mutants, {:.0}% caught ({:.0} s)",
            tally.viable(),
            tally.score() * 100.0,
            tally.seconds
        );
        tallies.push(tally);
    }
    Ok(report(&exercises, &tallies))
}

/// Fails with the install command when cargo-mutants is missing (or installs it).
fn ensure_installed(install: bool) -> Result<()> {
    let found = Command::new("cargo")
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Ok(());
    }
    if !install {
        bail!(
            "cargo-mutants is not installed. Install it with\n  \
             cargo install cargo-mutants --locked\nor run `cargo xtask mutants --install …`."
        );
    }
    println!("installing cargo-mutants (a few minutes, once)…");
    let mut cmd = Command::new("cargo");
    cmd.args(["install", "cargo-mutants", "--locked"]);
    cargo::run_inherited(&mut cmd, None)?;
    Ok(())
}

/// Mutates one exercise's solution files in its scratch copy and tallies the result.
fn mutate(course: &Course, exercise: &Exercise, workspace: &Path, copy: &Path) -> Result<Tally> {
    let start = Instant::now();
    let out = course.path("target/mutants").join(&exercise.name);
    fs::create_dir_all(&out)?;
    let mut cmd = cargo::cargo(workspace, &course.path("target"));
    cmd.args([
        "mutants",
        "--in-place",
        "--no-shuffle",
        "--package",
        &exercise.name,
    ])
    .arg("--dir")
    .arg(workspace)
    .arg("--output")
    .arg(&out)
    // Snapshots are checked, never written, as in `verify`.
    .env("INSTA_UPDATE", "no")
    .env("CI", "true");
    let rel_copy = copy.strip_prefix(workspace).unwrap_or(copy);
    for step in &exercise.meta.steps {
        for file in step.files.iter().filter(|f| f.ends_with(".rs")) {
            cmd.arg("--file").arg(rel_copy.join(file));
        }
    }
    let ended = cargo::run_inherited(&mut cmd, None)?;
    let results = out.join("mutants.out");
    if !results.join("caught.txt").is_file() {
        bail!(
            "cargo mutants found nothing to report for {} (exit: {ended:?}); see {}",
            exercise.name,
            results.display()
        );
    }
    let lines = |file: &str| -> Result<Vec<String>> {
        let path = results.join(file);
        let text = fs::read_to_string(&path).unwrap_or_default();
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(key)
            .collect())
    };
    let prefix = format!("{}/", rel_copy.display());
    Ok(Tally {
        name: exercise.name.clone(),
        caught: lines("caught.txt")?.len(),
        timeouts: lines("timeout.txt")?.len(),
        unviable: lines("unviable.txt")?.len(),
        missed: lines("missed.txt")
            .context("reading missed.txt")?
            .into_iter()
            .map(|k| k.strip_prefix(&prefix).map(str::to_string).unwrap_or(k))
            .collect(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// `src/codec.rs:42:9: replace < with <= in decode` → `src/codec.rs: replace < with
/// <= in decode`: the line and column move with every edit, the rest does not.
fn key(line: &str) -> String {
    let mut parts = line.splitn(4, ':');
    let file = parts.next().unwrap_or_default();
    let (second, third) = (parts.next(), parts.next());
    let rest = parts.next();
    let numeric = |p: Option<&str>| p.is_some_and(|p| p.trim().chars().all(|c| c.is_ascii_digit()));
    match rest {
        Some(rest) if numeric(second) && numeric(third) => format!("{file}:{rest}"),
        _ => line.to_string(),
    }
}

/// Prints the table and every unexplained survivor; true when all reach the target.
fn report(exercises: &[&Exercise], tallies: &[Tally]) -> bool {
    println!(
        "\n{:<16} {:>7} {:>8} {:>7} {:>8} {:>6} {:>10} {:>7}",
        "exercise", "viable", "unviable", "caught", "timeouts", "missed", "explained", "score"
    );
    let mut ok = true;
    let mut notes = Vec::new();
    for (exercise, tally) in exercises.iter().zip(tallies) {
        let listed = &exercise.meta.surviving_mutants;
        let explained = tally
            .missed
            .iter()
            .filter(|m| listed.contains_key(*m))
            .count();
        let good = tally.score() >= TARGET && explained == tally.missed.len();
        ok &= good;
        println!(
            "{} {:<14} {:>7} {:>8} {:>7} {:>8} {:>6} {:>10} {:>6.1}%",
            if good { "✓" } else { "✗" },
            tally.name,
            tally.viable(),
            tally.unviable,
            tally.caught,
            tally.timeouts,
            tally.missed.len(),
            explained,
            tally.score() * 100.0
        );
        for missed in tally.missed.iter().filter(|m| !listed.contains_key(*m)) {
            notes.push(format!(
                "  {}: survived: {missed}\n    kill it with a test, or list it under \
                 [surviving-mutants] in {}/exercise.toml with the reason no test can see it",
                tally.name,
                exercise.rel_dir()
            ));
        }
        for stale in listed.keys().filter(|k| !tally.missed.contains(k)) {
            notes.push(format!(
                "  {}: [surviving-mutants] lists `{stale}`, which no longer survives: remove it",
                tally.name
            ));
        }
    }
    if !notes.is_empty() {
        println!("\n{}", notes.join("\n"));
    }
    println!(
        "\nmutants: target {:.0}% of viable mutants caught, every survivor explained",
        TARGET * 100.0
    );
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_line_and_column_only() {
        assert_eq!(
            key("src/codec.rs:42:9: replace < with <= in decode"),
            "src/codec.rs: replace < with <= in decode"
        );
        assert_eq!(
            key("src/a.rs:1:2: replace f -> Result<(), E> with Ok(())"),
            "src/a.rs: replace f -> Result<(), E> with Ok(())"
        );
        assert_eq!(key("no numbers: here"), "no numbers: here");
    }
}
