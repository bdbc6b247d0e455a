//! `cargo xtask new PART NAME`: a lesson, an exercise and a solution with the right
//! paths, already passing `cargo xtask verify NAME`.
//!
//! The scaffold is the smallest exercise the runner accepts — a stub with a
//! `todo!`, one failing test that uses the test kit, a solution that passes it — so
//! an author starts from green CI and replaces each piece with the real thing.

use crate::course::{Course, split_number};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn new(course: &Course, part: &str, name: &str) -> Result<()> {
    check_name(course, name)?;
    let part = resolve_part(course, part)?;
    let summary = fs::read_to_string(course.path("book/SUMMARY.md")).unwrap_or_default();
    // A lesson SUMMARY.md already plans (`[…](02_framing/05_name.md)`) keeps its number.
    let number = match planned_number(&summary, &part, name) {
        Some(n) => n,
        None => next_number(course, &part)?,
    };
    let folder = format!("{number:02}_{name}");
    let title = title_of(name);
    let lesson_rel = format!("book/{part}/{folder}.md");
    let exercise_rel = format!("exercises/{part}/{folder}");
    let solution_rel = format!("solutions/{part}/{folder}");
    let krate = name.replace('-', "_");

    let files: Vec<(String, String)> = vec![
        (lesson_rel.clone(), lesson(&title)),
        (format!("{exercise_rel}/Cargo.toml"), manifest(name)),
        (
            format!("{exercise_rel}/exercise.toml"),
            metadata(name, &krate),
        ),
        (
            format!("{exercise_rel}/src/lib.rs"),
            stub(name, &lesson_rel),
        ),
        (
            format!("{exercise_rel}/tests/01_{krate}.rs"),
            test(name, &krate),
        ),
        (
            format!("{solution_rel}/src/lib.rs"),
            solution(name, &lesson_rel),
        ),
    ];
    // An author may write the lesson first: an existing lesson page is kept.
    let lesson_exists = course.path(&lesson_rel).is_file();
    let files: Vec<(String, String)> = files
        .into_iter()
        .filter(|(rel, _)| !(lesson_exists && *rel == lesson_rel))
        .collect();
    for (rel, _) in &files {
        if course.path(rel).exists() {
            bail!("{rel} already exists; nothing was created");
        }
    }

    // The part is new to the book when SUMMARY.md has no line for it yet.
    let part_listed = summary.contains(&format!("]({part}/"));
    let index = format!("book/{part}/index.md");
    let mut created = Vec::new();
    if !course.path(&index).exists()
        && (!part_listed || summary.contains(&format!("]({part}/index.md)")))
    {
        write_new(&course.path(&index), &format!("# {}\n", part_title(&part)))?;
        created.push(index);
    }
    for (rel, text) in &files {
        write_new(&course.path(rel), text)?;
        created.push(rel.clone());
    }
    format_rust(&created.iter().map(|r| course.path(r)).collect::<Vec<_>>());
    add_to_summary(course, &part, &folder, &title)?;

    println!("created:");
    for rel in &created {
        println!("  {rel}");
    }
    if lesson_exists {
        println!("kept: {lesson_rel} (it exists; make sure it has the {{{{#exercise}}}} box)");
    }
    println!("SUMMARY.md lists the lesson under its part");
    println!(
        "\nnext: write the lesson, the stub's API, the tests and the solution; then\n  \
         cargo xtask verify {name}\n(the first cargo command adds `{name}` to Cargo.lock: \
         commit that too)"
    );
    Ok(())
}

/// Kebab-case and unused: the package name must be unique and number-free.
fn check_name(course: &Course, name: &str) -> Result<()> {
    let kebab = name.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }) && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    if !kebab {
        bail!("`{name}` is not a kebab-case name like `line-codec` (lowercase words joined by -)");
    }
    if name == "testkit" || name == "xtask" {
        bail!("`{name}` is taken by the course's own crates");
    }
    if let Ok(e) = course.find(name) {
        bail!(
            "there is already an exercise called `{name}` at {}",
            e.rel_dir()
        );
    }
    Ok(())
}

/// `02_framing` as given; `framing` finds the numbered part; `NN_new` is a new part.
fn resolve_part(course: &Course, part: &str) -> Result<String> {
    let existing = part_folders(course);
    if existing.iter().any(|p| p == part) {
        return Ok(part.to_string());
    }
    if let Some(found) = existing
        .iter()
        .find(|p| split_number(p).is_some_and(|(_, rest)| rest == part))
    {
        return Ok(found.clone());
    }
    if split_number(part).is_some() {
        return Ok(part.to_string()); // a new part
    }
    bail!(
        "there is no part `{part}`. Parts: {}. Name a new one with its number, e.g. 03_{part}",
        if existing.is_empty() {
            "(none yet)".to_string()
        } else {
            existing.join(", ")
        }
    )
}

fn part_folders(course: &Course) -> Vec<String> {
    let mut parts: Vec<String> = ["book", "exercises"]
        .iter()
        .filter_map(|top| fs::read_dir(course.path(top)).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| split_number(n).is_some())
        .collect();
    parts.sort();
    parts.dedup();
    parts
}

/// One more than the highest number used by a lesson, exercise or solution.
fn next_number(course: &Course, part: &str) -> Result<u32> {
    let mut highest = 0;
    for top in ["book", "exercises", "solutions"] {
        let Ok(entries) = fs::read_dir(course.path(&format!("{top}/{part}"))) else {
            continue;
        };
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some((n, _)) = split_number(name.trim_end_matches(".md")) {
                highest = highest.max(n);
            }
        }
    }
    if highest >= 99 {
        bail!("part {part} has no free two-digit number left");
    }
    Ok(highest + 1)
}

/// The number of a lesson for `name` that SUMMARY.md already lists in `part`.
fn planned_number(summary: &str, part: &str, name: &str) -> Option<u32> {
    let prefix = format!("]({part}/");
    summary.lines().find_map(|line| {
        let start = line.find(&prefix)? + prefix.len();
        let file = line[start..].split(')').next()?.strip_suffix(".md")?;
        let (n, rest) = split_number(file)?;
        (rest == name).then_some(n)
    })
}

/// Adds the lesson to `book/SUMMARY.md` after the part's last line (unless it is
/// listed already).
fn add_to_summary(course: &Course, part: &str, folder: &str, title: &str) -> Result<()> {
    let path = course.path("book/SUMMARY.md");
    let text = fs::read_to_string(&path).context("cannot read book/SUMMARY.md")?;
    let entry = format!("[{title}]({part}/{folder}.md)");
    if text.contains(&format!("]({part}/{folder}.md)")) {
        return Ok(());
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let needle = format!("]({part}/");
    let last = lines.iter().rposition(|l| l.contains(&needle));
    match last {
        Some(i) => {
            let line = &lines[i];
            let indent = line.len() - line.trim_start().len();
            // Under the part's index page, lessons are one level deeper.
            let indent = if line.contains(&format!("]({part}/index.md)")) {
                indent + 2
            } else {
                indent
            };
            lines.insert(i + 1, format!("{}- {entry}", " ".repeat(indent)));
        }
        None => {
            let heading = part_title(part);
            lines.push(String::new());
            lines.push(format!("# {heading}"));
            lines.push(String::new());
            lines.push(format!("- [{heading}]({part}/index.md)"));
            lines.push(format!("  - {entry}"));
        }
    }
    fs::write(&path, lines.join("\n") + "\n").context("cannot write book/SUMMARY.md")
}

/// `line-codec` → `Line codec`.
fn title_of(name: &str) -> String {
    let words = name.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn part_title(part: &str) -> String {
    title_of(split_number(part).map_or(part, |(_, rest)| rest))
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Best effort: the templates are already formatted; rustfmt makes sure.
fn format_rust(files: &[PathBuf]) {
    let rust: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let _ = Command::new("rustfmt")
        .args(["--edition", "2021"])
        .args(rust)
        .status();
}

fn lesson(title: &str) -> String {
    format!(
        "# {title}\n\
         \n\
         <!-- Each section below is expected; CONTRIBUTING.md says what goes in it. Give the\n\
         \x20    Chinese term beside the English one the first time a key term appears. -->\n\
         \n\
         ## The idea\n\
         \n\
         ## A picture\n\
         \n\
         ## The code\n\
         \n\
         <!-- Teach with code that is not the answer: a compiled example of the idea (the\n\
         \x20    exercise's examples/ folder), API fragments, the stub's given code. Include it\n\
         \x20    with mdBook's include link and an anchor, as CONTRIBUTING.md shows. Describe\n\
         \x20    what the learner will write; never show it. -->\n\
         \n\
         ## Pitfalls (常见坑)\n\
         \n\
         ## Check yourself (自测题)\n\
         \n\
         ## Exercise\n\
         \n\
         {{{{#exercise}}}}\n\
         \n\
         The tests check that:\n\
         \n\
         - `answer` returns the answer.\n\
         \n\
         ## After the exercise\n\
         \n\
         {{{{#walkthrough}}}}\n\
         \n\
         <!-- The reference solution, explained: include its code from solutions/ here, and\n\
         \x20    only here. `cargo xtask book --no-solutions` leaves this part out. -->\n\
         \n\
         {{{{#endwalkthrough}}}}\n"
    )
}

fn manifest(name: &str) -> String {
    format!(
        "[package]\n\
         name = \"{name}\"\n\
         version = \"0.1.0\"\n\
         edition.workspace = true\n\
         publish.workspace = true\n\
         \n\
         [dependencies]\n\
         \n\
         [dev-dependencies]\n\
         testkit.workspace = true\n"
    )
}

fn metadata(name: &str, krate: &str) -> String {
    format!(
        "# Shown one at a time by `cargo xtask hint {name}`: a nudge first (which idea,\n\
         # which section, which test to read), more on each call, never the code.\n\
         hints = [\n\
         \"Read the lesson's section on `answer` again: it says what the function returns.\",\n\
         \"The doc comment of `answer` in src/lib.rs states the number it must return.\",\n\
         ]\n\
         \n\
         # Uncomment when the exercise needs a Unix (fork, signals, poll) or Linux (epoll).\n\
         # unix-only = true\n\
         # linux-only = true\n\
         \n\
         # The lesson's steps in order: the numbered test files that check each one, and\n\
         # the solution files it writes. `verify` checks each step's tests fail before\n\
         # its files are written and pass after.\n\
         [[steps]]\n\
         title = \"answer\"\n\
         tests = [\"01_{krate}\"]\n\
         files = [\"src/lib.rs\"]\n\
         \n\
         # Tests that pass against the untouched stub, each with its reason.\n\
         [passes-on-stub]\n\
         \n\
         # Mutants that `cargo xtask mutants {name}` finds alive, each with the reason\n\
         # no test can observe it.\n\
         [surviving-mutants]\n"
    )
}

/// The doc comments stub and solution share: the contract (verify keeps the two
/// copies identical).
fn contract(name: &str, lesson: &str) -> (String, String) {
    (
        format!(
            "//! `{name}`: the exercise of the lesson `{lesson}`.\n\
             //!\n\
             //! Replace this with the public API the lesson describes.\n"
        ),
        "/// Returns the answer.\n\
         ///\n\
         /// State the contract here: inputs, output, errors.\n"
            .to_string(),
    )
}

fn stub(name: &str, lesson: &str) -> String {
    let (file_docs, fn_docs) = contract(name, lesson);
    format!(
        "{file_docs}\n\
         {fn_docs}\
         pub fn answer() -> u32 {{\n    \
             todo!(\"write `answer`: the lesson {lesson} says what it returns\")\n\
         }}\n"
    )
}

fn test(name: &str, krate: &str) -> String {
    format!(
        "//! Tests for `{name}`: each one names a behaviour and fails on the stub.\n\
         \n\
         use {krate}::answer;\n\
         use testkit::expect;\n\
         \n\
         #[test]\n\
         fn returns_the_answer() {{\n    \
             expect::eq(\n        \
                 \"the value `answer()` returns\",\n        \
                 &answer(),\n        \
                 &42,\n        \
                 \"the lesson says what `answer` must return\",\n    \
             );\n\
         }}\n"
    )
}

fn solution(name: &str, lesson: &str) -> String {
    let (file_docs, fn_docs) = contract(name, lesson);
    format!(
        "{file_docs}\n\
         {fn_docs}\
         pub fn answer() -> u32 {{\n    \
             42\n\
         }}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planned_lesson_keeps_its_number() {
        let summary =
            "- [Framing](02_framing/index.md)\n  - [Lines](02_framing/02_line-codec.md)\n";
        assert_eq!(planned_number(summary, "02_framing", "line-codec"), Some(2));
        assert_eq!(planned_number(summary, "02_framing", "other"), None);
        assert_eq!(planned_number(summary, "03_processes", "line-codec"), None);
    }

    #[test]
    fn titles_come_from_names() {
        assert_eq!(title_of("line-codec"), "Line codec");
        assert_eq!(part_title("03_processes"), "Processes");
    }
}
