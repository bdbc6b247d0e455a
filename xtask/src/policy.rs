//! The dependency policy: why a learner's `cargo test` never rebuilds a dependency.
//!
//! Cargo compiles a dependency once per set of enabled features. If one exercise
//! asked for `tokio` with `["net"]` and another with `["full"]`, moving between them
//! would recompile tokio. So:
//!
//! 1. every exercise dependency is `name.workspace = true` (nothing else: extra
//!    `features` would change the set) and is declared in the root
//!    `[workspace.dependencies]`;
//! 2. every exercise dev-depends on `testkit`;
//! 3. `testkit` depends on every `[workspace.dependencies]` entry.
//!
//! Then every build in the workspace resolves the same features for every
//! dependency. This is checked by reading the manifests; no network, no cargo.

use crate::course::Course;
use anyhow::{Context, Result};
use std::fs;
use std::path::Path;

const DEP_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// Checks the policy; each returned string is one broken rule, in plain words.
pub fn check(course: &Course) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let root = read_toml(&course.root.join("Cargo.toml"))?;
    let declared: Vec<String> = root
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();

    let testkit_manifest = course.root.join("testkit/Cargo.toml");
    match read_toml(&testkit_manifest) {
        Ok(testkit) => {
            let deps = testkit.get("dependencies").and_then(|d| d.as_table());
            for name in declared.iter().filter(|n| *n != "testkit") {
                match deps.and_then(|d| d.get(name)) {
                    None => problems.push(format!(
                        "`{name}` is in the root [workspace.dependencies] but not a dependency \
                         of testkit: add `{name}.workspace = true` to testkit/Cargo.toml, or \
                         the first `cargo test` in some exercise will rebuild it"
                    )),
                    Some(spec) if !is_plain_workspace(spec) => problems.push(format!(
                        "testkit/Cargo.toml: `{name}` must be exactly `{name}.workspace = true` \
                         (extra keys change its features)"
                    )),
                    Some(_) => {}
                }
            }
        }
        Err(e) => problems.push(format!("{e:#}")),
    }

    for exercise in &course.exercises {
        let manifest = course.path(&exercise.rel_dir()).join("Cargo.toml");
        let doc = match read_toml(&manifest) {
            Ok(doc) => doc,
            Err(e) => {
                problems.push(format!("{e:#}"));
                continue;
            }
        };
        let where_ = format!("{}/Cargo.toml", exercise.rel_dir());
        for (table_name, table) in dependency_tables(&doc) {
            for (dep, spec) in table {
                if !is_plain_workspace(spec) {
                    problems.push(format!(
                        "{where_}: [{table_name}] `{dep}` must be written `{dep}.workspace = true` \
                         (versions, paths and features belong in the root Cargo.toml)"
                    ));
                } else if !declared.contains(dep) {
                    problems.push(format!(
                        "{where_}: [{table_name}] `{dep}` is not in the root \
                         [workspace.dependencies]; add it there and to testkit/Cargo.toml"
                    ));
                }
            }
        }
        let has_testkit = doc
            .get("dev-dependencies")
            .and_then(|d| d.as_table())
            .is_some_and(|d| d.contains_key("testkit"));
        if !has_testkit {
            problems.push(format!(
                "{where_}: add `testkit.workspace = true` under [dev-dependencies] (it pins the \
                 shared dependency features)"
            ));
        }
    }
    Ok(problems)
}

/// `[dependencies]`-like tables, including `[target.'cfg(..)'.dependencies]`.
fn dependency_tables(doc: &toml::Table) -> Vec<(String, &toml::Table)> {
    let mut tables = Vec::new();
    for name in DEP_TABLES {
        if let Some(t) = doc.get(name).and_then(|t| t.as_table()) {
            tables.push((name.to_string(), t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for (cfg, target) in targets {
            for name in DEP_TABLES {
                if let Some(t) = target.get(name).and_then(|t| t.as_table()) {
                    tables.push((format!("target.{cfg}.{name}"), t));
                }
            }
        }
    }
    tables
}

/// `{ workspace = true }` and nothing else.
fn is_plain_workspace(spec: &toml::Value) -> bool {
    spec.as_table()
        .is_some_and(|t| t.len() == 1 && t.get("workspace").and_then(|w| w.as_bool()) == Some(true))
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_workspace_inheritance_is_allowed() {
        let doc: toml::Table = toml::from_str(
            "[dependencies]\na.workspace = true\nb = { workspace = true, features = [\"x\"] }\n\
             c = \"1\"\n",
        )
        .unwrap();
        let deps = doc["dependencies"].as_table().unwrap();
        assert!(is_plain_workspace(&deps["a"]));
        assert!(!is_plain_workspace(&deps["b"]));
        assert!(!is_plain_workspace(&deps["c"]));
    }
}
