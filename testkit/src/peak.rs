//! A peak-concurrency counter: how many things were ever inside at once?

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts how many holders of a [`PeakGuard`] exist at once, and the maximum seen.
///
/// Clone it into every handler; call [`PeakCounter::enter`] at the start of the
/// work and keep the guard until the work is done.
#[derive(Clone, Debug, Default)]
pub struct PeakCounter {
    inner: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    current: AtomicUsize,
    peak: AtomicUsize,
}

impl PeakCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks one more holder as inside until the returned guard is dropped.
    pub fn enter(&self) -> PeakGuard {
        let now = self.inner.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.inner.peak.fetch_max(now, Ordering::SeqCst);
        PeakGuard {
            inner: Arc::clone(&self.inner),
        }
    }

    /// How many are inside right now.
    pub fn current(&self) -> usize {
        self.inner.current.load(Ordering::SeqCst)
    }

    /// The most that were ever inside at once.
    pub fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::SeqCst)
    }
}

/// Proof of being inside a [`PeakCounter`]; leaves on drop.
#[derive(Debug)]
pub struct PeakGuard {
    inner: Arc<Counts>,
}

impl Drop for PeakGuard {
    fn drop(&mut self) {
        self.inner.current.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::PeakCounter;

    #[test]
    fn peak_remembers_the_maximum() {
        let counter = PeakCounter::new();
        let a = counter.enter();
        let b = counter.enter();
        drop(a);
        let _c = counter.enter();
        drop(b);
        assert_eq!(counter.current(), 1);
        assert_eq!(counter.peak(), 2);
    }
}
