//! Reconciling a Function, Source or Sink: compute the desired objects, apply them, report.
//! A failure of any step is reported on the resource itself (a `Ready` condition with the
//! API server's reason and message, and a Warning Event) before it is retried.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::ResourceExt;
use tracing::{info, warn};

use super::backoff;
use super::status::{condition, patch_status_if_changed, ready, status_patch, READY};
use super::RESYNC;
use crate::apply::{apply, apply_hpa, apply_statefulset, delete_if_exists, hpa_api};
use crate::context::{Context, MANAGED_ANNOTATION, PAUSE_ANNOTATION};
use crate::error::{check_owner, Error, Result};
use crate::kinds::ComponentKind;

pub async fn reconcile<K: ComponentKind>(resource: Arc<K>, ctx: Arc<Context>) -> Result<Action> {
    let started = Instant::now();
    let result = reconcile_inner(resource.as_ref(), &ctx).await;
    let elapsed = started.elapsed();
    ctx.metrics.observe(K::KIND.word(), elapsed, result.is_ok());
    ctx.metrics.observe_object(
        K::KIND.word(),
        &resource.namespace().unwrap_or_default(),
        &resource.name_any(),
        elapsed,
    );
    let key = failure_key(resource.as_ref());
    match &result {
        Ok(_) => ctx.failures.succeeded(&key),
        Err(error) => report_failure(resource.as_ref(), error, &ctx).await,
    }
    result
}

/// The retry wait after a failed reconcile of `resource` (see [`backoff::Failures`]).
pub fn retry_after<K: ComponentKind>(resource: &K, ctx: &Context) -> Action {
    Action::requeue(ctx.failures.failed(&failure_key(resource)))
}

fn failure_key<K: ComponentKind>(resource: &K) -> String {
    backoff::key(
        K::KIND.word(),
        &resource.namespace().unwrap_or_default(),
        &resource.name_any(),
    )
}

fn own_api<K: ComponentKind>(ctx: &Context, resource: &K) -> Api<K> {
    let namespace = resource.namespace().unwrap_or_else(|| "default".into());
    Api::namespaced(ctx.client.clone(), &namespace)
}

/// `Ready: False` with the error's reason and message, and a Warning Event. What cannot be
/// written is logged: the reconcile's own error is what gets retried.
async fn report_failure<K: ComponentKind>(resource: &K, error: &Error, ctx: &Context) {
    let (reason, message) = (error.reason(), error.message());
    warn!(kind = K::KIND.kind(), namespace = ?resource.namespace(), name = %resource.name_any(),
          %reason, %message, "reconcile failed; retrying");
    let old = resource.status();
    let patch = status_patch(
        None,
        old.map(|s| s.replicas).unwrap_or(0),
        old.map(|s| s.selector.as_str()).unwrap_or(""),
        &[(READY, Some(ready(false, &reason, message.clone())))],
    );
    if let Err(e) =
        patch_status_if_changed(&own_api(ctx, resource), &resource.name_any(), old, &patch).await
    {
        warn!(error = %e, "could not write the failure to status");
    }
    ctx.events
        .warn(resource, &reason, "Reconcile", &message)
        .await;
}

async fn reconcile_inner<K: ComponentKind>(resource: &K, ctx: &Context) -> Result<Action> {
    if let Some(action) = super::cleanup::reconcile(resource, ctx).await? {
        return Ok(action);
    }
    if resource
        .annotations()
        .get(MANAGED_ANNOTATION)
        .map(String::as_str)
        == Some("false")
    {
        return Ok(Action::await_change());
    }
    let namespace = resource.namespace().unwrap_or_else(|| "default".into());
    let cluster = cluster_config(resource, ctx, &namespace).await?;
    let backend = ctx.backend_configs.lookup(&namespace);
    let desired = match resource.desired(cluster.as_ref(), &ctx.options, &backend.configs()) {
        Ok(d) => d,
        Err(e) => {
            report_invalid(resource, ctx, e.messages().join("; ")).await?;
            return Ok(Action::await_change());
        }
    };
    let (sts, pending_change) = apply_workload(resource, ctx, &namespace, &desired).await?;
    let svc_api: Api<Service> = Api::namespaced(ctx.client.clone(), &namespace);
    let svc_name = desired.service.metadata.name.clone().unwrap_or_default();
    apply(&svc_api, &svc_name, &desired.service).await?;
    let hpa_condition = apply_autoscaler(ctx, &namespace, &desired, &sts_name(&desired)).await?;
    let vpa_condition =
        super::vpa::reconcile(resource, ctx, &namespace, &desired, &sts_name(&desired)).await?;
    write_status(
        resource,
        ctx,
        &desired.selector,
        &sts,
        &svc_name,
        pending_change,
        [
            ("HorizontalPodAutoscaler", hpa_condition),
            (super::vpa::CONDITION_KEY, vpa_condition),
        ],
    )
    .await
}

/// The cluster ConfigMap shapes nothing that would break without it; read it if present.
async fn cluster_config<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    namespace: &str,
) -> Result<Option<fm_desired::ClusterConfig>> {
    let Some(name) = resource
        .common()
        .pulsar
        .as_ref()
        .and_then(|p| p.pulsar_config.as_ref())
    else {
        return Ok(None);
    };
    Ok(Api::<ConfigMap>::namespaced(ctx.client.clone(), namespace)
        .get_opt(name)
        .await?
        .map(|cm| fm_desired::ClusterConfig::from_config_map(&cm)))
}

/// An invalid spec is reported in status and waits for the user's next edit: retrying cannot
/// fix it, and other resources keep being served.
async fn report_invalid<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    message: String,
) -> Result<()> {
    warn!(kind = K::KIND.kind(), namespace = ?resource.namespace(), name = %resource.name_any(),
          %message, "invalid spec");
    let old = resource.status();
    let patch = status_patch(
        None,
        old.map(|s| s.replicas).unwrap_or(0),
        old.map(|s| s.selector.as_str()).unwrap_or(""),
        &[
            (
                "Spec",
                Some(condition(
                    "SpecValid",
                    false,
                    "Wait",
                    "InvalidSpec",
                    message.clone(),
                )),
            ),
            (READY, Some(ready(false, "InvalidSpec", message.clone()))),
        ],
    );
    patch_status_if_changed(&own_api(ctx, resource), &resource.name_any(), old, &patch).await?;
    ctx.events
        .warn(resource, "InvalidSpec", "Validate", &message)
        .await;
    Ok(())
}

fn sts_name(desired: &fm_desired::DesiredObjects) -> String {
    desired
        .statefulset
        .metadata
        .name
        .clone()
        .unwrap_or_default()
}

/// Applies the StatefulSet, unless rollouts are paused and one exists (then the change that
/// waits is returned too); refuses to take over a StatefulSet that another controller owns.
async fn apply_workload<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    namespace: &str,
    desired: &fm_desired::DesiredObjects,
) -> Result<(StatefulSet, Option<String>)> {
    let sts_api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), namespace);
    let name = sts_name(desired);
    let generation_changed =
        resource.meta().generation != resource.status().and_then(|s| s.observed_generation);
    let paused = (ctx.pause_rollout
        || resource
            .annotations()
            .get(PAUSE_ANNOTATION)
            .map(String::as_str)
            == Some("true"))
        && !generation_changed;
    match sts_api.get_opt(&name).await? {
        Some(current) => {
            check_owner("StatefulSet", &current, resource.meta().uid.as_deref())?;
            let backend_waits = !generation_changed
                && crate::backend_config::waits_for_edit(&current, &desired.statefulset);
            if paused {
                // Paused: left as it is until the resource itself changes; status says what
                // would change.
                let pending = super::pending::statefulset_change(
                    &sts_api,
                    &name,
                    &current,
                    &desired.statefulset,
                )
                .await?;
                return Ok((current, pending));
            }
            if backend_waits {
                // A BackendConfig change without autoUpdate: it waits for the next edit of
                // the resource.
                return Ok((current, None));
            }
            Ok((
                apply_statefulset(&sts_api, &name, &desired.statefulset).await?,
                None,
            ))
        }
        None => Ok((
            apply_statefulset(&sts_api, &name, &desired.statefulset).await?,
            None,
        )),
    }
}

/// Applies the HPA when `maxReplicas` is set and deletes it otherwise; its condition when kept.
async fn apply_autoscaler(
    ctx: &Context,
    namespace: &str,
    desired: &fm_desired::DesiredObjects,
    sts_name: &str,
) -> Result<Option<fm_api::status::ResourceCondition>> {
    let hpa_api = hpa_api(ctx.client.clone(), namespace, ctx.hpa);
    match &desired.hpa {
        Some(hpa) => {
            apply_hpa(&hpa_api, sts_name, hpa, ctx.hpa).await?;
            Ok(Some(condition(
                "HPAReady",
                true,
                "NoAction",
                "Applied",
                format!("{} {sts_name}", ctx.hpa.api_version()),
            )))
        }
        None => {
            // maxReplicas removed: the autoscaler must go (upstream looked it up by the wrong
            // name and left it running).
            delete_if_exists(&hpa_api, sts_name).await?;
            Ok(None)
        }
    }
}

async fn write_status<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    selector: &str,
    sts: &StatefulSet,
    svc_name: &str,
    pending_change: Option<String>,
    autoscalers: [(&str, Option<fm_api::status::ResourceCondition>); 2],
) -> Result<Action> {
    let spec_replicas = sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let ready_replicas = sts
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let sts_ready = ready_replicas >= spec_replicas;
    let pods = format!("{ready_replicas}/{spec_replicas} pods ready");
    let sts_condition = condition(
        "StatefulSetReady",
        sts_ready,
        if sts_ready { "NoAction" } else { "Wait" },
        if sts_ready { "Ready" } else { "PodsNotReady" },
        pods.clone(),
    );
    let summary = ready(
        sts_ready,
        if sts_ready { "Ready" } else { "PodsNotReady" },
        pods,
    );
    let mut patch = status_patch(
        resource.meta().generation,
        spec_replicas,
        selector,
        &[
            (
                "Spec",
                Some(condition(
                    "SpecValid",
                    true,
                    "NoAction",
                    "Valid",
                    "spec accepted",
                )),
            ),
            ("StatefulSet", Some(sts_condition)),
            (
                "Service",
                Some(condition(
                    "ServiceReady",
                    true,
                    "NoAction",
                    "Applied",
                    svc_name,
                )),
            ),
            autoscalers[0].clone(),
            autoscalers[1].clone(),
            (READY, Some(summary)),
        ],
    );
    crate::backend_config::record_in_status(&mut patch, sts);
    // Cleared (null) when nothing waits.
    patch["status"]["pendingChange"] = serde_json::json!(pending_change);
    patch_status_if_changed(
        &own_api(ctx, resource),
        &resource.name_any(),
        resource.status(),
        &patch,
    )
    .await?;
    info!(kind = K::KIND.kind(), namespace = ?resource.namespace(), name = %resource.name_any(),
          ready = ready_replicas, replicas = spec_replicas, "reconciled");
    Ok(Action::requeue(RESYNC))
}
