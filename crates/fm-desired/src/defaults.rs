//! Upstream's defaulting (mutating) admission webhook, as one function per kind: what
//! `pkg/webhook/{function,source,sink}_webhook.go` `Default()` sets on create and update. The
//! operator's webhook sends the difference as a JSON patch; the desired-state engine reads the
//! same constants where a resource arrives undefaulted (upstream's webhook may be off, and ours
//! may be unreachable), so a defaulted and an undefaulted resource give the same objects.
//!
//! Not copied from upstream: its count-window branch dereferences unset fields (the request is
//! rejected); here a window without a sliding interval tumbles, as Pulsar's own worker infers.
//! Its resource defaulting mutates copies and so sets nothing; nothing is set here either.

use fm_api::common::{InputConf, LogTopicAgent, OutputConf, ProcessingGuarantee, ProducerConfig};
use fm_api::spec_common::CommonSpec;
use fm_api::{ConsumerSpec, Function, Sink, Source};

/// Pulsar tenant of a resource that names none.
pub const TENANT: &str = "public";
/// Pulsar namespace of a resource that names none.
pub const PULSAR_NAMESPACE: &str = "default";
/// `--cluster_name` of a resource that names none.
pub const CLUSTER_NAME: &str = "kubernetes";
/// A Function's `maxPendingAsyncRequests` when unset.
pub const MAX_PENDING_ASYNC_REQUESTS: i32 = 1000;
/// The producer settings of a Source whose output has none.
pub const SOURCE_MAX_PENDING_MESSAGES: i32 = 1000;
pub const SOURCE_MAX_PENDING_MESSAGES_ACROSS_PARTITIONS: i32 = 1000;
pub const SOURCE_USE_THREAD_LOCAL_PRODUCERS: bool = true;

/// Applies upstream's Function defaults in place.
pub fn function(function: &mut Function) {
    let name = function.metadata.name.clone().unwrap_or_default();
    let spec = &mut function.spec;
    common(&mut spec.common, &name);
    consumer(&mut spec.consumer);
    spec.max_pending_async_requests
        .get_or_insert(MAX_PENDING_ASYNC_REQUESTS);
    spec.forward_source_message_property.get_or_insert(true);
    input_type(spec.input.get_or_insert_with(InputConf::default));
    output_type(spec.output.get_or_insert_with(OutputConf::default));
    if let Some(window) = spec.window_config.as_mut() {
        crate::details::function::infer_missing_window_settings(window);
    }
    log_topic_agent(&mut spec.common, LogTopicAgent::Runtime);
}

/// Applies upstream's Source defaults in place.
pub fn source(source: &mut Source) {
    let name = source.metadata.name.clone().unwrap_or_default();
    let spec = &mut source.spec;
    common(&mut spec.common, &name);
    spec.forward_source_message_property.get_or_insert(true);
    let output = spec.output.get_or_insert_with(OutputConf::default);
    output.producer_conf.get_or_insert_with(|| ProducerConfig {
        max_pending_messages: Some(SOURCE_MAX_PENDING_MESSAGES),
        max_pending_messages_across_partitions: Some(SOURCE_MAX_PENDING_MESSAGES_ACROSS_PARTITIONS),
        use_thread_local_producers: Some(SOURCE_USE_THREAD_LOCAL_PRODUCERS),
        ..Default::default()
    });
    output_type(output);
    // Upstream never hands a Source instance its log topic: the filebeat sidecar ships it.
    log_topic_agent(&mut spec.common, LogTopicAgent::Sidecar);
}

/// Applies upstream's Sink defaults in place.
pub fn sink(sink: &mut Sink) {
    let name = sink.metadata.name.clone().unwrap_or_default();
    let spec = &mut sink.spec;
    common(&mut spec.common, &name);
    consumer(&mut spec.consumer);
    input_type(spec.input.get_or_insert_with(InputConf::default));
    log_topic_agent(&mut spec.common, LogTopicAgent::Sidecar);
}

/// What a Function and a Sink share: acknowledging is on unless turned off.
fn consumer(consumer: &mut ConsumerSpec) {
    consumer.auto_ack.get_or_insert(true);
}

/// What the three kinds share: replicas, guarantee, Pulsar name, tenant, namespace, cluster.
fn common(common: &mut CommonSpec, metadata_name: &str) {
    // Both unset: one replica; one unset: the other's value.
    match (common.replicas, common.min_replicas) {
        (Some(_), Some(_)) => {}
        (None, Some(min)) => common.replicas = Some(min),
        (Some(replicas), None) => common.min_replicas = Some(replicas),
        (None, None) => {
            common.replicas = Some(1);
            common.min_replicas = Some(1);
        }
    }
    common
        .processing_guarantee
        .get_or_insert(ProcessingGuarantee::AtleastOnce);
    // A FunctionMesh member has no metadata of its own; its `name` is its key.
    if !metadata_name.is_empty() {
        fill(&mut common.name, metadata_name);
    }
    fill(&mut common.cluster_name, CLUSTER_NAME);
    fill(&mut common.tenant, TENANT);
    fill(&mut common.namespace, PULSAR_NAMESPACE);
}

/// Sets an unset or empty string (upstream's Go fields are plain strings: empty means unset).
fn fill(field: &mut Option<String>, value: &str) {
    if field.as_deref().is_none_or(str::is_empty) {
        *field = Some(value.to_owned());
    }
}

fn input_type(input: &mut InputConf) {
    fill(
        &mut input.type_class_name,
        crate::details::parts::DEFAULT_TYPE_CLASS_NAME,
    );
}

fn output_type(output: &mut OutputConf) {
    fill(
        &mut output.type_class_name,
        crate::details::parts::DEFAULT_TYPE_CLASS_NAME,
    );
}

/// With a log topic and no agent, the kind's default agent.
fn log_topic_agent(common: &mut CommonSpec, agent: LogTopicAgent) {
    if common.log_topic.as_deref().is_some_and(|t| !t.is_empty())
        && common.log_topic_agent.is_none()
    {
        common.log_topic_agent = Some(agent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function_from(json: serde_json::Value) -> Function {
        serde_json::from_value(json).expect("a Function")
    }

    #[test]
    fn an_empty_function_gets_upstream_defaults() {
        let mut f = function_from(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
            "metadata": {"name": "f"}, "spec": {"logTopic": "persistent://public/default/log"}
        }));
        function(&mut f);
        let spec = serde_json::to_value(&f.spec).expect("JSON");
        assert_eq!(
            spec,
            serde_json::json!({
                "name": "f", "tenant": "public", "namespace": "default", "clusterName": "kubernetes",
                "replicas": 1, "minReplicas": 1, "logTopic": "persistent://public/default/log",
                "logTopicAgent": "runtime", "processingGuarantee": "atleast_once",
                "input": {"typeClassName": "[B"}, "output": {"typeClassName": "[B"},
                "autoAck": true, "forwardSourceMessageProperty": true, "maxPendingAsyncRequests": 1000
            })
        );
    }

    #[test]
    fn given_values_are_kept_and_one_replica_count_fills_the_other() {
        let mut f = function_from(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
            "metadata": {"name": "f"},
            "spec": {"name": "other", "replicas": 3, "autoAck": false, "tenant": "t",
                     "input": {"typeClassName": "java.lang.String"},
                     "windowConfig": {"windowLengthCount": 10, "actualWindowFunctionClassName": "W"}}
        }));
        function(&mut f);
        assert_eq!(f.spec.common.name.as_deref(), Some("other"));
        assert_eq!(f.spec.common.min_replicas, Some(3));
        assert_eq!(f.spec.consumer.auto_ack, Some(false));
        assert_eq!(f.spec.common.tenant.as_deref(), Some("t"));
        let input = f.spec.input.as_ref().expect("input");
        assert_eq!(input.type_class_name.as_deref(), Some("java.lang.String"));
        let window = f.spec.window_config.as_ref().expect("window");
        assert_eq!(
            window.sliding_interval_count,
            Some(10),
            "a count window tumbles"
        );
        let (min_only, mut g) = (Some(2), f.clone());
        g.spec.common.replicas = None;
        g.spec.common.min_replicas = min_only;
        function(&mut g);
        assert_eq!(g.spec.common.replicas, Some(2));
    }

    #[test]
    fn sources_and_sinks_send_log_topics_through_the_sidecar() {
        let mut s: Source = serde_json::from_value(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Source",
            "metadata": {"name": "s"}, "spec": {"logTopic": "persistent://public/default/log"}
        }))
        .expect("a Source");
        source(&mut s);
        assert_eq!(s.spec.common.log_topic_agent, Some(LogTopicAgent::Sidecar));
        let producer = s
            .spec
            .output
            .as_ref()
            .and_then(|o| o.producer_conf.as_ref())
            .expect("producer");
        assert_eq!(producer.max_pending_messages, Some(1000));
        assert_eq!(producer.use_thread_local_producers, Some(true));
        assert!(s.spec.common.processing_guarantee.is_some());

        let mut k: Sink = serde_json::from_value(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Sink",
            "metadata": {"name": "k"}, "spec": {"logTopic": "persistent://public/default/log"}
        }))
        .expect("a Sink");
        sink(&mut k);
        assert_eq!(k.spec.common.log_topic_agent, Some(LogTopicAgent::Sidecar));
        assert_eq!(k.spec.consumer.auto_ack, Some(true));
        assert!(k.spec.common.replicas == Some(1) && k.spec.common.min_replicas == Some(1));
    }

    #[test]
    fn defaulting_twice_changes_nothing() {
        let mut f = function_from(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
            "metadata": {"name": "f"}, "spec": {"windowConfig": {"windowLengthDurationMs": 5000, "actualWindowFunctionClassName": "W"}}
        }));
        function(&mut f);
        let once = serde_json::to_value(&f).expect("JSON");
        function(&mut f);
        assert_eq!(serde_json::to_value(&f).expect("JSON"), once);
    }
}
