//! The Function custom resource.

use k8s_openapi::api::apps::v1::StatefulSetPersistentVolumeClaimRetentionPolicy;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{InputConf, OutputConf};
use crate::consumer::ConsumerSpec;
use crate::schema::FreeForm;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;

/// Desired state of a Function (also an item of a FunctionMesh's `spec.functions`).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Function",
    doc = "A Pulsar Function run on Kubernetes: a StatefulSet of instances consuming `spec.input` and publishing to `spec.output`.",
    printcolumn = r#"{"name":"Ready","type":"string","description":"Whether the operator's summary condition is true","jsonPath":".status.conditions.Ready.status"}"#,
    printcolumn = r#"{"name":"Replicas","type":"integer","description":"Replicas of the StatefulSet","jsonPath":".status.replicas"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","description":"Why the resource is (not) ready","jsonPath":".status.conditions.Ready.reason"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Message","type":"string","priority":1,"description":"Details of the Ready condition","jsonPath":".status.conditions.Ready.message"}"#,
    plural = "functions",
    namespaced,
    status = "ComponentStatus",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSpec {
    #[serde(flatten)]
    pub common: CommonSpec,

    /// Topics the function consumes, and how to decode them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputConf>,
    /// Topic the function publishes its results to, and how to encode them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputConf>,
    /// User configuration handed to the function (`context.getUserConfigValue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub func_config: Option<FreeForm>,
    /// Replaces the input topics with a built-in or custom source connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<FunctionSourceConfig>,
    /// Replaces the output topic with a built-in or custom sink connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_config: Option<FunctionSinkConfig>,
    // Subscription and delivery, declared once for Function and Sink.
    #[serde(flatten)]
    pub consumer: ConsumerSpec,

    /// Copy the input message's properties to the output message. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_source_message_property: Option<bool>,
    /// Most asynchronous requests in flight per instance. Default 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_async_requests: Option<i32>,
    /// Turns the function into a window function collecting messages into windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_config: Option<WindowConfig>,

    /// On (re)start, skip the backlog and continue from the latest message. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_to_latest: Option<bool>,

    /// PersistentVolumeClaims created per pod (StatefulSet `volumeClaimTemplates`, see
    /// `kubectl explain statefulset.spec.volumeClaimTemplates`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_claim_templates: Option<Vec<PersistentVolumeClaim>>,
    /// Whether the claims of `volumeClaimTemplates` are deleted with the StatefulSet or on scale-down
    /// (see `kubectl explain statefulset.spec.persistentVolumeClaimRetentionPolicy`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim_retention_policy:
        Option<StatefulSetPersistentVolumeClaimRetentionPolicy>,
}

/// A source connector run inside a Function in place of its input topics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSourceConfig {
    /// Built-in source connector to use, by name (as `--source-type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Batch source settings (accepted; not used for a Function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// Class implementing the source connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Java class of the records the source produces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Configuration of the source connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<FreeForm>,
}

/// A sink connector run inside a Function in place of its output topic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSinkConfig {
    /// Built-in sink connector to use, by name (as `--sink-type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    /// Class implementing the sink connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Java class of the records the sink consumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Configuration of the sink connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<FreeForm>,
}

/// Batch source settings: a discovery triggerer decides when to look for new work.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchSourceConfig {
    /// Class that triggers discovery of new work for the batch source. Required.
    pub discovery_triggerer_class_name: String,
    /// Configuration of the discovery triggerer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_triggerer_config: Option<FreeForm>,
}

/// Windowing of a Function: messages are collected into count or time windows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowConfig {
    /// Required by the schema; the operator sets it to the function's `className`.
    #[serde(default)]
    pub actual_window_function_class_name: String,
    /// Window length in messages (count window). Exactly one of this and `windowLengthDurationMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_count: Option<i32>,
    /// Window length in milliseconds (time window). Exactly one of this and `windowLengthCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_duration_ms: Option<i64>,
    /// Messages between window evaluations; unset: tumbling (the window length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_count: Option<i32>,
    /// Milliseconds between window evaluations; unset: tumbling (the window length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_duration_ms: Option<i64>,
    /// Topic receiving messages that arrive after their window closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_data_topic: Option<String>,
    /// Event-time windows: how late, in milliseconds, a message may arrive. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lag_ms: Option<i64>,
    /// Event-time windows: milliseconds between watermarks. Default 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_emit_interval_ms: Option<i64>,
    /// Class extracting a message's event time; set: event-time windows, unset: processing time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_extractor_class_name: Option<String>,
    /// Delivery guarantee of the windowing: `ATLEAST_ONCE` or `ATMOST_ONCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantees: Option<WindowProcessingGuarantee>,
}

/// Delivery guarantee of the windowing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WindowProcessingGuarantee {
    AtleastOnce,
    AtmostOnce,
}
