//! Function details of a Source connector.

use fm_api::SourceSpec;
use serde_json::Value;

use super::model::{
    ComponentType, FunctionDetails, ProducerSpec, Runtime, SinkSpec, SourceSpec as Src,
};
use super::parts::{self, json_string};
use super::{BATCH_SOURCE_EXECUTOR, IDENTITY_FUNCTION};
use crate::component::Component;

pub const BATCH_SOURCE_CONFIG_KEY: &str = "__BATCHSOURCECONFIGS__";
pub const BATCH_SOURCE_CLASS_NAME_KEY: &str = "__BATCHSOURCECLASSNAME__";

pub fn build(c: &Component<'_>, spec: &SourceSpec) -> FunctionDetails {
    let output = spec.output.clone().unwrap_or_default();
    let user_config = parts::config_string(spec.source_config.as_ref());

    let mut class_name = c.class_name().to_owned();
    let mut configs = spec.source_config.clone().map(|f| f.0).unwrap_or_default();
    if let Some(batch) = &spec.batch_source_config {
        // The batch executor wraps the connector; it reads the real class and the discovery
        // settings from these two keys (values are strings, as Pulsar's admin tools write them).
        configs.insert(
            BATCH_SOURCE_CONFIG_KEY.to_owned(),
            Value::String(json_string(batch)),
        );
        configs.insert(
            BATCH_SOURCE_CLASS_NAME_KEY.to_owned(),
            Value::String(class_name.clone()),
        );
        class_name = BATCH_SOURCE_EXECUTOR.to_owned();
    }

    let (schema_properties, consumer_properties) = parts::output_properties(&output);
    FunctionDetails {
        tenant: c.tenant().to_owned(),
        namespace: c.pulsar_namespace().to_owned(),
        name: c.pulsar_name().to_owned(),
        class_name: IDENTITY_FUNCTION.to_owned(),
        log_topic: c.instance_log_topic(),
        processing_guarantees: parts::guarantees(c.guarantee()),
        user_config,
        secrets_map: parts::secrets_map(c),
        runtime: Runtime::Java,
        auto_ack: true,
        parallelism: parts::parallelism(c),
        source: Some(Src {
            class_name,
            configs: if configs.is_empty() {
                String::new()
            } else {
                json_string(&Value::Object(configs))
            },
            type_class_name: parts::type_class_name(output.type_class_name.as_ref()),
            ..Default::default()
        }),
        sink: Some(SinkSpec {
            type_class_name: parts::type_class_name(output.type_class_name.as_ref()),
            topic: output.topic.clone().unwrap_or_default(),
            // Always present for sources (upstream defaults it), so the producer settings are explicit.
            producer_spec: Some(
                output
                    .producer_conf
                    .as_ref()
                    .map(parts::producer)
                    .unwrap_or(ProducerSpec {
                        max_pending_messages: crate::defaults::SOURCE_MAX_PENDING_MESSAGES,
                        max_pending_messages_across_partitions:
                            crate::defaults::SOURCE_MAX_PENDING_MESSAGES_ACROSS_PARTITIONS,
                        use_thread_local_producers:
                            crate::defaults::SOURCE_USE_THREAD_LOCAL_PRODUCERS,
                        ..Default::default()
                    }),
            ),
            ser_de_class_name: output.sink_serde_class_name.clone().unwrap_or_default(),
            schema_type: output.sink_schema_type.clone().unwrap_or_default(),
            forward_source_message_property: spec.forward_source_message_property.unwrap_or(true),
            schema_properties,
            consumer_properties,
            ..Default::default()
        }),
        resources: parts::resources(c),
        retry_details: None,
        runtime_flags: c.common.runtime_flags.clone().unwrap_or_default(),
        component_type: ComponentType::Source,
        retain_ordering: false,
        retain_key_ordering: false,
    }
}
