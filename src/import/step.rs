//! One Function/Source/Sink spec → the statements of one step. Each field the language can
//! say is taken out of the spec as it is written as a statement, and only when the compiler
//! would write it back the same way; whatever is left — fields without a statement, or
//! values a statement cannot reproduce — goes verbatim into the step's `spec { … }`.

use serde_json::{json, Map, Value as Json};

use crate::model::words;
use crate::syntax::ast::{Runtime, StepKind};

use super::clusters::Clusters;
use super::extras;
use super::fields::{put_back, take, take_bool, take_i64, take_object, take_str};
use super::pod;
use super::read::Workload;
use super::runtime::{runtime, runtime_extras};
use super::topics::{self, Topics};
use super::write;

/// A step ready to be written.
#[derive(Clone, Debug)]
pub struct Draft {
    pub kind: StepKind,
    pub name: String,
    pub runtime: Runtime,
    pub class: Option<String>,
    /// Statements in the order they are written; multi-line ones are indented relative to
    /// their first line.
    pub statements: Vec<String>,
}

/// What a step needs from the rest of the import.
pub struct Context<'a> {
    pub tenant: &'a str,
    pub pulsar_namespace: &'a str,
    pub topics: &'a Topics,
    pub clusters: &'a mut Clusters,
    /// Whether steps name their cluster (more than one cluster in the mesh).
    pub name_clusters: bool,
    pub warnings: &'a mut Vec<String>,
    /// The Secret this step's literal secrets move to, and the values moved so far.
    pub secret: String,
    pub moved: &'a mut Vec<super::secrets::MovedSecret>,
    /// What moved, said apart from the other warnings (it has a code of its own).
    pub moved_notes: &'a mut Vec<String>,
}

/// The ConfigMap a step's `pulsar.pulsarConfig` names (`pulsar` when none does, as the
/// cluster import gives it).
pub fn config_map_of(workload: &Workload) -> &str {
    workload
        .spec
        .get("pulsar")
        .and_then(|p| p.get("pulsarConfig"))
        .and_then(Json::as_str)
        .unwrap_or("pulsar")
}

/// Topics a step reads and writes, noted before any step is mapped so schemas and
/// producers are known when the statements are written.
pub fn note_topics(workload: &Workload, topics: &mut Topics) {
    let spec = &workload.spec;
    let config_map = config_map_of(workload);
    if let Some(output) = spec.get("output") {
        if let Some(topic) = output.get("topic").and_then(Json::as_str) {
            let schema = topics::observed(
                output.get("typeClassName").and_then(Json::as_str),
                output.get("sinkSchemaType").and_then(Json::as_str),
            );
            topics.note(topic, schema, true, config_map);
        }
    }
    if let Some(input) = spec.get("input") {
        let type_class = input.get("typeClassName").and_then(Json::as_str);
        for topic in input
            .get("topics")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            let schema_type = input
                .pointer(&format!(
                    "/customSchemaSources/{}",
                    topic.replace('~', "~0").replace('/', "~1")
                ))
                .and_then(Json::as_str);
            topics.note(
                topic,
                topics::observed(type_class, schema_type),
                false,
                config_map,
            );
        }
    }
}

pub fn map(workload: &Workload, name: &str, cx: &mut Context) -> Draft {
    let mut spec = workload.spec.clone();
    let config_map = config_map_of(workload).to_owned();
    let who = format!(
        "document {} ({} {})",
        workload.document,
        workload.kind.word(),
        workload.name
    );
    let mut out: Vec<String> = Vec::new();
    let config_key = match workload.kind {
        StepKind::Function => "funcConfig",
        StepKind::Source => "sourceConfig",
        StepKind::Sink => "sinkConfig",
    };
    super::secrets::move_literal_secrets(
        &mut spec,
        config_key,
        &cx.secret,
        &who,
        cx.moved,
        cx.moved_notes,
        cx.warnings,
    );
    // The compiler writes the step name; a different `name` stays in `spec` and wins.
    if spec.get("name").and_then(Json::as_str) == Some(name) {
        take(&mut spec, "name");
    }
    let class = take_str(&mut spec, "className");

    // Pulsar tenant and namespace: the mesh's, else kept in `spec`. The compiler always
    // writes them, so a step that left them to Pulsar's defaults gets the mesh's.
    for (key, mesh_value, pulsar_default) in [
        ("tenant", cx.tenant, "public"),
        ("namespace", cx.pulsar_namespace, "default"),
    ] {
        match spec.get(key).and_then(Json::as_str) {
            Some(v) if v == mesh_value => {
                take(&mut spec, key);
            }
            None if mesh_value != pulsar_default => cx.warnings.push(format!(
                "{who}: no `{key}`, so Pulsar's `{pulsar_default}` applied; the mesh's `{mesh_value}` applies now"
            )),
            _ => {}
        }
    }

    // Cluster.
    let pulsar = take_object(&mut spec, "pulsar");
    let cluster_name = spec
        .get("clusterName")
        .and_then(Json::as_str)
        .map(str::to_owned);
    let (cluster, pulsar_rest, cluster_name_kept) =
        cx.clusters
            .for_step(pulsar, cluster_name.as_deref(), &who, cx.warnings);
    put_back(&mut spec, "pulsar", pulsar_rest);
    if cluster_name_kept {
        take(&mut spec, "clusterName");
    }
    if cx.name_clusters {
        out.push(format!("cluster {cluster}"));
    }

    if let Some(image) = take_str(&mut spec, "image") {
        out.push(format!("image {}", write::string(&image)));
    }
    let policy = match spec.get("imagePullPolicy").and_then(Json::as_str) {
        Some("Always") => Some("always"),
        Some("IfNotPresent") => Some("if-not-present"),
        Some("Never") => Some("never"),
        _ => None,
    };
    if let Some(policy) = policy {
        take(&mut spec, "imagePullPolicy");
        out.push(format!("image-pull-policy {policy}"));
    }

    let runtime = runtime(workload.kind, &mut spec, &mut out, &who, cx.warnings);
    topics_io(&mut spec, &mut out, cx.topics, &config_map);
    if let Some(t) = take_str(&mut spec, "logTopic") {
        out.push(format!("log-topic {}", write::string(&t)));
    }
    extras::step_fields(workload.kind, &mut spec, &mut out);
    if workload.kind != StepKind::Source {
        delivery(&mut spec, &mut out);
    }
    if let Some(word) = api_word(&spec, "processingGuarantee", words::GUARANTEE) {
        take(&mut spec, "processingGuarantee");
        out.push(format!("guarantee {word}"));
    }
    if workload.kind == StepKind::Function {
        let topics = cx.topics;
        extras::window(
            &mut spec,
            class.as_deref(),
            |full| topic_ref(topics, full, &config_map),
            &mut out,
        );
    }
    replicas(&mut spec, &mut out);
    let mut pod = take_object(&mut spec, "pod");
    pod::autoscale(&mut pod, &mut out);
    extras::builtin_autoscale(&mut pod, &mut out);
    extras::vpa(&mut pod, &mut out);
    pod::resources(&mut spec, &mut out);
    pod::env(&mut spec, &mut pod, &mut out, &who, cx.warnings);
    if workload.kind == StepKind::Function {
        extras::volume_claims(&mut spec, &mut out);
    }
    pod::volumes(&mut spec, &mut pod, &mut out);
    pod::security_context(&mut pod, &mut out);
    pod::pod_settings(&mut pod, &mut out);
    put_back(&mut spec, "pod", pod);

    let mut stateful = take_object(&mut spec, "statefulConfig");
    let mut store = take_object(&mut stateful, "pulsar");
    if let Some(url) = take_str(&mut store, "serviceUrl") {
        out.push(format!("state {}", write::string(&url)));
    }
    put_back(&mut stateful, "pulsar", store);
    put_back(&mut spec, "statefulConfig", stateful);

    if let Some(Json::Object(config)) = spec.get(config_key) {
        out.push(format!(
            "config {}",
            block_value(&Json::Object(config.clone()))
        ));
        take(&mut spec, config_key);
    }
    runtime_extras(runtime, &mut spec, &mut out);

    // Go functions have no class in the language; one written anyway is kept as written.
    let class = match (runtime, class) {
        (Runtime::Go, Some(class)) => {
            spec.insert("className".into(), Json::String(class));
            None
        }
        (_, class) => class,
    };
    if !spec.is_empty() {
        out.push(format!("spec {}", block_value(&Json::Object(spec))));
    }
    Draft {
        kind: workload.kind,
        name: name.to_owned(),
        runtime,
        class,
        statements: out,
    }
}

/// A map written over several lines when it has more than one entry (config, spec).
fn block_value(v: &Json) -> String {
    match v {
        Json::Object(map) if map.len() > 1 => {
            let mut text = String::from("{\n");
            for (k, v) in map {
                text.push_str(&write::indent(
                    &format!("{}: {}", write::key(k), write::value(v)),
                    2,
                ));
                text.push('\n');
            }
            text.push('}');
            text
        }
        other => write::value(other),
    }
}

fn topic_ref(topics: &Topics, full: &str, config_map: &str) -> String {
    topics
        .get(full, config_map)
        .map(|t| t.short.clone())
        .unwrap_or_else(|| write::string(full))
}

/// `in`, `in pattern`, `out`, and the type information the topics' schemas reproduce.
fn topics_io(
    spec: &mut Map<String, Json>,
    out: &mut Vec<String>,
    topics: &Topics,
    config_map: &str,
) {
    let mut input = take_object(spec, "input");
    let names: Option<Vec<String>> = input.get("topics").and_then(Json::as_array).and_then(|l| {
        l.iter()
            .map(|t| t.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
    });
    if let Some(names) = names.filter(|n| !n.is_empty()) {
        take(&mut input, "topics");
        out.push(format!(
            "in {}",
            names
                .iter()
                .map(|n| topic_ref(topics, n, config_map))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // What the compiler will write for these topics; taken only if it is what is there.
        let declared: Vec<_> = names
            .iter()
            .filter_map(|n| topics.get(n, config_map))
            .collect();
        let type_class = declared
            .first()
            .and_then(|t| topics::generated(&t.schema).0);
        let schemas: Map<String, Json> = declared
            .iter()
            .filter_map(|t| {
                topics::generated(&t.schema)
                    .1
                    .map(|s| (t.full.clone(), json!(s)))
            })
            .collect();
        let written_class = input.get("typeClassName").and_then(Json::as_str);
        if written_class == type_class.as_deref()
            || (written_class.is_none() && type_class.as_deref() == Some("[B"))
        {
            take(&mut input, "typeClassName");
        }
        let written_schemas = input
            .get("customSchemaSources")
            .cloned()
            .unwrap_or(Json::Object(Map::new()));
        if written_schemas == Json::Object(schemas) {
            take(&mut input, "customSchemaSources");
        }
    }
    if let Some(pattern) = take_str(&mut input, "topicPattern") {
        out.push(format!("in pattern {}", write::string(&pattern)));
    }
    put_back(spec, "input", input);

    let mut output = take_object(spec, "output");
    if let Some(full) = take_str(&mut output, "topic") {
        out.push(format!("out {}", topic_ref(topics, &full, config_map)));
        if let Some(topic) = topics.get(&full, config_map) {
            let (type_class, schema_type) = topics::generated(&topic.schema);
            let written_class = output.get("typeClassName").and_then(Json::as_str);
            if written_class == type_class.as_deref()
                || (written_class.is_none() && type_class.as_deref() == Some("[B"))
            {
                take(&mut output, "typeClassName");
            }
            if output.get("sinkSchemaType").and_then(Json::as_str) == schema_type.as_deref() {
                take(&mut output, "sinkSchemaType");
            }
        }
    }
    extras::producer(&mut output, out);
    put_back(spec, "output", output);
}

/// Subscription and delivery settings of functions and sinks.
fn delivery(spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    if let Some(t) = take_str(spec, "deadLetterTopic") {
        out.push(format!("dead-letter {}", write::string(&t)));
    }
    if let Some(s) = take_str(spec, "subscriptionName") {
        out.push(format!("subscription {}", write::string(&s)));
    }
    let ordering = spec.get("retainOrdering").and_then(Json::as_bool);
    let key_ordering = spec.get("retainKeyOrdering").and_then(Json::as_bool);
    match (ordering, key_ordering) {
        (Some(true), None) => {
            take(spec, "retainOrdering");
            out.push("subscription-type failover".into());
        }
        (None, Some(true)) => {
            take(spec, "retainKeyOrdering");
            out.push("subscription-type key-shared".into());
        }
        _ => {}
    }
    if let Some(p) = api_word(spec, "subscriptionPosition", words::POSITION) {
        out.push(format!("position {p}"));
        take(spec, "subscriptionPosition");
    }
    if let Some(b) = take_bool(spec, "autoAck") {
        out.push(format!("auto-ack {b}"));
    }
    if let Some(n) = take_i64(spec, "maxMessageRetry") {
        out.push(format!("max-retries {n}"));
    }
    if let Some(ms) = take_i64(spec, "timeout") {
        out.push(format!("timeout {ms}ms"));
    }
    if let Some(b) = take_bool(spec, "cleanupSubscription") {
        out.push(format!("cleanup-subscription {b}"));
    }
}

/// `replicas N` or `replicas MIN..MAX`. The compiler writes `replicas` = `minReplicas` = MIN,
/// so a `replicas` that differs from `minReplicas` stays in `spec`.
fn replicas(spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    let replicas = spec.get("replicas").and_then(Json::as_i64);
    let min = spec.get("minReplicas").and_then(Json::as_i64);
    let max = spec.get("maxReplicas").and_then(Json::as_i64);
    if replicas.is_none() && min.is_none() && max.is_none() {
        return;
    }
    let low = min.or(replicas).unwrap_or(1);
    if replicas == Some(low) {
        take(spec, "replicas");
    }
    if min == Some(low) {
        take(spec, "minReplicas");
    }
    match max {
        Some(high) => {
            take(spec, "maxReplicas");
            out.push(format!("replicas {low}..{high}"));
        }
        None => out.push(format!("replicas {low}")),
    }
}

/// The mesh word for the API value of `field`, read through the statement's table; `None`
/// when the field is absent or holds a value the language has no word for (it then stays in
/// `spec { … }`).
fn api_word<T: serde::de::DeserializeOwned + PartialEq>(
    spec: &Map<String, Json>,
    field: &str,
    table: &[(&'static str, T)],
) -> Option<&'static str> {
    let value: T = serde_json::from_value(spec.get(field)?.clone()).ok()?;
    words::word(table, &value)
}
