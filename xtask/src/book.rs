//! Building the book with the `mdbook-driver` library.
//!
//! The runner is the only tool an instructor needs: no `mdbook` binary, no
//! preprocessor to install. The course's `{{#exercise}}` preprocessor is registered
//! here in code and runs first, before mdBook's own `{{#include}}` handling, so an
//! escaped `\{{#exercise}}` stays text.

use crate::course::Course;
use crate::links::decode;
use crate::preprocess::ExercisePreprocessor;
use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;
use mdbook_driver::builtin_preprocessors::{IndexPreprocessor, LinkPreprocessor};
use mdbook_driver::config::Config;
use regex::Regex;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use walkdir::WalkDir;

/// Which book to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// Every lesson with its walk-through of the reference solution, collapsed.
    Full,
    /// For instructors who hand out exercises for credit: every walk-through left
    /// out (a note says where it went), built into its own folder.
    NoSolutions,
}

/// Builds the book from `<root>/book.toml`; returns the HTML folder.
pub fn build(course: &Course, edition: Edition) -> Result<PathBuf> {
    let book_toml = course.path("book.toml");
    let mut config = Config::from_disk(&book_toml)
        .with_context(|| format!("cannot read {}", book_toml.display()))?;
    config.update_from_env()?;
    if edition == Edition::NoSolutions {
        let dir = config.build.build_dir.clone();
        config.build.build_dir = dir.with_file_name(format!(
            "{}-no-solutions",
            dir.file_name().unwrap_or_default().to_string_lossy()
        ));
    }

    // Take over mdBook's default preprocessors so that ours can run before them.
    let defaults = config.build.use_default_preprocessors;
    config.build.use_default_preprocessors = false;
    let mut book = MDBook::load_with_config(&course.root, config)
        .context("mdBook could not load the book (is every page in SUMMARY.md there?)")?;
    book.with_preprocessor(ExercisePreprocessor::new(course, edition));
    if defaults {
        book.with_preprocessor(LinkPreprocessor::new());
        book.with_preprocessor(IndexPreprocessor::new());
    }
    book.build().context("mdBook could not build the book")?;

    let site = book.build_dir_for("html");
    if !site.join("index.html").is_file() {
        bail!("the book built, but {} has no index.html", site.display());
    }
    Ok(site)
}

/// Checks the built site: nothing left unexpanded, and search is there.
///
/// A `{{#…}}` in the HTML is a link mdBook could not expand (a wrong path or
/// anchor: mdBook only logs those and leaves the text). The exception is one an
/// author escaped on purpose (`\{{#include …}}`) to show the syntax.
pub fn check_output(course: &Course, site: &Path) -> Result<Vec<String>> {
    let shown_on_purpose = escaped_links(&course.path("book"));
    let mut problems = Vec::new();
    let mut has_search_index = false;
    for entry in WalkDir::new(site) {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy();
        if name.starts_with("searchindex") {
            has_search_index = true;
        }
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = fs::read_to_string(entry.path())?;
            for line in html.lines().filter(|l| l.contains("{{#")) {
                let found: Vec<String> = LINK.find_iter(line).map(|m| decode(m.as_str())).collect();
                let expected = found.len() == line.matches("{{#").count()
                    && found.iter().all(|f| shown_on_purpose.contains(f));
                if !expected {
                    problems.push(format!(
                        "{}: `{}` was left unexpanded (a wrong {{{{#include}}}} path or anchor?)",
                        entry.path().strip_prefix(site)?.display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    if !has_search_index {
        problems.push(
            "the built book has no search index: keep [output.html.search] enable = true \
             in book.toml"
                .to_string(),
        );
    }
    Ok(problems)
}

static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{#[^}]*\}\}").expect("valid regex"));

/// The `{{#…}}` texts that book sources escape with a backslash.
fn escaped_links(src: &Path) -> BTreeSet<String> {
    let mut shown = BTreeSet::new();
    for entry in WalkDir::new(src).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_some_and(|e| e == "md")
            && let Ok(text) = fs::read_to_string(entry.path())
        {
            for m in LINK.find_iter(&text) {
                if text[..m.start()].ends_with('\\') {
                    shown.insert(m.as_str().to_string());
                }
            }
        }
    }
    shown
}

/// `path/index.html` relative to the root when possible, for messages.
pub fn display_index(course: &Course, site: &Path) -> String {
    let index = site.join("index.html");
    index
        .strip_prefix(&course.root)
        .unwrap_or(&index)
        .display()
        .to_string()
}
