//! `cargo xtask verify`: the CI gate.
//!
//! In course order it proves what the course promises its learners:
//!
//! 1. the code is formatted (workspace, runner, solutions);
//! 2. the workspace's own tests pass (test kit, runner) — skipped when NAMEs are given;
//! 3. the dependency policy holds (see [`crate::policy`]);
//! 4. for each exercise: the untouched stub builds cleanly with its tests and at
//!    least one test fails (a test passing on the stub checks nothing the learner
//!    writes, so each one must be listed with a reason); the solution, laid over a
//!    scratch copy, passes every test with snapshots checked and is clippy-clean.
//!    It is judged by the exercise's own tests: an overlay may not replace them,
//!    and every test that ran on the stub must run on the solution. Crashed test
//!    binaries and output that disagrees with libtest's totals never count as a
//!    pass (see [`crate::libtest`]);
//! 5. the book builds with search and nothing left unexpanded;
//! 6. every exercise has its box in its lesson and every internal link resolves.
//!
//! Everything runs even after a miss, so one run shows every problem. The report is
//! one table, then each miss in plain words, then `verify: N passed, M failed`.

use crate::authoring;
use crate::book;
use crate::cargo;
use crate::course::{Course, Exercise};
use crate::drift;
use crate::libtest::{self, Outcome};
use crate::links;
use crate::policy;
use crate::report::{self, Check, Row};
use crate::scratch::{self, Scratch};
use crate::spoilers;
use crate::steps;
use crate::testrun::{self, Target, TestRun};
use anyhow::Result;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use walkdir::WalkDir;

pub struct Options {
    pub names: Vec<String>,
    pub test_timeout: Duration,
}

/// Runs every step; returns whether everything passed.
pub fn run(course: &Course, opts: &Options) -> Result<bool> {
    let selected: Vec<&Exercise> = if opts.names.is_empty() {
        course.exercises.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for name in &opts.names {
            chosen.push(course.find(name)?);
        }
        chosen.sort_by_key(|e| e.order);
        chosen.dedup_by_key(|e| e.name.clone());
        chosen
    };
    let runnable: Vec<&Exercise> = selected
        .iter()
        .copied()
        .filter(|e| e.runs_here() && course.path(&e.rel_solution()).is_dir())
        .collect();
    let scratch = scratch::prepare(course, &runnable)?;
    let mut checks = Vec::new();

    checks.push(step("course layout", || Ok(layout_problems(course))));
    checks.push(step("formatting", || {
        formatting(course, &runnable, &scratch)
    }));
    if opts.names.is_empty() {
        checks.push(step("test kit's tests", || {
            let mut cmd = cargo::cargo(&course.root, &course.path("target"));
            cmd.args(["test", "-p", "testkit"]);
            tests_pass(&mut cmd, "cargo test -p testkit")
        }));
        if course.path("xtask/Cargo.toml").is_file() {
            checks.push(step("runner's tests", || {
                let mut cmd = cargo::cargo(&course.root, &course.path("target"));
                // The runner has its own target folder (xtask/target).
                cmd.env_remove("CARGO_TARGET_DIR");
                cmd.args(["test", "--manifest-path", "xtask/Cargo.toml"]);
                tests_pass(&mut cmd, "cargo test --manifest-path xtask/Cargo.toml")
            }));
        }
    }
    checks.push(step("dependency policy", || policy::check(course)));

    println!("exercises:");
    let rows: Vec<Row> = selected
        .iter()
        .map(|e| verify_exercise(course, e, &scratch, opts.test_timeout))
        .collect::<Result<_>>()?;

    let mut site = None;
    checks.push(step("book", || {
        match book::build(course, book::Edition::Full) {
            Ok(built) => {
                let problems = book::check_output(course, &built)?;
                site = Some(built);
                Ok(problems)
            }
            Err(e) => Ok(vec![format!("{e:#}")]),
        }
    }));
    checks.push(step("book without solutions", || {
        match book::build(course, book::Edition::NoSolutions) {
            Ok(built) => {
                let mut problems = book::check_output(course, &built)?;
                problems.extend(spoilers::site_problems(course, &built)?);
                Ok(problems)
            }
            Err(e) => Ok(vec![format!("{e:#}")]),
        }
    }));
    checks.push(step("glossary", || {
        Ok(authoring::glossary_problems(course))
    }));
    let mut notes = Vec::new();
    checks.push(step("links", || {
        let mut problems = links::check_sources(course)?;
        match &site {
            Some(site) => problems.extend(links::check_site(site)?),
            None => notes.push("links: the book did not build, so its HTML links were not checked"),
        }
        Ok(problems)
    }));

    Ok(report::print(&rows, &checks, &notes))
}

/// Runs one course-wide check, printing its name and verdict as it goes.
fn step(name: &'static str, body: impl FnOnce() -> Result<Vec<String>>) -> Check {
    print!("{name} … ");
    let _ = std::io::stdout().flush();
    let start = Instant::now();
    let problems = body().unwrap_or_else(|e| vec![format!("{e:#}")]);
    let verdict = if problems.is_empty() { "ok" } else { "MISS" };
    println!("{verdict} ({:.1} s)", start.elapsed().as_secs_f64());
    Check { name, problems }
}

/// Problems of the course as a whole: badly named folders, orphan solutions.
fn layout_problems(course: &Course) -> Vec<String> {
    let mut problems = course.problems.clone();
    let solutions = course.path("solutions");
    for entry in WalkDir::new(&solutions)
        .min_depth(2)
        .max_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
    {
        let rel = entry
            .path()
            .strip_prefix(&course.root)
            .unwrap_or(entry.path());
        let exercise = Path::new("exercises").join(rel.strip_prefix("solutions").unwrap_or(rel));
        if !course.root.join(&exercise).is_dir() {
            problems.push(format!(
                "{} is a solution without an exercise (no {})",
                rel.display(),
                exercise.display()
            ));
        }
    }
    problems
}

/// `cargo fmt` for the workspace and the runner; rustfmt for the solutions.
fn formatting(course: &Course, exercises: &[&Exercise], scratch: &Scratch) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut cmd = cargo::cargo(&course.root, &course.path("target"));
    cmd.args(["fmt", "--all", "--check"]);
    problems.extend(fmt_problems(course, &mut cmd, "cargo fmt --all")?);
    if course.path("xtask/Cargo.toml").is_file() {
        let mut cmd = cargo::cargo(&course.root, &course.path("target"));
        cmd.args(["fmt", "--check", "--manifest-path", "xtask/Cargo.toml"]);
        problems.extend(fmt_problems(
            course,
            &mut cmd,
            "cargo fmt --manifest-path xtask/Cargo.toml",
        )?);
    }
    // A solution file may declare modules that only the exercise has, so rustfmt
    // reads each one in the overlaid scratch copy, where every module exists.
    for exercise in exercises {
        let solution = course.path(&exercise.rel_solution());
        for entry in WalkDir::new(&solution).into_iter().filter_map(Result::ok) {
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = entry.path().strip_prefix(&solution)?;
            let shown = format!("{}/{}", exercise.rel_solution(), rel.display());
            let mut cmd = Command::new("rustfmt");
            cmd.args(["--check", "--edition", "2021"])
                .arg(scratch.copy_of(exercise).join(rel));
            let run = cargo::run(&mut cmd, None)?;
            if !run.success() {
                let why = if run.stderr.trim().is_empty() {
                    String::new()
                } else {
                    format!(":\n{}", cargo::first_lines(run.stderr.trim(), 6))
                };
                problems.push(format!(
                    "{shown} is not formatted — run `rustfmt --edition 2021 {shown}`{why}"
                ));
            }
        }
    }
    Ok(problems)
}

/// The files `cargo fmt --check` would change, each once, relative to the root.
fn fmt_problems(course: &Course, cmd: &mut Command, fix: &str) -> Result<Vec<String>> {
    let run = cargo::run(cmd, None)?;
    if run.success() {
        return Ok(Vec::new());
    }
    let root = format!("{}/", course.root.display());
    let mut files: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Diff in "))
        // `Diff in /root/path/file.rs:12:` (older rustfmt: `… at line 12:`)
        .filter_map(|l| l.split([':', ' ']).next())
        .map(|l| l.strip_prefix(root.as_str()).unwrap_or(l))
        .collect();
    files.sort();
    files.dedup();
    let detail = if files.is_empty() {
        cargo::first_lines(run.stderr.trim(), 8)
    } else {
        files.join("\n")
    };
    Ok(vec![format!("unformatted code — run `{fix}`:\n{detail}")])
}

/// A plain test command must succeed.
fn tests_pass(cmd: &mut Command, what: &str) -> Result<Vec<String>> {
    let run = cargo::run(cmd, None)?;
    if run.success() {
        return Ok(Vec::new());
    }
    let failed: Vec<String> = libtest::read(&run.stdout)
        .tests
        .into_iter()
        .filter(|(_, o)| *o == Outcome::Failed)
        .map(|(n, _)| n)
        .collect();
    let detail = if failed.is_empty() {
        cargo::first_lines(run.stderr.trim(), 15)
    } else {
        format!("failing: {}", failed.join(", "))
    };
    Ok(vec![format!(
        "`{what}` failed — run it to see why; {detail}"
    )])
}

/// The stub and solution checks of one exercise.
fn verify_exercise(
    course: &Course,
    exercise: &Exercise,
    scratch: &Scratch,
    limit: Duration,
) -> Result<Row> {
    let mut row = Row {
        name: exercise.name.clone(),
        tests: None,
        failing_on_stub: None,
        passing_on_stub: None,
        solution: "–".into(),
        seconds: 0.0,
        reasons: exercise.problems.clone(),
        skipped: None,
    };
    if !exercise.runs_here() {
        let need = exercise.platform_need().unwrap_or("another system");
        println!("  – {} (needs {need}; skipped)", exercise.name);
        row.skipped = Some(format!("needs {need}; skipped on this system"));
        return Ok(row);
    }
    print!("  {} … ", exercise.name);
    let _ = std::io::stdout().flush();
    let start = Instant::now();
    let target_dir = course.path("target");

    let stub_dir = course.path(&exercise.rel_dir());
    let stub = testrun::test_package(
        &Target {
            workspace: &course.root,
            target_dir: &target_dir,
            package: &exercise.name,
            package_dir: &stub_dir,
            env: &[],
            tests: &[],
        },
        limit,
    )?;
    judge_stub(exercise, &stub, limit, &mut row);
    let mut timings = vec![format!("stub {:.1} s", stub.elapsed.as_secs_f64())];

    row.reasons.extend(overlaid_tests(course, exercise));
    row.reasons.extend(authoring::hint_problems(exercise));
    row.reasons
        .extend(authoring::citation_problems(course, exercise));
    row.reasons
        .extend(spoilers::lesson_problems(course, exercise));
    row.reasons.extend(drift::problems(course, exercise));
    let step_layout = steps::layout_problems(course, exercise);
    let steps_hold = step_layout.is_empty() && exercise.problems.is_empty();
    row.reasons.extend(step_layout);
    if steps_hold && stub.run.is_some() {
        row.reasons
            .extend(first_step_fails_on_stub(course, exercise, limit)?);
    }
    if scratch.has(exercise) {
        if steps_hold && exercise.meta.steps.len() > 1 {
            let start = Instant::now();
            row.reasons
                .extend(steps_in_order(course, exercise, scratch, limit)?);
            timings.push(format!("steps {:.1} s", start.elapsed().as_secs_f64()));
        }
        scratch.lay(course, exercise, None)?;
        let copy = scratch.copy_of(exercise);
        let solution = testrun::test_package(
            &Target {
                workspace: &scratch.dir,
                target_dir: &target_dir,
                package: &exercise.name,
                package_dir: &copy,
                // Snapshots are checked, never written.
                env: &[("INSTA_UPDATE", "no"), ("CI", "true")],
                tests: &[],
            },
            limit,
        )?;
        judge_solution(exercise, &solution, limit, &copy, &mut row)?;
        missing_from_solution(&stub, &solution, &mut row);
        timings.push(format!("solution {:.1} s", solution.elapsed.as_secs_f64()));
        if solution.run.is_some() {
            let clippy_time = clippy(course, exercise, scratch, &mut row)?;
            timings.push(format!("clippy {:.1} s", clippy_time.as_secs_f64()));
        }
        row.tests = Some(solution.total().max(stub.total()));
    } else {
        row.tests = Some(stub.total());
    }

    row.seconds = start.elapsed().as_secs_f64();
    let verdict = if row.reasons.is_empty() { "ok" } else { "MISS" };
    println!("{verdict} ({})", timings.join(", "));
    Ok(row)
}

/// Plain `cargo test` on the untouched stub must stop in step 1: at least one of
/// step 1's tests fails there.
fn first_step_fails_on_stub(
    course: &Course,
    exercise: &Exercise,
    limit: Duration,
) -> Result<Vec<String>> {
    let first = &exercise.meta.steps[0];
    let tests: Vec<&str> = first.tests.iter().map(String::as_str).collect();
    let run = testrun::test_package(
        &Target {
            workspace: &course.root,
            target_dir: &course.path("target"),
            package: &exercise.name,
            package_dir: &course.path(&exercise.rel_dir()),
            env: &[],
            tests: &tests,
        },
        limit,
    )?;
    Ok(if run.all_pass() {
        vec![format!(
            "step 1 (\"{}\") passes on the untouched stub: its tests ({}) check nothing the \
             learner writes, so a learner's first `cargo test` would stop at a later step",
            first.title,
            tests.join(", ")
        )]
    } else {
        Vec::new()
    })
}

/// Lays the solution over the stub one step at a time, as a learner writes it, and
/// proves the order of the lesson: with steps 1..=k written, their tests pass and
/// step k+1's tests still fail. Leaves the copy part-solved; the caller lays the
/// whole solution again.
fn steps_in_order(
    course: &Course,
    exercise: &Exercise,
    scratch: &Scratch,
    limit: Duration,
) -> Result<Vec<String>> {
    let steps = &exercise.meta.steps;
    let copy = scratch.copy_of(exercise);
    let target_dir = course.path("target");
    let run_tests = |tests: &[&str]| {
        testrun::test_package(
            &Target {
                workspace: &scratch.dir,
                target_dir: &target_dir,
                package: &exercise.name,
                package_dir: &copy,
                env: &[("INSTA_UPDATE", "no"), ("CI", "true")],
                tests,
            },
            limit,
        )
    };
    let mut problems = Vec::new();
    for k in 1..steps.len() {
        scratch.lay(course, exercise, Some(k))?;
        let written = steps::files_up_to(exercise, k).join(", ");
        let done: Vec<&str> = steps[..k]
            .iter()
            .flat_map(|s| s.tests.iter().map(String::as_str))
            .collect();
        let so_far = run_tests(&done)?;
        if so_far.run.is_none() {
            problems.push(format!(
                "with only the files of steps 1–{k} ({written}) laid over the stub, the \
                 exercise does not compile — a step may use only what the stub and earlier \
                 steps provide:\n{}",
                so_far.first_error()
            ));
            break;
        }
        if !so_far.all_pass() {
            problems.push(format!(
                "with the files of steps 1–{k} ({written}) laid over the stub, their tests do \
                 not all pass ({}): a test of these steps needs code of a later step — move it \
                 to that step's test file, or its code to an earlier step",
                so_far.summary(limit)
            ));
            if !so_far.names(Outcome::Failed).is_empty() {
                let failed = so_far.names(Outcome::Failed).join(", ");
                problems.push(format!("  failing after step {k}: {failed}"));
            }
        }
        let next = &steps[k];
        let next_tests: Vec<&str> = next.tests.iter().map(String::as_str).collect();
        if run_tests(&next_tests)?.all_pass() {
            problems.push(format!(
                "step {} (\"{}\"): its tests ({}) already pass once steps 1–{k} are written, \
                 so they check nothing that step asks for",
                k + 1,
                next.title,
                next_tests.join(", ")
            ));
        }
    }
    Ok(problems)
}

/// The stub must build cleanly and fail, except for the listed tests.
fn judge_stub(exercise: &Exercise, stub: &TestRun, limit: Duration, row: &mut Row) {
    let name = &exercise.name;
    if stub.run.is_none() {
        row.reasons.push(format!(
            "the stub does not compile with its tests, so a learner's first `cargo test` \
             shows a compile error instead of failing tests:\n{}",
            stub.first_error()
        ));
        return;
    }
    if !stub.build.warnings.is_empty() {
        row.reasons.push(format!(
            "the stub compiles with {} warning(s) from the exercise; a learner's first build \
             must be clean (prefix unused parameters with `_`):\n{}",
            stub.build.warnings.len(),
            cargo::first_lines(&stub.build.warnings[0], 8)
        ));
    }
    let passing = stub.names(Outcome::Passed);
    // A test whose binary crashed (an abort from a refused allocation, say) did
    // not pass: on the stub that is failing, as the learner sees it.
    let failing = stub.count(Outcome::Failed) + stub.unreported;
    let listed = &exercise.meta.passes_on_stub;
    row.failing_on_stub = Some(failing + stub.unfinished.len());
    row.passing_on_stub = Some((passing.len(), listed.len()));

    if stub.hung() {
        let which = if stub.unfinished.is_empty() {
            String::new()
        } else {
            format!(" (never finished: {})", stub.unfinished.join(", "))
        };
        row.reasons.push(format!(
            "the stub's tests hung: still running after {} s, so they were stopped{which}. \
             A test waits for something that never comes; wrap it in \
             `testkit::within(testkit::deadline::DEFAULT, …)` so it fails in seconds",
            limit.as_secs()
        ));
        return;
    }
    if !stub.garbled.is_empty() {
        row.reasons.push(garbled_reason("stub", &stub.garbled));
        return;
    }
    if stub.total() == 0 {
        row.reasons
            .push("no tests ran against the stub: the exercise has no tests".to_string());
        return;
    }
    if failing == 0 {
        if stub.run.as_ref().is_some_and(|r| r.success()) {
            row.reasons.push(format!(
                "every test passes against the untouched stub — is the exercise already \
                 solved in place? run `cargo xtask reset {name}`"
            ));
        } else {
            row.reasons.push(format!(
                "the stub's test run failed without reporting a failing test (did a test \
                 binary crash?):\n{}",
                cargo::first_lines(stub.run.as_ref().map_or("", |r| r.stderr.trim()), 10)
            ));
        }
        return;
    }
    for test in passing.iter().filter(|t| !listed.contains_key(**t)) {
        row.reasons.push(format!(
            "test `{test}` passes against the untouched stub, so it checks nothing the \
             learner writes: make it fail on the stub, or list it under [passes-on-stub] in \
             {}/exercise.toml with the reason it is worth keeping",
            exercise.rel_dir()
        ));
    }
    for test in listed.keys().filter(|t| !passing.contains(&t.as_str())) {
        row.reasons.push(format!(
            "stale: [passes-on-stub] lists `{test}`, but it does not pass on the stub (it \
             fails or no longer exists); remove it from {}/exercise.toml",
            exercise.rel_dir()
        ));
    }
}

/// The solution must pass every test with snapshots matching.
fn judge_solution(
    exercise: &Exercise,
    solution: &TestRun,
    limit: Duration,
    copy: &Path,
    row: &mut Row,
) -> Result<()> {
    let name = &exercise.name;
    let shown = exercise.rel_solution();
    if solution.run.is_none() {
        row.solution = "no build".into();
        row.reasons.push(format!(
            "the solution ({shown} laid over the exercise) does not compile:\n{}",
            solution.first_error()
        ));
    } else if solution.hung() {
        row.solution = "hung".into();
        row.reasons.push(format!(
            "the solution's tests were still running after {} s and were stopped{}",
            limit.as_secs(),
            if solution.unfinished.is_empty() {
                String::new()
            } else {
                format!(" (never finished: {})", solution.unfinished.join(", "))
            }
        ));
    } else {
        let passed = solution.count(Outcome::Passed);
        row.solution = format!("{passed}/{}", solution.total());
        let failed = solution.names(Outcome::Failed);
        if !solution.garbled.is_empty() {
            row.reasons
                .push(garbled_reason("solution", &solution.garbled));
        }
        if solution.total() == 0 {
            row.reasons
                .push("no tests ran against the solution".to_string());
        } else if !failed.is_empty() {
            // Only point at snapshots where the exercise has some.
            let snapshot_hint = if copy.join("tests/snapshots").is_dir() {
                format!(" (run `cargo xtask snapshots {name}` if a snapshot is out of date)")
            } else {
                String::new()
            };
            row.reasons.push(format!(
                "the solution fails {}: {}{snapshot_hint}",
                if failed.len() == 1 { "a test" } else { "tests" },
                failed.join(", ")
            ));
        } else if solution.crashed() {
            row.reasons.push(format!(
                "a test binary of the solution crashed: {} test(s) never reported:\n{}",
                solution.unreported,
                cargo::first_lines(solution.run.as_ref().map_or("", |r| r.stderr.trim()), 10)
            ));
        } else if !solution.all_pass() {
            row.reasons.push(format!(
                "the solution's test run failed:\n{}",
                cargo::first_lines(solution.run.as_ref().map_or("", |r| r.stderr.trim()), 10)
            ));
        }
    }
    let pending = scratch::pending_snapshots(copy);
    if !pending.is_empty() {
        let files: Vec<String> = pending
            .iter()
            .map(|p| p.strip_prefix(copy).unwrap_or(p).display().to_string())
            .collect();
        row.reasons.push(format!(
            "the solution's run wanted to write snapshots ({}): a snapshot is missing or \
             different — run `cargo xtask snapshots {name}` and review the result",
            files.join(", ")
        ));
        for file in pending {
            fs::remove_file(file)?;
        }
    }
    Ok(())
}

/// A solution overlay replaces whole files, so one under `tests/` (or an
/// `exercise.toml`) would test the solution against something other than what the
/// learner gets.
fn overlaid_tests(course: &Course, exercise: &Exercise) -> Vec<String> {
    let solution = course.path(&exercise.rel_solution());
    WalkDir::new(&solution)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&solution).ok()?.to_path_buf();
            (rel.starts_with("tests") || rel == Path::new("exercise.toml")).then(|| {
                format!(
                    "{}/{} replaces the exercise's own file: a solution must pass the \
                     learner's tests, so keep tests, snapshots and exercise.toml in {} only",
                    exercise.rel_solution(),
                    rel.display(),
                    exercise.rel_dir()
                )
            })
        })
        .collect()
}

/// Every test the stub ran must also run (and so pass) against the solution: a
/// test that is cfg'd away, ignored or renamed there would otherwise go unchecked.
fn missing_from_solution(stub: &TestRun, solution: &TestRun, row: &mut Row) {
    if stub.run.is_none() || solution.run.is_none() || !stub.garbled.is_empty() {
        return;
    }
    let ran: Vec<&str> = solution
        .tests
        .iter()
        .filter(|(_, o)| *o != Outcome::Ignored)
        .map(|(n, _)| n.as_str())
        .chain(solution.unfinished.iter().map(String::as_str))
        .collect();
    let missing: Vec<&str> = stub
        .tests
        .iter()
        .filter(|(n, o)| *o != Outcome::Ignored && !ran.contains(&n.as_str()))
        .map(|(n, _)| n.as_str())
        .collect();
    if !missing.is_empty() && !solution.crashed() && !solution.hung() {
        row.reasons.push(format!(
            "test(s) that ran against the stub did not run against the solution: {}",
            missing.join(", ")
        ));
    }
}

/// Why verdicts read from garbled libtest output are refused.
fn garbled_reason(which: &str, garbled: &[String]) -> String {
    format!(
        "the {which}'s test output cannot be read: {}. A test, or a process it \
         starts, writes lines that look like libtest's to stdout (print to stderr, or \
         pipe the child's output), so the runner cannot tell which tests passed",
        garbled.join("; ")
    )
}

/// The solution must be clippy-clean with warnings denied.
fn clippy(
    course: &Course,
    exercise: &Exercise,
    scratch: &Scratch,
    row: &mut Row,
) -> Result<Duration> {
    let copy = scratch.copy_of(exercise);
    let mut cmd = cargo::cargo(&scratch.dir, &course.path("target"));
    cmd.args([
        "clippy",
        "-p",
        &exercise.name,
        "--all-targets",
        "--message-format=json",
        "--",
        "-D",
        "warnings",
    ]);
    let run = cargo::run(&mut cmd, None)?;
    let report = cargo::parse_build(&run.stdout, &copy);
    if !report.success {
        let shown: Vec<String> = report
            .errors
            .iter()
            .take(3)
            .map(|e| cargo::first_lines(e, 8))
            .collect();
        let detail = if shown.is_empty() {
            cargo::first_lines(run.stderr.trim(), 10)
        } else {
            shown.join("\n")
        };
        row.reasons.push(format!(
            "clippy (warnings denied) objects to the solution or the tests:\n{detail}"
        ));
    }
    Ok(run.elapsed)
}
