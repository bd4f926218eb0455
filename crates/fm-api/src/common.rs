//! Building blocks shared by Function, Source and Sink specs: Pulsar connection
//! settings, runtimes, inputs, outputs, pod policy, state storage.
//!
//! Field names and casing follow the upstream CRDs exactly (including upstream's
//! spelling quirks such as `serdeClassname`), so existing manifests load unchanged.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscalerBehavior, MetricSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvVar, LocalObjectReference, PodSecurityContext, Probe, Toleration,
    Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema::FreeForm;

/// How a step reaches its Pulsar cluster (`spec.pulsar`, also `spec.pulsarPackageService`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarMessaging {
    /// ConfigMap holding `webServiceURL` and `brokerServiceURL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar_config: Option<String>,
    /// Legacy: Secret with `clientAuthenticationPlugin` / `clientAuthenticationParameters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_secret: Option<String>,
    /// Legacy: Secret with `tlsTrustCertsFilePath`, `tlsAllowInsecureConnection`, `tlsHostnameVerificationEnable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_config: Option<AuthConfig>,
    /// Credentials used only by the subscription clean-up job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_auth_config: Option<AuthConfig>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_verification: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_key: Option<String>,
}

/// Exactly one of the two is expected (checked by validation, not by the schema, as upstream).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_config: Option<OAuth2Config>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_auth: Option<GenericAuth>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Config {
    pub audience: String,
    pub issuer_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub key_secret_name: String,
    pub key_secret_key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenericAuth {
    pub client_authentication_plugin: String,
    pub client_authentication_parameters: String,
}

/// Log settings of a runtime (`java.log`, `python.log`, `golang.log`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeLogConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LogLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_policy: Option<RotatePolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<LogFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<LogConfigRef>,
    #[serde(
        default,
        rename = "javaLog4JConfigFileType",
        skip_serializing_if = "Option::is_none"
    )]
    pub java_log4j_config_file_type: Option<JavaLog4jConfigFileType>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Off,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
    All,
    Panic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RotatePolicy {
    TimedPolicyWithDaily,
    TimedPolicyWithWeekly,
    TimedPolicyWithMonthly,
    #[serde(rename = "SizedPolicyWith10MB")]
    SizedPolicyWith10Mb,
    #[serde(rename = "SizedPolicyWith50MB")]
    SizedPolicyWith50Mb,
    #[serde(rename = "SizedPolicyWith100MB")]
    SizedPolicyWith100Mb,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JavaLog4jConfigFileType {
    Yaml,
    Xml,
    Ini,
}

/// A user-supplied log configuration file in a ConfigMap.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogConfigRef {
    pub name: String,
    pub key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JavaRuntime {
    /// The jar (or nar) path inside the container.
    pub jar: String,
    /// Where to fetch it from: empty = already in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jar_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_dependencies_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_opts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PythonRuntime {
    pub py: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub py_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GoRuntime {
    pub go: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenericRuntime {
    pub function_file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_file_location: Option<String>,
    pub language: String,
}

/// The inlined runtime blocks; upstream embeds them at the spec's top level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Runtime {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java: Option<JavaRuntime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonRuntime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub golang: Option<GoRuntime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_runtime: Option<GenericRuntime>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputConf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_serde_sources: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sources: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_specs: Option<BTreeMap<String, ConsumerConfig>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// Upstream spells it `serdeClassname`.
    #[serde(
        default,
        rename = "serdeClassname",
        skip_serializing_if = "Option::is_none"
    )]
    pub serde_classname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_regex_pattern: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_properties: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_properties: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_queue_size: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutputConf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_serde_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_schema_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_conf: Option<ProducerConfig>,
    /// Topic → JSON string of a ConsumerConfig (upstream's odd encoding, kept as is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sinks: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProducerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages_across_partitions: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_thread_local_producers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CompressionType {
    None,
    Lz4,
    Zlib,
    Zstd,
    Snappy,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_config: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_keys: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_crypto_failure_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_crypto_failure_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_secrets: Option<Vec<CryptoSecret>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoSecret {
    pub secret_name: String,
    pub secret_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_volume: Option<String>,
}

/// `secretsMap` value: an env var (the map key) from key `key` of Secret `path`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Pod-level settings of the generated StatefulSet (`spec.pod`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Vec<Container>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecars: Option<Vec<Container>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// `AverageUtilization{CPU,Memory}Percent{80,50,20}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin_autoscaler: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_metrics: Option<Vec<MetricSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_behavior: Option<HorizontalPodAutoscalerBehavior>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpa: Option<VpaSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvVar>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Liveness>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_default_affinity: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Liveness {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarStateStore>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarStateStore {
    /// BookKeeper table service, e.g. `bk://bookie:4181`.
    pub service_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_provider: Option<JavaStateProvider>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JavaStateProvider {
    pub class_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<FreeForm>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingGuarantee {
    AtleastOnce,
    AtmostOnce,
    EffectivelyOnce,
    Manual,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionPosition {
    Latest,
    Earliest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogTopicAgent {
    Runtime,
    Sidecar,
}

/// VerticalPodAutoscaler settings (`autoscaling.k8s.io/v1` is not part of k8s-openapi, so the
/// parts upstream embeds are declared here).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_policy: Option<VpaUpdatePolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<VpaResourcePolicy>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaUpdatePolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_mode: Option<VpaUpdateMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaUpdateMode {
    Off,
    Initial,
    Recreate,
    Auto,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaResourcePolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_policies: Option<Vec<VpaContainerPolicy>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaContainerPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<VpaContainerMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_allowed: Option<BTreeMap<String, Quantity>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_allowed: Option<BTreeMap<String, Quantity>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controlled_resources: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controlled_values: Option<VpaControlledValues>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaContainerMode {
    Auto,
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaControlledValues {
    RequestsAndLimits,
    RequestsOnly,
}
