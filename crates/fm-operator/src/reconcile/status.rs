//! Status written by the operator: upstream's per-component conditions (plus reason and
//! message), replicas and the selector the scale subresource reads.

use fm_api::status::ResourceCondition;
use serde_json::{json, Value};

pub fn condition(
    condition: &str,
    ready: bool,
    action: &str,
    reason: &str,
    message: impl Into<String>,
) -> ResourceCondition {
    ResourceCondition {
        condition: Some(condition.to_owned()),
        status: Some(if ready { "True" } else { "False" }.to_owned()),
        action: Some(action.to_owned()),
        reason: Some(reason.to_owned()),
        message: Some(message.into()),
        last_transition_time: None,
    }
}

/// The `Ready` condition: the operator's one-line summary of a resource, shown by `kubectl get`.
/// `reason` is PascalCase; `message` says what to look at.
pub fn ready(ready: bool, reason: &str, message: impl Into<String>) -> ResourceCondition {
    condition(
        READY,
        ready,
        if ready { "NoAction" } else { "Wait" },
        reason,
        message,
    )
}

/// The key (and `condition`) of the summary condition in `status.conditions`.
pub const READY: &str = "Ready";

/// A merge patch for the status subresource. Conditions set to `None` are removed.
/// `replicas` and `selector` are always written: upstream's CRD requires them in status.
pub fn status_patch(
    generation: Option<i64>,
    replicas: i32,
    selector: &str,
    conditions: &[(&str, Option<ResourceCondition>)],
) -> Value {
    let mut conds = serde_json::Map::new();
    for (key, cond) in conditions {
        conds.insert(
            (*key).to_owned(),
            serde_json::to_value(cond).unwrap_or(Value::Null),
        );
    }
    let mut status = json!({ "conditions": conds, "replicas": replicas, "selector": selector });
    if let Some(g) = generation {
        status["observedGeneration"] = json!(g);
    }
    json!({ "status": status })
}

/// Whether applying the JSON merge patch `patch` to `current` would change nothing: every key
/// it sets already has that value, every key it nulls is absent.
pub fn merge_patch_is_noop(current: &Value, patch: &Value) -> bool {
    match (patch, current) {
        (Value::Object(patch), Value::Object(current)) => {
            patch
                .iter()
                .all(|(key, value)| match (value, current.get(key)) {
                    (Value::Null, None | Some(Value::Null)) => true,
                    (Value::Null, Some(_)) => false,
                    (value, Some(existing)) => merge_patch_is_noop(existing, value),
                    (_, None) => false,
                })
        }
        (Value::Object(_), _) => false,
        (patch, current) => patch == current,
    }
}

/// The status patches written whose watch event has not been seen yet, by object. A reconcile
/// woken by a child's event can run before its own status write comes back through the
/// watch; without this it would see the old status and write the same patch again (at a
/// thousand resources that was 800 needless writes). An entry lives from the write until a
/// reconcile sees the status it wrote, so the map holds only writes in flight.
#[derive(Default)]
pub struct StatusMemo {
    in_flight: std::sync::Mutex<std::collections::HashMap<String, u64>>,
}

impl StatusMemo {
    fn fingerprint(patch: &Value) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        patch.to_string().hash(&mut hasher);
        hasher.finish()
    }

    /// Whether `patch` is the one last written to `key` and not yet seen back.
    fn in_flight(&self, key: &str, patch: &Value) -> bool {
        let in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        in_flight.get(key) == Some(&Self::fingerprint(patch))
    }

    fn wrote(&self, key: &str, patch: &Value) {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        in_flight.insert(key.to_owned(), Self::fingerprint(patch));
    }

    fn seen(&self, key: &str) {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        in_flight.remove(key);
    }

    pub fn len(&self) -> usize {
        self.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Patches the status subresource with `patch` (`{"status": …}`) unless it would change
/// nothing, or is the very patch written last and not yet seen back ([`StatusMemo`]). A write
/// that changes nothing would still be a request, and its watch event would wake other
/// watchers; at a thousand resources the no-op writes were most of the traffic. `true` when
/// it wrote. Every status write of an object goes through here, so the memo always knows the
/// last one.
pub async fn patch_status_if_changed<K, S>(
    memo: &StatusMemo,
    api: &kube::Api<K>,
    name: &str,
    current: Option<&S>,
    patch: &Value,
) -> Result<bool, kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    S: serde::Serialize,
{
    let key = format!("{}/{name}", api.resource_url());
    let current = json!({ "status": current.and_then(|s| serde_json::to_value(s).ok()) });
    if merge_patch_is_noop(&current, patch) {
        memo.seen(&key);
        return Ok(false);
    }
    if memo.in_flight(&key, patch) {
        return Ok(false);
    }
    api.patch_status(
        name,
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(patch),
    )
    .await?;
    memo.wrote(&key, patch);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_of_present_values_is_a_noop() {
        let current = json!({"status": {"replicas": 1, "conditions": {"Ready": {"status": "True", "reason": "Ready"}, "Spec": {"status": "True"}}}});
        assert!(merge_patch_is_noop(
            &current,
            &json!({"status": {"replicas": 1}})
        ));
        assert!(merge_patch_is_noop(
            &current,
            &json!({"status": {"conditions": {"Ready": {"status": "True"}, "HorizontalPodAutoscaler": null}}})
        ));
        assert!(!merge_patch_is_noop(
            &current,
            &json!({"status": {"replicas": 2}})
        ));
        assert!(!merge_patch_is_noop(
            &current,
            &json!({"status": {"conditions": {"Spec": null}}})
        ));
        assert!(!merge_patch_is_noop(
            &current,
            &json!({"status": {"selector": "a=b"}})
        ));
        assert!(!merge_patch_is_noop(
            &json!({"status": null}),
            &json!({"status": {"replicas": 0}})
        ));
        assert!(!merge_patch_is_noop(
            &current,
            &json!({"status": {"replicas": {"a": 1}}})
        ));
    }
}
