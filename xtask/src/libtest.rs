//! Reading libtest's human output (`cargo test` on stable has no machine format).
//!
//! A test's stdout is not only libtest's: a process the test starts, or a write to
//! the raw stdout handle, lands in the same stream, and a failing test's captured
//! output is replayed under `failures:`. So the reader trusts a `test NAME ... ok`
//! line only inside a binary's result list (after `running N tests`, before
//! `failures:` or `test result:`), and checks the lines against libtest's own
//! `test result: … N passed; M failed; K ignored` totals. A binary that announced its
//! tests but never printed totals crashed (an abort, a refused allocation, a
//! signal) or was killed at the time limit; its silent tests are `unreported`.

/// One test's verdict as libtest printed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    Ignored,
}

/// What the test binaries of one `cargo test` run reported.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every result line of every binary's result list, in the order printed.
    pub tests: Vec<(String, Outcome)>,
    /// Tests announced by binaries that stopped before their `test result:` line.
    pub unreported: usize,
    /// Binaries whose result lines disagree with their own totals: something
    /// else printed (or tore) lines that look like libtest's, so the names and
    /// verdicts read here cannot be trusted. One description per binary.
    pub garbled: Vec<String>,
}

/// A binary's result list being read.
struct Binary {
    announced: usize,
    start: usize,
    listing: bool,
}

/// Reads the stdout of `cargo test` (any number of test binaries).
pub fn read(stdout: &str) -> Report {
    let mut report = Report::default();
    let mut current: Option<Binary> = None;
    for line in stdout.lines() {
        if let Some(n) = announced(line) {
            if let Some(cut) = current.take() {
                report.unreported += cut.announced.saturating_sub(report.tests.len() - cut.start);
            }
            current = Some(Binary {
                announced: n,
                start: report.tests.len(),
                listing: true,
            });
            continue;
        }
        let Some(binary) = current.as_mut() else {
            continue;
        };
        if let Some(totals) = line.strip_prefix("test result: ") {
            let read = &report.tests[binary.start..];
            let count = |o: Outcome| read.iter().filter(|(_, x)| *x == o).count();
            let lines = [
                count(Outcome::Passed),
                count(Outcome::Failed),
                count(Outcome::Ignored),
            ];
            let said = totals_of(totals);
            if said != Some(lines) {
                report.garbled.push(format!(
                    "libtest's totals say `{}`, but the result lines read {} passed, {} \
                     failed, {} ignored",
                    totals.trim(),
                    lines[0],
                    lines[1],
                    lines[2]
                ));
            }
            current = None;
        } else if line == "failures:" {
            // From here on a failing test's captured output is replayed.
            binary.listing = false;
        } else if binary.listing
            && let Some(result) = result_line(line)
        {
            report.tests.push(result);
        }
    }
    if let Some(cut) = current {
        report.unreported += cut.announced.saturating_sub(report.tests.len() - cut.start);
    }
    report
}

/// `running 3 tests` → 3.
fn announced(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("running ")?;
    let n = rest
        .strip_suffix(" tests")
        .or_else(|| rest.strip_suffix(" test"))?;
    n.parse().ok()
}

/// `test NAME ... ok` → (NAME, Passed). A `#[should_panic]` test prints
/// `NAME - should panic`; its name is NAME, as `--list` and exercise.toml say.
fn result_line(line: &str) -> Option<(String, Outcome)> {
    let rest = line.strip_prefix("test ")?;
    let (name, verdict) = rest.rsplit_once(" ... ")?;
    let outcome = match verdict.trim() {
        "ok" => Outcome::Passed,
        "FAILED" => Outcome::Failed,
        v if v.starts_with("ignored") => Outcome::Ignored,
        _ => return None,
    };
    let name = name.trim();
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    Some((name.to_string(), outcome))
}

/// `ok. 1 passed; 2 failed; 0 ignored; 0 measured; …` → [1, 2, 0].
fn totals_of(totals: &str) -> Option<[usize; 3]> {
    let (_, counts) = totals.split_once(". ")?;
    let mut found = [None; 3];
    for part in counts.split(';') {
        let (n, what) = part.trim().split_once(' ')?;
        let slot = match what {
            "passed" => 0,
            "failed" => 1,
            "ignored" => 2,
            _ => continue,
        };
        found[slot] = n.parse().ok();
    }
    Some([found[0]?, found[1]?, found[2]?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str, o: Outcome) -> (String, Outcome) {
        (n.to_string(), o)
    }

    #[test]
    fn reads_result_lines_from_several_binaries() {
        let out = "\nrunning 2 tests\ntest adds ... ok\ntest hangs ... FAILED\n\nfailures:\n\n\
                   failures:\n    hangs\n\n\
                   test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n\n\
                   running 3 tests\ntest later ... ignored, needs a network\n\
                   test src/lib.rs - f (line 3) ... ok\ntest boom - should panic ... ok\n\n\
                   test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n";
        let report = read(out);
        assert_eq!(
            report.tests,
            vec![
                name("adds", Outcome::Passed),
                name("hangs", Outcome::Failed),
                name("later", Outcome::Ignored),
                name("src/lib.rs - f (line 3)", Outcome::Passed),
                name("boom", Outcome::Passed),
            ]
        );
        assert_eq!(report.unreported, 0);
        assert!(report.garbled.is_empty(), "{:?}", report.garbled);
    }

    #[test]
    fn captured_output_of_a_failing_test_is_not_a_result() {
        let out = "running 1 test\ntest real ... FAILED\n\nfailures:\n\n---- real stdout ----\n\
                   test fake ... ok\n\nfailures:\n    real\n\n\
                   test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let report = read(out);
        assert_eq!(report.tests, vec![name("real", Outcome::Failed)]);
        assert!(report.garbled.is_empty());
    }

    #[test]
    fn stray_lines_that_look_like_results_are_caught() {
        // A child process of a failing test printed a look-alike line.
        let out = "running 1 test\ntest fake ... ok\ntest real ... FAILED\n\nfailures:\n    real\n\n\
                   test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let report = read(out);
        assert_eq!(report.garbled.len(), 1, "{report:?}");
        // Output torn into a result line (one test thread) hides a verdict.
        let out = "running 1 test\ntest stray ... child says hiok\n\n\
                   test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(read(out).garbled.len(), 1);
    }

    #[test]
    fn a_binary_that_dies_leaves_its_tests_unreported() {
        // The second binary aborted after one of its three tests reported.
        let out = "running 1 test\ntest a ... FAILED\n\nfailures:\n    a\n\n\
                   test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n\n\
                   running 3 tests\ntest b ... ok\n\nrunning 1 test\ntest c ... ok\n\n\
                   test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\n\
                   running 2 tests\n";
        let report = read(out);
        assert_eq!(report.unreported, 2 + 2);
        assert!(report.garbled.is_empty());
    }
}
