//! Discovering the course on disk: parts, exercises, lessons, solutions and each
//! exercise's `exercise.toml`.
//!
//! The file system is the only list of exercises. An exercise lives at
//! `exercises/NN_part/NN_name/`, its lesson at `book/NN_part/NN_name.md` and its
//! solution overlay at `solutions/NN_part/NN_name/`; the two-digit numbers give the
//! course order. Nothing else names the exercises, so renumbering or adding one is a
//! matter of moving folders.
//!
//! Discovery is lenient on purpose: a half-written exercise (no lesson yet, a
//! package name that does not match its folder, a broken `exercise.toml`) is still
//! listed, with its problems attached. `verify` reports those problems as misses;
//! the learner's commands (`status`, `hint`, …) keep working for the rest.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The metadata an author writes beside an exercise's `Cargo.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Meta {
    /// Graded hints, printed one more at a time by `cargo xtask hint NAME`: the
    /// first is a nudge (which idea, which section, which test to read), later ones
    /// say more; none is the code.
    pub hints: Vec<String>,
    /// The exercise needs a Unix (fork, signals, poll, epoll): skipped elsewhere.
    #[serde(default)]
    pub unix_only: bool,
    /// The exercise needs Linux itself (epoll): skipped on other Unixes too.
    #[serde(default)]
    pub linux_only: bool,
    /// The lesson's steps in order. Each names the test files that check it and the
    /// solution files it writes; `verify` proves the order (see [`Step`]).
    pub steps: Vec<Step>,
    /// Tests that pass against the untouched stub, each with the reason it is
    /// still worth having. `verify` holds this list exact in both directions.
    #[serde(default)]
    pub passes_on_stub: BTreeMap<String, String>,
    /// Mutants of the solution that `cargo xtask mutants` finds alive, each with the
    /// reason no test can observe it. Keyed by cargo-mutants' description without
    /// the line and column (`src/codec.rs: replace < with <= in decode`).
    #[serde(default)]
    pub surviving_mutants: BTreeMap<String, String>,
}

/// One step of a lesson, as the learner meets it.
///
/// Cargo runs test binaries in name order and stops at the first that fails, so
/// the test files are numbered (`tests/01_codec.rs`) in the order of the steps.
/// `verify` lays the solution over the stub one step at a time and checks that
/// each step's tests fail before its files are written and pass after.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Step {
    /// What the learner writes, in a few words ("the decoder").
    pub title: String,
    /// The test files (without `tests/` and `.rs`) that check this step.
    pub tests: Vec<String>,
    /// The solution files this step writes, relative to the exercise
    /// (`src/codec.rs`). Every file of the solution belongs to exactly one step.
    #[serde(default)]
    pub files: Vec<String>,
}

impl Meta {
    /// Parses and checks an `exercise.toml`; the errors name the file.
    pub fn parse(text: &str, path: &Path) -> Result<Meta> {
        let meta: Meta = toml::from_str(text)
            .with_context(|| format!("{} is not valid exercise metadata", path.display()))?;
        if meta.hints.is_empty() || meta.hints.iter().any(|h| h.trim().is_empty()) {
            bail!(
                "{}: `hints` needs at least one hint, and none may be empty",
                path.display()
            );
        }
        if meta.steps.is_empty() {
            bail!(
                "{}: no [[steps]]; list the lesson's steps with their test files",
                path.display()
            );
        }
        for step in &meta.steps {
            if step.title.trim().is_empty() || step.tests.is_empty() {
                bail!(
                    "{}: every [[steps]] entry needs a `title` and at least one test file \
                     in `tests`",
                    path.display()
                );
            }
        }
        for (what, list) in [
            ("passes-on-stub", &meta.passes_on_stub),
            ("surviving-mutants", &meta.surviving_mutants),
        ] {
            for (key, reason) in list {
                if reason.trim().is_empty() {
                    bail!(
                        "{}: [{what}] `{key}` needs a reason (why is it worth keeping, or \
                         why can no test see it?)",
                        path.display()
                    );
                }
            }
        }
        Ok(meta)
    }

    /// Every test file named by a step, in step order.
    pub fn step_tests(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| s.tests.iter().map(String::as_str))
    }
}

/// One exercise, located on disk.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// The package name: the folder name without its `NN_` prefix.
    pub name: String,
    /// The part folder, e.g. `02_framing`.
    pub part: String,
    /// The exercise folder name, e.g. `02_line-codec`.
    pub folder: String,
    /// `(part number, exercise number)`: the course order.
    pub order: (u32, u32),
    /// Its metadata; the default (empty hint) when `exercise.toml` is missing or
    /// broken, in which case `problems` says so.
    pub meta: Meta,
    /// Layout and metadata problems found while discovering it. An exercise with
    /// problems fails `verify`.
    pub problems: Vec<String>,
}

impl Exercise {
    /// `exercises/NN_part/NN_name`, relative to the course root, with `/`.
    pub fn rel_dir(&self) -> String {
        format!("exercises/{}/{}", self.part, self.folder)
    }

    /// `book/NN_part/NN_name.md`, relative to the course root.
    pub fn rel_lesson(&self) -> String {
        format!("book/{}/{}.md", self.part, self.folder)
    }

    /// `solutions/NN_part/NN_name`, relative to the course root.
    pub fn rel_solution(&self) -> String {
        format!("solutions/{}/{}", self.part, self.folder)
    }

    /// Whether this machine can run the exercise at all.
    pub fn runs_here(&self) -> bool {
        let unix_ok = !self.meta.unix_only || cfg!(unix);
        let linux_ok = !self.meta.linux_only || cfg!(target_os = "linux");
        unix_ok && linux_ok
    }

    /// The systems the exercise needs, in words, if it cannot run everywhere.
    pub fn platform_need(&self) -> Option<&'static str> {
        if self.meta.linux_only {
            Some("Linux")
        } else if self.meta.unix_only {
            Some("Linux or macOS")
        } else {
            None
        }
    }
}

/// The whole course: where it is and its exercises in course order.
#[derive(Debug)]
pub struct Course {
    pub root: PathBuf,
    pub exercises: Vec<Exercise>,
    /// Problems that belong to no single exercise (a badly named folder).
    pub problems: Vec<String>,
}

impl Course {
    /// Reads the course rooted at `root`.
    pub fn load(root: &Path) -> Result<Course> {
        if !root.join("Cargo.toml").is_file() {
            bail!(
                "{} does not look like the course (no Cargo.toml there); run the command \
                 from the course folder or pass --root",
                root.display()
            );
        }
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot open {}", root.display()))?;
        let mut course = Course {
            root,
            exercises: Vec::new(),
            problems: Vec::new(),
        };
        let exercises_dir = course.root.join("exercises");
        for (part_no, part) in numbered_dirs(&exercises_dir, &mut course.problems)? {
            let part_dir = exercises_dir.join(&part);
            for (ex_no, folder) in numbered_dirs(&part_dir, &mut course.problems)? {
                let exercise = discover(&course.root, &part, part_no, &folder, ex_no);
                course.exercises.push(exercise);
            }
        }
        course
            .exercises
            .sort_by(|a, b| (a.order, &a.part, &a.folder).cmp(&(b.order, &b.part, &b.folder)));
        check_unique_names(&mut course.exercises);
        Ok(course)
    }

    /// Absolute path of a root-relative path.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Finds an exercise by package name, or fails with the list of names.
    pub fn find(&self, name: &str) -> Result<&Exercise> {
        self.exercises
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.exercises.iter().map(|e| e.name.as_str()).collect();
                anyhow::anyhow!(
                    "there is no exercise called `{name}`.\nThe exercises are: {}",
                    if names.is_empty() {
                        "(none yet)".to_string()
                    } else {
                        names.join(", ")
                    }
                )
            })
    }

    /// The exercise whose folder contains `dir` (the learner's current folder).
    pub fn containing(&self, dir: &Path) -> Option<&Exercise> {
        let dir = dir.canonicalize().ok()?;
        self.exercises
            .iter()
            .find(|e| dir.starts_with(self.path(&e.rel_dir())))
    }

    /// Resolves the NAME argument most learner commands take: the named exercise,
    /// or the one the learner is standing in.
    pub fn named_or_current(&self, name: Option<&str>, command: &str) -> Result<&Exercise> {
        match name {
            Some(name) => self.find(name),
            None => {
                let cwd = std::env::current_dir().context("cannot read the current folder")?;
                self.containing(&cwd).ok_or_else(|| {
                    anyhow::anyhow!(
                        "which exercise? Run this from inside an exercise folder \
                         (exercises/NN_part/NN_name), or name it: `cargo xtask {command} NAME`."
                    )
                })
            }
        }
    }
}

/// Splits `NN_rest` into its number and checks the shape.
pub fn split_number(folder: &str) -> Option<(u32, &str)> {
    let (num, rest) = folder.split_once('_')?;
    if num.len() == 2 && num.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty() {
        Some((num.parse().ok()?, rest))
    } else {
        None
    }
}

/// The `NN_*` sub-folders of `dir` with their numbers. Hidden folders (such as
/// `exercises/.cargo`) are skipped; any other folder without a number is reported,
/// because the workspace's `exercises/*/*` glob would still pick it up.
fn numbered_dirs(dir: &Path, problems: &mut Vec<String>) -> Result<Vec<(u32, String)>> {
    let mut found = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        match split_number(&name) {
            Some((n, _)) => found.push((n, name)),
            None => problems.push(format!(
                "{} is not named NN_name (two digits, an underscore, a name); the runner \
                 cannot place it in the course order",
                dir.join(&name).display()
            )),
        }
    }
    found.sort();
    Ok(found)
}

/// Builds one exercise from its folder, collecting what is wrong with it.
fn discover(root: &Path, part: &str, part_no: u32, folder: &str, ex_no: u32) -> Exercise {
    let (_, name) = split_number(folder).expect("numbered_dirs checked the shape");
    let mut exercise = Exercise {
        name: name.to_string(),
        part: part.to_string(),
        folder: folder.to_string(),
        order: (part_no, ex_no),
        meta: Meta::default(),
        problems: Vec::new(),
    };
    let dir = root.join(exercise.rel_dir());

    match package_name(&dir.join("Cargo.toml")) {
        Ok(package) if package == name => {}
        Ok(package) => exercise.problems.push(format!(
            "its package is called `{package}` but the folder says `{name}`: the package \
             name must be the folder name without the number"
        )),
        Err(e) => exercise.problems.push(format!("{e:#}")),
    }

    let meta_path = dir.join("exercise.toml");
    match fs::read_to_string(&meta_path) {
        Ok(text) => match Meta::parse(&text, &meta_path) {
            Ok(meta) => exercise.meta = meta,
            Err(e) => exercise.problems.push(format!("{e:#}")),
        },
        Err(_) => exercise.problems.push(format!(
            "{}/exercise.toml is missing (it holds the hint)",
            exercise.rel_dir()
        )),
    }

    if !root.join(exercise.rel_lesson()).is_file() {
        exercise.problems.push(format!(
            "its lesson {} does not exist",
            exercise.rel_lesson()
        ));
    }
    if !root.join(exercise.rel_solution()).is_dir() {
        exercise.problems.push(format!(
            "its solution folder {} does not exist",
            exercise.rel_solution()
        ));
    }
    exercise
}

/// Two exercises with one package name would break `cargo test -p NAME`.
fn check_unique_names(exercises: &mut [Exercise]) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for exercise in exercises.iter_mut() {
        if let Some(first) = seen.get(&exercise.name) {
            exercise.problems.push(format!(
                "the name `{}` is already used by {first}; names must be unique",
                exercise.name
            ));
        } else {
            seen.insert(exercise.name.clone(), exercise.rel_dir());
        }
    }
}

/// Reads `[package].name` from a manifest.
pub fn package_name(manifest: &Path) -> Result<String> {
    let text = fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let doc: toml::Table = toml::from_str(&text)
        .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .with_context(|| format!("{} has no [package] name", manifest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_two_digits_and_a_name() {
        assert_eq!(split_number("02_line-codec"), Some((2, "line-codec")));
        assert_eq!(split_number("2_x"), None);
        assert_eq!(split_number("02_"), None);
        assert_eq!(split_number("ab_x"), None);
        assert_eq!(split_number("testkit"), None);
    }

    #[test]
    fn metadata_denies_unknown_fields_and_empty_reasons() {
        let p = Path::new("exercise.toml");
        let step = "[[steps]]\ntitle = \"s\"\ntests = [\"01_a\"]\n";
        let ok = Meta::parse(
            &format!("hints = [\"h\"]\n{step}[passes-on-stub]\nt = \"why\"\n"),
            p,
        )
        .unwrap();
        assert_eq!(ok.passes_on_stub.len(), 1);
        assert!(!ok.unix_only);
        assert_eq!(ok.step_tests().collect::<Vec<_>>(), ["01_a"]);
        assert!(Meta::parse(&format!("hints = [\"h\"]\nhnit = 1\n{step}"), p).is_err());
        assert!(Meta::parse(&format!("hints = [\"  \"]\n{step}"), p).is_err());
        assert!(Meta::parse(&format!("hints = []\n{step}"), p).is_err());
        assert!(
            Meta::parse(
                &format!("hints = [\"h\"]\n{step}[passes-on-stub]\nt = \"\"\n"),
                p
            )
            .is_err()
        );
        assert!(
            Meta::parse(&format!("unix-only = true\n{step}"), p).is_err(),
            "hints are required"
        );
        assert!(
            Meta::parse("hints = [\"h\"]\n", p).is_err(),
            "steps are required"
        );
    }

    #[test]
    fn linux_only_exercises_run_on_linux_alone() {
        let meta = Meta::parse(
            "hints = [\"h\"]\nlinux-only = true\n[[steps]]\ntitle = \"s\"\ntests = [\"01_a\"]\n",
            Path::new("e.toml"),
        )
        .unwrap();
        let exercise = Exercise {
            name: "epoll-echo".into(),
            part: "05_servers".into(),
            folder: "07_epoll-echo".into(),
            order: (5, 7),
            meta,
            problems: Vec::new(),
        };
        assert_eq!(exercise.runs_here(), cfg!(target_os = "linux"));
        assert_eq!(exercise.platform_need(), Some("Linux"));
    }
}
