//! The VerticalPodAutoscaler (upstream: `MakeVPA` in `controllers/spec/vpa.go`, applied by
//! `applyVPA` in `controllers/common.go`): on when `pod.vpa` is set, named like the
//! StatefulSet, targeting the custom resource itself (through its scale subresource, as the
//! HPA does), with the spec's `updatePolicy` and `resourcePolicy` copied unchanged.
//! `autoscaling.k8s.io/v1` is not part of k8s-openapi; the object is declared here.

use fm_api::common::{VpaResourcePolicy, VpaUpdatePolicy};
use k8s_openapi::api::autoscaling::v2::CrossVersionObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::component::Component;

pub const API_VERSION: &str = "autoscaling.k8s.io/v1";
pub const KIND: &str = "VerticalPodAutoscaler";

/// An `autoscaling.k8s.io/v1` VerticalPodAutoscaler, as much of it as the operator writes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerticalPodAutoscaler {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub spec: VerticalPodAutoscalerSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerticalPodAutoscalerSpec {
    pub target_ref: CrossVersionObjectReference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_policy: Option<VpaUpdatePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<VpaResourcePolicy>,
}

/// The VPA of a resource when `pod.vpa` is set. `api_version` is the resource's.
pub fn build(
    c: &Component<'_>,
    api_version: &str,
    metadata: ObjectMeta,
) -> Option<VerticalPodAutoscaler> {
    let vpa = c.common.pod.as_ref()?.vpa.as_ref()?;
    Some(VerticalPodAutoscaler {
        api_version: API_VERSION.to_owned(),
        kind: KIND.to_owned(),
        metadata,
        spec: VerticalPodAutoscalerSpec {
            target_ref: CrossVersionObjectReference {
                api_version: Some(api_version.to_owned()),
                kind: c.kind.kind().to_owned(),
                name: c.name.to_owned(),
            },
            update_policy: vpa.update_policy.clone(),
            resource_policy: vpa.resource_policy.clone(),
        },
    })
}
