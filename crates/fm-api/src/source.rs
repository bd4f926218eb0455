//! The Source custom resource (a Pulsar IO source connector).

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::OutputConf;
use crate::function::BatchSourceConfig;
use crate::schema::FreeForm;
use crate::spec_common::CommonSpec;
use crate::status::ComponentStatus;

#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Source",
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

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputConf>,
    /// Declared upstream but unused by its controller; kept for compatibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// The connector's own configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_config: Option<FreeForm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_source_message_property: Option<bool>,
}
