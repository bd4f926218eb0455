//! Status of Function, Source, Sink and FunctionMesh.
//!
//! Upstream's fields are kept as upstream declares them so tools reading status keep working;
//! `reason`, `message` and `lastTransitionTime` are additions (pruned, harmlessly, when the
//! upstream CRDs are installed instead of ours).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One entry of `status.conditions`, keyed by component (`StatefulSet`, `Service`,
/// `HorizontalPodAutoscaler`, and our `Spec` for validation results).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCondition {
    /// e.g. `StatefulSetReady`, `ServiceReady`, `HPAReady`, `SpecValid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `"True"` or `"False"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `Create`, `Update`, `Delete`, `Wait`, `NoAction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
}

/// Status of a Function, Source or Sink.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComponentStatus {
    #[serde(default)]
    pub conditions: BTreeMap<String, ResourceCondition>,
    /// Replicas of the StatefulSet; read by the scale subresource.
    #[serde(default)]
    pub replicas: i32,
    /// Label selector of the pods, as a string; read by the scale subresource (and so the HPA).
    #[serde(default)]
    pub selector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_backend_config_revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaced_backend_config_revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_change: Option<String>,
}

/// Status of a FunctionMesh: one condition per child, plus the mesh's overall condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionMeshStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_conditions: Option<BTreeMap<String, ResourceCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_conditions: Option<BTreeMap<String, ResourceCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_conditions: Option<BTreeMap<String, ResourceCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ResourceCondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}
