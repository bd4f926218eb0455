//! The plan of a reconcile: for each child object, whether it must be applied and why, decided
//! from what the watch caches last saw, with no API call.
//!
//! Why not simply apply every time: on kube-apiserver 1.20 a server-side apply that changes
//! nothing still rewrites the applier's `managedFields` time. That is a write: the object's
//! `resourceVersion` moves, its watch wakes the owner, whose reconcile applies again, and a
//! thousand resources never go quiet (bench/README.md). So every applied object carries a hash
//! of what was applied ([`DESIRED_HASH_ANNOTATION`]), and it is applied again only when the
//! hash differs, when it is missing, or when another writer changed it after our last apply.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta};
use serde::Serialize;

use crate::context::FIELD_MANAGER;

/// The annotation on every object the operator applies: a hash of the object as applied.
pub const DESIRED_HASH_ANNOTATION: &str = "compute.functionmesh.io/desired-hash";

/// Why an object is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// It does not exist.
    Missing,
    /// What the operator wants of it changed since it was last applied.
    Changed,
    /// Another writer (this field manager) changed it after our last apply; it is put back.
    EditedBy(String),
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Missing => f.write_str("missing"),
            Why::Changed => f.write_str("changed"),
            Why::EditedBy(manager) => write!(f, "edited by {manager}"),
        }
    }
}

/// What to do with one child object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// It is as desired: no request at all.
    Keep,
    Apply(Why),
    /// It exists and is no longer wanted.
    Delete,
}

/// A stable hash of `object` as it would be applied (its JSON form; maps serialise sorted).
/// The first 128 bits of SHA-256, in hex: stable across builds and operator versions, so a
/// restarted or upgraded operator recognises what it applied before.
pub fn desired_hash<T: Serialize>(object: &T) -> serde_json::Result<String> {
    let json = serde_json::to_vec(object)?;
    let digest = ring::digest::digest(&ring::digest::SHA256, &json);
    Ok(digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Hashes `meta`'s object and records the hash in its annotations (the hash is taken before
/// the annotation is added, so it does not depend on itself). Returns the hash.
pub fn stamp<T: Serialize>(
    object: &mut T,
    meta: impl Fn(&mut T) -> &mut ObjectMeta,
) -> serde_json::Result<String> {
    meta(object)
        .annotations
        .get_or_insert_with(Default::default)
        .remove(DESIRED_HASH_ANNOTATION);
    let hash = desired_hash(object)?;
    meta(object)
        .annotations
        .get_or_insert_with(Default::default)
        .insert(DESIRED_HASH_ANNOTATION.to_owned(), hash.clone());
    Ok(hash)
}

/// Whether an object the caches saw as `observed` must be applied to become what has the hash
/// `wanted`.
pub fn decide(observed: Option<&ObjectMeta>, wanted: &str) -> Decision {
    let Some(meta) = observed else {
        return Decision::Apply(Why::Missing);
    };
    let applied = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(DESIRED_HASH_ANNOTATION));
    if applied.map(String::as_str) != Some(wanted) {
        return Decision::Apply(Why::Changed);
    }
    match edited_since_apply(meta) {
        Some(manager) => Decision::Apply(Why::EditedBy(manager)),
        None => Decision::Keep,
    }
}

/// [`decide`] for an object that may not be wanted at all (`wanted` is `None`): then it is
/// deleted if it exists.
pub fn decide_optional(observed: Option<&ObjectMeta>, wanted: Option<&str>) -> Decision {
    match (observed, wanted) {
        (_, Some(hash)) => decide(observed, hash),
        (Some(_), None) => Decision::Delete,
        (None, None) => Decision::Keep,
    }
}

/// What to do with the StatefulSet of a Function, Source or Sink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkloadStep {
    Keep,
    Apply(Why),
    /// Rollouts are paused and it differs: left as it is; status says what would change.
    Paused,
    /// It differs only by a BackendConfig change without `autoUpdate`: that change waits for the
    /// resource's next edit.
    WaitsForEdit,
}

/// What a Function, Source or Sink reconcile does with its children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentPlan {
    pub statefulset: WorkloadStep,
    pub service: Decision,
    pub hpa: Decision,
}

/// One child as observed and as wanted (the hash of the desired object, `None`: not wanted).
pub struct Child<'a> {
    pub observed: Option<&'a ObjectMeta>,
    pub wanted: Option<&'a str>,
}

/// The plan for a Function, Source or Sink. `paused`: rollouts are paused and the resource's
/// own spec did not change; `backend_waits`: the StatefulSet differs by a BackendConfig change
/// that waits for an edit ([`crate::backend_config::waits_for_edit`]).
pub fn plan_component(
    statefulset: Child<'_>,
    paused: bool,
    backend_waits: bool,
    service: Child<'_>,
    hpa: Child<'_>,
) -> ComponentPlan {
    let statefulset = match decide_optional(statefulset.observed, statefulset.wanted) {
        Decision::Keep | Decision::Delete => WorkloadStep::Keep,
        Decision::Apply(Why::Missing) => WorkloadStep::Apply(Why::Missing),
        Decision::Apply(_) if paused => WorkloadStep::Paused,
        Decision::Apply(_) if backend_waits => WorkloadStep::WaitsForEdit,
        Decision::Apply(why) => WorkloadStep::Apply(why),
    };
    ComponentPlan {
        statefulset,
        service: decide_optional(service.observed, service.wanted),
        hpa: decide_optional(hpa.observed, hpa.wanted),
    }
}

fn is_our_apply(entry: &ManagedFieldsEntry) -> bool {
    entry.manager.as_deref() == Some(FIELD_MANAGER) && entry.operation.as_deref() == Some("Apply")
}

/// An entry that only records status writes: the object's own controller reporting, not an
/// edit of what we applied. Servers from 1.22 say so in `subresource`; 1.20 lists the fields.
fn is_status_only(entry: &ManagedFieldsEntry) -> bool {
    if entry.subresource.as_deref() == Some("status") {
        return true;
    }
    match entry.fields_v1.as_ref().map(|f| &f.0) {
        Some(serde_json::Value::Object(fields)) => fields.keys().all(|k| k == "f:status"),
        _ => false,
    }
}

/// The field manager that wrote the object, other than by a status write, at or after our last
/// apply (timestamps have a resolution of a second, so a tie counts as after: the cost is one
/// more apply). `None` when nobody did, or when the server keeps no managed fields.
pub fn edited_since_apply(meta: &ObjectMeta) -> Option<String> {
    let entries = meta.managed_fields.as_ref()?;
    let ours = entries
        .iter()
        .filter(|e| is_our_apply(e))
        .filter_map(|e| e.time.as_ref().map(|t| t.0))
        .max();
    entries
        .iter()
        .filter(|e| !is_our_apply(e) && !is_status_only(e))
        .find(|e| match (ours, e.time.as_ref()) {
            (Some(ours), Some(theirs)) => theirs.0 >= ours,
            // Never applied by us (or no times): whoever wrote it is the last writer.
            _ => true,
        })
        .map(|e| {
            e.manager
                .clone()
                .unwrap_or_else(|| "an unnamed writer".into())
        })
}

/// What the caches keep of `managedFields`: who wrote, how and when, without the field sets
/// (most of the entry's size). Status-only entries are dropped, having been recognised while
/// the field sets were still there; [`edited_since_apply`] gives the same answer on the result
/// as on the original.
pub fn slim_managed_fields(meta: &mut ObjectMeta) {
    if let Some(entries) = meta.managed_fields.as_mut() {
        entries.retain(|e| !is_status_only(e));
        for entry in entries.iter_mut() {
            entry.fields_v1 = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, Time};
    use serde_json::json;

    fn entry(
        manager: &str,
        operation: &str,
        second: i64,
        fields: serde_json::Value,
    ) -> ManagedFieldsEntry {
        ManagedFieldsEntry {
            manager: Some(manager.into()),
            operation: Some(operation.into()),
            time: Some(Time(
                k8s_openapi::jiff::Timestamp::from_second(1_700_000_000 + second).expect("time"),
            )),
            fields_v1: Some(FieldsV1(fields)),
            ..Default::default()
        }
    }

    fn meta(hash: Option<&str>, entries: Vec<ManagedFieldsEntry>) -> ObjectMeta {
        ObjectMeta {
            annotations: hash.map(|h| [(DESIRED_HASH_ANNOTATION.to_owned(), h.to_owned())].into()),
            managed_fields: Some(entries),
            ..Default::default()
        }
    }

    fn applied_at(second: i64) -> ManagedFieldsEntry {
        entry(
            FIELD_MANAGER,
            "Apply",
            second,
            json!({"f:spec": {"f:replicas": {}}}),
        )
    }

    #[test]
    fn a_missing_object_is_applied() {
        assert_eq!(decide(None, "h"), Decision::Apply(Why::Missing));
    }

    #[test]
    fn an_object_with_the_wanted_hash_and_no_later_writer_is_kept() {
        let status = entry(
            "kube-controller-manager",
            "Update",
            50,
            json!({"f:status": {"f:replicas": {}}}),
        );
        let m = meta(Some("h"), vec![applied_at(10), status]);
        assert_eq!(decide(Some(&m), "h"), Decision::Keep);
    }

    #[test]
    fn another_hash_or_none_is_a_change() {
        let m = meta(Some("old"), vec![applied_at(10)]);
        assert_eq!(decide(Some(&m), "new"), Decision::Apply(Why::Changed));
        let m = meta(None, vec![applied_at(10)]);
        assert_eq!(decide(Some(&m), "new"), Decision::Apply(Why::Changed));
    }

    #[test]
    fn an_edit_after_our_apply_is_put_back_and_one_before_it_is_not() {
        let edit = |second| {
            entry(
                "kubectl-edit",
                "Update",
                second,
                json!({"f:spec": {"f:template": {}}}),
            )
        };
        let after = meta(Some("h"), vec![applied_at(10), edit(11)]);
        assert_eq!(
            decide(Some(&after), "h"),
            Decision::Apply(Why::EditedBy("kubectl-edit".into()))
        );
        // The same second counts as after: one apply too many beats an edit left in place.
        let same = meta(Some("h"), vec![applied_at(10), edit(10)]);
        assert_eq!(
            decide(Some(&same), "h"),
            Decision::Apply(Why::EditedBy("kubectl-edit".into()))
        );
        // Our apply since then overruled it: kept, so the loop ends.
        let before = meta(Some("h"), vec![edit(9), applied_at(10)]);
        assert_eq!(decide(Some(&before), "h"), Decision::Keep);
    }

    #[test]
    fn a_status_subresource_entry_is_not_an_edit() {
        let mut status = entry("kubelet", "Update", 99, json!({"f:spec": {}}));
        status.subresource = Some("status".into());
        let m = meta(Some("h"), vec![applied_at(10), status]);
        assert_eq!(decide(Some(&m), "h"), Decision::Keep);
    }

    #[test]
    fn with_no_managed_fields_the_hash_decides() {
        let m = ObjectMeta {
            annotations: Some([(DESIRED_HASH_ANNOTATION.to_owned(), "h".to_owned())].into()),
            ..Default::default()
        };
        assert_eq!(decide(Some(&m), "h"), Decision::Keep);
    }

    #[test]
    fn a_component_plan_keeps_what_is_as_desired_and_applies_the_rest() {
        let current = meta(Some("h"), vec![applied_at(10)]);
        let child = |observed, wanted| Child { observed, wanted };
        let plan = plan_component(
            child(Some(&current), Some("h")),
            false,
            false,
            child(None, Some("s")),
            child(Some(&current), None),
        );
        assert_eq!(
            plan,
            ComponentPlan {
                statefulset: WorkloadStep::Keep,
                service: Decision::Apply(Why::Missing),
                hpa: Decision::Delete,
            }
        );
        let plan = plan_component(
            child(Some(&current), Some("new")),
            false,
            false,
            child(None, None),
            child(None, None),
        );
        assert_eq!(plan.statefulset, WorkloadStep::Apply(Why::Changed));
        assert_eq!((plan.service, plan.hpa), (Decision::Keep, Decision::Keep));
    }

    #[test]
    fn paused_rollouts_and_waiting_backend_configs_hold_an_existing_statefulset_only() {
        let current = meta(Some("h"), vec![applied_at(10)]);
        let none = || Child {
            observed: None,
            wanted: None,
        };
        let sts = |observed, wanted| Child { observed, wanted };
        assert_eq!(
            plan_component(
                sts(Some(&current), Some("new")),
                true,
                false,
                none(),
                none()
            )
            .statefulset,
            WorkloadStep::Paused
        );
        assert_eq!(
            plan_component(
                sts(Some(&current), Some("new")),
                false,
                true,
                none(),
                none()
            )
            .statefulset,
            WorkloadStep::WaitsForEdit
        );
        // Nothing to hold back: as desired, or not there at all.
        assert_eq!(
            plan_component(sts(Some(&current), Some("h")), true, true, none(), none()).statefulset,
            WorkloadStep::Keep
        );
        assert_eq!(
            plan_component(sts(None, Some("h")), true, true, none(), none()).statefulset,
            WorkloadStep::Apply(Why::Missing)
        );
    }

    #[test]
    fn slimming_keeps_the_answer() {
        let status = entry(
            "kube-controller-manager",
            "Update",
            50,
            json!({"f:status": {}}),
        );
        let edit = entry(
            "kubectl-edit",
            "Update",
            20,
            json!({"f:metadata": {"f:labels": {}}}),
        );
        for entries in [
            vec![applied_at(10), status.clone()],
            vec![applied_at(10), status.clone(), edit.clone()],
            vec![edit.clone(), applied_at(30), status.clone()],
        ] {
            let full = meta(Some("h"), entries);
            let mut slim = full.clone();
            slim_managed_fields(&mut slim);
            assert_eq!(decide(Some(&slim), "h"), decide(Some(&full), "h"));
            assert!(slim
                .managed_fields
                .iter()
                .flatten()
                .all(|e| e.fields_v1.is_none()));
        }
    }

    #[test]
    fn the_hash_is_stable_and_ignores_its_own_annotation() {
        let mut a = ObjectMeta {
            name: Some("x".into()),
            ..Default::default()
        };
        let first = stamp(&mut a, |m| m).expect("hash");
        let second = stamp(&mut a, |m| m).expect("hash");
        assert_eq!(first, second);
        assert_eq!(first.len(), 32);
        // A golden value: a new hash function would re-apply every object once after upgrade.
        assert_eq!(
            desired_hash(&json!({"a": 1})).expect("hash"),
            "015abd7f5cc57a2dd94b7590f04ad808"
        );
        let mut b = a.clone();
        b.name = Some("y".into());
        assert_ne!(stamp(&mut b, |m| m).expect("hash"), first);
    }
}
