//! `status.pendingChange`: while rollouts are paused, what applying the desired StatefulSet
//! would change. The API server answers that itself (a dry-run server-side apply, so its
//! defaults and merge rules are the ones that count); the answer is summarised as the changed
//! fields of the StatefulSet's spec, one `op path` per change, sorted. Upstream wrote a JSON
//! strategic merge patch of the whole object instead (`CreateDiff` in
//! `controllers/spec/common.go`), hard to read and noisy with server defaults.

use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, Patch, PatchParams};
use serde_json::Value;

use crate::apply::is_immutable_field_error;
use crate::context::FIELD_MANAGER;
use crate::error::Result;

/// Changes listed before the summary ends with a count of the rest.
const MAX_CHANGES: usize = 20;

/// What applying `desired` to `current` would change, or `None` when nothing would.
pub async fn statefulset_change(
    api: &Api<StatefulSet>,
    name: &str,
    current: &StatefulSet,
    desired: &StatefulSet,
) -> Result<Option<String>> {
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    let after = match api.patch(name, &params, &Patch::Apply(desired)).await {
        Ok(after) => after,
        Err(e) if is_immutable_field_error(&e) => {
            return Ok(Some(
                "StatefulSet: immutable fields change; it would be replaced, keeping its pods"
                    .to_owned(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(summarise(
        &serde_json::to_value(&current.spec)?,
        &serde_json::to_value(&after.spec)?,
    ))
}

/// `spec` fields that differ between `before` and `after`, as `replace spec.replicas`,
/// `add spec.template.spec.containers[0].env[3]`, …; `None` when equal.
pub fn summarise(before: &Value, after: &Value) -> Option<String> {
    let patch = json_patch::diff(before, after);
    let mut changes: Vec<String> = patch
        .0
        .iter()
        .map(|op| {
            let (verb, path) = match op {
                json_patch::PatchOperation::Add(o) => ("add", o.path.to_string()),
                json_patch::PatchOperation::Remove(o) => ("remove", o.path.to_string()),
                json_patch::PatchOperation::Replace(o) => ("replace", o.path.to_string()),
                json_patch::PatchOperation::Move(o) => ("move", o.path.to_string()),
                json_patch::PatchOperation::Copy(o) => ("copy", o.path.to_string()),
                json_patch::PatchOperation::Test(o) => ("test", o.path.to_string()),
            };
            format!("{verb} spec{}", dotted(&path))
        })
        .collect();
    if changes.is_empty() {
        return None;
    }
    changes.sort();
    changes.dedup();
    let total = changes.len();
    changes.truncate(MAX_CHANGES);
    let mut text = format!("StatefulSet: {}", changes.join("; "));
    if total > MAX_CHANGES {
        text.push_str(&format!("; and {} more", total - MAX_CHANGES));
    }
    Some(text)
}

/// A JSON pointer as `.field[index]` steps (`/template/spec/containers/0` →
/// `.template.spec.containers[0]`).
fn dotted(pointer: &str) -> String {
    pointer
        .split('/')
        .skip(1)
        .map(|step| {
            let step = step.replace("~1", "/").replace("~0", "~");
            if !step.is_empty() && step.bytes().all(|b| b.is_ascii_digit()) {
                format!("[{step}]")
            } else {
                format!(".{step}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_specs_have_no_pending_change() {
        let spec = json!({"replicas": 1, "template": {"spec": {"containers": [{"image": "a"}]}}});
        assert_eq!(summarise(&spec, &spec), None);
    }

    #[test]
    fn changes_are_listed_by_path() {
        let before = json!({"replicas": 1, "template": {"metadata": {"annotations": {"a/b": "1"}}, "spec": {"containers": [{"image": "a"}]}}});
        let after = json!({"replicas": 2, "template": {"metadata": {"annotations": {}}, "spec": {"containers": [{"image": "b", "args": ["x"]}]}}});
        assert_eq!(
            summarise(&before, &after).as_deref(),
            Some("StatefulSet: add spec.template.spec.containers[0].args; remove spec.template.metadata.annotations.a/b; replace spec.replicas; replace spec.template.spec.containers[0].image")
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let before = json!({});
        let after: serde_json::Map<String, Value> =
            (0..25).map(|i| (format!("f{i:02}"), json!(i))).collect();
        let text = summarise(&before, &Value::Object(after)).expect("changes");
        assert!(text.ends_with("; and 5 more"), "{text}");
        assert_eq!(text.matches("add spec.").count(), MAX_CHANGES);
    }
}
