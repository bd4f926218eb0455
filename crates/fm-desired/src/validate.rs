//! Validation before computing objects: upstream's admission rules (upstream:
//! `pkg/webhook/validate.go`, as called by `ValidateCreate` in `pkg/webhook/function_webhook.go`,
//! `source_webhook.go` and `sink_webhook.go`) that decide whether the objects can work, every
//! problem collected.
//!
//! The builders read every optional field with upstream's default already applied, so no
//! separate defaulting pass is needed here. Deliberately not enforced: upstream's rejection of
//! legacy `tenant/namespace/name` package locations (still downloaded, as upstream's own
//! samples use them) and of `minReplicas: 0` (scale to zero is allowed).

use fm_api::common::{InputConf, ProcessingGuarantee};
use fm_api::spec_common::CommonSpec;
use fm_api::{ConsumerSpec, FunctionSpec, SinkSpec, SourceSpec, SpecRef};

use crate::hpa::builtin_rule;
use crate::quantity;
use crate::violation::Violation;

fn common_rules(common: &CommonSpec, errors: &mut Vec<Violation>) {
    match common
        .pulsar
        .as_ref()
        .and_then(|p| p.pulsar_config.as_deref())
    {
        Some(cm) if !cm.is_empty() => {}
        _ => errors.push(Violation::new(
            "pulsar.pulsarConfig",
            "required (the ConfigMap with webServiceURL and brokerServiceURL)",
        )),
    }
    if let Some(p) = &common.pulsar_package_service {
        if p.pulsar_config.as_deref().is_none_or(str::is_empty) {
            errors.push(Violation::new(
                "pulsarPackageService.pulsarConfig",
                "required",
            ));
        }
    }
    for (label, m) in [
        ("pulsar", common.pulsar.as_ref()),
        (
            "pulsarPackageService",
            common.pulsar_package_service.as_ref(),
        ),
    ] {
        if let Some(a) = m.and_then(|m| m.auth_config.as_ref()) {
            if a.oauth2_config.is_some() == a.generic_auth.is_some() {
                errors.push(Violation::new(
                    format!("{label}.authConfig"),
                    "set exactly one of oauth2Config and genericAuth",
                ));
            }
        }
    }

    let replicas = common.replicas;
    if let Some(r) = replicas.filter(|r| *r < 0) {
        errors.push(Violation::new("replicas", format!("must be >= 0, got {r}")));
    }
    if let Some(m) = common.min_replicas.filter(|m| *m < 0) {
        errors.push(Violation::new(
            "minReplicas",
            format!("must be >= 0, got {m}"),
        ));
    }
    if let Some(max) = common.max_replicas {
        if max < 1 {
            errors.push(Violation::new(
                "maxReplicas",
                format!("must be >= 1, got {max}"),
            ));
        }
        if let Some(min) = common.min_replicas.filter(|m| *m > max) {
            errors.push(Violation::new(
                "minReplicas",
                format!("{min} is greater than maxReplicas {max}"),
            ));
        }
        if let Some(r) = replicas.filter(|r| *r > max) {
            errors.push(Violation::new(
                "replicas",
                format!("{r} is greater than maxReplicas {max}"),
            ));
        }
        if common.pod.as_ref().and_then(|p| p.vpa.as_ref()).is_some() {
            errors.push(Violation::new(
                "pod.vpa",
                "cannot be combined with maxReplicas (HPA and VPA would fight)",
            ));
        }
    }

    if let Some(rules) = common
        .pod
        .as_ref()
        .and_then(|p| p.builtin_autoscaler.as_ref())
    {
        let mut seen = Vec::new();
        for rule in rules {
            match builtin_rule(rule) {
                None => errors.push(Violation::new("pod.builtinAutoscaler", format!("unknown rule `{rule}` (AverageUtilization{{CPU,Memory}}Percent{{80,50,20}})"))),
                Some((resource, _)) if seen.contains(&resource) => {
                    errors.push(Violation::new("pod.builtinAutoscaler", format!("more than one {resource} rule")))
                }
                Some((resource, _)) => seen.push(resource),
            }
        }
    }

    if let Some(res) = &common.resources {
        let get = |m: &Option<
            std::collections::BTreeMap<
                String,
                k8s_openapi::apimachinery::pkg::api::resource::Quantity,
            >,
        >,
                   k: &str| { m.as_ref().and_then(|m| m.get(k)).cloned() };
        for (which, map) in [("requests", &res.requests), ("limits", &res.limits)] {
            for (k, q) in map.iter().flatten() {
                match quantity::to_millis(q) {
                    None => errors.push(Violation::new(
                        format!("resources.{which}.{k}"),
                        format!("`{}` is not a quantity", q.0),
                    )),
                    Some(v) if v < 0 => errors.push(Violation::new(
                        format!("resources.{which}.{k}"),
                        "must not be negative",
                    )),
                    Some(_) => {}
                }
            }
        }
        for k in ["cpu", "memory"] {
            let (req, lim) = (get(&res.requests, k), get(&res.limits, k));
            if let (Some(req), Some(lim)) = (
                req.as_ref().and_then(quantity::to_millis),
                lim.as_ref().and_then(quantity::to_millis),
            ) {
                if req > lim {
                    errors.push(Violation::new(
                        format!("resources.requests.{k}"),
                        format!("greater than resources.limits.{k}"),
                    ));
                }
            }
        }
    }

    for (name, secret) in common.secrets_map.iter().flatten() {
        if secret.path.as_deref().is_none_or(str::is_empty)
            || secret.key.as_deref().is_none_or(str::is_empty)
        {
            errors.push(Violation::new(
                format!("secretsMap.{name}"),
                "`path` (the Secret) and `key` are required",
            ));
        }
    }

    let r = &common.runtime;
    let class_missing = common.class_name.as_deref().is_none_or(str::is_empty);
    if let Some(j) = &r.java {
        if j.jar.is_empty() {
            errors.push(Violation::new("java.jar", "required"));
        }
        if class_missing {
            errors.push(Violation::new("className", "required for the java runtime"));
        }
        for (i, opt) in j.java_opts.iter().flatten().enumerate() {
            if let Err(e) = crate::quoting::shell_words(opt) {
                errors.push(Violation::new(
                    format!("java.javaOpts[{i}]"),
                    format!("{e} (each entry is read as shell words, as upstream's script does)"),
                ));
            }
        }
    }
    if let Some(p) = &r.python {
        if p.py.is_empty() {
            errors.push(Violation::new("python.py", "required"));
        }
        if class_missing {
            errors.push(Violation::new(
                "className",
                "required for the python runtime",
            ));
        }
    }
    if let Some(g) = &r.golang {
        if g.go.is_empty() {
            errors.push(Violation::new("golang.go", "required"));
        }
    }
    if let Some(g) = &r.generic_runtime {
        if g.function_file.is_empty() || g.language.is_empty() {
            errors.push(Violation::new(
                "genericRuntime",
                "functionFile and language are required",
            ));
        }
    }
}

/// Retry and guarantee combinations the instances reject or silently ignore.
fn processing_rules(
    guarantee: Option<ProcessingGuarantee>,
    consumer: &ConsumerSpec,
    errors: &mut Vec<Violation>,
) {
    let max_retry = consumer.max_message_retry;
    let effectively_once = guarantee == Some(ProcessingGuarantee::EffectivelyOnce);
    if effectively_once && consumer.timeout.is_some_and(|t| t != 0) {
        errors.push(Violation::new(
            "timeout",
            "not allowed with processingGuarantee effectively_once",
        ));
    }
    if effectively_once && max_retry.is_some_and(|m| m > 0) {
        errors.push(Violation::new(
            "maxMessageRetry",
            "not allowed with processingGuarantee effectively_once",
        ));
    }
    let dead_letter_topic = consumer.dead_letter_topic.as_deref();
    if dead_letter_topic.is_some_and(|d| !d.is_empty()) && max_retry.is_none_or(|m| m <= 0) {
        errors.push(Violation::new(
            "deadLetterTopic",
            "requires maxMessageRetry > 0",
        ));
    }
}

/// Ordering combinations the instances reject. Functions only: upstream's Sink validation
/// leaves `retainOrdering` and `retainKeyOrdering` unchecked (`ValidateCreate` in
/// `api/compute/v1alpha1/sink_webhook.go`).
fn ordering_rules(
    guarantee: Option<ProcessingGuarantee>,
    consumer: &ConsumerSpec,
    errors: &mut Vec<Violation>,
) {
    let ordering = consumer.retain_ordering.unwrap_or(false);
    let key_ordering = consumer.retain_key_ordering.unwrap_or(false);
    if guarantee == Some(ProcessingGuarantee::EffectivelyOnce) && key_ordering {
        errors.push(Violation::new(
            "retainKeyOrdering",
            "not allowed with processingGuarantee effectively_once",
        ));
    }
    if ordering && key_ordering {
        errors.push(Violation::new(
            "retainKeyOrdering",
            "cannot be combined with retainOrdering; set at most one",
        ));
    }
}

fn input_topics(input: Option<&InputConf>) -> Vec<String> {
    let Some(i) = input else { return Vec::new() };
    let mut topics: Vec<String> = i.topics.clone().unwrap_or_default();
    topics.extend(i.topic_pattern.clone().filter(|p| !p.is_empty()));
    for map in [&i.custom_serde_sources, &i.custom_schema_sources] {
        topics.extend(map.iter().flatten().map(|(k, _)| k.clone()));
    }
    topics.extend(i.source_specs.iter().flatten().map(|(k, _)| k.clone()));
    topics
}

fn input_rules(input: Option<&InputConf>, output_topic: Option<&str>, errors: &mut Vec<Violation>) {
    let topics = input_topics(input);
    if topics.is_empty() {
        errors.push(Violation::new("input", "at least one input topic (topics, topicPattern, customSerdeSources, customSchemaSources or sourceSpecs) is required"));
    }
    if let Some(out) = output_topic.filter(|o| !o.is_empty()) {
        if topics.iter().any(|t| t == out) {
            errors.push(Violation::new(
                "output.topic",
                format!("`{out}` is also an input topic"),
            ));
        }
    }
    for (topic, spec) in input
        .and_then(|i| i.source_specs.as_ref())
        .into_iter()
        .flatten()
    {
        if spec.receiver_queue_size.is_some_and(|r| r < 0) {
            errors.push(Violation::new(
                format!("input.sourceSpecs.{topic}.receiverQueueSize"),
                "must be >= 0",
            ));
        }
    }
}

/// Every problem in a Function's spec.
fn function_errors(s: &FunctionSpec) -> Vec<Violation> {
    let mut errors = Vec::new();
    common_rules(&s.common, &mut errors);
    processing_rules(s.common.processing_guarantee, &s.consumer, &mut errors);
    ordering_rules(s.common.processing_guarantee, &s.consumer, &mut errors);
    if s.source_config.is_none() {
        input_rules(
            s.input.as_ref(),
            s.output.as_ref().and_then(|o| o.topic.as_deref()),
            &mut errors,
        );
    }
    if let Some(w) = &s.window_config {
        let by_count = w.window_length_count.is_some();
        let by_time = w.window_length_duration_ms.is_some();
        if by_count == by_time {
            errors.push(Violation::new(
                "windowConfig",
                "set exactly one of windowLengthCount and windowLengthDurationMs",
            ));
        }
        let positive = [
            ("windowLengthCount", w.window_length_count.map(i64::from)),
            ("windowLengthDurationMs", w.window_length_duration_ms),
            (
                "slidingIntervalCount",
                w.sliding_interval_count.map(i64::from),
            ),
            ("slidingIntervalDurationMs", w.sliding_interval_duration_ms),
        ];
        for (field, value) in positive {
            if value.is_some_and(|v| v <= 0) {
                errors.push(Violation::new(
                    format!("windowConfig.{field}"),
                    "must be > 0",
                ));
            }
        }
    }
    errors
}

/// Every problem in a Source's spec.
fn source_errors(s: &SourceSpec) -> Vec<Violation> {
    let mut errors = Vec::new();
    common_rules(&s.common, &mut errors);
    if s.source_config.is_none() {
        errors.push(Violation::new(
            "sourceConfig",
            "required (the connector's configuration)",
        ));
    }
    if s.output
        .as_ref()
        .and_then(|o| o.topic.as_deref())
        .is_none_or(str::is_empty)
    {
        errors.push(Violation::new("output.topic", "required for a source"));
    }
    errors
}

/// Every problem in a Sink's spec.
fn sink_errors(s: &SinkSpec) -> Vec<Violation> {
    let mut errors = Vec::new();
    common_rules(&s.common, &mut errors);
    if s.sink_config.is_none() {
        errors.push(Violation::new(
            "sinkConfig",
            "required (the connector's configuration)",
        ));
    }
    processing_rules(s.common.processing_guarantee, &s.consumer, &mut errors);
    input_rules(s.input.as_ref(), None, &mut errors);
    errors
}

/// Every problem in a Function's, Source's or Sink's spec.
pub fn errors(spec: SpecRef<'_>) -> Vec<Violation> {
    match spec {
        SpecRef::Function(s) => function_errors(s),
        SpecRef::Source(s) => source_errors(s),
        SpecRef::Sink(s) => sink_errors(s),
    }
}
