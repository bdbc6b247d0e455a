//! The stub and the solution of a file must not drift apart.
//!
//! A solution overlay replaces whole files, so each file the learner edits exists
//! twice: the stub's copy, with the contract in its doc comments and `todo!`
//! bodies, and the solution's. Outside the bodies the learner writes the two must
//! agree: the doc comments (the contract the learner reads) and the signatures.
//! This compares them item by item with `syn`; the bodies are left alone, and an
//! item only one side has (a private helper of the solution) is fine.

use crate::course::{Course, Exercise};
use quote::ToTokens;
use regex::Regex;
use std::collections::BTreeMap;
use std::fs;
use std::sync::LazyLock;
use syn::{Attribute, ImplItem, Item, TraitItem};
use walkdir::WalkDir;

/// What is said about one item: its doc comment and its signature.
#[derive(PartialEq)]
struct Face {
    docs: String,
    signature: String,
}

/// Where the stub and solution files of an exercise disagree outside bodies.
pub fn problems(course: &Course, exercise: &Exercise) -> Vec<String> {
    let solution = course.path(&exercise.rel_solution());
    let stub = course.path(&exercise.rel_dir());
    let mut problems = Vec::new();
    for entry in WalkDir::new(&solution).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&solution) else {
            continue;
        };
        let (Ok(ours), Ok(theirs)) = (
            fs::read_to_string(stub.join(rel)),
            fs::read_to_string(entry.path()),
        ) else {
            continue;
        };
        // A file that does not parse fails to compile; the build reports it.
        let (Ok(stub_file), Ok(solution_file)) = (syn::parse_file(&ours), syn::parse_file(&theirs))
        else {
            continue;
        };
        let (stub_faces, solution_faces) = (faces(&stub_file), faces(&solution_file));
        let shown = format!("{}/{}", exercise.rel_solution(), rel.display());
        for (item, given) in &stub_faces {
            let Some(solved) = solution_faces.get(item) else {
                continue;
            };
            if given.docs != solved.docs {
                problems.push(format!(
                    "{shown}: the doc comment of `{item}` differs from the stub's; the stub's \
                     is the contract the learner reads — keep the two copies identical"
                ));
            }
            if given.signature != solved.signature {
                problems.push(format!(
                    "{shown}: the signature of `{item}` differs from the stub's:\n      \
                     stub:     {}\n      solution: {}",
                    given.signature, solved.signature
                ));
            }
        }
    }
    problems
}

/// Every documented item of a file, keyed by a readable path (`fn encode`,
/// `impl FrameDecoder / fn feed`, the file itself as `//!`).
fn faces(file: &syn::File) -> BTreeMap<String, Face> {
    let mut found = BTreeMap::new();
    found.insert(
        "//! (the file's own doc comment)".to_string(),
        Face {
            docs: docs(&file.attrs),
            signature: String::new(),
        },
    );
    collect(&file.items, "", &mut found);
    found
}

fn collect(items: &[Item], prefix: &str, found: &mut BTreeMap<String, Face>) {
    for item in items {
        let mut add = |key: String, attrs: &[Attribute], signature: String| {
            found.insert(
                format!("{prefix}{key}"),
                Face {
                    docs: docs(attrs),
                    signature: normalise(&signature),
                },
            );
        };
        match item {
            Item::Fn(f) => add(format!("fn {}", f.sig.ident), &f.attrs, tokens(&f.sig)),
            Item::Struct(s) => add(format!("struct {}", s.ident), &s.attrs, tokens(&s.generics)),
            Item::Enum(e) => add(format!("enum {}", e.ident), &e.attrs, tokens(&e.generics)),
            Item::Trait(t) => {
                add(format!("trait {}", t.ident), &t.attrs, tokens(&t.generics));
                for inner in &t.items {
                    if let TraitItem::Fn(f) = inner {
                        found.insert(
                            format!("{prefix}trait {} / fn {}", t.ident, f.sig.ident),
                            Face {
                                docs: docs(&f.attrs),
                                signature: normalise(&tokens(&f.sig)),
                            },
                        );
                    }
                }
            }
            Item::Const(c) => add(format!("const {}", c.ident), &c.attrs, tokens(&c.ty)),
            Item::Static(s) => add(format!("static {}", s.ident), &s.attrs, tokens(&s.ty)),
            Item::Type(t) => add(format!("type {}", t.ident), &t.attrs, tokens(&t.ty)),
            Item::Mod(m) => {
                add(format!("mod {}", m.ident), &m.attrs, String::new());
                if let Some((_, inner)) = &m.content {
                    collect(inner, &format!("{prefix}mod {} / ", m.ident), found);
                }
            }
            Item::Impl(i) => {
                let of = match &i.trait_ {
                    Some((_, path, _)) => {
                        format!("impl {} for {}", tokens(path), tokens(&i.self_ty))
                    }
                    None => format!("impl {}", tokens(&i.self_ty)),
                };
                for inner in &i.items {
                    if let ImplItem::Fn(f) = inner {
                        found.insert(
                            format!("{prefix}{of} / fn {}", f.sig.ident),
                            Face {
                                docs: docs(&f.attrs),
                                signature: normalise(&tokens(&f.sig)),
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// The text of the `///` lines (`#[doc = "…"]` attributes), joined.
fn docs(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn tokens(node: &impl ToTokens) -> String {
    node.to_token_stream().to_string()
}

static UNUSED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b_([A-Za-z])").expect("valid"));
static MUTABLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bmut (\w+) :").expect("valid"));

/// Stubs prefix unused parameters with `_` to compile without warnings, and
/// whether a body rebinds a parameter as `mut` is the body's business: neither is
/// a difference.
fn normalise(signature: &str) -> String {
    let named = UNUSED.replace_all(signature, "$1");
    MUTABLE.replace_all(&named, "$1 :").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faces_of(text: &str) -> BTreeMap<String, Face> {
        faces(&syn::parse_file(text).unwrap())
    }

    #[test]
    fn bodies_and_underscores_do_not_count_but_docs_do() {
        let stub = faces_of(
            "//! File.\n/// Adds.\npub fn add(_a: u32, _b: u32) -> u32 { todo!() }\n\
             impl X {\n    /// Feeds.\n    pub fn feed(&mut self, _b: &[u8]) { todo!() }\n}\n",
        );
        let same = faces_of(
            "//! File.\n/// Adds.\npub fn add(a: u32, b: u32) -> u32 { a + b }\n\
             fn helper() {}\nimpl X {\n    /// Feeds.\n    pub fn feed(&mut self, b: &[u8]) { let _ = b; }\n}\n",
        );
        for (key, face) in &stub {
            assert!(same.get(key) == Some(face), "{key} differs");
        }
        let drifted =
            faces_of("//! File.\n/// Adds two numbers.\npub fn add(a: u32, b: u32) -> u64 { 0 }\n");
        let add = &drifted["fn add"];
        assert_ne!(add.docs, stub["fn add"].docs);
        assert_ne!(add.signature, stub["fn add"].signature);
        assert!(stub.contains_key("impl X / fn feed"));
    }

    #[test]
    fn names_with_inner_underscores_are_kept() {
        assert_eq!(
            normalise("fn f (_a : u32 , max_len : usize)"),
            "fn f (a : u32 , max_len : usize)"
        );
    }
}
