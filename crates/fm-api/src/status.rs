//! Status of Function, Source, Sink and FunctionMesh.
//!
//! Upstream's fields are kept as upstream declares them so tools reading status keep working;
//! `reason`, `message` and `lastTransitionTime` are additions (pruned, harmlessly, when the
//! upstream CRDs are installed instead of ours), and so is a mesh's `conditions` map.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One condition: the state of one object (or of the whole resource) and what the operator does
/// about it. The entries of `status.conditions` are keyed by component (`StatefulSet`, `Service`,
/// `HorizontalPodAutoscaler`, and our `Spec` for validation results), plus the summary `Ready`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCondition {
    /// What is reported: `Ready` (the summary), `StatefulSetReady`, `ServiceReady`, `HPAReady`,
    /// `SpecValid`; in a FunctionMesh also `MeshReady` and, per child, `Ready`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `"True"` or `"False"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// What the operator does next: `Create`, `Update`, `Delete`, `Wait` or `NoAction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Machine-readable cause in CamelCase, e.g. `PodsNotReady`, `InvalidSpec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human-readable details, e.g. which spec fields are invalid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When `status` last changed (RFC 3339), where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
}

/// Status of a Function, Source or Sink.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComponentStatus {
    /// Conditions keyed by component: `StatefulSet`, `Service`, `HorizontalPodAutoscaler` (with
    /// `maxReplicas`), `Spec` (validation), and `Ready`, the operator's summary
    /// (`{condition: Ready, status: "True"|"False", action, reason, message}`) that
    /// `kubectl get` shows.
    #[serde(default)]
    pub conditions: BTreeMap<String, ResourceCondition>,
    /// Replicas of the StatefulSet; read by the scale subresource.
    #[serde(default)]
    pub replicas: i32,
    /// Label selector of the pods, as a string; read by the scale subresource (and so the HPA).
    #[serde(default)]
    pub selector: String,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Upstream: resourceVersion of the cluster-wide BackendConfig applied (fm-operator serves none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_backend_config_revision: Option<String>,
    /// Upstream: resourceVersion of the namespace's BackendConfig applied (fm-operator serves none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaced_backend_config_revision: Option<String>,
    /// Upstream: the StatefulSet change held back while rollouts are paused (fm-operator pauses
    /// nothing and leaves it unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_change: Option<String>,
}

/// Status of a FunctionMesh: one condition per child, plus the mesh's overall condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionMeshStatus {
    /// Readiness of each child Function, keyed by its name in the mesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// Readiness of each child Source, keyed by its name in the mesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// Readiness of each child Sink, keyed by its name in the mesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// Overall condition `MeshReady`: true when every child is ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ResourceCondition>,
    /// Conditions keyed by `Ready`: the operator's summary, as on Function/Source/Sink
    /// (`{condition: Ready, status: "True"|"False", action, reason, message}`), which
    /// `kubectl get` shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}
