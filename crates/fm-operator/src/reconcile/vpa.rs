//! The VerticalPodAutoscaler of a resource: applied when `pod.vpa` is set and the cluster
//! serves `autoscaling.k8s.io/v1` (discovered when the operator starts), deleted when the
//! field goes. Where the API is not served, a resource asking for one gets a `VPAReady: False`
//! condition and a Warning Event instead: the setting is never dropped silently.

use fm_api::status::ResourceCondition;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;

use super::plan::{self, Decision};
use super::status::condition;
use crate::apply::delete_if_exists;
use crate::context::{Context, FIELD_MANAGER};
use crate::error::Result;
use crate::kinds::ComponentKind;

/// The key of the VPA's condition in `status.conditions` (upstream's `VPA` component).
pub const CONDITION_KEY: &str = "VerticalPodAutoscaler";
const CONDITION: &str = "VPAReady";

fn vpa_api(client: kube::Client, namespace: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("autoscaling.k8s.io", "v1", "VerticalPodAutoscaler");
    let resource = ApiResource::from_gvk_with_plural(&gvk, "verticalpodautoscalers");
    Api::namespaced_with(client, namespace, &resource)
}

/// Applies or deletes the VPA named `name`; returns its condition (`None`: no VPA wanted).
pub async fn reconcile<K: ComponentKind>(
    resource: &K,
    ctx: &Context,
    namespace: &str,
    desired: &fm_desired::DesiredObjects,
    name: &str,
    wanted: Option<&str>,
) -> Result<Option<ResourceCondition>> {
    if !ctx.vpa_served {
        let Some(_) = &desired.vpa else {
            return Ok(None);
        };
        let message = format!(
            "pod.vpa is not applied: this cluster did not serve {} when the operator started (install the VPA, then restart the operator)",
            fm_desired::vpa::API_VERSION
        );
        ctx.events
            .warn(resource, "VPANotServed", "ApplyVPA", &message)
            .await;
        return Ok(Some(condition(
            CONDITION,
            false,
            "Wait",
            "VPANotServed",
            message,
        )));
    }
    let api = vpa_api(ctx.client.clone(), namespace);
    match (&desired.vpa, wanted) {
        (Some(vpa), Some(hash)) => {
            // VPAs are not watched (few resources ask for one): read it to plan.
            let current = api.get_metadata_opt(name).await?;
            if plan::decide(current.as_ref().map(|c| &c.metadata), hash) != Decision::Keep {
                let params = PatchParams::apply(FIELD_MANAGER).force();
                api.patch(name, &params, &Patch::Apply(vpa)).await?;
            }
            Ok(Some(condition(
                CONDITION,
                true,
                "NoAction",
                "Applied",
                format!("{} {name}", fm_desired::vpa::API_VERSION),
            )))
        }
        _ => {
            delete_if_exists(&api, name).await?;
            Ok(None)
        }
    }
}
