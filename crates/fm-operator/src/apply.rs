//! Server-side apply of the desired objects, with the recoveries a real API server needs.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy,
};
use kube::core::GroupVersionKind;
use serde::Serialize;
use tracing::{info, warn};

use crate::context::{HpaVersion, FIELD_MANAGER};
use crate::error::Result;
use crate::observed::HPA;

fn apply_params() -> PatchParams {
    // force: we are the only writer of the fields we own; a hand edit is overruled, which
    // is the point of making the cluster converge on the declared state.
    PatchParams::apply(FIELD_MANAGER).force()
}

/// Applies `object` by name; returns what the server stored.
pub async fn apply<K>(api: &Api<K>, name: &str, object: &K) -> Result<K>
where
    K: Clone + Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    Ok(api
        .patch(name, &apply_params(), &Patch::Apply(object))
        .await?)
}

/// True when the API server refused a StatefulSet update because it touches immutable fields
/// (selector, serviceName, volumeClaimTemplates, podManagementPolicy, …).
pub fn is_immutable_field_error(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(status) => {
            status.code == 422
                && status.message.contains("Forbidden")
                && status.message.contains("spec")
        }
        _ => false,
    }
}

/// Applies a StatefulSet; when the change touches immutable fields the StatefulSet is
/// replaced: deleted with orphaned pods (they keep running and their volume claims stay),
/// then created anew, adopting the pods through its selector and rolling them. Upstream looped
/// forever on the refusal instead.
pub async fn apply_statefulset(
    api: &Api<StatefulSet>,
    name: &str,
    sts: &StatefulSet,
) -> Result<StatefulSet> {
    match api.patch(name, &apply_params(), &Patch::Apply(sts)).await {
        Ok(applied) => Ok(applied),
        Err(e) if is_immutable_field_error(&e) => {
            warn!(
                statefulset = name,
                "immutable fields changed; replacing the StatefulSet, keeping its pods"
            );
            let orphan = DeleteParams {
                propagation_policy: Some(PropagationPolicy::Orphan),
                ..Default::default()
            };
            api.delete(name, &orphan).await?;
            // The delete is asynchronous only for the pods (orphaned); the object itself is
            // gone once the call returns, unless finalizers hold it, which the next reconcile
            // handles.
            Ok(api.patch(name, &apply_params(), &Patch::Apply(sts)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes `name` if it exists.
pub async fn delete_if_exists<K>(api: &Api<K>, name: &str) -> Result<bool>
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => {
            info!(object = name, "deleted");
            Ok(true)
        }
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The HorizontalPodAutoscaler API as a dynamic resource of the version the server serves.
pub fn hpa_api(client: kube::Client, namespace: &str, version: HpaVersion) -> Api<DynamicObject> {
    Api::namespaced_with(client, namespace, &hpa_resource(version))
}

/// The HorizontalPodAutoscaler resource in the served version.
pub fn hpa_resource(version: HpaVersion) -> ApiResource {
    let gvk = GroupVersionKind::gvk(HpaVersion::GROUP, version.version(), HPA);
    ApiResource::from_gvk_with_plural(&gvk, "horizontalpodautoscalers")
}

/// Applies the HPA in the served version (v2 objects are converted for v2beta2 servers).
pub async fn apply_hpa(
    api: &Api<DynamicObject>,
    name: &str,
    hpa: &HorizontalPodAutoscaler,
    version: HpaVersion,
) -> Result<ObjectMeta> {
    let body = match version {
        HpaVersion::V2 => {
            let mut v = serde_json::to_value(hpa)?;
            v["apiVersion"] = version.api_version().into();
            v["kind"] = HPA.into();
            v
        }
        HpaVersion::V2beta2 => fm_desired::hpa::to_v2beta2(hpa)?,
    };
    let applied = api
        .patch(name, &apply_params(), &Patch::Apply(body))
        .await?;
    Ok(applied.metadata)
}
