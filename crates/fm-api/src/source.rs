//! The Source custom resource (a Pulsar IO source connector).

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::OutputConf;
use crate::function::BatchSourceConfig;
use crate::schema::FreeForm;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;

/// Desired state of a Source (also an item of a FunctionMesh's `spec.sources`).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Source",
    doc = "A Pulsar IO source connector run on Kubernetes: a StatefulSet of instances publishing external data to `spec.output`.",
    printcolumn = r#"{"name":"Ready","type":"string","description":"Whether the operator's summary condition is true","jsonPath":".status.conditions.Ready.status"}"#,
    printcolumn = r#"{"name":"Replicas","type":"integer","description":"Replicas of the StatefulSet","jsonPath":".status.replicas"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","description":"Why the resource is (not) ready","jsonPath":".status.conditions.Ready.reason"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Message","type":"string","priority":1,"description":"Details of the Ready condition","jsonPath":".status.conditions.Ready.message"}"#,
    plural = "sources",
    namespaced,
    status = "ComponentStatus",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct SourceSpec {
    #[serde(flatten)]
    pub common: CommonSpec,

    /// Topic the source publishes its records to, and how to encode them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputConf>,
    /// Built-in connector name; declared upstream but not used, kept for compatibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Runs the connector as a batch source (Pulsar's `BatchSourceExecutor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// The connector's own configuration. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<FreeForm>,
    /// Copy the record's properties to the published message. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_source_message_property: Option<bool>,
}
