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
    /// Name of a ConfigMap holding `webServiceURL` (admin/HTTP) and `brokerServiceURL` (binary protocol);
    /// its keys become environment variables of the containers. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar_config: Option<String>,
    /// Legacy: name of a Secret with `clientAuthenticationPlugin` and `clientAuthenticationParameters`,
    /// exposed as environment variables. Superseded by `authConfig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_secret: Option<String>,
    /// Legacy: name of a Secret with `tlsTrustCertsFilePath`, `tlsAllowInsecureConnection` and
    /// `tlsHostnameVerificationEnable`, exposed as environment variables. Superseded by `tlsConfig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret: Option<String>,
    /// TLS settings for connections to Pulsar; replaces `tlsSecret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfig>,
    /// Client authentication against Pulsar (OAuth2 or a generic plugin); replaces `authSecret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_config: Option<AuthConfig>,
    /// Credentials for the subscription clean-up job only; `authConfig` is used when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_auth_config: Option<AuthConfig>,
}

/// TLS towards Pulsar (`pulsar.tlsConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfig {
    /// Connect to Pulsar over TLS (`--use_tls`). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Accept an untrusted broker certificate (`--tls_allow_insecure`). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure: Option<bool>,
    /// Check that the broker certificate matches its host name (`--hostname_verification_enabled`). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_verification: Option<bool>,
    /// Secret holding the trusted CA certificate; mounted under `/etc/tls/pulsar-functions` when `certSecretKey` is set too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_name: Option<String>,
    /// Key of the CA certificate in `certSecretName`; the mounted file becomes `--tls_trust_cert_path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_key: Option<String>,
}

/// Exactly one of the two is expected (checked by validation, not by the schema, as upstream).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfig {
    /// Authenticate with OAuth2 client credentials (Pulsar's `AuthenticationOAuth2` plugin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_config: Option<OAuth2Config>,
    /// Authenticate with any Pulsar client authentication plugin and its parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_auth: Option<GenericAuth>,
}

/// OAuth2 client-credentials authentication; the key file is mounted from a Secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Config {
    /// OAuth2 audience of the Pulsar cluster.
    pub audience: String,
    /// URL of the OAuth2 issuer (token endpoint discovery).
    pub issuer_url: String,
    /// OAuth2 scope to request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Secret holding the OAuth2 private key (credentials) file; mounted under `/etc/oauth2`.
    pub key_secret_name: String,
    /// Key of the credentials file in `keySecretName`, e.g. `auth.json`.
    pub key_secret_key: String,
}

/// Authentication through any Pulsar client authentication plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenericAuth {
    /// Class name of the Pulsar client authentication plugin (`--client_auth_plugin`).
    pub client_authentication_plugin: String,
    /// Parameters string handed to that plugin (`--client_auth_params`).
    pub client_authentication_parameters: String,
}

/// Log settings of a runtime (`java.log`, `python.log`, `golang.log`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeLogConfig {
    /// Log level of the instance; unset keeps the runtime's default (info).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LogLevel>,
    /// Write a rolling log file besides the console, rolled over daily, weekly or monthly, or at
    /// 10, 50 or 100 MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_policy: Option<RotatePolicy>,
    /// Layout of log lines: `json` or `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<LogFormat>,
    /// A complete logging configuration file from a ConfigMap, used instead of the generated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<LogConfigRef>,
    /// Java only: format of the log4j configuration, `xml` (default) or `yaml`.
    #[serde(
        default,
        rename = "javaLog4JConfigFileType",
        skip_serializing_if = "Option::is_none"
    )]
    pub java_log4j_config_file_type: Option<JavaLog4jConfigFileType>,
}

/// Log level of an instance. `off` and `all` are Java only, `panic` Go only.
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

/// When an instance's log file rolls over.
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

/// Layout of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

/// Format of the generated log4j configuration.
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
    /// ConfigMap name.
    pub name: String,
    /// Key of the configuration file in the ConfigMap.
    pub key: String,
}

/// The Java runtime: a jar or nar run by Pulsar's Java instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JavaRuntime {
    /// Path of the jar (or nar) inside the container; the downloaded package is written there. Required.
    pub jar: String,
    /// Where to fetch the package from: `function://`, `source://` or `sink://tenant/namespace/name[@version]`
    /// (Pulsar package service) or an `http(s)://` URL. Empty: the file is already in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jar_location: Option<String>,
    /// Directory whose jars are added to the instance's class path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_dependencies_dir: Option<String>,
    /// Logging of the Java instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
    /// Extra JVM options, appended to the generated ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_opts: Option<Vec<String>>,
    /// Path of the Java instance jar in the image. Default `/pulsar/instances/java-instance.jar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_path: Option<String>,
    /// Main class of the Java instance. Default `org.apache.pulsar.functions.instance.JavaInstanceMain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
}

/// The Python runtime: a `.py`, wheel or zip run by Pulsar's Python instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PythonRuntime {
    /// Path of the Python file, wheel or zip inside the container; the downloaded package is written there. Required.
    pub py: String,
    /// Where to fetch the package from: `function://tenant/namespace/name[@version]` or an `http(s)://` URL.
    /// Empty: the file is already in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub py_location: Option<String>,
    /// Logging of the Python instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
}

/// The Go runtime: an executable built with Pulsar's Go function SDK.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GoRuntime {
    /// Path of the Go executable inside the container; the downloaded package is written there. Required.
    pub go: String,
    /// Where to fetch the executable from: `function://tenant/namespace/name[@version]` or an `http(s)://` URL.
    /// Empty: the file is already in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_location: Option<String>,
    /// Logging of the Go instance (its level only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
}

/// The generic runtime: a function file in another language, run by the generic runner.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenericRuntime {
    /// Path of the function file inside the container. Required.
    pub function_file: String,
    /// Where to fetch the file from (Pulsar package or `http(s)://` URL); empty: already in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_file_location: Option<String>,
    /// Language of the function for the generic runner, e.g. `nodejs`, `python`, `executable`, `wasm`. Required.
    pub language: String,
}

/// The inlined runtime blocks; upstream embeds them at the spec's top level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Runtime {
    /// Run a Java function or connector. Exactly one runtime block is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java: Option<JavaRuntime>,
    /// Run a Python function. Exactly one runtime block is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonRuntime>,
    /// Run a Go function. Exactly one runtime block is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub golang: Option<GoRuntime>,
    /// Run a function in the generic runner (other languages). Exactly one runtime block is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_runtime: Option<GenericRuntime>,
}

/// What a Function or Sink consumes (`spec.input`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputConf {
    /// Java class of the input messages. Default `[B` (byte array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Topics to consume from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// Consume from every topic matching this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_pattern: Option<String>,
    /// Topic → SerDe class name used to decode that topic's messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_serde_sources: Option<BTreeMap<String, String>>,
    /// Topic → schema type (or schema class) used to decode that topic's messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sources: Option<BTreeMap<String, String>>,
    /// Topic (or pattern) → full consumer settings for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_specs: Option<BTreeMap<String, ConsumerConfig>>,
}

/// Consumer settings of one input topic (`input.sourceSpecs`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerConfig {
    /// Schema type used to decode the topic, e.g. `avro`, `json`, `string`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// SerDe class used to decode the topic (upstream spells it `serdeClassname`).
    #[serde(
        default,
        rename = "serdeClassname",
        skip_serializing_if = "Option::is_none"
    )]
    pub serde_classname: Option<String>,
    /// The map key is a topic pattern (regular expression), not a topic name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_regex_pattern: Option<bool>,
    /// Properties handed to the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_properties: Option<BTreeMap<String, String>>,
    /// Pulsar consumer properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_properties: Option<BTreeMap<String, String>>,
    /// Size of the consumer's receive queue, in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_queue_size: Option<i32>,
    /// Decryption of end-to-end encrypted messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
}

/// Where a Function or Source publishes (`spec.output`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutputConf {
    /// Java class of the output messages. Default `[B` (byte array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Topic the results are published to; none: results are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// SerDe class used to encode the output messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_serde_class_name: Option<String>,
    /// Schema type of the output topic, e.g. `avro`, `json`, `string`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_schema_type: Option<String>,
    /// Settings of the producer writing to the output topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_conf: Option<ProducerConfig>,
    /// Topic → JSON string of consumer settings (schema type, schema and consumer properties) for
    /// that output topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sinks: Option<BTreeMap<String, String>>,
}

/// Producer settings of the output (`output.producerConf`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProducerConfig {
    /// Most messages awaiting broker acknowledgement per partition. Sources default to 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages: Option<i32>,
    /// Most messages awaiting acknowledgement across all partitions. Sources default to 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages_across_partitions: Option<i32>,
    /// Use one producer per thread. Sources default to true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_thread_local_producers: Option<bool>,
    /// End-to-end encryption of the produced messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
    /// Batching strategy: `DEFAULT` or `KEY_BASED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
    /// Compression of produced messages. Default `LZ4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
}

/// Compression codec of produced messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CompressionType {
    None,
    Lz4,
    Zlib,
    Zstd,
    Snappy,
}

/// End-to-end encryption keys and failure handling.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoConfig {
    /// Class implementing Pulsar's `CryptoKeyReader` that loads the keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_class_name: Option<String>,
    /// Configuration handed to the key reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_config: Option<BTreeMap<String, String>>,
    /// Names of the keys messages are encrypted with (producer side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_keys: Option<Vec<String>>,
    /// What a producer does when encryption fails: `FAIL` or `SEND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_crypto_failure_action: Option<String>,
    /// What a consumer does when decryption fails: `FAIL`, `DISCARD` or `CONSUME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_crypto_failure_action: Option<String>,
    /// Secrets holding key files, mounted into the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_secrets: Option<Vec<CryptoSecret>>,
}

/// A key file from a Secret, mounted as a volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoSecret {
    /// Secret holding a key file.
    pub secret_name: String,
    /// Key of the file in the Secret.
    pub secret_key: String,
    /// Directory the file is mounted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_volume: Option<String>,
}

/// `secretsMap` value: an env var (the map key) from key `key` of Secret `path`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// Name of the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Key in the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Pod-level settings of the generated StatefulSet (`spec.pod`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodPolicy {
    /// Labels added to the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Node labels a node must carry to run the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Scheduling constraints of the pods (a Kubernetes Affinity, see `kubectl explain pod.spec.affinity`).
    /// Unless `disableDefaultAffinity`, a preferred anti-affinity spreading replicas over nodes is added.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Tolerations of the pods (see `kubectl explain pod.spec.tolerations`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    /// Annotations added to the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Pod-level security context (see `kubectl explain pod.spec.securityContext`); unset: a non-root
    /// user and group and the runtime's default seccomp profile.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Seconds a pod is given to stop before it is killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// Extra volumes of the pods (see `kubectl explain pod.spec.volumes`), to mount with `volumeMounts`.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// Secrets for pulling the images (see `kubectl explain pod.spec.imagePullSecrets`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// Containers run before the main one (see `kubectl explain pod.spec.initContainers`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Vec<Container>>,
    /// Containers run beside the main one (see `kubectl explain pod.spec.containers`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecars: Option<Vec<Container>>,
    /// ServiceAccount the pods run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Built-in HPA rules: `AverageUtilization{CPU,Memory}Percent{80,50,20}`, at most one per resource.
    /// With `maxReplicas` and none of these or `autoScalingMetrics`, the HPA targets 80% CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin_autoscaler: Option<Vec<String>>,
    /// HPA metrics, as a HorizontalPodAutoscaler's `spec.metrics` (autoscaling/v2); the largest
    /// replica count any metric asks for wins. Needs `maxReplicas`.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_metrics: Option<Vec<MetricSpec>>,
    /// HPA scale-up and scale-down behaviour, as a HorizontalPodAutoscaler's `spec.behavior`
    /// (autoscaling/v2). Needs `maxReplicas`.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_behavior: Option<HorizontalPodAutoscalerBehavior>,
    /// VerticalPodAutoscaler for the pods; cannot be combined with `maxReplicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpa: Option<VpaSpec>,
    /// Environment variables of the main container (see `kubectl explain pod.spec.containers.env`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvVar>>,
    /// HTTP liveness probe of the main container on its metrics port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Liveness>,
    /// Startup probe of the main container (see `kubectl explain pod.spec.containers.startupProbe`).
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Do not add the preferred anti-affinity that spreads replicas over nodes. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_default_affinity: Option<bool>,
}

/// The liveness probe (`pod.liveness`): HTTP on the metrics port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Liveness {
    /// Seconds after start before the first probe (packages may take a while to download).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i32>,
    /// Seconds between probes, also the probe timeout; the probe exists only when this is above 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i32>,
    /// Consecutive successes to count as alive again. Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    /// Consecutive failures before the container is restarted. Default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
}

/// State storage of the instance (`spec.statefulConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulConfig {
    /// Pulsar's state storage (the BookKeeper table service) for `context.putState` and counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarStateStore>,
}

/// Pulsar's state store: the BookKeeper table service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarStateStore {
    /// URL of the state storage service, e.g. `bk://bookie:4181` (`--state_storage_serviceurl`). Required.
    pub service_url: String,
    /// Java only: a custom state store implementation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_provider: Option<JavaStateProvider>,
}

/// A custom state store for the Java instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JavaStateProvider {
    /// Class implementing `org.apache.pulsar.functions.instance.state.StateStoreProvider`. Required.
    pub class_name: String,
    /// Configuration of the provider (accepted; the instance is given only the class name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<FreeForm>,
}

/// Delivery guarantee of the instance: `atleast_once`, `atmost_once`, `effectively_once` or `manual`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingGuarantee {
    AtleastOnce,
    AtmostOnce,
    EffectivelyOnce,
    Manual,
}

/// Where a new subscription starts: `latest` or `earliest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionPosition {
    Latest,
    Earliest,
}

/// Who publishes logs to `logTopic`: the instance (`runtime`) or a sidecar (`sidecar`).
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
    /// How the VPA applies its recommendations to the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_policy: Option<VpaUpdatePolicy>,
    /// Bounds of the VPA's recommendations, per container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<VpaResourcePolicy>,
}

/// How the VPA applies recommendations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaUpdatePolicy {
    /// `Off` (recommend only), `Initial` (at pod creation), `Recreate` or `Auto` (evict to apply). VPA's default is `Auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_mode: Option<VpaUpdateMode>,
    /// Fewest live replicas the VPA keeps when evicting pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
}

/// VPA update mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaUpdateMode {
    Off,
    Initial,
    Recreate,
    Auto,
}

/// Per-container bounds of VPA recommendations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaResourcePolicy {
    /// Policies per container; each needs `containerName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_policies: Option<Vec<VpaContainerPolicy>>,
}

/// VPA bounds for one container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpaContainerPolicy {
    /// Container the policy applies to (`*` for all others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// `Auto` (default) or `Off` (no recommendations for this container).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<VpaContainerMode>,
    /// Lowest recommendation per resource, e.g. `cpu: 100m`.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_allowed: Option<BTreeMap<String, Quantity>>,
    /// Highest recommendation per resource, e.g. `memory: 2Gi`.
    #[schemars(transform = crate::schema::kubernetes_type)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_allowed: Option<BTreeMap<String, Quantity>>,
    /// Resources the VPA manages, e.g. `cpu`, `memory`. Default both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controlled_resources: Option<Vec<String>>,
    /// `RequestsAndLimits` (default) or `RequestsOnly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controlled_values: Option<VpaControlledValues>,
}

/// Whether the VPA recommends for a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaContainerMode {
    Auto,
    Off,
}

/// Which values the VPA sets: requests and limits, or requests only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaControlledValues {
    RequestsAndLimits,
    RequestsOnly,
}
