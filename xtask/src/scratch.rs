//! The scratch workspace where solutions are tested: `target/verify/`.
//!
//! Tests and snapshots exist once, in the exercise; a solution is only the files that
//! differ. To test a solution the runner copies the exercise to
//! `target/verify/solutions/NN_part/NN_name/`, lays the solution's files over the
//! copy, and runs the exercise's own tests there. The learner's folder is never
//! touched.
//!
//! The scratch workspace is built to reuse everything already compiled in
//! `<root>/target`:
//!
//! * its `Cargo.toml` carries the root's `[workspace.package]`,
//!   `[workspace.dependencies]` (paths made absolute, so `testkit` is the very same
//!   package) and `[profile.*]` sections, and the root's `Cargo.lock` is copied in,
//!   so every dependency resolves to the same versions and features;
//! * it lives under `<root>/target`, so the root's `.cargo/config.toml` applies, and
//!   the root workspace excludes `target`, so cargo never mistakes it for a member;
//! * the copy sits at `target/verify/solutions/NN_part/NN_name`, NOT at the
//!   exercise's own relative path: cargo names a workspace member's artifacts by its
//!   path relative to the workspace root, so a copy at `exercises/…` would share
//!   (and overwrite) the in-place stub's compiled crate, and cargo could run the
//!   stub's test binary against the solution's sources;
//! * files are only rewritten when their content changed, so a warm run recompiles
//!   nothing.

use crate::course::{Course, Exercise};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The prepared scratch workspace, held exclusively until dropped.
pub struct Scratch {
    /// `<root>/target/verify`.
    pub dir: PathBuf,
    /// The exercises copied in (those with a solution folder when prepared).
    members: Vec<String>,
    /// The folder the copies sit in, relative to `dir` (`solutions`).
    copies: &'static str,
    /// Two runs at once (an author's `verify NAME` beside a full one) would rewrite
    /// each other's manifest and copies; the second waits for this lock.
    _lock: File,
}

impl Scratch {
    /// Whether `exercise` has a copy here (its solution folder existed).
    pub fn has(&self, exercise: &Exercise) -> bool {
        self.members.contains(&exercise.name)
    }

    /// The copy of `exercise` inside the scratch workspace.
    pub fn copy_of(&self, exercise: &Exercise) -> PathBuf {
        self.dir
            .join(self.copies)
            .join(&exercise.part)
            .join(&exercise.folder)
    }
}

/// Writes the scratch workspace for `exercises` and syncs their overlaid copies.
pub fn prepare(course: &Course, exercises: &[&Exercise]) -> Result<Scratch> {
    let dir = course.root.join("target").join("verify");
    prepare_in(course, &dir, "solutions", exercises)
}

/// [`prepare`], in a folder of its own under `target/` (a long `cargo xtask
/// mutants` run must not hold up `verify`, nor two of them each other), with the
/// copies in `dir/copies/`. Cargo names a member's artifacts by its path relative
/// to its workspace, so two scratch workspaces sharing `target/` need different
/// `copies` folders, or one would run the other's stale test binaries.
pub fn prepare_in(
    course: &Course,
    dir: &Path,
    copies: &'static str,
    exercises: &[&Exercise],
) -> Result<Scratch> {
    let dir = dir.to_path_buf();
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let guard = lock(&dir)?;

    let manifest = scratch_manifest(course, copies, exercises)?;
    write_if_changed(&dir.join("Cargo.toml"), manifest.as_bytes())?;
    let lock = course.root.join("Cargo.lock");
    if lock.is_file() {
        write_if_changed(&dir.join("Cargo.lock"), &fs::read(&lock)?)?;
    }

    let scratch = Scratch {
        dir,
        members: exercises.iter().map(|e| e.name.clone()).collect(),
        copies,
        _lock: guard,
    };
    for exercise in exercises {
        scratch.lay(course, exercise, None)?;
    }
    Ok(scratch)
}

impl Scratch {
    /// Makes the copy of `exercise` the stub with the solution laid over: all of it
    /// (`None`), or only the files that its first `steps` steps write (`Some(k)`),
    /// which is where a learner stands after step k.
    pub fn lay(&self, course: &Course, exercise: &Exercise, steps: Option<usize>) -> Result<()> {
        let written = steps.map(|k| crate::steps::files_up_to(exercise, k));
        let files = overlay(course, exercise, |rel| {
            written.as_ref().is_none_or(|w| w.contains(&rel))
        })?;
        sync(&files, &self.copy_of(exercise))
    }
}

/// Takes the scratch folder's lock, saying so if another run holds it.
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(".lock");
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            println!("waiting for another `cargo xtask verify` or `snapshots` to finish…");
            file.lock()?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    Ok(file)
}

/// The scratch `Cargo.toml`: the root's shared sections, our members.
fn scratch_manifest(course: &Course, copies: &str, exercises: &[&Exercise]) -> Result<String> {
    let path = course.root.join("Cargo.toml");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let root: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;

    let mut workspace = toml::Table::new();
    if let Some(toml::Value::Table(root_ws)) = root.get("workspace") {
        for (key, value) in root_ws {
            // Members, excludes and defaults describe the root's folders, not ours.
            if matches!(key.as_str(), "members" | "exclude" | "default-members") {
                continue;
            }
            let mut value = value.clone();
            if key == "dependencies" {
                absolutize_paths(&mut value, &course.root);
            }
            workspace.insert(key.clone(), value);
        }
    }
    let members = exercises
        .iter()
        .map(|e| toml::Value::String(format!("{copies}/{}/{}", e.part, e.folder)))
        .collect();
    workspace.insert("members".into(), toml::Value::Array(members));

    let mut doc = toml::Table::new();
    doc.insert("workspace".into(), toml::Value::Table(workspace));
    for key in ["profile", "patch"] {
        if let Some(value) = root.get(key) {
            let mut value = value.clone();
            if key == "patch" {
                for source in value
                    .as_table_mut()
                    .into_iter()
                    .flat_map(|t| t.iter_mut().map(|(_, v)| v))
                {
                    absolutize_paths(source, &course.root);
                }
            }
            doc.insert(key.into(), value);
        }
    }
    let header = "# Written by `cargo xtask verify`: the scratch workspace where solutions\n\
                  # are tested. Do not edit; it is rewritten on every run.\n";
    Ok(format!("{header}{}", toml::to_string(&doc)?))
}

/// Rewrites every `path = "…"` in a dependency table to an absolute path.
fn absolutize_paths(deps: &mut toml::Value, root: &Path) {
    let Some(deps) = deps.as_table_mut() else {
        return;
    };
    for (_, dep) in deps.iter_mut() {
        if let Some(toml::Value::String(p)) = dep.as_table_mut().and_then(|t| t.get_mut("path")) {
            let absolute = root.join(p.as_str()).to_string_lossy().into_owned();
            *p = absolute;
        }
    }
}

/// The files of the exercise with the solution's files laid over, those for which
/// `take` (given the `/`-separated relative path) says yes: relative path → source.
fn overlay(
    course: &Course,
    exercise: &Exercise,
    take: impl Fn(&str) -> bool,
) -> Result<BTreeMap<PathBuf, PathBuf>> {
    let mut files = BTreeMap::new();
    for (base, is_solution) in [(exercise.rel_dir(), false), (exercise.rel_solution(), true)] {
        let base = course.root.join(base);
        if !base.is_dir() {
            continue;
        }
        for entry in WalkDir::new(&base)
            .into_iter()
            .filter_entry(|e| !is_build_output(e.path(), &base))
        {
            let entry = entry?;
            if entry.file_type().is_file() && !is_pending_snapshot(entry.path()) {
                let rel = entry.path().strip_prefix(&base)?.to_path_buf();
                if is_solution && !take(&rel.to_string_lossy().replace('\\', "/")) {
                    continue;
                }
                files.insert(rel, entry.path().to_path_buf());
            }
        }
    }
    Ok(files)
}

/// A stray `target/` inside an exercise (from a cargo run outside the workspace).
fn is_build_output(path: &Path, base: &Path) -> bool {
    path.parent() == Some(base) && path.file_name().is_some_and(|n| n == "target")
}

/// The files insta writes for review; they never belong in a copy.
pub fn is_pending_snapshot(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with(".snap.new") || name.ends_with(".pending-snap")
}

/// Makes `dest` hold exactly `files`, touching only what differs.
fn sync(files: &BTreeMap<PathBuf, PathBuf>, dest: &Path) -> Result<()> {
    fs::create_dir_all(dest)?;
    for entry in WalkDir::new(dest).contents_first(true) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(dest)?;
        if entry.file_type().is_file() && !files.contains_key(rel) {
            fs::remove_file(entry.path())?;
        } else if entry.file_type().is_dir() && entry.path() != dest {
            // Only empty folders go; `remove_dir` refuses the others.
            let _ = fs::remove_dir(entry.path());
        }
    }
    for (rel, src) in files {
        write_if_changed(&dest.join(rel), &fs::read(src)?)?;
    }
    Ok(())
}

/// Writes `bytes` unless the file already holds them (keeping its mtime, so cargo
/// sees nothing new).
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Every pending snapshot file under `dir`.
pub fn pending_snapshots(dir: &Path) -> Vec<PathBuf> {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && is_pending_snapshot(e.path()))
        .map(|e| e.into_path())
        .collect()
}
