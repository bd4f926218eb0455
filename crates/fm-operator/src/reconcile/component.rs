//! Reconciling a Function, Source or Sink: compute the desired objects, apply them, report.
//! A failure of any step is reported on the resource itself (a `Ready` condition with the
//! API server's reason and message, and a Warning Event) before it is retried.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::ResourceExt;
use tracing::{debug, info, warn};

use super::backoff;
use super::plan::{self, Decision, WorkloadStep};
use super::status::{condition, patch_status_if_changed, ready, status_patch, READY};
use super::RESYNC;
use crate::apply::{apply, apply_hpa, apply_statefulset, delete_if_exists, hpa_api};
use crate::context::{Context, MANAGED_ANNOTATION, PAUSE_ANNOTATION};
use crate::error::{check_owner, Error, Result};
use crate::kinds::ComponentKind;
use crate::observed::{HPA, SERVICE, STATEFULSET};

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
    if let Err(e) = patch_status_if_changed(
        &ctx.status_memo,
        &own_api(ctx, resource),
        &resource.name_any(),
        old,
        &patch,
    )
    .await
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
    let mut desired = match resource.desired(cluster.as_ref(), &ctx.options, &backend.configs()) {
        Ok(d) => d,
        Err(e) => {
            report_invalid(resource, ctx, e.messages().join("; ")).await?;
            return Ok(Action::await_change());
        }
    };
    let hashes = Hashes::stamp(&mut desired)?;
    let wanted = Wanted {
        names: Names::of(&desired),
        objects: desired,
        hashes,
    };
    // Observe (the caches, no request), plan (pure), apply (only what the plan says).
    let observed = Observation::of(resource, ctx, &namespace, &wanted.names)?;
    let plan = plan(resource, ctx, &observed, &wanted);
    let applied = carry_out(resource, ctx, &namespace, &wanted, &observed, &plan).await?;

    // Status: pure, written only when it changes.
    let patch = component_status(ComponentReport {
        generation: resource.meta().generation,
        selector: &wanted.objects.selector,
        statefulset: &applied.statefulset,
        service: &wanted.names.service,
        pending_change: applied.pending_change,
        autoscalers: [
            ("HorizontalPodAutoscaler", applied.hpa_condition),
            (super::vpa::CONDITION_KEY, applied.vpa_condition),
        ],
    });
    patch_status_if_changed(
        &ctx.status_memo,
        &own_api(ctx, resource),
        &resource.name_any(),
        resource.status(),
        &patch,
    )
    .await?;
    info!(kind = K::KIND.kind(), namespace = ?resource.namespace(), name = %resource.name_any(),
          statefulset = ?plan.statefulset, service = ?plan.service, hpa = ?plan.hpa, "reconciled");
    Ok(Action::requeue(RESYNC))
}

/// The children as the resource wants them, with their names and hashes.
struct Wanted {
    objects: fm_desired::DesiredObjects,
    names: Names,
    hashes: Hashes,
}

/// The children as the watch caches hold them: observed with no request.
struct Observation {
    statefulset: Option<Arc<StatefulSet>>,
    service: Option<Arc<ObjectMeta>>,
    hpa: Option<Arc<ObjectMeta>>,
}

impl Observation {
    /// Fails when the StatefulSet's name is taken by an object `resource` does not control.
    fn of<K: ComponentKind>(
        resource: &K,
        ctx: &Context,
        namespace: &str,
        names: &Names,
    ) -> Result<Observation> {
        let statefulset = ctx.observed.statefulsets.get(namespace, &names.statefulset);
        if let Some(current) = &statefulset {
            check_owner(
                "StatefulSet",
                current.as_ref(),
                resource.meta().uid.as_deref(),
            )?;
        }
        Ok(Observation {
            statefulset,
            service: ctx.observed.services.get(namespace, &names.service),
            hpa: ctx.observed.hpas.get(namespace, &names.statefulset),
        })
    }
}

/// What to do with each child, and why: pure (see [`plan::plan_component`]).
fn plan<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    observed: &Observation,
    Wanted {
        objects: desired,
        hashes,
        ..
    }: &Wanted,
) -> plan::ComponentPlan {
    let generation_changed =
        resource.meta().generation != resource.status().and_then(|s| s.observed_generation);
    let paused = rollouts_paused(resource, ctx) && !generation_changed;
    let backend_waits = !generation_changed
        && observed.statefulset.as_ref().is_some_and(|current| {
            crate::backend_config::waits_for_edit(current, &desired.statefulset)
        });
    plan::plan_component(
        plan::Child {
            observed: observed.statefulset.as_ref().map(|s| &s.metadata),
            wanted: Some(&hashes.statefulset),
        },
        paused,
        backend_waits,
        plan::Child {
            observed: observed.service.as_deref(),
            wanted: Some(&hashes.service),
        },
        plan::Child {
            observed: observed.hpa.as_deref(),
            wanted: hashes.hpa.as_deref(),
        },
    )
}

/// What carrying out a plan found, for the status.
struct Applied {
    /// The StatefulSet as applied, or as observed when kept.
    statefulset: StatefulSet,
    /// A change a paused rollout holds back.
    pending_change: Option<String>,
    hpa_condition: Option<fm_api::status::ResourceCondition>,
    vpa_condition: Option<fm_api::status::ResourceCondition>,
}

/// Applies what the plan says. The children are independent, so their writes go out together.
async fn carry_out<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    namespace: &str,
    Wanted {
        objects: desired,
        names,
        hashes,
    }: &Wanted,
    observed: &Observation,
    plan: &plan::ComponentPlan,
) -> Result<Applied> {
    // The reconcile reads each write's response, so the write's own watch event need not wake
    // it again.
    let own_writes = &ctx.observed.own_writes;
    let sts_api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), namespace);
    let workload = async {
        match (&plan.statefulset, observed.statefulset.as_deref()) {
            (WorkloadStep::Paused, _) => {
                // The cache keeps no pod template: compare with the object itself.
                let current = sts_api.get(&names.statefulset).await?;
                let pending = super::pending::statefulset_change(
                    &sts_api,
                    &names.statefulset,
                    &current,
                    &desired.statefulset,
                )
                .await?;
                Ok((current, pending))
            }
            (WorkloadStep::Keep | WorkloadStep::WaitsForEdit, Some(current)) => {
                Ok((current.clone(), None))
            }
            // Apply; a keep of nothing is never planned (what is missing is applied).
            (step, _) => {
                debug!(statefulset = %names.statefulset, ?step, "applying");
                let applied =
                    apply_statefulset(&sts_api, &names.statefulset, &desired.statefulset).await?;
                own_writes.wrote(STATEFULSET, &applied.metadata);
                Ok::<_, crate::error::Error>((applied, None))
            }
        }
    };
    let service = async {
        if let Decision::Apply(why) = &plan.service {
            debug!(service = %names.service, %why, "applying");
            let api: Api<Service> = Api::namespaced(ctx.client.clone(), namespace);
            let applied = apply(&api, &names.service, &desired.service).await?;
            own_writes.wrote(SERVICE, &applied.metadata);
        }
        Ok::<_, crate::error::Error>(())
    };
    let autoscaler = apply_autoscaler(ctx, namespace, desired, &names.statefulset, &plan.hpa);
    let vertical = super::vpa::reconcile(
        resource,
        ctx,
        namespace,
        desired,
        &names.statefulset,
        hashes.vpa.as_deref(),
    );
    let ((statefulset, pending_change), (), hpa_condition, vpa_condition) =
        futures::try_join!(workload, service, autoscaler, vertical)?;
    Ok(Applied {
        statefulset,
        pending_change,
        hpa_condition,
        vpa_condition,
    })
}

fn rollouts_paused<K: ComponentKind>(resource: &K, ctx: &Context) -> bool {
    ctx.pause_rollout
        || resource
            .annotations()
            .get(PAUSE_ANNOTATION)
            .map(String::as_str)
            == Some("true")
}

/// The names of a resource's children (the HPA and the VPA are named as the StatefulSet).
struct Names {
    statefulset: String,
    service: String,
}

impl Names {
    fn of(desired: &fm_desired::DesiredObjects) -> Names {
        Names {
            statefulset: desired
                .statefulset
                .metadata
                .name
                .clone()
                .unwrap_or_default(),
            service: desired.service.metadata.name.clone().unwrap_or_default(),
        }
    }
}

/// The desired children's hashes, recorded in their annotations (see [`plan`]).
struct Hashes {
    statefulset: String,
    service: String,
    hpa: Option<String>,
    vpa: Option<String>,
}

impl Hashes {
    fn stamp(desired: &mut fm_desired::DesiredObjects) -> Result<Hashes> {
        Ok(Hashes {
            statefulset: plan::stamp(&mut desired.statefulset, |s| &mut s.metadata)?,
            service: plan::stamp(&mut desired.service, |s| &mut s.metadata)?,
            hpa: match desired.hpa.as_mut() {
                Some(hpa) => Some(plan::stamp(hpa, |h| &mut h.metadata)?),
                None => None,
            },
            vpa: match desired.vpa.as_mut() {
                Some(vpa) => Some(plan::stamp(vpa, |v| &mut v.metadata)?),
                None => None,
            },
        })
    }
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
    patch_status_if_changed(
        &ctx.status_memo,
        &own_api(ctx, resource),
        &resource.name_any(),
        old,
        &patch,
    )
    .await?;
    ctx.events
        .warn(resource, "InvalidSpec", "Validate", &message)
        .await;
    Ok(())
}

/// Carries out the plan for the HPA; its condition when one is wanted.
async fn apply_autoscaler(
    ctx: &Context,
    namespace: &str,
    desired: &fm_desired::DesiredObjects,
    name: &str,
    decision: &Decision,
) -> Result<Option<fm_api::status::ResourceCondition>> {
    let hpa_api = hpa_api(ctx.client.clone(), namespace, ctx.hpa);
    match decision {
        Decision::Apply(why) => {
            if let Some(hpa) = &desired.hpa {
                debug!(hpa = name, %why, "applying");
                let applied = apply_hpa(&hpa_api, name, hpa, ctx.hpa).await?;
                ctx.observed.own_writes.wrote(HPA, &applied);
            }
        }
        // maxReplicas removed: the autoscaler must go (upstream looked it up by the wrong
        // name and left it running).
        Decision::Delete => {
            delete_if_exists(&hpa_api, name).await?;
        }
        Decision::Keep => {}
    }
    Ok(desired.hpa.as_ref().map(|_| {
        condition(
            "HPAReady",
            true,
            "NoAction",
            "Applied",
            format!("{} {name}", ctx.hpa.api_version()),
        )
    }))
}

/// What a reconcile found, for the status it writes.
pub struct ComponentReport<'a> {
    pub generation: Option<i64>,
    pub selector: &'a str,
    pub statefulset: &'a StatefulSet,
    pub service: &'a str,
    pub pending_change: Option<String>,
    pub autoscalers: [(&'a str, Option<fm_api::status::ResourceCondition>); 2],
}

/// The status merge patch of a reconciled Function, Source or Sink: pure, so it is tested
/// without a server.
pub fn component_status(report: ComponentReport<'_>) -> serde_json::Value {
    let sts = report.statefulset;
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
    let [hpa, vpa] = report.autoscalers;
    let mut patch = status_patch(
        report.generation,
        spec_replicas,
        report.selector,
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
                    report.service,
                )),
            ),
            hpa,
            vpa,
            (READY, Some(summary)),
        ],
    );
    crate::backend_config::record_in_status(&mut patch, sts);
    // Cleared (null) when nothing waits.
    patch["status"]["pendingChange"] = serde_json::json!(report.pending_change);
    patch
}
