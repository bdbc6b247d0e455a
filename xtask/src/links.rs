//! Checking the built book's links without a network.
//!
//! Every relative `href`/`src` in every HTML page must name a file of the built
//! site, and every `#fragment` an `id` on the target page. External links (anything
//! with a scheme, or `//host`) are not fetched: whether another site is up says
//! nothing about this course. Checking the *built* HTML rather than the Markdown
//! catches what mdBook rewrites (`.md` → `.html`, the print page, the theme).
//!
//! Also checked from the sources: every page `SUMMARY.md` lists exists, and every
//! exercise's lesson is listed and carries the `{{#exercise}}` box.

use crate::course::Course;
use crate::preprocess::{MARKER, find_marker};
use anyhow::{Context, Result};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;
use walkdir::WalkDir;

static SUMMARY_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\]\(([^)\s]*)\)").expect("valid regex"));
static URL_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\s(?:href|src)="([^"]*)""#).expect("valid regex"));
static ID_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\s(?:id|name)="([^"]*)""#).expect("valid regex"));
static BASE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<base\s[^>]*href="([^"]*)""#).expect("valid regex"));
static SCHEME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:").expect("valid regex"));

/// Checks the sources: SUMMARY pages exist; each exercise's lesson is listed and
/// has its box.
pub fn check_sources(course: &Course) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let summary_path = course.path("book/SUMMARY.md");
    let summary = fs::read_to_string(&summary_path)
        .with_context(|| format!("cannot read {}", summary_path.display()))?;
    let mut listed = BTreeSet::new();
    for caps in SUMMARY_LINK.captures_iter(&summary) {
        let target = &caps[1];
        if target.is_empty() {
            continue; // a draft chapter: listed, not written yet
        }
        let target = target.split('#').next().unwrap_or_default();
        listed.insert(target.to_string());
        if !course.path("book").join(target).is_file() {
            problems.push(format!(
                "book/SUMMARY.md lists {target}, but book/{target} does not exist"
            ));
        }
    }
    for exercise in &course.exercises {
        let lesson = exercise.rel_lesson();
        let Ok(text) = fs::read_to_string(course.path(&lesson)) else {
            continue; // reported with the exercise's own problems
        };
        if find_marker(&text).is_none() {
            problems.push(format!(
                "{lesson} is the lesson of `{}` but has no {MARKER} box: add it under \
                 \"## Exercise\"",
                exercise.name
            ));
        }
        let in_book = lesson.trim_start_matches("book/");
        if !listed.contains(in_book) {
            problems.push(format!(
                "{lesson} is not listed in book/SUMMARY.md, so the book does not show it"
            ));
        }
    }
    Ok(problems)
}

/// One HTML page: its ids, the links it makes, and its `<base href>` (mdBook's
/// 404 page has one, so that it works at any URL).
struct Page {
    ids: BTreeSet<String>,
    links: Vec<String>,
    base: Option<String>,
}

/// Checks every internal link of the built site at `site`.
pub fn check_site(site: &Path) -> Result<Vec<String>> {
    let mut pages: BTreeMap<PathBuf, Page> = BTreeMap::new();
    for entry in WalkDir::new(site) {
        let entry = entry?;
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = fs::read_to_string(entry.path())?;
            let page = Page {
                ids: ID_ATTR
                    .captures_iter(&html)
                    .map(|c| decode(&c[1]))
                    .collect(),
                links: URL_ATTR
                    .captures_iter(&html)
                    .map(|c| c[1].to_string())
                    .collect(),
                base: BASE.captures(&html).map(|c| c[1].to_string()),
            };
            pages.insert(entry.path().strip_prefix(site)?.to_path_buf(), page);
        }
    }

    let mut problems = BTreeSet::new();
    for (from, page) in &pages {
        for link in &page.links {
            // Relative links resolve against the page's folder, or its <base>;
            // a base or link starting with `/` means the site's root.
            let dir = match &page.base {
                Some(base) => PathBuf::from(base.trim_start_matches('/')),
                None => from.parent().unwrap_or(Path::new("")).to_path_buf(),
            };
            if let Some(problem) = check_link(site, from, &dir, link, &pages) {
                problems.insert(format!("{}: {problem}", from.display()));
            }
        }
    }
    Ok(problems.into_iter().collect())
}

/// `None` when `link`, found on page `from` whose links resolve against `dir`,
/// resolves.
fn check_link(
    site: &Path,
    from: &Path,
    dir: &Path,
    link: &str,
    pages: &BTreeMap<PathBuf, Page>,
) -> Option<String> {
    let link_text = link;
    let link = decode(link);
    if link.is_empty() || link.starts_with("//") || SCHEME.is_match(&link) {
        return None; // external, or a javascript:/mailto: link: not ours to check
    }
    let (path_part, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link.as_str(), None),
    };
    let path_part = path_part.split('?').next().unwrap_or_default();
    let target = if path_part.is_empty() {
        from.to_path_buf()
    } else {
        let joined = match path_part.strip_prefix('/') {
            Some(from_root) => PathBuf::from(from_root),
            None => dir.join(path_part),
        };
        let Some(mut target) = normalize(&joined) else {
            return Some(format!("`{link_text}` points outside the book"));
        };
        if path_part.ends_with('/') || site.join(&target).is_dir() {
            target.push("index.html");
        }
        target
    };
    if !site.join(&target).is_file() {
        return Some(format!(
            "`{link_text}`: no such file in the book ({})",
            target.display()
        ));
    }
    match (fragment, pages.get(&target)) {
        (Some(f), Some(page)) if !f.is_empty() && !page.ids.contains(f) => Some(format!(
            "`{link_text}`: {} has no heading or anchor `#{f}`",
            target.display()
        )),
        _ => None,
    }
}

/// Resolves `.` and `..` without touching the disk; `None` if it climbs out.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Undoes the HTML entities and percent-escapes mdBook puts in attributes.
pub fn decode(text: &str) -> String {
    let text = text
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII hex digits");
            out.push(u8::from_str_radix(hex, 16).expect("checked hex digits"));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_entities_and_percent_escapes() {
        assert_eq!(decode("a&amp;b%20c%E4%B8%AD"), "a&b c中");
        assert_eq!(decode("100%"), "100%");
    }

    #[test]
    fn normalizes_without_escaping_the_site() {
        assert_eq!(
            normalize(Path::new("a/b/../c.html")),
            Some(PathBuf::from("a/c.html"))
        );
        assert_eq!(normalize(Path::new("a/../../x")), None);
    }

    #[test]
    fn finds_missing_pages_and_fragments() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("p")).unwrap();
        fs::write(
            dir.path().join("index.html"),
            r##"<a href="p/a.html#ok">x</a> <a href="p/a.html#nope">y</a>
               <a href="gone.html">z</a> <a href="https://example.org/">e</a>
               <img src="../up.png"> <a href="#top" id="top">t</a>"##,
        )
        .unwrap();
        fs::write(dir.path().join("p/a.html"), r#"<h2 id="ok">ok</h2>"#).unwrap();
        let problems = check_site(dir.path()).unwrap();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("#nope")));
        assert!(problems.iter().any(|p| p.contains("gone.html")));
        assert!(problems.iter().any(|p| p.contains("outside the book")));
    }
}
