//! Rules for what authors write around an exercise, checked by `verify`:
//!
//! * hints are graded: the first is a nudge with no code, and no level is the
//!   code itself;
//! * a citation of a lesson section (`(lesson 02.3, 'The decoder')`, in a `todo!`
//!   or a doc comment) names a heading that exists;
//! * a term a lesson glosses in Chinese (`**sticky packets** (粘包)`) is in the
//!   glossary.

use crate::course::{Course, Exercise, split_number};
use regex::Regex;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::LazyLock;
use walkdir::WalkDir;

/// What a first hint may not contain inside backticks: the marks of an
/// expression, a call or a path. A name (`read_frame`) is a fine nudge.
const CODE_MARKS: [&str; 7] = ["(", ")", "{", ";", "=", "::", "->"];

/// Problems with an exercise's hints.
pub fn hint_problems(exercise: &Exercise) -> Vec<String> {
    let toml = format!("{}/exercise.toml", exercise.rel_dir());
    let mut problems = Vec::new();
    let hints = &exercise.meta.hints;
    if hints.len() < 2 {
        problems.push(format!(
            "{toml}: one hint only; hints are graded — a nudge first (which idea, which \
             section, which test to read), more on each later level"
        ));
    }
    if let Some(first) = hints.first() {
        for span in code_spans(first) {
            if let Some(mark) = CODE_MARKS.iter().find(|m| span.contains(**m)) {
                problems.push(format!(
                    "{toml}: the first hint shows code (`{span}` contains `{mark}`); it is a \
                     nudge — name the idea, the lesson section or the test to read"
                ));
            }
        }
    }
    for (n, hint) in hints.iter().enumerate() {
        let level = n + 1;
        if hint.contains("```") {
            problems.push(format!(
                "{toml}: hint {level} has a code block; no hint is the code"
            ));
        }
        if let Some(line) = hint
            .lines()
            .map(str::trim_end)
            .find(|l| l.ends_with(';') || l.ends_with('{'))
        {
            problems.push(format!(
                "{toml}: hint {level} has a line of code (`{}`); describe the step in words",
                line.trim()
            ));
        }
    }
    problems
}

/// The text inside single backticks.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

static CITATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"lesson (\d{2})\.(\d{1,2}), '([^']+)'").expect("valid"));

/// Citations in an exercise's and its solution's Rust files that name no heading
/// of the lesson they cite.
pub fn citation_problems(course: &Course, exercise: &Exercise) -> Vec<String> {
    let mut problems = Vec::new();
    for base in [exercise.rel_dir(), exercise.rel_solution()] {
        for entry in WalkDir::new(course.path(&base))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        {
            let Ok(text) = fs::read_to_string(entry.path()) else {
                continue;
            };
            let shown = entry
                .path()
                .strip_prefix(&course.root)
                .unwrap_or(entry.path())
                .display()
                .to_string();
            for cite in CITATION.captures_iter(&text) {
                let (part, lesson, heading) = (&cite[1], &cite[2], &cite[3]);
                if let Some(why) = cited_heading_missing(course, part, lesson, heading) {
                    problems.push(format!("{shown} cites {}: {why}", &cite[0]));
                }
            }
        }
    }
    problems
}

/// Why `lesson PP.N, 'heading'` points nowhere, or `None` when it resolves.
fn cited_heading_missing(
    course: &Course,
    part: &str,
    lesson: &str,
    heading: &str,
) -> Option<String> {
    let lesson_no: u32 = lesson.parse().ok()?;
    let book = course.path("book");
    let part_dir = numbered_entries(&book)
        .into_iter()
        .find(|(n, _)| format!("{n:02}") == part)
        .map(|(_, name)| book.join(name))?;
    let page = numbered_entries(&part_dir)
        .into_iter()
        .find(|(n, name)| *n == lesson_no && name.ends_with(".md"))
        .map(|(_, name)| part_dir.join(name));
    let Some(page) = page else {
        return Some(format!("there is no lesson {part}.{lesson_no:02} in book/"));
    };
    let headings = headings(&fs::read_to_string(&page).unwrap_or_default());
    if headings.iter().any(|h| h == heading) {
        return None;
    }
    Some(format!(
        "{} has no heading '{heading}' (its headings: {})",
        page.strip_prefix(&course.root).unwrap_or(&page).display(),
        headings.join(" | ")
    ))
}

/// `NN_…` entries of a folder with their numbers.
fn numbered_entries(dir: &Path) -> Vec<(u32, String)> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (n, _) = split_number(name.trim_end_matches(".md"))?;
            Some((n, name))
        })
        .collect()
}

/// The text of a Markdown page's headings, outside code fences.
pub fn headings(markdown: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut found = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !line.starts_with('#') {
            continue;
        }
        let text = line.trim_start_matches('#');
        if !text.starts_with(' ') {
            continue;
        }
        // `## Title {#anchor}` keeps its anchor out of the title.
        let text = text.split(" {#").next().unwrap_or(text);
        found.push(text.trim().to_string());
    }
    found
}

/// A bold span, and a parenthesis right after it: `**term (术语)**` or
/// `**term** (术语)`, across line breaks.
static BOLD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\*\*([^*]+)\*\*(\s*[（(][^)）]*[)）])?").expect("valid"));

/// A parenthesis that holds only Chinese (and separators): a gloss, not an
/// example or an aside that happens to contain a Chinese word.
static GLOSS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(]\s*(\p{Han}[\p{Han}/／、，,·\s]*)[)）]").expect("valid"));

/// `(term, gloss)` for every bold term with a Chinese gloss in `text`.
fn glossed_terms(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for bold in BOLD.captures_iter(text) {
        let after = bold.get(2).map_or("", |m| m.as_str());
        let both = format!("{}{after}", &bold[1]);
        if let Some(gloss) = GLOSS.captures(&both) {
            let term = GLOSS.replace_all(&bold[1], "");
            let term = term.split_whitespace().collect::<Vec<_>>().join(" ");
            let term = term.trim_end_matches(['.', ':']).trim().to_string();
            found.push((term, gloss[1].to_string()));
        }
    }
    found
}

/// Terms that a lesson puts in bold with a Chinese gloss (`**term** (术语)`) and
/// whose Chinese the glossary lacks.
pub fn glossary_problems(course: &Course) -> Vec<String> {
    let glossary = fs::read_to_string(course.path("book/glossary.md")).unwrap_or_default();
    let mut missing = BTreeSet::new();
    for entry in WalkDir::new(course.path("book"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter(|e| e.file_name() != "glossary.md")
    {
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        for (term, gloss) in glossed_terms(&text) {
            for chinese in han_runs(&gloss) {
                if !glossary.contains(chinese) {
                    let page = entry
                        .path()
                        .strip_prefix(&course.root)
                        .unwrap_or(entry.path())
                        .display()
                        .to_string();
                    missing.insert((chinese.to_string(), term.clone(), page));
                }
            }
        }
    }
    missing
        .into_iter()
        .map(|(chinese, term, page)| {
            format!("{page} glosses **{term}** as {chinese}, which book/glossary.md lacks")
        })
        .collect()
}

/// The runs of Chinese characters in a gloss ("粘包/半包" → 粘包, 半包).
fn han_runs(text: &str) -> Vec<&str> {
    static HAN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\p{Han}+").expect("valid"));
    HAN.find_iter(text).map(|m| m.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Meta;

    fn with_hints(hints: &[&str]) -> Exercise {
        let meta = Meta {
            hints: hints.iter().map(|h| h.to_string()).collect(),
            ..Meta::default()
        };
        Exercise {
            name: "x".into(),
            part: "01_p".into(),
            folder: "01_x".into(),
            order: (1, 1),
            meta,
            problems: vec![],
        }
    }

    #[test]
    fn a_first_hint_names_things_but_shows_no_code() {
        let ok = with_hints(&["Reread 'The decoder'; start with `next_line`.", "More."]);
        assert!(hint_problems(&ok).is_empty(), "{:?}", hint_problems(&ok));
        let code = with_hints(&["Call `buf.drain(..n)`.", "More."]);
        assert_eq!(hint_problems(&code).len(), 1);
        let path = with_hints(&["Use `u32::from_be_bytes`.", "More."]);
        assert_eq!(hint_problems(&path).len(), 1);
    }

    #[test]
    fn no_hint_is_the_code() {
        let fenced = with_hints(&["Nudge.", "```rust\nlet x = 1;\n```"]);
        assert!(!hint_problems(&fenced).is_empty());
        let line = with_hints(&["Nudge.", "then:\n    let n = read(&mut buf)?;"]);
        assert_eq!(hint_problems(&line).len(), 1);
        assert_eq!(hint_problems(&with_hints(&["Only one."])).len(), 1);
    }

    #[test]
    fn headings_skip_code_and_anchors() {
        let page = "# Title\n```sh\n# not a heading\n```\n## The decoder {#dec}\n#hashtag\n";
        assert_eq!(headings(page), ["Title", "The decoder"]);
    }

    #[test]
    fn glosses_are_found_in_either_bracket() {
        let text = "**sticky packets** (粘包/半包) and **loss**（丢包）, **plain** (none), \
                    **a cursor\n(游标)** and **bold** text (别的), **32** (`你好` counts 2)";
        let found: Vec<String> = glossed_terms(text)
            .into_iter()
            .map(|(term, gloss)| format!("{term}={gloss}"))
            .collect();
        assert_eq!(
            found,
            ["sticky packets=粘包/半包", "loss=丢包", "a cursor=游标"]
        );
        assert_eq!(han_runs("粘包/半包"), ["粘包", "半包"]);
    }
}
