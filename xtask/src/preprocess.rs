//! The `{{#exercise}}` preprocessor: the exercise box on a lesson page.
//!
//! A lesson and its exercise share a path (`book/02_framing/02_line-codec.md` ↔
//! `exercises/02_framing/02_line-codec/`), so the marker needs no argument: the page
//! knows its exercise. The box tells the learner where the folder is, the two
//! commands to run and how to get a hint, and links the folder in the repository
//! (`output.html.git-repository-url`) so a published book works.
//!
//! It is registered in code by the runner rather than in `book.toml`, so plain
//! `mdbook` is never needed and nobody has to install a preprocessor binary.

use crate::book::Edition;
use crate::course::{Course, Exercise};
use anyhow::{Result, bail};
use mdbook_driver::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::collections::BTreeMap;

/// The marker authors write on a lesson page.
pub const MARKER: &str = "{{#exercise}}";

/// Opens the walk-through of the reference solution, after the exercise box.
pub const WALKTHROUGH: &str = "{{#walkthrough}}";
/// Closes it.
pub const WALKTHROUGH_END: &str = "{{#endwalkthrough}}";

/// Expands to the repository's URL (`output.html.git-repository-url`), so a page
/// that tells readers what to clone follows `book.toml` like the exercise links.
pub const REPOSITORY: &str = "{{#repository}}";

/// Expands [`MARKER`] into the exercise box of the page's own exercise.
pub struct ExercisePreprocessor {
    /// Lesson path relative to the book's `src` (`02_framing/02_line-codec.md`) →
    /// its exercise.
    by_lesson: BTreeMap<String, Exercise>,
    /// Whether walk-throughs are shown (collapsed) or left out.
    edition: Edition,
}

impl ExercisePreprocessor {
    pub const NAME: &'static str = "course-exercise";

    pub fn new(course: &Course, edition: Edition) -> Self {
        let by_lesson = course
            .exercises
            .iter()
            .map(|e| (format!("{}/{}.md", e.part, e.folder), e.clone()))
            .collect();
        ExercisePreprocessor { by_lesson, edition }
    }
}

impl Preprocessor for ExercisePreprocessor {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let repo = ctx
            .config
            .get::<String>("output.html.git-repository-url")?
            .map(|url| url.trim_end_matches('/').to_string());
        let mut errors = Vec::new();
        book.for_each_chapter_mut(|chapter| {
            if chapter.content.contains(WALKTHROUGH) {
                match walkthroughs(&chapter.content, self.edition) {
                    Ok(text) => chapter.content = text,
                    Err(e) => errors.push(format!("{}: {e}", chapter.name)),
                }
            }
            if chapter.content.contains(REPOSITORY) {
                let url = repo.as_deref().unwrap_or("<the course's repository URL>");
                chapter.content = chapter.content.replace(REPOSITORY, url);
            }
            if find_marker(&chapter.content).is_none() {
                return;
            }
            let Some(path) = chapter.source_path.as_ref() else {
                return;
            };
            let key = path.to_string_lossy().replace('\\', "/");
            match self.by_lesson.get(&key) {
                Some(exercise) => {
                    let expanded = exercise_box(exercise, repo.as_deref());
                    chapter.content = replace_markers(&chapter.content, &expanded);
                }
                None => errors.push(format!(
                    "book/{key} has {MARKER} but there is no exercise at exercises/{}/ \
                     (a lesson and its exercise share a path)",
                    key.trim_end_matches(".md")
                )),
            }
        });
        if !errors.is_empty() {
            bail!("{}", errors.join("\n"));
        }
        Ok(book)
    }
}

/// The byte offset of the first unescaped marker (`\{{#exercise}}` is left alone,
/// as mdBook does for its own `{{#…}}` links).
pub fn find_marker(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(MARKER) {
        let at = from + found;
        if at == 0 || text.as_bytes()[at - 1] != b'\\' {
            return Some(at);
        }
        from = at + MARKER.len();
    }
    None
}

/// The walk-through regions of a page: collapsed `<details>` in the full book,
/// a short note in the book without solutions. Runs before `{{#include}}`, so
/// the solution's code is never even read into the no-solutions edition.
fn walkthroughs(text: &str, edition: Edition) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(WALKTHROUGH) {
        out.push_str(&rest[..open]);
        let inside = &rest[open + WALKTHROUGH.len()..];
        let Some(close) = inside.find(WALKTHROUGH_END) else {
            bail!("{WALKTHROUGH} without its {WALKTHROUGH_END}");
        };
        match edition {
            Edition::Full => {
                out.push_str(
                    "<details class=\"walkthrough\">\n<summary><strong>Walk-through of the \
                     reference solution</strong> — open it after your own solution passes: \
                     it shows the answer.</summary>\n\n",
                );
                out.push_str(&inside[..close]);
                out.push_str("\n\n</details>\n");
            }
            Edition::NoSolutions => out.push_str(
                "> *The walk-through of the reference solution is not part of this edition \
                 of the book. Your instructor has it (`cargo xtask book` builds the edition \
                 with walk-throughs).*\n",
            ),
        }
        rest = &inside[close + WALKTHROUGH_END.len()..];
    }
    if rest.contains(WALKTHROUGH_END) {
        bail!("{WALKTHROUGH_END} without a {WALKTHROUGH} before it");
    }
    out.push_str(rest);
    Ok(out)
}

fn replace_markers(text: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    let mut rest = text;
    while let Some(at) = find_marker(rest) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        rest = &rest[at + MARKER.len()..];
    }
    out.push_str(rest);
    out
}

/// The Markdown of one exercise box.
pub fn exercise_box(exercise: &Exercise, repo: Option<&str>) -> String {
    let dir = exercise.rel_dir();
    let name = &exercise.name;
    let folder = match repo {
        Some(url) => format!("[`{dir}/`]({url}/tree/main/{dir})"),
        None => format!("`{dir}/`"),
    };
    let mut text = format!(
        "> **Exercise `{name}`** — the folder {folder}\n\
         >\n\
         > ```sh\n\
         > cd {dir}\n\
         > cargo test\n\
         > ```\n\
         >\n\
         > The tests fail until you write the code. Stuck? `cargo xtask hint {name}` prints \
         a hint (one more each time you ask); `cargo xtask status` shows your progress \
         through the course.\n"
    );
    let steps = &exercise.meta.steps;
    if steps.len() > 1 {
        text.push_str(
            ">\n> The steps, in the order `cargo test` checks them (it stops at the first test \
             file that fails, so each step's failures show only once the steps before it \
             pass):\n>\n",
        );
        for (n, step) in steps.iter().enumerate() {
            let commands: Vec<String> = step
                .tests
                .iter()
                .map(|t| format!("`cargo test --test {t}`"))
                .collect();
            text.push_str(&format!(
                "> {}. {} — {}\n",
                n + 1,
                step.title,
                commands.join(", ")
            ));
        }
    }
    match exercise.platform_need() {
        Some("Linux") => text.push_str(
            ">\n> This exercise needs Linux: it uses system calls (epoll) that only Linux has.\n",
        ),
        Some(_) => text.push_str(
            ">\n> This exercise needs Linux or macOS: it uses system calls Windows does not have.\n",
        ),
        None => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{Meta, Step};

    fn exercise() -> Exercise {
        let step = |title: &str, test: &str| Step {
            title: title.into(),
            tests: vec![test.into()],
            files: vec![],
        };
        let meta = Meta {
            steps: vec![
                step("the decoder", "01_decoder"),
                step("the server", "02_server"),
            ],
            ..Meta::default()
        };
        Exercise {
            name: "line-codec".into(),
            part: "02_framing".into(),
            folder: "02_line-codec".into(),
            order: (2, 2),
            meta,
            problems: vec![],
        }
    }

    #[test]
    fn the_box_names_folder_commands_and_hint() {
        let text = exercise_box(&exercise(), Some("https://example.org/c"));
        assert!(
            text.contains("(https://example.org/c/tree/main/exercises/02_framing/02_line-codec)")
        );
        assert!(text.contains("cd exercises/02_framing/02_line-codec\n> cargo test"));
        assert!(text.contains("cargo xtask hint line-codec"));
        assert!(text.contains("> 1. the decoder — `cargo test --test 01_decoder`\n"));
        assert!(text.contains("> 2. the server — `cargo test --test 02_server`\n"));
    }

    #[test]
    fn walkthroughs_collapse_or_vanish() {
        let page = "before\n{{#walkthrough}}\nthe answer\n{{#endwalkthrough}}\nafter\n";
        let full = walkthroughs(page, Edition::Full).unwrap();
        assert!(full.contains("<details class=\"walkthrough\">"));
        assert!(full.contains("the answer"));
        assert!(full.contains("before") && full.contains("after"));
        let none = walkthroughs(page, Edition::NoSolutions).unwrap();
        assert!(!none.contains("the answer"), "{none}");
        assert!(none.contains("not part of this edition"));
        assert!(walkthroughs("{{#walkthrough}} open", Edition::Full).is_err());
        assert!(walkthroughs("close {{#endwalkthrough}}", Edition::Full).is_err());
    }

    #[test]
    fn escaped_markers_are_left_alone() {
        assert_eq!(find_marker("a \\{{#exercise}} b"), None);
        assert_eq!(find_marker("\\{{#exercise}} {{#exercise}}"), Some(15));
        assert_eq!(replace_markers("x {{#exercise}} y", "BOX"), "x BOX y");
    }
}
