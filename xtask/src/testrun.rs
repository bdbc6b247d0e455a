//! Building and testing one exercise package, the way every command needs it.
//!
//! The build and the test run are two steps on purpose: the build (which may compile
//! dependencies for minutes on a cold machine) is not bounded by the test time limit,
//! and its JSON messages tell a compile error and the crate's own warnings apart from
//! failing tests. The test run is bounded; if it hangs, `-- --list` names the tests
//! that never reported.

use crate::cargo::{self, BuildReport, Run};
use crate::libtest::{self, Outcome};
use anyhow::Result;
use std::path::Path;
use std::time::Duration;

/// Where and how to test one package.
pub struct Target<'a> {
    /// The workspace folder cargo runs in.
    pub workspace: &'a Path,
    /// The shared target folder.
    pub target_dir: &'a Path,
    /// The package name (`-p`).
    pub package: &'a str,
    /// The package's folder: warnings from files under it count.
    pub package_dir: &'a Path,
    /// Extra environment, e.g. `INSTA_UPDATE`.
    pub env: &'a [(&'a str, &'a str)],
    /// Only these test binaries (`--test NAME`); empty: all of the package's tests.
    pub tests: &'a [&'a str],
}

impl Target<'_> {
    /// `cargo test -p PACKAGE [--test NAME…]` in the workspace.
    fn command(&self) -> std::process::Command {
        let mut cmd = cargo::cargo(self.workspace, self.target_dir);
        cmd.args(["test", "-p", self.package]);
        for test in self.tests {
            cmd.args(["--test", test]);
        }
        cmd.envs(self.env.iter().copied());
        cmd
    }
}

/// The build, the test run and the verdicts.
pub struct TestRun {
    pub build: BuildReport,
    /// `None` when the build failed.
    pub run: Option<Run>,
    pub tests: Vec<(String, Outcome)>,
    /// Tests that never reported before the time limit (only when it hung).
    pub unfinished: Vec<String>,
    /// Tests of binaries that died before reporting them (a crash or an abort;
    /// 0 when the run hung, where `unfinished` names them instead).
    pub unreported: usize,
    /// Binaries whose result lines disagree with libtest's totals (see
    /// [`libtest::Report::garbled`]): the names in `tests` are not to be trusted.
    pub garbled: Vec<String>,
    pub elapsed: Duration,
}

impl TestRun {
    pub fn names(&self, outcome: Outcome) -> Vec<&str> {
        self.tests
            .iter()
            .filter(|(_, o)| *o == outcome)
            .map(|(n, _)| n.as_str())
            .collect()
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.tests.iter().filter(|(_, o)| *o == outcome).count()
    }

    /// Tests that ran or should have (ignored ones do not count).
    pub fn total(&self) -> usize {
        self.count(Outcome::Passed)
            + self.count(Outcome::Failed)
            + self.unfinished.len()
            + self.unreported
    }

    /// A test binary died (crashed, aborted) before reporting all of its tests.
    pub fn crashed(&self) -> bool {
        self.unreported > 0
    }

    pub fn hung(&self) -> bool {
        self.run.as_ref().is_some_and(Run::timed_out)
    }

    /// Built, ran at least one test, and every test passed.
    pub fn all_pass(&self) -> bool {
        self.run.as_ref().is_some_and(Run::success)
            && self.count(Outcome::Passed) > 0
            && self.count(Outcome::Failed) == 0
            && !self.crashed()
    }

    /// One line for a learner: what state the exercise is in.
    pub fn summary(&self, limit: Duration) -> String {
        if self.run.is_none() {
            "does not compile yet".to_string()
        } else if self.hung() {
            format!("still running after {} s, stopped", limit.as_secs())
        } else if self.all_pass() {
            format!("all {} tests pass", self.total())
        } else if self.total() == 0 {
            "no tests ran".to_string()
        } else if self.crashed() {
            format!(
                "a test binary crashed; {} of {} tests never reported",
                self.unreported,
                self.total()
            )
        } else {
            format!(
                "{} of {} tests fail",
                self.count(Outcome::Failed),
                self.total()
            )
        }
    }

    /// The first compile error, shortened, for a reason line.
    pub fn first_error(&self) -> String {
        match self.build.errors.first() {
            Some(e) => cargo::first_lines(e, 12),
            None => "(cargo gave no compiler message; run the build by hand to see why)".into(),
        }
    }
}

/// Builds `target.package` with its tests, then runs them within `limit`.
pub fn test_package(target: &Target, limit: Duration) -> Result<TestRun> {
    let mut build_cmd = target.command();
    build_cmd.args(["--no-run", "--message-format=json"]);
    let built = cargo::run(&mut build_cmd, None)?;
    let mut build = cargo::parse_build(&built.stdout, target.package_dir);
    if !build.success && build.errors.is_empty() {
        // Cargo itself failed (a broken manifest, an unknown package): its words.
        build.errors.push(built.stderr.trim().to_string());
    }
    let mut elapsed = built.elapsed;
    if !build.success {
        return Ok(TestRun {
            build,
            run: None,
            tests: Vec::new(),
            unfinished: Vec::new(),
            unreported: 0,
            garbled: Vec::new(),
            elapsed,
        });
    }

    let mut test_cmd = target.command();
    test_cmd.arg("--no-fail-fast");
    let run = cargo::run(&mut test_cmd, Some(limit))?;
    elapsed += run.elapsed;
    let report = libtest::read(&run.stdout);
    let tests = report.tests;
    let unfinished = if run.timed_out() {
        let reported: Vec<&str> = tests.iter().map(|(n, _)| n.as_str()).collect();
        list_tests(target)?
            .into_iter()
            .filter(|t| !reported.contains(&t.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    // Killing a hung run cuts its last binary short too; `unfinished` covers that.
    let unreported = if run.timed_out() {
        0
    } else {
        report.unreported
    };
    Ok(TestRun {
        build,
        run: Some(run),
        tests,
        unfinished,
        unreported,
        garbled: report.garbled,
        elapsed,
    })
}

/// Every test name of the package (`cargo test -- --list`).
fn list_tests(target: &Target) -> Result<Vec<String>> {
    let mut cmd = target.command();
    cmd.args(["--", "--list"]);
    let run = cargo::run(&mut cmd, Some(Duration::from_secs(120)))?;
    Ok(run
        .stdout
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}
