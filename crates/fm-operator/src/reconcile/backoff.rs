//! Per-object retry backoff: each failure of the same object doubles its wait, up to a cap; a
//! success forgets its failures. One broken object then costs few API calls, and the others
//! keep their pace.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The longest wait between two attempts on a failing object.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Wait after the `failures`-th failure in a row: 2 s, 4 s, 8 s, … capped at [`MAX_BACKOFF`].
pub fn backoff(failures: u32) -> Duration {
    let secs = 2u64.saturating_pow(failures.clamp(1, 16));
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

/// Failures in a row, per object key (`kind/namespace/name`).
#[derive(Default)]
pub struct Failures {
    counts: Mutex<HashMap<String, u32>>,
}

impl Failures {
    /// Counts one more failure of `key` and returns how long to wait before the next try.
    pub fn failed(&self, key: &str) -> Duration {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key.to_owned()).or_insert(0);
        *count = count.saturating_add(1);
        backoff(*count)
    }

    /// `key` succeeded: its next failure waits the shortest time again.
    pub fn succeeded(&self, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.remove(key);
    }
}

/// The key of an object in [`Failures`].
pub fn key(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind}/{namespace}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets_on_success() {
        let f = Failures::default();
        let waits: Vec<u64> = (0..10).map(|_| f.failed("a").as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(f.failed("b").as_secs(), 2, "objects back off independently");
        f.succeeded("a");
        assert_eq!(f.failed("a").as_secs(), 2);
    }
}
