//! Reconciling a Function, Source or Sink: compute the desired objects, apply them, report.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use tracing::{info, warn};

use super::status::{condition, status_patch};
use super::RESYNC;
use crate::apply::{apply, apply_hpa, apply_statefulset, delete_if_exists, hpa_api};
use crate::context::{Context, MANAGED_ANNOTATION, PAUSE_ANNOTATION};
use crate::error::Result;
use crate::kinds::ComponentKind;

pub async fn reconcile<K: ComponentKind>(resource: Arc<K>, ctx: Arc<Context>) -> Result<Action> {
    let started = Instant::now();
    let result = reconcile_inner(resource.as_ref(), &ctx).await;
    ctx.metrics
        .observe(K::KIND.word(), started.elapsed(), result.is_ok());
    result
}

async fn reconcile_inner<K: ComponentKind>(resource: &K, ctx: &Context) -> Result<Action> {
    if resource
        .annotations()
        .get(MANAGED_ANNOTATION)
        .map(String::as_str)
        == Some("false")
    {
        return Ok(Action::await_change());
    }
    let name = resource.name_any();
    let namespace = resource.namespace().unwrap_or_else(|| "default".into());
    let client = ctx.client.clone();
    let own_api: Api<K> = Api::namespaced(client.clone(), &namespace);

    // The cluster ConfigMap shapes nothing that would break without it; read it if present.
    let cluster = match resource
        .common()
        .pulsar
        .as_ref()
        .and_then(|p| p.pulsar_config.as_ref())
    {
        Some(cm) => Api::<ConfigMap>::namespaced(client.clone(), &namespace)
            .get_opt(cm)
            .await?
            .map(|cm| fm_desired::ClusterConfig::from_config_map(&cm)),
        None => None,
    };

    let desired = match resource.desired(cluster.as_ref(), &ctx.options) {
        Ok(d) => d,
        Err(e) => {
            // An invalid spec is reported in status and waits for the user's next edit:
            // retrying cannot fix it, and other resources keep being served.
            let message = e.messages().join("; ");
            warn!(kind = K::KIND.kind(), %namespace, %name, %message, "invalid spec");
            let old = resource.status();
            let patch = status_patch(
                None,
                old.map(|s| s.replicas).unwrap_or(0),
                old.map(|s| s.selector.as_str()).unwrap_or(""),
                &[(
                    "Spec",
                    Some(condition(
                        "SpecValid",
                        false,
                        "Wait",
                        "InvalidSpec",
                        message,
                    )),
                )],
            );
            own_api
                .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await?;
            return Ok(Action::await_change());
        }
    };

    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), &namespace);
    let sts_name = desired
        .statefulset
        .metadata
        .name
        .clone()
        .unwrap_or_default();
    let generation_changed =
        resource.meta().generation != resource.status().and_then(|s| s.observed_generation);
    let paused = (ctx.pause_rollout
        || resource
            .annotations()
            .get(PAUSE_ANNOTATION)
            .map(String::as_str)
            == Some("true"))
        && !generation_changed;
    let existing = sts_api.get_opt(&sts_name).await?;
    let sts = match existing {
        // Paused: a StatefulSet that exists is left as it is until the resource itself changes.
        Some(current) if paused => current,
        _ => apply_statefulset(&sts_api, &sts_name, &desired.statefulset).await?,
    };

    let svc_api: Api<Service> = Api::namespaced(client.clone(), &namespace);
    let svc_name = desired.service.metadata.name.clone().unwrap_or_default();
    apply(&svc_api, &svc_name, &desired.service).await?;

    let hpa_api = hpa_api(client.clone(), &namespace, ctx.hpa);
    let hpa_condition = match &desired.hpa {
        Some(hpa) => {
            apply_hpa(&hpa_api, &sts_name, hpa, ctx.hpa).await?;
            Some(condition(
                "HPAReady",
                true,
                "NoAction",
                "Applied",
                format!("{} {sts_name}", ctx.hpa.api_version()),
            ))
        }
        None => {
            // maxReplicas removed: the autoscaler must go (upstream looked it up by the wrong
            // name and left it running).
            delete_if_exists(&hpa_api, &sts_name).await?;
            None
        }
    };

    let spec_replicas = sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let ready = sts
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let sts_ready = ready >= spec_replicas;
    let sts_condition = condition(
        "StatefulSetReady",
        sts_ready,
        if sts_ready { "NoAction" } else { "Wait" },
        if sts_ready { "Ready" } else { "PodsNotReady" },
        format!("{ready}/{spec_replicas} pods ready"),
    );
    let patch = status_patch(
        resource.meta().generation,
        spec_replicas,
        &desired.selector,
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
            ("HorizontalPodAutoscaler", hpa_condition),
        ],
    );
    own_api
        .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    info!(kind = K::KIND.kind(), %namespace, %name, ready, replicas = spec_replicas, "reconciled");
    Ok(Action::requeue(RESYNC))
}
