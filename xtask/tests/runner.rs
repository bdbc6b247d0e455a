//! The runner, run for real against a miniature course (`tests/fixtures/course`).
//!
//! The fixture has one exercise of each kind the runner must judge: `adder` (the
//! stub fails, the solution passes, one listed test passes on the stub), `solved`
//! (the stub already passes), `hangs` (the stub's test waits forever) and `broken`
//! (the stub does not compile). Each test copies the fixture to a temporary folder
//! and runs the built binary with `--root` there, checking what a person would
//! read: exit codes, table rows, reasons.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// A fresh copy of the fixture course.
fn fixture() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("xtask-fixture-")
        .tempdir()
        .expect("a temporary folder");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course");
    copy_dir(&from, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("target") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

struct Out {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Out {
    fn last_line(&self) -> &str {
        self.stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
    }

    /// The table row of an exercise, split into cells.
    fn row(&self, mark_and_name: &str) -> Vec<String> {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with(mark_and_name))
            .unwrap_or_else(|| panic!("no row `{mark_and_name}` in:\n{}", self.stdout));
        line.split_whitespace().map(str::to_string).collect()
    }

    fn has(&self, text: &str) -> bool {
        self.stdout.contains(text) || self.stderr.contains(text)
    }
}

fn xtask_in(dir: &Path, root: &Path, args: &[&str]) -> Out {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the runner starts");
    Out {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn xtask(root: &Path, args: &[&str]) -> Out {
    xtask_in(root, root, args)
}

fn show(out: &Out) -> String {
    format!("stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr)
}

fn adder(root: &Path) -> PathBuf {
    root.join("exercises/01_basics/01_adder")
}

#[test]
fn verify_judges_stubs_solutions_and_metadata() {
    let course = fixture();
    let root = course.path();

    // One exercise in order: its row, then the course-wide checks, all pass.
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(out.ok, "{}", show(&out));
    assert_eq!(
        out.last_line(),
        "verify: 8 passed, 0 failed",
        "{}",
        show(&out)
    );
    assert_eq!(
        out.row("✓ adder")[2..7],
        ["2", "1", "1", "(1)", "2/2"],
        "{}",
        show(&out)
    );
    let book_page = fs::read_to_string(root.join("target/book/01_basics/01_adder.html")).unwrap();
    assert!(
        book_page.contains("https://example.org/fixture/tree/main/exercises/01_basics/01_adder")
    );
    assert!(book_page.contains("cargo xtask hint adder"));
    assert!(!book_page.contains("{{#exercise}}"));
    let scratch = fs::read_to_string(root.join("target/verify/Cargo.toml")).unwrap();
    assert!(
        scratch.contains(
            &root
                .canonicalize()
                .unwrap()
                .join("testkit")
                .display()
                .to_string()
        ),
        "the scratch workspace points at the real test kit:\n{scratch}"
    );

    // A test passing on the stub must be listed...
    let meta = adder(root).join("exercise.toml");
    let original = fs::read_to_string(&meta).unwrap();
    fs::write(&meta, ADDER_META_WITHOUT_LISTED_TESTS).unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok);
    assert!(
        out.has("test `zero_plus_zero_is_zero` passes against the untouched stub"),
        "{}",
        show(&out)
    );
    assert_eq!(out.last_line(), "verify: 7 passed, 1 failed");

    // ...and a listed test must pass on the stub.
    fs::write(&meta, format!("{original}no_such_test = \"a reason\"\n")).unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok);
    assert!(
        out.has("stale: [passes-on-stub] lists `no_such_test`"),
        "{}",
        show(&out)
    );
    fs::write(&meta, original).unwrap();

    // The stub must build without warnings from the exercise crate.
    let lib = adder(root).join("src/lib.rs");
    let stub = fs::read_to_string(&lib).unwrap();
    fs::write(
        &lib,
        stub.replace("    0\n", "    let unused = 0;\n    0\n"),
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok);
    assert!(
        out.has("the stub compiles with 1 warning(s) from the exercise"),
        "{}",
        show(&out)
    );
    assert!(out.has("unused variable: `unused`"), "{}", show(&out));
    fs::write(&lib, stub).unwrap();

    // A scaffolded exercise passes verify as it is.
    let out = xtask(root, &["new", "basics", "multiply"]);
    assert!(out.ok, "{}", show(&out));
    assert!(
        root.join("exercises/01_basics/05_multiply/tests/01_multiply.rs")
            .is_file()
    );
    assert!(
        root.join("solutions/01_basics/05_multiply/src/lib.rs")
            .is_file()
    );
    let summary = fs::read_to_string(root.join("book/SUMMARY.md")).unwrap();
    assert!(
        summary.contains("  - [Multiply](01_basics/05_multiply.md)\n"),
        "{summary}"
    );
    let out = xtask(root, &["verify", "multiply", "--test-timeout", "5"]);
    assert!(out.ok, "{}", show(&out));

    // The whole course: one row per exercise, a reason per miss, the count.
    let out = xtask(root, &["verify", "--test-timeout", "5"]);
    assert!(!out.ok, "{}", show(&out));
    let solved = out.row("✗ solved");
    assert_eq!(
        solved[2..7],
        ["1", "0", "1", "(0)", "1/1"],
        "{}",
        show(&out)
    );
    let hangs = out.row("✗ hangs");
    assert_eq!(hangs[2..7], ["1", "1", "0", "(0)", "1/1"], "{}", show(&out));
    let seconds: f64 = hangs[7].parse().unwrap();
    assert!(
        seconds < 60.0,
        "the hung stub was stopped after its time limit"
    );
    let broken = out.row("✗ broken");
    assert_eq!(broken[2..6], ["1", "–", "–", "1/1"], "{}", show(&out));
    assert!(out.has(
        "solved: every test passes against the untouched stub — is the exercise already \
         solved in place? run `cargo xtask reset solved`"
    ));
    assert!(out.has("hangs: the stub's tests hung: still running after 5 s"));
    assert!(out.has("never finished: waits_for_an_answer"));
    assert!(out.has("broken: the stub does not compile with its tests"));
    assert!(out.has("cannot divide `u32` by `{float}`"));
    // course layout, formatting, test kit, policy, book, links + adder, multiply
    assert_eq!(
        out.last_line(),
        "verify: 10 passed, 3 failed",
        "{}",
        show(&out)
    );
}

#[test]
fn verify_reports_course_wide_problems() {
    let course = fixture();
    let root = course.path();
    // A dependency that is not inherited from the workspace, a lesson without its
    // box, a broken link and unformatted solution code.
    let manifest = adder(root).join("Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replace(
            "testkit.workspace = true",
            "testkit = { path = \"../../../testkit\" }",
        ),
    )
    .unwrap();
    fs::write(
        root.join("book/01_basics/02_solved.md"),
        "# Solved\n\n[gone](nowhere.md)\n\n```rust\n{{#include missing.rs}}\n```\n",
    )
    .unwrap();
    fs::write(
        root.join("solutions/01_basics/01_adder/src/lib.rs"),
        "pub fn add(a: u32, b: u32) -> u32 { a+b }\n",
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok);
    assert!(
        out.has("`testkit` must be written `testkit.workspace = true`"),
        "{}",
        show(&out)
    );
    assert!(
        out.has(
            "book/01_basics/02_solved.md is the lesson of `solved` but has no {{#exercise}} box"
        ),
        "{}",
        show(&out)
    );
    assert!(
        out.has("01_basics/02_solved.html: `nowhere.html`: no such file"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("{{#include missing.rs}}` was left unexpanded"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("solutions/01_basics/01_adder/src/lib.rs is not formatted"),
        "{}",
        show(&out)
    );
}

#[test]
fn status_shows_progress_and_the_next_exercise() {
    let course = fixture();
    let root = course.path();
    let out = xtask(root, &["status", "--test-timeout", "5"]);
    assert!(out.ok, "unfinished exercises are no error: {}", show(&out));
    assert!(out.has("  ✓ solved\n"), "{}", show(&out));
    assert!(out.has("  ✗ adder — 1 of 2 tests fail\n"), "{}", show(&out));
    assert!(
        out.has("  ✗ hangs — still running after 5 s, stopped\n"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("  ✗ broken — does not compile yet\n"),
        "{}",
        show(&out)
    );
    assert!(out.has("1 of 4 exercises pass."), "{}", show(&out));
    assert!(
        out.has("next: adder — exercises: exercises/01_basics/01_adder, lesson book/01_basics/01_adder.md"),
        "{}",
        show(&out)
    );
}

#[test]
fn hint_by_name_or_by_folder() {
    let course = fixture();
    let root = course.path();

    let out = xtask(root, &["hint", "adder"]);
    assert!(out.ok, "{}", show(&out));
    assert!(out.has("Add the two numbers."));
    assert!(out.has("book/01_basics/01_adder.md"));

    let out = xtask_in(&adder(root).join("src"), root, &["hint"]);
    assert!(out.ok, "{}", show(&out));
    assert!(out.has("Add the two numbers."));

    let out = xtask(root, &["hint"]);
    assert!(!out.ok);
    assert!(out.has("which exercise?"), "{}", show(&out));

    let out = xtask(root, &["hint", "nope"]);
    assert!(!out.ok);
    assert!(
        out.has("there is no exercise called `nope`"),
        "{}",
        show(&out)
    );
    assert!(out.has("adder, solved, hangs, broken"), "{}", show(&out));
}

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

#[test]
fn reset_backs_up_then_restores_the_stub() {
    let course = fixture();
    let root = course.path();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "course"]);

    let lib = adder(root).join("src/lib.rs");
    let stub = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, "// my work in progress\n").unwrap();
    fs::write(adder(root).join("src/extra.rs"), "// a new file\n").unwrap();
    // Staged work, too, is backed up and leaves the index.
    git(root, &["add", "exercises/01_basics/01_adder/src/lib.rs"]);

    let out = xtask(root, &["reset", "adder"]);
    assert!(out.ok, "{}", show(&out));
    let backup = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("your work on adder is saved in "))
        .unwrap_or_else(|| panic!("no backup path in:\n{}", show(&out)));
    assert!(backup.starts_with(".backup/adder-"), "{backup}");
    let backup = root.join(backup);
    assert_eq!(
        fs::read_to_string(backup.join("src/lib.rs")).unwrap(),
        "// my work in progress\n"
    );
    assert!(backup.join("src/extra.rs").is_file());
    assert_eq!(fs::read_to_string(&lib).unwrap(), stub);
    assert!(!adder(root).join("src/extra.rs").exists());
    git(root, &["diff", "--cached", "--quiet"]);

    // A second reset in the same second gets a backup folder of its own.
    fs::write(&lib, "// attempt two\n").unwrap();
    let out = xtask(root, &["reset", "adder"]);
    assert!(out.ok, "{}", show(&out));
    let backups = fs::read_dir(root.join(".backup")).unwrap().count();
    assert_eq!(backups, 2, "{}", show(&out));
}

#[test]
fn reset_without_git_touches_nothing() {
    let course = fixture();
    let root = course.path();
    let lib = adder(root).join("src/lib.rs");
    fs::write(&lib, "// my work\n").unwrap();
    let out = xtask(root, &["reset", "adder"]);
    assert!(!out.ok);
    assert!(out.has("not a git checkout"), "{}", show(&out));
    assert!(out.has("Nothing was changed"), "{}", show(&out));
    assert_eq!(fs::read_to_string(&lib).unwrap(), "// my work\n");
    assert!(!root.join(".backup").exists());
}

#[test]
fn the_book_refuses_a_box_without_an_exercise() {
    let course = fixture();
    let root = course.path();
    let out = xtask(root, &["book"]);
    assert!(out.ok, "{}", show(&out));
    assert!(out.has("book: target/book/index.html"));

    fs::write(
        root.join("book/intro.md"),
        "# Introduction\n\n{{#exercise}}\n",
    )
    .unwrap();
    let out = xtask(root, &["book"]);
    assert!(!out.ok);
    assert!(
        out.has("book/intro.md has {{#exercise}} but there is no exercise at exercises/intro/"),
        "{}",
        show(&out)
    );
}

#[test]
fn bundle_has_the_book_and_exercises_but_no_solutions() {
    let course = fixture();
    let root = course.path();
    let out = xtask(root, &["bundle"]);
    assert!(out.ok, "{}", show(&out));
    assert!(
        out.has("bundle: target/bundle/course.zip ("),
        "{}",
        show(&out)
    );
    let file = fs::File::open(root.join("target/bundle/course.zip")).unwrap();
    let zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a readable name").into_owned())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert!(names.contains(&"course/book-html/index.html"), "{names:?}");
    assert!(names.contains(&"course/exercises/01_basics/01_adder/src/lib.rs"));
    assert!(names.contains(&"course/testkit/src/lib.rs"));
    assert!(names.contains(&"course/Cargo.lock"));
    assert!(
        names
            .iter()
            .all(|n| !n.contains("solutions/") && !n.contains("/target/"))
    );

    // An exercise tried in place would ship solved: the instructor is told.
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "course"]);
    fs::write(adder(root).join("src/lib.rs"), "// solved in place\n").unwrap();
    let out = xtask(root, &["bundle"]);
    assert!(out.ok, "{}", show(&out));
    assert!(
        out.has("warning: these files differ from git's HEAD")
            && out.has("exercises/01_basics/01_adder/src/lib.rs"),
        "{}",
        show(&out)
    );
}

/// Each way a run can look green without being so: a crashed test binary, a
/// solution with its own tests, a pending snapshot, look-alike result lines.
#[test]
fn verify_never_reports_green_wrongly() {
    let course = fixture();
    let root = course.path();
    let solution = root.join("solutions/01_basics/01_adder/src/lib.rs");
    let solved = fs::read_to_string(&solution).unwrap();

    // A solution whose test binary aborts (as on a refused allocation) is no pass,
    // even though no test printed FAILED.
    fs::write(
        &solution,
        solved.replace(
            "    a + b\n",
            "    if a == 2 {\n        std::process::abort();\n    }\n    a + b\n",
        ),
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has("a test binary of the solution crashed"),
        "{}",
        show(&out)
    );
    fs::write(&solution, &solved).unwrap();

    // A stub that aborts fails every test, as the learner sees it.
    let meta = adder(root).join("exercise.toml");
    let original_meta = fs::read_to_string(&meta).unwrap();
    fs::write(&meta, ADDER_META_WITHOUT_LISTED_TESTS).unwrap();
    let lib = adder(root).join("src/lib.rs");
    let stub = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, stub.replace("    0\n", "    std::process::abort()\n")).unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(out.ok, "{}", show(&out));
    assert_eq!(
        out.row("✓ adder")[2..7],
        ["2", "2", "0", "(0)", "2/2"],
        "{}",
        show(&out)
    );
    fs::write(&lib, stub).unwrap();
    fs::write(&meta, &original_meta).unwrap();

    // A solution that brings its own, smaller test file is not tested against the
    // learner's tests.
    let own_tests = root.join("solutions/01_basics/01_adder/tests/01_adder.rs");
    fs::create_dir_all(own_tests.parent().unwrap()).unwrap();
    fs::write(
        &own_tests,
        "#[test]\nfn adds_two_numbers() {\n    assert_eq!(adder::add(2, 3), 5);\n}\n",
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has("solutions/01_basics/01_adder/tests/01_adder.rs replaces the exercise's own file"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("did not run against the solution: zero_plus_zero_is_zero"),
        "{}",
        show(&out)
    );
    fs::remove_dir_all(own_tests.parent().unwrap()).unwrap();

    // A solution run that wants to write a snapshot (as insta does for a missing or
    // changed one) is a miss, and leaves no pending file behind in the copy.
    let pending = adder(root).join("tests/pending.rs");
    fs::write(
        &pending,
        "#[test]\nfn writes_a_pending_snapshot() {\n    \
         let dir = std::path::Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"tests/snapshots\");\n    \
         std::fs::create_dir_all(&dir).unwrap();\n    \
         std::fs::write(dir.join(\"pending__sum.snap.new\"), \"new\").unwrap();\n    \
         testkit::expect_eq(\"1 + 1\", adder::add(1, 1), 2);\n}\n",
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has(
            "the solution's run wanted to write snapshots (tests/snapshots/pending__sum.snap.new)"
        ),
        "{}",
        show(&out)
    );
    assert!(
        !root
            .join(
                "target/verify/solutions/01_basics/01_adder/tests/snapshots/pending__sum.snap.new"
            )
            .exists()
    );
    fs::remove_file(&pending).unwrap();

    // A test that writes a look-alike result line past libtest's capture: the
    // lines no longer match libtest's totals, so no verdict is read from them.
    fs::write(
        adder(root).join("tests/ghost.rs"),
        "use std::io::Write;\n\n#[test]\nfn adds_and_prints_a_look_alike() {\n    \
         writeln!(std::io::stdout(), \"test ghost ... ok\").unwrap();\n    \
         testkit::expect_eq(\"1 + 1\", adder::add(1, 1), 2);\n}\n",
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "5"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has("the stub's test output cannot be read"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("the solution's test output cannot be read"),
        "{}",
        show(&out)
    );
}

#[test]
fn steps_are_proved_in_the_lessons_order() {
    let course = fixture();
    let root = course.path();
    let dir = adder(root);
    let solution = root.join("solutions/01_basics/01_adder");
    // A second step: `twice`, in its own module and its own numbered test file.
    let with_module = |lib: &str| lib.replacen("\n\n", "\n\npub mod twice;\n\n", 1);
    let stub_lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    fs::write(dir.join("src/lib.rs"), with_module(&stub_lib)).unwrap();
    let solved_lib = fs::read_to_string(solution.join("src/lib.rs")).unwrap();
    fs::write(solution.join("src/lib.rs"), with_module(&solved_lib)).unwrap();
    fs::write(
        dir.join("src/twice.rs"),
        "/// Returns `2 * a`.\npub fn twice(_a: u32) -> u32 {\n    0\n}\n",
    )
    .unwrap();
    fs::write(
        solution.join("src/twice.rs"),
        "/// Returns `2 * a`.\npub fn twice(a: u32) -> u32 {\n    2 * a\n}\n",
    )
    .unwrap();
    let twice_test = dir.join("tests/02_twice.rs");
    fs::write(
        &twice_test,
        "#[test]\nfn doubles() {\n    testkit::expect_eq(\"twice(2)\", adder::twice::twice(2), 4);\n}\n",
    )
    .unwrap();
    let meta = dir.join("exercise.toml");
    let two_steps = fs::read_to_string(&meta).unwrap().replace(
        "[passes-on-stub]",
        "[[steps]]\ntitle = \"twice\"\ntests = [\"02_twice\"]\nfiles = [\"src/twice.rs\"]\n\n\
         [passes-on-stub]",
    );
    fs::write(&meta, &two_steps).unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "20"]);
    assert!(out.ok, "{}", show(&out));
    assert!(out.has("steps "), "the step check ran:\n{}", show(&out));

    // A step-1 test that needs step 2's code: the order is broken.
    let step_one = dir.join("tests/01_adder.rs");
    let original = fs::read_to_string(&step_one).unwrap();
    fs::write(
        &step_one,
        format!(
            "{original}\n#[test]\nfn adds_doubles() {{\n    \
             testkit::expect_eq(\"2+2\", adder::add(2, 2), adder::twice::twice(2));\n}}\n"
        ),
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "20"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has("with the files of steps 1–1 (src/lib.rs) laid over the stub, their tests do not all pass"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("failing after step 1: adds_doubles"),
        "{}",
        show(&out)
    );
    fs::write(&step_one, &original).unwrap();

    // A step whose tests pass as soon as the step before is written.
    fs::write(
        &twice_test,
        "#[test]\nfn doubles_zero() {\n    testkit::expect_eq(\"twice(0)\", adder::twice::twice(0), 0);\n}\n",
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "20"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has("step 2 (\"twice\"): its tests (02_twice) already pass once steps 1–1 are written"),
        "{}",
        show(&out)
    );
    fs::remove_file(&twice_test).unwrap();

    // Files and steps must agree: an unnumbered test file, a file no step writes.
    fs::write(
        dir.join("tests/twice.rs"),
        "#[test]\nfn doubles() {\n    testkit::expect_eq(\"twice(2)\", adder::twice::twice(2), 4);\n}\n",
    )
    .unwrap();
    fs::write(
        &meta,
        two_steps
            .replace(", \"src/twice.rs\"", "")
            .replace("files = [\"src/twice.rs\"]", "files = []"),
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "20"]);
    assert!(!out.ok, "{}", show(&out));
    for expected in [
        "tests/twice.rs is not numbered",
        "a step lists `02_twice`, but there is no tests/02_twice.rs",
        "tests/twice.rs belongs to no step",
        "solutions/01_basics/01_adder/src/twice.rs belongs to no step",
    ] {
        assert!(
            out.has(expected),
            "expected `{expected}` in:\n{}",
            show(&out)
        );
    }
}

#[test]
fn solutions_stay_behind_the_exercise() {
    let course = fixture();
    let root = course.path();
    let out = xtask(root, &["book", "--no-solutions"]);
    assert!(out.ok, "{}", show(&out));
    let page = |edition: &str| {
        fs::read_to_string(root.join(format!("target/{edition}/01_basics/01_adder.html"))).unwrap()
    };
    assert!(page("book-no-solutions").contains("not part of this edition"));
    assert!(!page("book-no-solutions").contains("a + b"));
    let out = xtask(root, &["book"]);
    assert!(out.ok, "{}", show(&out));
    assert!(page("book").contains("<details class=\"walkthrough\">"));
    assert!(page("book").contains("a + b"));

    // The answer shown before the exercise: refused in the source and in the site.
    let lesson = root.join("book/01_basics/01_adder.md");
    let text = fs::read_to_string(&lesson).unwrap();
    fs::write(
        &lesson,
        text.replacen(
            "## Exercise",
            "```rust\n{{#include ../../solutions/01_basics/01_adder/src/lib.rs}}\n```\n\n## Exercise",
            1,
        ),
    )
    .unwrap();
    let out = xtask(root, &["verify", "adder", "--test-timeout", "20"]);
    assert!(!out.ok, "{}", show(&out));
    assert!(
        out.has("shows the reference solution outside the walk-through"),
        "{}",
        show(&out)
    );
    assert!(
        out.has("the book without solutions shows solution code on 01_basics/01_adder.html"),
        "{}",
        show(&out)
    );
}

#[test]
fn hints_come_one_level_at_a_time() {
    let course = fixture();
    let root = course.path();
    let first = xtask(root, &["hint", "adder"]);
    assert!(first.ok, "{}", show(&first));
    assert!(first.has("Add the two numbers."));
    assert!(!first.has("The second hint"), "{}", show(&first));
    assert!(first.has("again for hint 2 of 2"), "{}", show(&first));
    let second = xtask(root, &["hint", "adder"]);
    assert!(
        second.has("The second hint says a little more."),
        "{}",
        show(&second)
    );
    assert!(second.has("That was the last hint"), "{}", show(&second));
    let again = xtask(root, &["hint", "adder", "--level", "1"]);
    assert!(!again.has("The second hint"), "{}", show(&again));
}

#[test]
fn status_remembers_unchanged_exercises() {
    let course = fixture();
    let root = course.path();
    let first = xtask(root, &["status", "--test-timeout", "20"]);
    assert!(first.ok, "{}", show(&first));
    assert!(!first.has("remembered"), "{}", show(&first));
    let second = xtask(root, &["status", "--test-timeout", "20"]);
    assert!(second.has("verdict(s) remembered"), "{}", show(&second));
    assert_eq!(first.last_line(), second.last_line());
    // Solving an exercise changes its files, so its verdict is made again.
    let solved = fs::read_to_string(root.join("solutions/01_basics/01_adder/src/lib.rs")).unwrap();
    fs::write(adder(root).join("src/lib.rs"), solved).unwrap();
    let third = xtask(root, &["status", "--test-timeout", "20"]);
    assert!(third.has("✓ adder"), "{}", show(&third));
}

/// The adder's metadata without its `[passes-on-stub]` list.
const ADDER_META_WITHOUT_LISTED_TESTS: &str = "hints = [\"Add.\", \"More.\"]\n\
    [[steps]]\ntitle = \"add\"\ntests = [\"01_adder\"]\nfiles = [\"src/lib.rs\"]\n";
