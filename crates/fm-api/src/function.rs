//! The Function custom resource.

use k8s_openapi::api::apps::v1::StatefulSetPersistentVolumeClaimRetentionPolicy;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{InputConf, OutputConf, SubscriptionPosition};
use crate::schema::FreeForm;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;

#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Function",
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

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputConf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputConf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    /// User config handed to the function (`context.getUserConfigValue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub func_config: Option<FreeForm>,
    /// Replaces the input with a built-in source connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<FunctionSourceConfig>,
    /// Replaces the output with a built-in sink connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_config: Option<FunctionSinkConfig>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_ack: Option<bool>,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_retry: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_ordering: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_key_ordering: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_source_message_property: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_async_requests: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_config: Option<WindowConfig>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_position: Option<SubscriptionPosition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_subscription: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_to_latest: Option<bool>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_claim_templates: Option<Vec<PersistentVolumeClaim>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim_retention_policy:
        Option<StatefulSetPersistentVolumeClaimRetentionPolicy>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSourceConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<FreeForm>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSinkConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<FreeForm>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchSourceConfig {
    pub discovery_triggerer_class_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_triggerer_config: Option<FreeForm>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowConfig {
    /// Required by the schema; the operator overwrites it with `className`.
    #[serde(default)]
    pub actual_window_function_class_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_duration_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_duration_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_data_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lag_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_emit_interval_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_extractor_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantees: Option<WindowProcessingGuarantee>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WindowProcessingGuarantee {
    AtleastOnce,
    AtmostOnce,
}
