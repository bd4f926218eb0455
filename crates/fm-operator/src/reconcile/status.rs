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
