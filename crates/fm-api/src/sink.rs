//! The Sink custom resource (a Pulsar IO sink connector).

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{InputConf, SubscriptionPosition};
use crate::schema::FreeForm;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;

#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Sink",
    plural = "sinks",
    namespaced,
    status = "ComponentStatus",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct SinkSpec {
    #[serde(flatten)]
    pub common: CommonSpec,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputConf>,
    /// Declared upstream but unused by its controller; kept for compatibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    /// The connector's own configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_config: Option<FreeForm>,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_ack_redelivery_delay_ms: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_ack: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_retry: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_ordering: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_key_ordering: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_subscription: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_position: Option<SubscriptionPosition>,
}
