//! Fields every Function, Source and Sink spec has. Flattened into each spec, so on the
//! wire they sit at the spec's top level exactly as upstream declares them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ResourceRequirements, VolumeMount};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{
    LogTopicAgent, PodPolicy, ProcessingGuarantee, PulsarMessaging, Runtime, SecretRef,
    StatefulConfig,
};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommonSpec {
    /// Pulsar-side name; defaults to `metadata.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Pulsar tenant (not a Kubernetes concept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Pulsar namespace (not the Kubernetes namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Pulsar cluster name passed to the instance (`--cluster_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0))]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0, "default" = 1))]
    pub min_replicas: Option<i32>,
    /// Presence turns the HorizontalPodAutoscaler on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_precise_parallelism: Option<bool>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_has_pulsarctl: Option<bool>,
    /// Upstream's spelling of "image has wget".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_has_get: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloader_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filebeat_image: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic_agent: Option<LogTopicAgent>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Env var name → Secret reference (`path` = Secret name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_map: Option<BTreeMap<String, SecretRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantee: Option<ProcessingGuarantee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_flags: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarMessaging>,
    /// Separate Pulsar endpoint used only for package download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar_package_service: Option<PulsarMessaging>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_config: Option<StatefulConfig>,

    #[serde(flatten)]
    pub runtime: Runtime,
}
