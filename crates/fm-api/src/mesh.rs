//! The FunctionMesh custom resource: several functions, sources and sinks deployed together.
//! Each item becomes a child resource named `<mesh>-<item name>`.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::function::FunctionSpec;
use crate::sink::SinkSpec;
use crate::source::SourceSpec;
use crate::status::FunctionMeshStatus;

/// Desired state of a FunctionMesh: its functions, sources and sinks.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "FunctionMesh",
    doc = "Functions, sources and sinks deployed together; each item becomes a child resource named `<mesh>-<name>`.",
    printcolumn = r#"{"name":"Ready","type":"string","description":"Whether the operator's summary condition is true","jsonPath":".status.conditions.Ready.status"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","description":"Why the resource is (not) ready","jsonPath":".status.conditions.Ready.reason"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Message","type":"string","priority":1,"description":"Details of the Ready condition","jsonPath":".status.conditions.Ready.message"}"#,
    plural = "functionmeshes",
    namespaced,
    status = "FunctionMeshStatus"
)]
#[serde(rename_all = "camelCase")]
pub struct FunctionMeshSpec {
    /// Functions of the mesh; each becomes a Function named `<mesh>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<FunctionSpec>>,
    /// Sources of the mesh; each becomes a Source named `<mesh>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceSpec>>,
    /// Sinks of the mesh; each becomes a Sink named `<mesh>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sinks: Option<Vec<SinkSpec>>,
}
