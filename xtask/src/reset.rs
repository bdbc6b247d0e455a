//! `cargo xtask reset NAME`: back to the stub, never losing the learner's work.
//!
//! The learner's folder is first copied to `.backup/NAME-<unix time>/` (ignored by
//! git) and the path printed; only then is the stub restored from git's HEAD (index
//! and files) and every untracked file in the folder removed. Without git there is
//! nothing to restore from, so the command stops before touching anything.

use crate::cargo;
use crate::course::Course;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};
use walkdir::WalkDir;

pub fn reset(course: &Course, name: &str) -> Result<()> {
    let exercise = course.find(name)?;
    let rel = exercise.rel_dir();
    let dir = course.path(&rel);

    // Everything that can fail without harm is checked before anything changes.
    git(&course.root, &["rev-parse", "--is-inside-work-tree"]).map_err(|_| {
        anyhow::anyhow!(
            "cannot reset {name}: the course folder is not a git checkout (or git is not \
             installed), so there is no original stub to restore. Nothing was changed."
        )
    })?;
    let tracked = git(
        &course.root,
        &["ls-tree", "-r", "--name-only", "HEAD", "--", &rel],
    )
    .unwrap_or_default();
    if tracked.trim().is_empty() {
        bail!(
            "cannot reset {name}: git has no committed version of {rel} to restore. \
             Nothing was changed."
        );
    }

    let backup = backup_path(&course.root, name)?;
    copy_dir(&dir, &backup)
        .with_context(|| format!("could not back up {rel}; nothing was reset"))?;
    println!(
        "your work on {name} is saved in {}",
        backup
            .strip_prefix(&course.root)
            .unwrap_or(&backup)
            .display()
    );

    // The index too: work the learner had staged would otherwise sit there after
    // the reset, ready for the next `git commit` to bring back.
    git(
        &course.root,
        &[
            "restore",
            "--source=HEAD",
            "--staged",
            "--worktree",
            "--",
            &rel,
        ],
    )
    .with_context(|| format!("git could not restore {rel}; your files are in the backup"))?;
    git(&course.root, &["clean", "-fdqx", "--", &rel])
        .with_context(|| format!("git could not remove new files in {rel}"))?;
    // HEAD is the original stub only if the learner never committed their work.
    println!(
        "{rel} is back to its last committed version (the original stub, unless you \
         committed work of your own). Run `cd {rel} && cargo test` to start again."
    );
    Ok(())
}

/// `.backup/NAME-<unix time>`, with a suffix if two resets land in one second.
fn backup_path(root: &Path, name: &str) -> Result<PathBuf> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let base = root.join(".backup");
    let mut path = base.join(format!("{name}-{now}"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = base.join(format!("{name}-{now}-{n}"));
    }
    Ok(path)
}

/// Copies a folder tree (files only; symlinks are copied as the files they name).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in WalkDir::new(from) {
        let entry = entry?;
        let dest = to.join(entry.path().strip_prefix(from)?);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest)?;
        } else {
            fs::copy(entry.path(), &dest)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> Result<String> {
    let mut cmd = Command::new("git");
    cmd.current_dir(root).args(args);
    cargo::run_ok(&mut cmd)
}
