//! The BackendConfig custom resource: defaults for every Function, Source and Sink, either
//! cluster-wide (one BackendConfig in the operator's namespace) or for one namespace (the
//! BackendConfig of a fixed name there). Upstream: `api/compute/v1alpha1/backendconfig_types.go`.

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::PodPolicy;

/// Desired state of a BackendConfig: environment variables and pod settings merged into every
/// Function, Source and Sink it applies to; the resource's own settings win.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "BackendConfig",
    doc = "Defaults for Functions, Sources and Sinks: the one named by `fm-operator run --global-backend-config` in the operator's namespace applies to all, the one named `--namespaced-backend-config` (default `backend-config`) to those of its namespace.",
    printcolumn = r#"{"name":"AutoUpdate","type":"boolean","description":"Whether a change rolls out to the resources at once (else at their next edit)","jsonPath":".spec.autoUpdate"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    plural = "backendconfigs",
    namespaced,
    status = "BackendConfigStatus"
)]
#[serde(rename_all = "camelCase")]
pub struct BackendConfigSpec {
    /// A name for people; not read by the operator (as upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Environment variables added to every container of the pods; a variable the container
    /// defines itself keeps its own value. The namespace's BackendConfig wins over the global one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Pod settings used where the resource's `pod` leaves them unset: labels, nodeSelector,
    /// annotations (merged by key), affinity, securityContext, terminationGracePeriodSeconds,
    /// serviceAccountName, liveness, startupProbe (taken when unset), tolerations and
    /// imagePullSecrets (listed before the resource's). Other pod fields are not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodPolicy>,
    /// Roll a change of this BackendConfig out to the resources it applies to at once; when
    /// false, each resource takes it at its next edit. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_update: Option<bool>,
}

/// Status of a BackendConfig: empty, as upstream's (nothing reconciles a BackendConfig itself).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BackendConfigStatus {}

impl BackendConfigSpec {
    /// `autoUpdate`, false when unset.
    pub fn auto_update(&self) -> bool {
        self.auto_update.unwrap_or(false)
    }
}
