//! The FunctionMesh custom resource: several functions, sources and sinks deployed together.
//! Each item becomes a child resource named `<mesh>-<item name>`.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::function::FunctionSpec;
use crate::sink::SinkSpec;
use crate::source::SourceSpec;
use crate::status::FunctionMeshStatus;

#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "FunctionMesh",
    plural = "functionmeshes",
    namespaced,
    status = "FunctionMeshStatus"
)]
#[serde(rename_all = "camelCase")]
pub struct FunctionMeshSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<FunctionSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sinks: Option<Vec<SinkSpec>>,
}
