//! Kubernetes Events on the resources the operator serves, so `kubectl describe` and
//! `kubectl get events` show why a resource is not ready. A failing reconcile is retried with
//! backoff; without a limit every retry would write an Event, so each (object, reason) is
//! published at most once per interval ([`EVENT_INTERVAL`] unless configured).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};
use tracing::warn;

/// The default shortest time between two Events of the same reason on the same object.
pub const EVENT_INTERVAL: Duration = Duration::from_secs(60);

/// The name Events carry as their reporting controller.
const CONTROLLER: &str = "fm-operator";

/// Remembers when each key was last let through; a key is let through again once `interval`
/// has passed. Old keys are forgotten as new ones arrive, so memory stays bounded by the keys
/// seen within one interval.
#[derive(Debug)]
pub struct RateLimit<K> {
    interval: Duration,
    last: HashMap<K, Instant>,
}

impl<K: std::hash::Hash + Eq + Clone> RateLimit<K> {
    pub fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            last: HashMap::new(),
        }
    }

    /// Whether `key` may pass at `now`; when it may, `now` is remembered for it.
    pub fn allow(&mut self, key: &K, now: Instant) -> bool {
        let interval = self.interval;
        self.last
            .retain(|_, at| now.saturating_duration_since(*at) < interval);
        if self.last.contains_key(key) {
            return false;
        }
        self.last.insert(key.clone(), now);
        true
    }
}

/// Publishes Warning Events through kube's [`Recorder`], rate-limited.
pub struct Events {
    recorder: Recorder,
    limit: Mutex<RateLimit<(String, String)>>,
}

impl Events {
    /// `instance` names this replica (its pod name) in the Events it writes; `interval` is the
    /// shortest time between two Events of one reason on one object.
    pub fn new(client: Client, instance: Option<String>, interval: Duration) -> Self {
        let reporter = Reporter {
            controller: CONTROLLER.to_owned(),
            instance,
        };
        Events {
            recorder: Recorder::new(client, reporter),
            limit: Mutex::new(RateLimit::new(interval)),
        }
    }

    /// A Warning Event on `object`: `reason` in PascalCase, `message` for people. Failing to
    /// write it is logged, never an error of the reconcile that reports it.
    pub async fn warn<K>(&self, object: &K, reason: &str, action: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        let key = (
            object.meta().uid.clone().unwrap_or_default(),
            reason.to_owned(),
        );
        let allowed = match self.limit.lock() {
            Ok(mut limit) => limit.allow(&key, Instant::now()),
            Err(poisoned) => poisoned.into_inner().allow(&key, Instant::now()),
        };
        if !allowed {
            return;
        }
        let event = Event {
            type_: EventType::Warning,
            reason: reason.to_owned(),
            note: Some(truncate(message, 1024)),
            action: action.to_owned(),
            secondary: None,
        };
        if let Err(error) = self.recorder.publish(&event, &object.object_ref(&())).await {
            warn!(%error, reason, "could not record an Event");
        }
    }
}

/// At most `max` bytes of `text`, cut at a character boundary (the API refuses longer notes).
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_passes_once_per_interval() {
        let mut limit = RateLimit::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(limit.allow(&"a", t0));
        assert!(!limit.allow(&"a", t0 + Duration::from_secs(8)));
        assert!(
            limit.allow(&"b", t0 + Duration::from_secs(8)),
            "keys are independent"
        );
        assert!(!limit.allow(&"a", t0 + Duration::from_secs(59)));
        assert!(limit.allow(&"a", t0 + Duration::from_secs(60)));
    }

    #[test]
    fn old_keys_are_forgotten() {
        let mut limit = RateLimit::new(Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..100 {
            limit.allow(&i, t0);
        }
        limit.allow(&1000, t0 + Duration::from_secs(2));
        assert_eq!(limit.last.len(), 1);
    }

    #[test]
    fn long_messages_are_cut_at_a_character() {
        let text = "é".repeat(600);
        let cut = truncate(&text, 1024);
        assert!(cut.len() <= 1024);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
