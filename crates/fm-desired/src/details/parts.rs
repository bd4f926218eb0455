//! Pieces of the function details shared by the three kinds.

use std::collections::BTreeMap;

use fm_api::common::{
    ConsumerConfig, CryptoConfig, InputConf, OutputConf, ProcessingGuarantee, ProducerConfig,
    SubscriptionPosition,
};
use fm_api::schema::FreeForm;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::model::{
    CompressionType, ConsumerSpec, CryptoSpec, FailureAction, ProcessingGuarantees, ProducerSpec,
    ReceiverQueueSize, Resources, RetryDetails, SubscriptionType,
};
use crate::component::Component;
use crate::quantity;

/// The class the Java instance loads for a topic's values. Upstream's admission webhook gives
/// an unset or empty `typeClassName` the byte-array class `[B`. Passed on empty, recent Pulsar
/// Java instances (`PulsarSource::open`) load a class named "" at start, with no fallback to the
/// function's own types (older ones had one), and fail.
pub const DEFAULT_TYPE_CLASS_NAME: &str = "[B";

pub fn type_class_name(given: Option<&String>) -> String {
    given
        .filter(|name| !name.is_empty())
        .map_or_else(|| DEFAULT_TYPE_CLASS_NAME.to_owned(), String::clone)
}

pub fn guarantees(g: ProcessingGuarantee) -> ProcessingGuarantees {
    match g {
        ProcessingGuarantee::AtleastOnce => ProcessingGuarantees::AtleastOnce,
        ProcessingGuarantee::AtmostOnce => ProcessingGuarantees::AtmostOnce,
        ProcessingGuarantee::EffectivelyOnce => ProcessingGuarantees::EffectivelyOnce,
        ProcessingGuarantee::Manual => ProcessingGuarantees::Manual,
    }
}

/// FAILOVER keeps per-partition order (needed for retainOrdering and effectively-once),
/// KEY_SHARED keeps per-key order, SHARED otherwise.
pub fn subscription_type(
    retain_ordering: bool,
    retain_key_ordering: bool,
    g: ProcessingGuarantee,
) -> SubscriptionType {
    if retain_ordering || g == ProcessingGuarantee::EffectivelyOnce {
        SubscriptionType::Failover
    } else if retain_key_ordering {
        SubscriptionType::KeyShared
    } else {
        SubscriptionType::Shared
    }
}

/// Upstream defaults an unset position to EARLIEST (Pulsar's own default is LATEST); kept so
/// migrated resources keep consuming from where they did.
pub fn position(p: Option<SubscriptionPosition>) -> super::model::SubscriptionPosition {
    match p {
        Some(SubscriptionPosition::Latest) => super::model::SubscriptionPosition::Latest,
        Some(SubscriptionPosition::Earliest) | None => super::model::SubscriptionPosition::Earliest,
    }
}

/// The subscription part of a Function's or Sink's `FunctionDetails.source`: how its consumer
/// settings and input read there. The caller adds the types and connector of its kind.
pub fn subscription(
    consumer: &fm_api::ConsumerSpec,
    input: Option<&InputConf>,
    g: ProcessingGuarantee,
) -> super::model::SourceSpec {
    let (ordering, key_ordering) = retained_ordering(consumer);
    super::model::SourceSpec {
        subscription_type: subscription_type(ordering, key_ordering, g),
        input_specs: input_specs(input),
        timeout_ms: timeout_ms(consumer),
        subscription_name: consumer.subscription_name.clone().unwrap_or_default(),
        cleanup_subscription: consumer.cleanup_subscription.unwrap_or(false),
        subscription_position: position(consumer.subscription_position),
        ..Default::default()
    }
}

/// `retainOrdering` and `retainKeyOrdering`, false when unset.
pub fn retained_ordering(consumer: &fm_api::ConsumerSpec) -> (bool, bool) {
    (
        consumer.retain_ordering.unwrap_or(false),
        consumer.retain_key_ordering.unwrap_or(false),
    )
}

/// The ack timeout in milliseconds; unset or negative: none (0).
pub fn timeout_ms(consumer: &fm_api::ConsumerSpec) -> u64 {
    consumer.timeout.unwrap_or(0).max(0) as u64
}

/// cpu cores, ram and disk bytes from the **requests** (what the instance is guaranteed).
pub fn resources(c: &Component<'_>) -> Option<Resources> {
    let requests = c.common.resources.as_ref()?.requests.as_ref()?;
    let get = |k: &str| requests.get(k);
    let units = |q: Option<&Quantity>| {
        q.and_then(quantity::to_units)
            .and_then(|v| i64::try_from(v).ok())
            .unwrap_or(0)
    };
    let r = Resources {
        cpu: get("cpu").and_then(quantity::to_f64).unwrap_or(0.0),
        ram: units(get("memory")),
        disk: units(get("ephemeral-storage").or_else(|| get("storage"))),
    };
    (r != Resources::default()).then_some(r)
}

/// Retry details, present only when retries or a dead-letter topic are asked for. Without an
/// explicit DLQ but with retries and no custom subscription, upstream (and Pulsar's own
/// function worker) name it `<tenant>-<namespace>-<name>-DLQ`.
pub fn retry_details(c: &Component<'_>, consumer: &fm_api::ConsumerSpec) -> Option<RetryDetails> {
    let retries = consumer.max_message_retry.unwrap_or(0).max(0);
    let mut dead_letter_topic = consumer.dead_letter_topic.clone().unwrap_or_default();
    let subscription_name = consumer.subscription_name.as_deref().unwrap_or("");
    if dead_letter_topic.is_empty() && retries > 0 && subscription_name.is_empty() {
        dead_letter_topic = format!(
            "{}-{}-{}-DLQ",
            c.tenant(),
            c.pulsar_namespace(),
            c.pulsar_name()
        );
    }
    (retries > 0 || !dead_letter_topic.is_empty()).then_some(RetryDetails {
        max_message_retries: retries,
        dead_letter_topic,
    })
}

fn crypto(cfg: &CryptoConfig) -> CryptoSpec {
    CryptoSpec {
        crypto_key_reader_class_name: cfg.crypto_key_reader_class_name.clone().unwrap_or_default(),
        crypto_key_reader_config: cfg
            .crypto_key_reader_config
            .as_ref()
            .filter(|m| !m.is_empty())
            .map(json_string)
            .unwrap_or_default(),
        producer_encryption_key_name: cfg.encryption_keys.clone().unwrap_or_default(),
        producer_crypto_failure_action: FailureAction::parse(
            cfg.producer_crypto_failure_action.as_deref(),
        ),
        consumer_crypto_failure_action: FailureAction::parse(
            cfg.consumer_crypto_failure_action.as_deref(),
        ),
    }
}

fn consumer(cfg: &ConsumerConfig) -> ConsumerSpec {
    ConsumerSpec {
        schema_type: cfg.schema_type.clone().unwrap_or_default(),
        serde_class_name: cfg.serde_classname.clone().unwrap_or_default(),
        is_regex_pattern: cfg.is_regex_pattern.unwrap_or(false),
        receiver_queue_size: cfg
            .receiver_queue_size
            .map(|value| ReceiverQueueSize { value }),
        schema_properties: cfg.schema_properties.clone().unwrap_or_default(),
        consumer_properties: cfg.consumer_properties.clone().unwrap_or_default(),
        crypto_spec: cfg.crypto_config.as_ref().map(crypto),
    }
}

/// `inputSpecs`: plain topics, the topic pattern, custom serde/schema topics and full
/// consumer specs, later sources refining earlier entries for the same topic.
pub fn input_specs(input: Option<&InputConf>) -> BTreeMap<String, ConsumerSpec> {
    let mut specs = BTreeMap::new();
    let Some(input) = input else { return specs };
    for topic in input.topics.iter().flatten() {
        specs
            .entry(topic.clone())
            .or_insert_with(ConsumerSpec::default);
    }
    if let Some(pattern) = input.topic_pattern.as_deref().filter(|p| !p.is_empty()) {
        specs
            .entry(pattern.to_owned())
            .or_insert_with(ConsumerSpec::default)
            .is_regex_pattern = true;
    }
    for (topic, serde) in input.custom_serde_sources.iter().flatten() {
        specs
            .entry(topic.clone())
            .or_insert_with(ConsumerSpec::default)
            .serde_class_name = serde.clone();
    }
    for (topic, schema) in input.custom_schema_sources.iter().flatten() {
        specs
            .entry(topic.clone())
            .or_insert_with(ConsumerSpec::default)
            .schema_type = schema.clone();
    }
    for (topic, cfg) in input.source_specs.iter().flatten() {
        specs.insert(topic.clone(), consumer(cfg));
    }
    specs
}

fn compression(c: Option<fm_api::common::CompressionType>) -> CompressionType {
    use fm_api::common::CompressionType as C;
    match c {
        None | Some(C::Lz4) => CompressionType::Lz4,
        Some(C::None) => CompressionType::None,
        Some(C::Zlib) => CompressionType::Zlib,
        Some(C::Zstd) => CompressionType::Zstd,
        Some(C::Snappy) => CompressionType::Snappy,
    }
}

pub fn producer(p: &ProducerConfig) -> ProducerSpec {
    ProducerSpec {
        max_pending_messages: p.max_pending_messages.unwrap_or(0),
        max_pending_messages_across_partitions: p
            .max_pending_messages_across_partitions
            .unwrap_or(0),
        use_thread_local_producers: p.use_thread_local_producers.unwrap_or(false),
        crypto_spec: p.crypto_config.as_ref().map(crypto),
        batch_builder: p.batch_builder.clone().unwrap_or_default(),
        compression_type: compression(p.compression_type),
    }
}

/// Schema and consumer properties for the output topic, from `customSchemaSinks[topic]`
/// (upstream stores a JSON-encoded ConsumerConfig there). Unparsable entries are ignored.
pub fn output_properties(
    output: &OutputConf,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let entry = output
        .topic
        .as_ref()
        .and_then(|t| output.custom_schema_sinks.as_ref()?.get(t))
        .and_then(|json| serde_json::from_str::<ConsumerConfig>(json).ok());
    match entry {
        Some(cfg) => (
            cfg.schema_properties.unwrap_or_default(),
            cfg.consumer_properties.unwrap_or_default(),
        ),
        None => Default::default(),
    }
}

/// A value serialised to compact JSON (string maps and free-form objects cannot fail).
pub fn json_string<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// JSON of a free-form config, empty when absent or empty.
pub fn config_string(cfg: Option<&FreeForm>) -> String {
    cfg.filter(|c| !c.is_empty())
        .map(json_string)
        .unwrap_or_default()
}

/// `secretsMap` as the JSON string the secrets provider receives.
pub fn secrets_map(c: &Component<'_>) -> String {
    c.common
        .secrets_map
        .as_ref()
        .filter(|m| !m.is_empty())
        .map(json_string)
        .unwrap_or_default()
}

pub fn parallelism(c: &Component<'_>) -> i32 {
    if c.common.show_precise_parallelism.unwrap_or(false) {
        c.replicas()
    } else {
        // Upstream's default: a constant keeps replica changes from altering every pod's
        // command line (which would restart them all).
        1
    }
}

/// What a Function's `sourceConfig` / `sinkConfig` says about the connector that replaces its
/// topic input or output, read as upstream reads it (`buildSourceConnectorDetails`,
/// `buildSinkConnectorDetails` in `controllers/spec/utils.go`): the named fields first, else
/// the same keys inside `configs` (`archive: builtin://<name>` naming a built-in connector);
/// the connector's own configuration is the nested `configs` map plus every other key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Connector {
    pub builtin: String,
    pub class_name: String,
    pub type_class_name: String,
    /// JSON text, empty when there is nothing to pass.
    pub configs: String,
}

/// Keys of a connector's `configs` that describe the connector rather than configure it.
const CONNECTOR_KEYS: [&str; 4] = ["archive", "builtin", "className", "typeClassName"];

/// A config value as text (upstream formats non-strings with Go's `fmt.Sprint`; numbers and
/// booleans read the same).
fn text_of(configs: Option<&FreeForm>, key: &str) -> String {
    match configs.and_then(|c| c.0.get(key)) {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Reads a connector block; `type_key` (`sinkType` for sink connectors) names the key under
/// which the built-in connector's name is also written into its configs, unless set there.
pub fn connector(
    named_type: Option<&str>,
    class_name: Option<&str>,
    type_class_name: Option<&str>,
    configs: Option<&FreeForm>,
    type_key: Option<&str>,
) -> Connector {
    let or_config = |named: Option<&str>, key: &str| {
        named
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| text_of(configs, key))
    };
    let mut builtin = or_config(named_type, "builtin");
    if builtin.is_empty() {
        builtin = text_of(configs, "archive")
            .strip_prefix("builtin://")
            .unwrap_or("")
            .to_owned();
    }
    let mut own = serde_json::Map::new();
    if let Some(c) = configs {
        if let Some(serde_json::Value::Object(nested)) = c.0.get("configs") {
            for (k, v) in nested {
                if !k.is_empty() && !v.is_null() {
                    own.insert(k.clone(), v.clone());
                }
            }
        }
        for (k, v) in &c.0 {
            if k != "configs" && !v.is_null() && !CONNECTOR_KEYS.contains(&k.as_str()) {
                own.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(key) = type_key.filter(|_| !builtin.is_empty()) {
        own.entry(key)
            .or_insert_with(|| serde_json::Value::String(builtin.clone()));
    }
    Connector {
        class_name: or_config(class_name, "className"),
        type_class_name: or_config(type_class_name, "typeClassName"),
        // Only connector keys: upstream then passes the configs as they were written.
        configs: if own.is_empty() {
            config_string(configs)
        } else {
            json_string(&own)
        },
        builtin,
    }
}
