//! Waiting for the learner (or author) to save a file.
//!
//! Editors save in bursts (a temporary file, a rename, a metadata change), so events
//! are debounced: after the first relevant event the watcher waits until the folder
//! has been quiet for a moment, then reports once. Events caused by the run itself
//! (cargo reading sources, build output) are dropped.

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How long the folder must stay quiet before a burst of saves counts as one.
const QUIET: Duration = Duration::from_millis(300);

/// Watches folders; [`Changes::wait`] returns after each debounced burst.
pub struct Changes {
    // Kept alive: dropping the watcher stops the events.
    _watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
}

impl Changes {
    /// Starts watching `paths` (folders recursively; missing ones are skipped).
    pub fn watch(paths: &[PathBuf]) -> Result<Changes> {
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })
        .context("cannot watch files on this system")?;
        for path in paths.iter().filter(|p| p.exists()) {
            watcher
                .watch(path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
        Ok(Changes {
            _watcher: watcher,
            events,
        })
    }

    /// Blocks until a relevant change has happened and things went quiet again;
    /// returns the changed paths.
    pub fn wait(&self) -> Result<Vec<PathBuf>> {
        let mut changed = Vec::new();
        loop {
            let event = self.events.recv().context("the file watcher stopped")?;
            collect(event, &mut changed);
            if !changed.is_empty() {
                break;
            }
        }
        loop {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => collect(event, &mut changed),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        changed.sort();
        changed.dedup();
        Ok(changed)
    }

    /// Forgets events that piled up (for example while tests were running).
    pub fn drain(&self) {
        while self.events.try_recv().is_ok() {}
    }
}

fn collect(event: notify::Result<Event>, changed: &mut Vec<PathBuf>) {
    let Ok(event) = event else {
        return;
    };
    let relevant = match event.kind {
        // Opening and reading files (cargo does plenty) is not a change; an editor
        // closing a file it wrote is.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        _ => true,
    };
    if relevant {
        changed.extend(event.paths.into_iter().filter(|p| !is_noise(p)));
    }
}

/// Build output, VCS internals, editor swap files and pending snapshots.
fn is_noise(path: &Path) -> bool {
    if path
        .components()
        .any(|c| matches!(c.as_os_str().to_str(), Some("target" | ".git" | ".backup")))
    {
        return true;
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name.ends_with(".snap.new")
        || name.ends_with(".pending-snap")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_and_swap_files_are_noise() {
        assert!(is_noise(Path::new("/c/target/debug/x")));
        assert!(is_noise(Path::new("/c/exercises/a/src/.lib.rs.swp")));
        assert!(is_noise(Path::new(
            "/c/exercises/a/tests/snapshots/x.snap.new"
        )));
        assert!(!is_noise(Path::new("/c/exercises/a/src/lib.rs")));
    }
}
