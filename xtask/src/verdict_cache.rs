//! `status`'s memory: each exercise's last verdict, keyed by what it depends on.
//!
//! Running twenty test suites takes many seconds even when nothing changed, and a
//! learner runs `status` often. An exercise's verdict can only change when one of
//! its inputs does: its own files, the test kit, the workspace's manifest and lock,
//! or the toolchain. So the verdict is stored with a fingerprint of all of those,
//! in `target/xtask/status.json`, and reused while the fingerprint matches.

use crate::course::{Course, Exercise};
use crate::scratch::is_pending_snapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use walkdir::WalkDir;

/// What `status` shows for one exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub passes: bool,
    /// One line for the learner, e.g. "3 of 12 tests fail".
    pub summary: String,
}

#[derive(Default, Serialize, Deserialize)]
struct Stored {
    /// Exercise name → (fingerprint, verdict).
    verdicts: BTreeMap<String, (String, Verdict)>,
}

/// The verdicts on disk, and the fingerprint of what every exercise shares.
pub struct Cache {
    path: PathBuf,
    stored: Stored,
    shared: u64,
}

impl Cache {
    /// Loads the stored verdicts (none, if the file is missing or unreadable).
    pub fn load(course: &Course) -> Cache {
        let path = course.path("target/xtask/status.json");
        let stored = fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Cache {
            path,
            stored,
            shared: shared_fingerprint(course),
        }
    }

    /// The fingerprint of `exercise` as it is now.
    pub fn fingerprint(&self, course: &Course, exercise: &Exercise) -> String {
        let mut hasher = DefaultHasher::new();
        self.shared.hash(&mut hasher);
        hash_tree(&course.path(&exercise.rel_dir()), &mut hasher);
        format!("{:016x}", hasher.finish())
    }

    /// The stored verdict, if it was made for this very fingerprint.
    pub fn get(&self, name: &str, fingerprint: &str) -> Option<&Verdict> {
        self.stored
            .verdicts
            .get(name)
            .filter(|(stored, _)| stored == fingerprint)
            .map(|(_, verdict)| verdict)
    }

    pub fn put(&mut self, name: &str, fingerprint: String, verdict: Verdict) {
        self.stored
            .verdicts
            .insert(name.to_string(), (fingerprint, verdict));
    }

    /// Writes the verdicts back. A cache that cannot be written only costs time.
    pub fn save(&self) {
        if let Some(dir) = self.path.parent() {
            let _ = fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string_pretty(&self.stored) {
            let _ = fs::write(&self.path, text);
        }
    }
}

/// What every exercise's verdict depends on besides its own folder.
fn shared_fingerprint(course: &Course) -> u64 {
    let mut hasher = DefaultHasher::new();
    let toolchain = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    toolchain.hash(&mut hasher);
    for file in ["Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        fs::read(course.path(file))
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    hash_tree(&course.path("testkit"), &mut hasher);
    hasher.finish()
}

/// Hashes every file under `dir` (names and contents, in a fixed order), leaving
/// out build output and insta's pending snapshots, which a test run writes.
fn hash_tree(dir: &Path, hasher: &mut DefaultHasher) {
    let files = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !is_pending_snapshot(e.path()));
    for entry in files {
        entry.path().strip_prefix(dir).ok().hash(hasher);
        fs::read(entry.path()).unwrap_or_default().hash(hasher);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_hash_sees_names_and_contents_but_not_pending_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        let hash = || {
            let mut h = DefaultHasher::new();
            hash_tree(dir.path(), &mut h);
            h.finish()
        };
        fs::write(dir.path().join("a.rs"), "one").unwrap();
        let first = hash();
        fs::write(dir.path().join("x.snap.new"), "pending").unwrap();
        assert_eq!(hash(), first);
        fs::write(dir.path().join("a.rs"), "two").unwrap();
        assert_ne!(hash(), first);
        fs::write(dir.path().join("a.rs"), "one").unwrap();
        assert_eq!(hash(), first);
        fs::rename(dir.path().join("a.rs"), dir.path().join("b.rs")).unwrap();
        assert_ne!(hash(), first);
    }
}
