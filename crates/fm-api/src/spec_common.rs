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

/// Fields every Function, Source and Sink spec has.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommonSpec {
    /// Name of the function or connector in Pulsar. Default: `metadata.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Class implementing the function or connector; required for Java and Python.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Pulsar tenant (not a Kubernetes concept). Default `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Pulsar namespace (not the Kubernetes namespace). Default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Pulsar cluster name passed to the instance (`--cluster_name`). Default `kubernetes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,

    /// Number of instances (pods); 0 pauses. Scaled by the HPA when `maxReplicas` is set. Default: `minReplicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0))]
    pub replicas: Option<i32>,
    /// Lower bound for the HPA (and the replica count when `replicas` is unset). Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0, "default" = 1))]
    pub min_replicas: Option<i32>,
    /// Upper bound for the HPA; setting it creates a HorizontalPodAutoscaler (see `pod.builtinAutoscaler`,
    /// `pod.autoScalingMetrics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replicas: Option<i32>,
    /// Report `replicas` as the parallelism (`context.getNumInstances`) instead of 1; changing
    /// `replicas` then restarts every pod. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_precise_parallelism: Option<bool>,

    /// Container image of the instance. Default: the runner image of the runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Pull policy of the main container: `Always`, `Never` or `IfNotPresent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// The image contains `pulsarctl`, used to download packages. Default false (guessed from runner image names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_has_pulsarctl: Option<bool>,
    /// The image contains `wget`, used for `http(s)://` packages (upstream's field name says `Get`). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_has_get: Option<bool>,
    /// Image of the package-download init container, when downloads run in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloader_image: Option<String>,
    /// Image of the subscription clean-up job. Default: the runner image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_image: Option<String>,
    /// Image of the filebeat sidecar that `logTopicAgent: sidecar` asks for. Default
    /// `streamnative/filebeat:v0.6.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filebeat_image: Option<String>,

    /// Topic the instance's logs are published to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic: Option<String>,
    /// Who publishes logs to `logTopic`: `runtime` (the instance) or `sidecar` (a filebeat container
    /// reading the instance's log files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic_agent: Option<LogTopicAgent>,

    /// CPU and memory of the main container (see `kubectl explain pod.spec.containers.resources`); requests
    /// also become the instance's resources in Pulsar. Memory requests and limits are expected.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Environment variable name → Secret (`path`) and key; read through the instance's secrets provider
    /// (`context.getSecret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_map: Option<BTreeMap<String, SecretRef>>,
    /// Delivery guarantee: `atleast_once` (default), `atmost_once`, `effectively_once` or `manual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantee: Option<ProcessingGuarantee>,
    /// Extra flags for the instance runtime, recorded in the function details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_flags: Option<String>,
    /// Volume mounts of the main container (see `kubectl explain pod.spec.containers.volumeMounts`),
    /// for volumes from `pod.volumes`.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Settings of the generated pods: labels, scheduling, volumes, sidecars, autoscaling, probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodPolicy>,
    /// How to reach the Pulsar cluster: ConfigMap with the service URLs, authentication, TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarMessaging>,
    /// Separate Pulsar endpoint used only to download packages; default: `pulsar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar_package_service: Option<PulsarMessaging>,
    /// State storage for the instance (`context.putState`, counters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_config: Option<StatefulConfig>,

    #[serde(flatten)]
    pub runtime: Runtime,
}
