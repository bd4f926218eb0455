//! Function details of a Function.

use fm_api::function::WindowConfig;
use fm_api::FunctionSpec;
use serde_json::Value;

use super::model::{ComponentType, FunctionDetails, Runtime, SinkSpec, SourceSpec};
use super::parts::{self, json_string};
use super::WINDOW_FUNCTION_EXECUTOR;
use crate::component::{Component, RuntimeRef};

/// Key of the window configuration inside `userConfig`, read by `WindowFunctionExecutor`.
pub const WINDOW_CONFIG_KEY: &str = "__WINDOWCONFIGS__";

/// Pulsar's own defaults for a window, as its function worker fills them in before an instance
/// starts (`WindowConfigUtils.inferMissingArguments`): a window without a sliding interval
/// tumbles (slides by its length), and event-time windows get a lag of 0 ms and a watermark
/// every second. Upstream's webhook means to do this too but, for count windows, dereferences
/// unset fields and rejects the resource; the Kubernetes runtime starts the instance directly,
/// so nothing else would fill them in.
pub(crate) fn infer_missing_window_settings(window: &mut WindowConfig) {
    if window.window_length_duration_ms.is_some() && window.sliding_interval_duration_ms.is_none() {
        window.sliding_interval_duration_ms = window.window_length_duration_ms;
    }
    if window.window_length_count.is_some() && window.sliding_interval_count.is_none() {
        window.sliding_interval_count = window.window_length_count;
    }
    if window.timestamp_extractor_class_name.is_some() {
        window.max_lag_ms.get_or_insert(DEFAULT_MAX_LAG_MS);
        window
            .watermark_emit_interval_ms
            .get_or_insert(DEFAULT_WATERMARK_EMIT_INTERVAL_MS);
    }
}

const DEFAULT_MAX_LAG_MS: i64 = 0;
const DEFAULT_WATERMARK_EMIT_INTERVAL_MS: i64 = 1000;

pub fn build(c: &Component<'_>, spec: &FunctionSpec) -> FunctionDetails {
    let guarantee = c.guarantee();
    let consumer = &spec.consumer;
    let (retain_ordering, retain_key_ordering) = parts::retained_ordering(consumer);

    let mut class_name = c.class_name().to_owned();
    let mut user_config = spec.func_config.clone().map(|f| f.0).unwrap_or_default();
    if let Some(window) = &spec.window_config {
        // The instance runs the windowing executor, which finds the user's class in the
        // window config; the spec's value of that field is always overwritten (upstream).
        let mut window = window.clone();
        window.actual_window_function_class_name = class_name.clone();
        infer_missing_window_settings(&mut window);
        if let Ok(value) = serde_json::to_value(&window) {
            user_config.insert(WINDOW_CONFIG_KEY.to_owned(), value);
        }
        class_name = WINDOW_FUNCTION_EXECUTOR.to_owned();
    }

    let source_connector = spec.source_config.as_ref().map(|s| {
        parts::connector(
            s.source_type.as_deref(),
            s.class_name.as_deref(),
            s.type_class_name.as_deref(),
            s.configs.as_ref(),
            None,
        )
    });
    let sink_connector = spec.sink_config.as_ref().map(|s| {
        parts::connector(
            s.sink_type.as_deref(),
            s.class_name.as_deref(),
            s.type_class_name.as_deref(),
            s.configs.as_ref(),
            Some("sinkType"),
        )
    });
    // A connector's type fills the function's own input/output type only when that is unset;
    // without either, the webhook's default applies.
    let type_or_connector = |own: Option<&String>, connector: &Option<parts::Connector>| {
        let fallback = connector
            .as_ref()
            .map(|c| c.type_class_name.clone())
            .filter(|t| !t.is_empty());
        parts::type_class_name(own.filter(|t| !t.is_empty()).or(fallback.as_ref()))
    };

    let timeout = parts::timeout_ms(consumer);
    let mut source = SourceSpec {
        type_class_name: type_or_connector(
            spec.input.as_ref().and_then(|i| i.type_class_name.as_ref()),
            &source_connector,
        ),
        // Failed messages come back once they time out (upstream and Pulsar's function
        // worker, `FunctionConfigUtils`, both set the delay to the timeout).
        negative_ack_redelivery_delay_ms: timeout,
        skip_to_latest: spec.skip_to_latest.unwrap_or(false),
        ..parts::subscription(consumer, spec.input.as_ref(), guarantee)
    };
    if let Some(connector) = source_connector {
        // A source connector replaces the topic input.
        source.builtin = connector.builtin;
        source.class_name = connector.class_name;
        source.configs = connector.configs;
    }

    let output = spec.output.clone().unwrap_or_default();
    let (schema_properties, consumer_properties) = parts::output_properties(&output);
    let mut sink = SinkSpec {
        type_class_name: type_or_connector(output.type_class_name.as_ref(), &sink_connector),
        topic: output.topic.clone().unwrap_or_default(),
        producer_spec: output.producer_conf.as_ref().map(parts::producer),
        ser_de_class_name: output.sink_serde_class_name.clone().unwrap_or_default(),
        schema_type: output.sink_schema_type.clone().unwrap_or_default(),
        forward_source_message_property: spec.forward_source_message_property.unwrap_or(true),
        schema_properties,
        consumer_properties,
        ..Default::default()
    };
    if let Some(connector) = sink_connector {
        sink.builtin = connector.builtin;
        sink.class_name = connector.class_name;
        sink.configs = connector.configs;
    }

    FunctionDetails {
        tenant: c.tenant().to_owned(),
        namespace: c.pulsar_namespace().to_owned(),
        name: c.pulsar_name().to_owned(),
        class_name,
        log_topic: c.instance_log_topic(),
        processing_guarantees: parts::guarantees(guarantee),
        user_config: if user_config.is_empty() {
            String::new()
        } else {
            json_string(&Value::Object(user_config))
        },
        secrets_map: parts::secrets_map(c),
        runtime: match c.runtime {
            RuntimeRef::Python(_) => Runtime::Python,
            RuntimeRef::Go(_) => Runtime::Go,
            // The generic runtime has no enum value of its own; its instance ignores the field.
            RuntimeRef::Java(_) | RuntimeRef::Generic(_) => Runtime::Java,
        },
        auto_ack: consumer.auto_ack.unwrap_or(true),
        parallelism: parts::parallelism(c),
        source: Some(source),
        sink: Some(sink),
        resources: parts::resources(c),
        retry_details: parts::retry_details(c, consumer),
        runtime_flags: c.common.runtime_flags.clone().unwrap_or_default(),
        component_type: ComponentType::Function,
        retain_ordering,
        retain_key_ordering,
    }
}
