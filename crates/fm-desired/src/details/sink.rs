//! Function details of a Sink connector.

use fm_api::SinkSpec;

use super::model::{ComponentType, FunctionDetails, Runtime, SinkSpec as Snk, SourceSpec};
use super::parts;
use super::IDENTITY_FUNCTION;
use crate::component::Component;

pub fn build(c: &Component<'_>, spec: &SinkSpec) -> FunctionDetails {
    let guarantee = c.guarantee();
    let consumer = &spec.consumer;
    let (retain_ordering, retain_key_ordering) = parts::retained_ordering(consumer);
    let type_class_name =
        parts::type_class_name(spec.input.as_ref().and_then(|i| i.type_class_name.as_ref()));
    let configs = parts::config_string(spec.sink_config.as_ref());
    FunctionDetails {
        tenant: c.tenant().to_owned(),
        namespace: c.pulsar_namespace().to_owned(),
        name: c.pulsar_name().to_owned(),
        class_name: IDENTITY_FUNCTION.to_owned(),
        log_topic: c.instance_log_topic(),
        processing_guarantees: parts::guarantees(guarantee),
        user_config: String::new(),
        secrets_map: parts::secrets_map(c),
        runtime: Runtime::Java,
        auto_ack: consumer.auto_ack.unwrap_or(true),
        parallelism: parts::parallelism(c),
        source: Some(SourceSpec {
            type_class_name: type_class_name.clone(),
            negative_ack_redelivery_delay_ms: spec
                .negative_ack_redelivery_delay_ms
                .unwrap_or(0)
                .max(0) as u64,
            ..parts::subscription(consumer, spec.input.as_ref(), guarantee)
        }),
        sink: Some(Snk {
            class_name: c.class_name().to_owned(),
            configs,
            type_class_name,
            ..Default::default()
        }),
        resources: parts::resources(c),
        retry_details: parts::retry_details(c, consumer),
        runtime_flags: c.common.runtime_flags.clone().unwrap_or_default(),
        component_type: ComponentType::Sink,
        retain_ordering,
        retain_key_ordering,
    }
}
