//! A lesson never prints its exercise's answer before the exercise.
//!
//! Before the exercise box a lesson teaches with examples of the idea, API
//! fragments, the stub's given code and the contract; the reference solution's
//! code appears only in the walk-through after the box (`{{#walkthrough}}` …
//! `{{#endwalkthrough}}`), which the book without solutions leaves out. Two checks
//! hold authors to it:
//!
//! * in the sources, every `{{#include}}` of a file under `solutions/` sits inside
//!   a walk-through, and every lesson with an exercise has one, after its box;
//! * in the built book without solutions, no code block contains a line of a
//!   solution that no stub has.

use crate::course::{Course, Exercise};
use crate::preprocess::{MARKER, WALKTHROUGH, WALKTHROUGH_END};
use anyhow::Result;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::sync::LazyLock;
use walkdir::WalkDir;

static SOLUTION_INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{#(?:rustdoc_)?include\s+[^}]*solutions/[^}]*\}\}").expect("valid")
});

/// What is wrong with where a lesson puts its solution's code.
pub fn lesson_problems(course: &Course, exercise: &Exercise) -> Vec<String> {
    let rel = exercise.rel_lesson();
    let Ok(page) = fs::read_to_string(course.path(&rel)) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let regions = walkthrough_regions(&page);
    for include in SOLUTION_INCLUDE.find_iter(&page) {
        if !regions.iter().any(|r| r.contains(&include.start())) {
            let line = page[..include.start()].lines().count().max(1);
            problems.push(format!(
                "{rel}:{line}: `{}` shows the reference solution outside the walk-through: \
                 before the exercise a lesson teaches with examples, API fragments and the \
                 stub's given code (include that from the exercise instead); the solution's \
                 code goes between {WALKTHROUGH} and {WALKTHROUGH_END} after the exercise box",
                include.as_str()
            ));
        }
    }
    match (page.find(MARKER), regions.first()) {
        (Some(_), None) => problems.push(format!(
            "{rel} has no walk-through of the reference solution: add one after the exercise \
             box, between {WALKTHROUGH} and {WALKTHROUGH_END}"
        )),
        (Some(exercise_box), Some(first)) if first.start < exercise_box => {
            problems.push(format!(
                "{rel}: the walk-through comes before the exercise box; it belongs after it"
            ));
        }
        _ => {}
    }
    problems
}

/// The byte ranges between walk-through markers.
fn walkthrough_regions(page: &str) -> Vec<std::ops::Range<usize>> {
    let mut regions = Vec::new();
    let mut from = 0;
    while let Some(open) = page[from..].find(WALKTHROUGH) {
        let start = from + open;
        let end = page[start..]
            .find(WALKTHROUGH_END)
            .map_or(page.len(), |e| start + e);
        regions.push(start..end);
        from = end;
    }
    regions
}

/// Lines of the built no-solutions book's code that belong to a solution alone.
pub fn site_problems(course: &Course, site: &Path) -> Result<Vec<String>> {
    let answers = solution_only_lines(course);
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in WalkDir::new(site).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        // print.html repeats every page; the pages themselves are reported.
        if path.extension().is_none_or(|e| e != "html") || entry.file_name() == "print.html" {
            continue;
        }
        let html = fs::read_to_string(path)?;
        for code in CODE.captures_iter(&html) {
            let text = unescape(&TAG.replace_all(&code[1], ""));
            for line in text.lines().map(str::trim) {
                if let Some(file) = answers.get(line) {
                    let page = path
                        .strip_prefix(site)
                        .unwrap_or(path)
                        .display()
                        .to_string();
                    found
                        .entry(page)
                        .or_default()
                        .insert(format!("`{line}` (from {file})"));
                }
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|(page, lines)| {
            let shown: Vec<String> = lines.into_iter().take(3).collect();
            format!(
                "the book without solutions shows solution code on {page}: {}",
                shown.join("; ")
            )
        })
        .collect())
}

static CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<code[^>]*>(.*?)</code>").expect("valid"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]+>").expect("valid"));

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Every telling line of every solution file that no stub has: trimmed line →
/// the file it comes from. Short lines (`}`, `Ok(())`), attributes and `use` lines
/// say nothing about the answer and are left out; so is a line some exercise
/// gives away in its stub (a later exercise may give an earlier one's answer as
/// its starting code).
fn solution_only_lines(course: &Course) -> BTreeMap<String, String> {
    let given = all_stub_lines(course);
    let mut lines = BTreeMap::new();
    for exercise in &course.exercises {
        let solution = course.path(&exercise.rel_solution());
        for entry in WalkDir::new(&solution).into_iter().filter_map(Result::ok) {
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&solution) else {
                continue;
            };
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            for line in text.lines().map(str::trim) {
                if telling(line) && !given.contains(line) {
                    lines.entry(line.to_string()).or_insert_with(|| {
                        format!("{}/{}", exercise.rel_solution(), rel.display())
                    });
                }
            }
        }
    }
    lines
}

/// Every trimmed line of every stub's Rust files.
fn all_stub_lines(course: &Course) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for exercise in &course.exercises {
        for entry in WalkDir::new(course.path(&exercise.rel_dir()))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        {
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            lines.extend(text.lines().map(|l| l.trim().to_string()));
        }
    }
    lines
}

/// A line long and specific enough that seeing it gives part of the answer away.
fn telling(line: &str) -> bool {
    line.len() >= 16
        && !line.starts_with("use ")
        && !line.starts_with("#[")
        && !line.starts_with("// ANCHOR")
        && line.chars().any(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_run_from_marker_to_marker() {
        let page = "a {{#walkthrough}} b {{#endwalkthrough}} c {{#walkthrough}} d";
        let regions = walkthrough_regions(page);
        assert_eq!(regions.len(), 2);
        assert!(page[regions[0].clone()].contains(" b "));
        assert_eq!(regions[1].end, page.len(), "an open region runs to the end");
    }

    #[test]
    fn only_specific_lines_tell() {
        assert!(telling("let n = reader.read(&mut buf[filled..])?;"));
        assert!(!telling("}"));
        assert!(!telling("Ok(())"));
        assert!(!telling("use std::io::{self, Read, Write};"));
        assert!(!telling("#[derive(Debug, Clone, PartialEq, Eq)]"));
    }

    #[test]
    fn code_is_read_without_tags_and_entities() {
        let html = r#"<pre><code class="language-rust"><span class="boring">x
</span>if a &lt; b &amp;&amp; c { }</code></pre>"#;
        let code = CODE.captures(html).unwrap();
        assert_eq!(
            unescape(&TAG.replace_all(&code[1], "")),
            "x\nif a < b && c { }"
        );
    }
}
