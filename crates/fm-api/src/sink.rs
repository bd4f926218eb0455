//! The Sink custom resource (a Pulsar IO sink connector).

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::InputConf;
use crate::consumer::ConsumerSpec;
use crate::schema::FreeForm;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;

/// Desired state of a Sink (also an item of a FunctionMesh's `spec.sinks`).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Sink",
    doc = "A Pulsar IO sink connector run on Kubernetes: a StatefulSet of instances writing `spec.input` to an external system.",
    printcolumn = r#"{"name":"Ready","type":"string","description":"Whether the operator's summary condition is true","jsonPath":".status.conditions.Ready.status"}"#,
    printcolumn = r#"{"name":"Replicas","type":"integer","description":"Replicas of the StatefulSet","jsonPath":".status.replicas"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","description":"Why the resource is (not) ready","jsonPath":".status.conditions.Ready.reason"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Message","type":"string","priority":1,"description":"Details of the Ready condition","jsonPath":".status.conditions.Ready.message"}"#,
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

    /// Topics the sink consumes, and how to decode them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputConf>,
    /// Built-in connector name; declared upstream but not used, kept for compatibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    /// The connector's own configuration. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_config: Option<FreeForm>,
    // Subscription and delivery, declared once for Function and Sink.
    #[serde(flatten)]
    pub consumer: ConsumerSpec,
    /// Milliseconds before a negatively acknowledged message is redelivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_ack_redelivery_delay_ms: Option<i32>,
}
