//! Reconciling a FunctionMesh: its children are applied, children no longer in the mesh are
//! deleted, and the mesh's status aggregates its children's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use fm_api::status::ResourceCondition;
use fm_api::{AnyComponent, Component, Kind};
use fm_api::{Function, FunctionMesh, Sink, Source};
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::{debug, info, warn};

use super::backoff;
use super::plan::{self, Decision};
use super::status::{condition, patch_status_if_changed, ready, READY};
use super::RESYNC;
use crate::apply::{apply, delete_if_exists};
use crate::context::{Context, MANAGED_ANNOTATION};
use crate::error::{check_owner_meta, Error, Result};
use crate::kinds::ComponentKind;
use crate::observed::SeenChild;

pub async fn reconcile(mesh: Arc<FunctionMesh>, ctx: Arc<Context>) -> Result<Action> {
    let started = Instant::now();
    let result = reconcile_inner(mesh.as_ref(), &ctx).await;
    ctx.metrics
        .observe("functionmesh", started.elapsed(), result.is_ok());
    let key = failure_key(&mesh);
    match &result {
        Ok(_) => ctx.failures.succeeded(&key),
        Err(error) => report_failure(&mesh, error, &ctx).await,
    }
    result
}

/// The retry wait after a failed reconcile of `mesh` (see [`backoff::Failures`]).
pub fn retry_after(mesh: &FunctionMesh, ctx: &Context) -> Action {
    Action::requeue(ctx.failures.failed(&failure_key(mesh)))
}

fn failure_key(mesh: &FunctionMesh) -> String {
    backoff::key(
        "functionmesh",
        &mesh.namespace().unwrap_or_default(),
        &mesh.name_any(),
    )
}

/// Sets the mesh's `Ready` condition and its overall `condition` (upstream's `MeshReady`).
async fn write_summary(
    mesh: &FunctionMesh,
    ctx: &Context,
    reason: &str,
    message: &str,
) -> Result<()> {
    let api: Api<FunctionMesh> = Api::namespaced(
        ctx.client.clone(),
        &mesh.namespace().unwrap_or_else(|| "default".into()),
    );
    let patch = json!({"status": {
        "conditions": {READY: ready(false, reason, message)},
        "condition": condition("MeshReady", false, "Wait", reason, message),
    }});
    patch_status_if_changed(
        &ctx.status_memo,
        &api,
        &mesh.name_any(),
        mesh.status.as_ref(),
        &patch,
    )
    .await?;
    Ok(())
}

/// `Ready: False` with the error's reason and message, and a Warning Event.
async fn report_failure(mesh: &FunctionMesh, error: &Error, ctx: &Context) {
    let (reason, message) = (error.reason(), error.message());
    warn!(namespace = ?mesh.namespace(), name = %mesh.name_any(), %reason, %message,
          "FunctionMesh reconcile failed; retrying");
    if let Err(e) = write_summary(mesh, ctx, &reason, &message).await {
        warn!(error = %e, "could not write the failure to status");
    }
    ctx.events.warn(mesh, &reason, "Reconcile", &message).await;
}

async fn reconcile_inner(mesh: &FunctionMesh, ctx: &Context) -> Result<Action> {
    if mesh
        .annotations()
        .get(MANAGED_ANNOTATION)
        .map(String::as_str)
        == Some("false")
    {
        return Ok(Action::await_change());
    }
    let name = mesh.name_any();
    let namespace = mesh.namespace().unwrap_or_else(|| "default".into());
    let mesh_api: Api<FunctionMesh> = Api::namespaced(ctx.client.clone(), &namespace);

    let children = match fm_desired::children_for_mesh(mesh) {
        Ok(c) => c,
        Err(e) => {
            let message = e.messages().join("; ");
            warn!(%namespace, %name, %message, "invalid FunctionMesh");
            write_summary(mesh, ctx, "InvalidSpec", &message).await?;
            ctx.events
                .warn(mesh, "InvalidSpec", "Validate", &message)
                .await;
            return Ok(Action::await_change());
        }
    };

    // Each child is planned from the watch cache and applied only when it differs; the
    // children are independent, so their writes go out together.
    let namespace = namespace.as_str();
    let readiness = futures::future::try_join_all(children.iter().map(|child| async move {
        let ready = match child {
            AnyComponent::Function(f) => apply_child(ctx, namespace, f.as_ref(), mesh).await?,
            AnyComponent::Source(s) => apply_child(ctx, namespace, s.as_ref(), mesh).await?,
            AnyComponent::Sink(s) => apply_child(ctx, namespace, s.as_ref(), mesh).await?,
        };
        Ok::<_, Error>((child.kind(), child.name().to_owned(), ready))
    }))
    .await?;
    // Conditions of the children, per kind (the mesh's status lists each kind apart).
    let mut kind_status: BTreeMap<Kind, BTreeMap<String, ResourceCondition>> = BTreeMap::new();
    for (kind, child_name, ready) in readiness {
        let cond = if ready {
            condition("Ready", true, "NoAction", "ChildReady", child_name.clone())
        } else {
            condition("Ready", false, "Wait", "ChildNotReady", child_name.clone())
        };
        kind_status
            .entry(kind)
            .or_default()
            .insert(child_name, cond);
    }

    // Children controlled by this mesh that it no longer declares are deleted.
    let uid = mesh.meta().uid.clone().unwrap_or_default();
    let wanted: Vec<String> = children.iter().map(|c| c.name().to_owned()).collect();
    prune::<Function>(ctx, namespace, &uid, &wanted).await?;
    prune::<Source>(ctx, namespace, &uid, &wanted).await?;
    prune::<Sink>(ctx, namespace, &uid, &wanted).await?;

    let (functions_status, sources_status, sinks_status) = (
        kind_status.remove(&Kind::Function).unwrap_or_default(),
        kind_status.remove(&Kind::Source).unwrap_or_default(),
        kind_status.remove(&Kind::Sink).unwrap_or_default(),
    );
    let all_ready = [&functions_status, &sources_status, &sinks_status]
        .iter()
        .flat_map(|m| m.values())
        .all(|c: &ResourceCondition| c.status.as_deref() == Some("True"));
    let summary = if all_ready {
        ready(
            true,
            "AllChildrenReady",
            format!("{} children ready", children.len()),
        )
    } else {
        ready(false, "ChildrenNotReady", "waiting for children")
    };
    let overall = if all_ready {
        condition(
            "MeshReady",
            true,
            "NoAction",
            "AllChildrenReady",
            format!("{} children ready", children.len()),
        )
    } else {
        condition(
            "MeshReady",
            false,
            "Wait",
            "ChildrenNotReady",
            "waiting for children",
        )
    };
    // A JSON merge patch only drops keys it names with `null`: every key of the old maps is
    // nulled first, then the current children are written, so removed children disappear.
    let stale = |old: Option<&BTreeMap<String, ResourceCondition>>,
                 new: &BTreeMap<String, ResourceCondition>| {
        let mut map = serde_json::Map::new();
        for key in old.into_iter().flat_map(|m| m.keys()) {
            map.insert(key.clone(), serde_json::Value::Null);
        }
        for (k, v) in new {
            map.insert(k.clone(), serde_json::to_value(v).unwrap_or_default());
        }
        serde_json::Value::Object(map)
    };
    let old = mesh.status.as_ref();
    let patch = json!({"status": {
        "functionConditions": stale(old.and_then(|s| s.function_conditions.as_ref()), &functions_status),
        "sourceConditions": stale(old.and_then(|s| s.source_conditions.as_ref()), &sources_status),
        "sinkConditions": stale(old.and_then(|s| s.sink_conditions.as_ref()), &sinks_status),
        "condition": overall,
        "conditions": {READY: summary},
        "observedGeneration": mesh.meta().generation,
    }});
    patch_status_if_changed(
        &ctx.status_memo,
        &mesh_api,
        &name,
        mesh.status.as_ref(),
        &patch,
    )
    .await?;
    info!(%namespace, %name, children = children.len(), all_ready, "reconciled mesh");
    Ok(Action::requeue(RESYNC))
}

/// Applies one child (which must be absent or this mesh's own) unless it is as desired;
/// whether it is ready.
async fn apply_child<K: ComponentKind>(
    ctx: &Context,
    namespace: &str,
    child: &K,
    mesh: &FunctionMesh,
) -> Result<bool> {
    let name = child.name_any();
    let observed = ctx.observed.children(K::KIND).get(namespace, &name);
    if let Some(seen) = &observed {
        check_owner_meta(K::KIND.kind(), &seen.meta, mesh.meta().uid.as_deref())?;
    }
    let mut wanted =
        without_scaled_replicas(child, observed.is_some(), child.common().max_replicas);
    let hash = plan::stamp(&mut wanted, |c| c.meta_mut())?;
    match (
        plan::decide(observed.as_ref().map(|s| &s.meta), &hash),
        &observed,
    ) {
        (Decision::Keep, Some(seen)) => Ok(seen.ready),
        (decision, _) => {
            debug!(kind = K::KIND.kind(), %namespace, %name, ?decision, "applying mesh member");
            let api: Api<K> = Api::namespaced(ctx.client.clone(), namespace);
            let applied = apply(&api, &name, &wanted).await?;
            ctx.observed
                .own_writes
                .wrote(K::KIND.kind(), applied.meta());
            Ok(SeenChild::is_ready(applied.status()))
        }
    }
}

/// Deletes the children of kind `K` that the mesh `uid` controls but no longer declares,
/// found in the watch cache (no list request).
async fn prune<K: ComponentKind>(
    ctx: &Context,
    namespace: &str,
    uid: &str,
    wanted: &[String],
) -> Result<()> {
    let controlled = ctx.observed.children(K::KIND).select(namespace, |child| {
        child
            .meta
            .owner_references
            .iter()
            .flatten()
            .any(|o| o.uid == uid && o.controller == Some(true))
    });
    let api: Api<K> = Api::namespaced(ctx.client.clone(), namespace);
    for (name, _) in controlled {
        if !wanted.contains(&name) {
            delete_if_exists(&api, &name).await?;
        }
    }
    Ok(())
}

/// A child with autoscaling has its replicas owned by the HPA (through the scale
/// subresource) once it exists; re-applying the mesh's `replicas` would fight the autoscaler,
/// so the field is left out of later applies.
fn without_scaled_replicas<K: Clone + Component>(
    child: &K,
    exists: bool,
    max_replicas: Option<i32>,
) -> K {
    let mut c = child.clone();
    if exists && max_replicas.is_some() {
        c.common_mut().replicas = None;
    }
    c
}
