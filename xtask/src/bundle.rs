//! `cargo xtask bundle`: an offline classroom zip.
//!
//! For a room without a network (or without GitHub): the built book to read in a
//! browser, and the workspace to work in — exercises, test kit, the runner's
//! sources and the lock files. Solutions are left out: the book is the edition
//! without the walk-throughs of the reference solutions, and `solutions/` and
//! every `target/` folder stay behind. Learners unzip it, open `course/book-html/index.html`, and run
//! `cargo test` in an exercise as usual.

use crate::book;
use crate::cargo;
use crate::course::Course;
use anyhow::{Context, Result};
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use walkdir::WalkDir;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// The top folder inside the zip.
const TOP: &str = "course";

/// What goes in, relative to the root (folders are taken whole).
const CONTENTS: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    ".cargo",
    "testkit",
    "exercises",
    "xtask/Cargo.toml",
    "xtask/Cargo.lock",
    "xtask/src",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    ".gitignore",
    "book.toml",
];

pub fn bundle(course: &Course) -> Result<()> {
    warn_if_edited(course);
    println!("building the book…");
    let site = book::build(course, book::Edition::NoSolutions)?;

    let out_dir = course.path("target/bundle");
    fs::create_dir_all(&out_dir)?;
    let out = out_dir.join("course.zip");
    let mut zip = ZipWriter::new(
        File::create(&out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);

    let mut count = 0;
    for rel in CONTENTS {
        let path = course.path(rel);
        if path.exists() {
            count += add(&mut zip, &path, &format!("{TOP}/{rel}"), options)?;
        }
    }
    count += add(&mut zip, &site, &format!("{TOP}/book-html"), options)?;
    zip.finish()?;

    let size = fs::metadata(&out)?.len();
    println!(
        "bundle: {} ({}, {count} files)",
        out.strip_prefix(&course.root).unwrap_or(&out).display(),
        human(size)
    );
    println!(
        "inside: {TOP}/book-html/index.html is the book; the exercises are ready for `cargo test`"
    );
    Ok(())
}

/// The exercises go in as they are on disk: an instructor who tried one in place
/// would hand out a solved exercise. Git (when there is one) says whether any is.
fn warn_if_edited(course: &Course) {
    let mut cmd = Command::new("git");
    cmd.current_dir(&course.root)
        .args(["status", "--porcelain", "--", "exercises", "testkit"]);
    if let Ok(changed) = cargo::run_ok(&mut cmd)
        && !changed.trim().is_empty()
    {
        println!(
            "warning: these files differ from git's HEAD and go into the bundle as they \
             are (`cargo xtask reset NAME` restores an exercise):\n{}",
            cargo::first_lines(changed.trim_end(), 10)
        );
    }
}

/// Adds a file or a folder tree; returns how many files went in.
fn add(
    zip: &mut ZipWriter<File>,
    path: &Path,
    name: &str,
    options: SimpleFileOptions,
) -> Result<usize> {
    let mut count = 0;
    let walker = WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e.path()));
    for entry in walker {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(path)?;
        let mut inner = name.to_string();
        for part in rel.components() {
            inner.push('/');
            inner.push_str(&part.as_os_str().to_string_lossy());
        }
        zip.start_file(inner, options)?;
        zip.write_all(&fs::read(entry.path())?)?;
        count += 1;
    }
    Ok(count)
}

/// Build output, pending snapshots and learners' backups never ship.
fn skipped(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name == "target"
        || name == ".backup"
        || name.ends_with(".snap.new")
        || name.ends_with(".pending-snap")
}

/// `1234567` → `1.2 MB`.
fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}
