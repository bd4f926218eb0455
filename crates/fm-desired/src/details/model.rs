//! Pulsar's `FunctionDetails` protobuf (pulsar-functions `Function.proto`) in its canonical
//! protobuf-JSON form: lowerCamelCase field names, enums by name, 64-bit integers as strings,
//! and fields holding their zero value (including an enum's first value) left out — exactly
//! what the Java (`JsonFormat`) and Python (`json_format.Parse`) instances read back.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}
fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}
fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}
fn is_false(v: &bool) -> bool {
    !*v
}
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// protobuf-JSON writes 64-bit integers as strings (JavaScript numbers cannot hold them).
fn u64_string<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}
fn i64_string<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

macro_rules! proto_enum {
    ($name:ident { $first:ident = $first_json:literal $(, $variant:ident = $json:literal)* $(,)? }) => {
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
        pub enum $name {
            #[default]
            #[serde(rename = $first_json)]
            $first,
            $(#[serde(rename = $json)] $variant,)*
        }
    };
}

proto_enum!(ProcessingGuarantees {
    AtleastOnce = "ATLEAST_ONCE",
    AtmostOnce = "ATMOST_ONCE",
    EffectivelyOnce = "EFFECTIVELY_ONCE",
    Manual = "MANUAL",
});
proto_enum!(SubscriptionType { Shared = "SHARED", Failover = "FAILOVER", KeyShared = "KEY_SHARED" });
proto_enum!(SubscriptionPosition { Latest = "LATEST", Earliest = "EARLIEST" });
proto_enum!(Runtime { Java = "JAVA", Python = "PYTHON", Go = "GO" });
proto_enum!(ComponentType { Unknown = "UNKNOWN", Function = "FUNCTION", Source = "SOURCE", Sink = "SINK" });
proto_enum!(CompressionType { Lz4 = "LZ4", None = "NONE", Zlib = "ZLIB", Zstd = "ZSTD", Snappy = "SNAPPY" });
proto_enum!(FailureAction { Fail = "FAIL", Discard = "DISCARD", Consume = "CONSUME", Send = "SEND" });

impl FailureAction {
    /// The action of that exact protobuf name; anything else (`consume` included) is FAIL,
    /// as upstream matches it (`getConsumerProtoFailureAction` in `controllers/spec/utils.go`).
    pub fn parse(s: Option<&str>) -> FailureAction {
        match s {
            Some("DISCARD") => FailureAction::Discard,
            Some("CONSUME") => FailureAction::Consume,
            Some("SEND") => FailureAction::Send,
            _ => FailureAction::Fail,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionDetails {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub class_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub log_topic: String,
    #[serde(skip_serializing_if = "is_default")]
    pub processing_guarantees: ProcessingGuarantees,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_config: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub secrets_map: String,
    #[serde(skip_serializing_if = "is_default")]
    pub runtime: Runtime,
    #[serde(skip_serializing_if = "is_false")]
    pub auto_ack: bool,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub parallelism: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<SinkSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_details: Option<RetryDetails>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub runtime_flags: String,
    #[serde(skip_serializing_if = "is_default")]
    pub component_type: ComponentType,
    #[serde(skip_serializing_if = "is_false")]
    pub retain_ordering: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub retain_key_ordering: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    #[serde(skip_serializing_if = "is_zero_f64")]
    pub cpu: f64,
    #[serde(skip_serializing_if = "is_zero_i64", serialize_with = "i64_string")]
    pub ram: i64,
    #[serde(skip_serializing_if = "is_zero_i64", serialize_with = "i64_string")]
    pub disk: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryDetails {
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub max_message_retries: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dead_letter_topic: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSpec {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub class_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub configs: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub type_class_name: String,
    #[serde(skip_serializing_if = "is_default")]
    pub subscription_type: SubscriptionType,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub input_specs: BTreeMap<String, ConsumerSpec>,
    #[serde(skip_serializing_if = "is_zero_u64", serialize_with = "u64_string")]
    pub timeout_ms: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub builtin: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subscription_name: String,
    #[serde(skip_serializing_if = "is_false")]
    pub cleanup_subscription: bool,
    #[serde(skip_serializing_if = "is_default")]
    pub subscription_position: SubscriptionPosition,
    #[serde(skip_serializing_if = "is_zero_u64", serialize_with = "u64_string")]
    pub negative_ack_redelivery_delay_ms: u64,
    #[serde(skip_serializing_if = "is_false")]
    pub skip_to_latest: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerSpec {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub serde_class_name: String,
    #[serde(skip_serializing_if = "is_false")]
    pub is_regex_pattern: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver_queue_size: Option<ReceiverQueueSize>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub schema_properties: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consumer_properties: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto_spec: Option<CryptoSpec>,
}

/// A wrapper message upstream uses so that 0 can be told apart from "unset".
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReceiverQueueSize {
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub value: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CryptoSpec {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub crypto_key_reader_class_name: String,
    /// JSON string of the key reader's config map.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub crypto_key_reader_config: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub producer_encryption_key_name: Vec<String>,
    #[serde(skip_serializing_if = "is_default")]
    pub producer_crypto_failure_action: FailureAction,
    #[serde(skip_serializing_if = "is_default")]
    pub consumer_crypto_failure_action: FailureAction,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkSpec {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub class_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub configs: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub type_class_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub topic: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer_spec: Option<ProducerSpec>,
    #[serde(rename = "serDeClassName", skip_serializing_if = "String::is_empty")]
    pub ser_de_class_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub builtin: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub schema_type: String,
    #[serde(skip_serializing_if = "is_false")]
    pub forward_source_message_property: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub schema_properties: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consumer_properties: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerSpec {
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub max_pending_messages: i32,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub max_pending_messages_across_partitions: i32,
    #[serde(skip_serializing_if = "is_false")]
    pub use_thread_local_producers: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto_spec: Option<CryptoSpec>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub batch_builder: String,
    #[serde(skip_serializing_if = "is_default")]
    pub compression_type: CompressionType,
}

impl FunctionDetails {
    /// The compact JSON handed to `--function_details`.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, numbers and maps with string keys cannot fail;
        // fall back to an empty object rather than panicking should that ever change.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_values_are_omitted() {
        assert_eq!(FunctionDetails::default().to_json(), "{}");
        let d = FunctionDetails {
            tenant: "public".into(),
            runtime: Runtime::Python,
            processing_guarantees: ProcessingGuarantees::AtleastOnce,
            resources: Some(Resources {
                cpu: 0.1,
                ram: 1_000_000_000,
                disk: 0,
            }),
            source: Some(SourceSpec {
                timeout_ms: 30000,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            d.to_json(),
            r#"{"tenant":"public","runtime":"PYTHON","source":{"timeoutMs":"30000"},"resources":{"cpu":0.1,"ram":"1000000000"}}"#
        );
    }
}
