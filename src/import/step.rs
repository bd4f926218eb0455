//! One Function/Source/Sink spec → the statements of one step. Each field the language can
//! say is taken out of the spec as it is written as a statement, and only when the compiler
//! would write it back the same way; whatever is left — fields without a statement, or
//! values a statement cannot reproduce — goes verbatim into the step's `spec { … }`.

use serde_json::{json, Map, Value as Json};

use crate::syntax::ast::{Runtime, StepKind};

use super::clusters::Clusters;
use super::read::Workload;
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
}

fn take(map: &mut Map<String, Json>, key: &str) -> Option<Json> {
    map.shift_remove(key)
}

fn take_object(map: &mut Map<String, Json>, key: &str) -> Map<String, Json> {
    match map.shift_remove(key) {
        Some(Json::Object(o)) => o,
        Some(other) => {
            // Not an object: leave it for `spec`, where the strict loader will name it.
            map.insert(key.to_owned(), other);
            Map::new()
        }
        None => Map::new(),
    }
}

/// Puts a partly consumed object back, unless nothing is left of it.
fn put_back(map: &mut Map<String, Json>, key: &str, rest: Map<String, Json>) {
    if !rest.is_empty() {
        map.insert(key.to_owned(), Json::Object(rest));
    }
}

fn take_str(map: &mut Map<String, Json>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Json::String(_)) => take(map, key).and_then(|v| v.as_str().map(str::to_owned)),
        _ => None,
    }
}

fn take_i64(map: &mut Map<String, Json>, key: &str) -> Option<i64> {
    let n = map.get(key)?.as_i64()?;
    map.shift_remove(key);
    Some(n)
}

fn take_bool(map: &mut Map<String, Json>, key: &str) -> Option<bool> {
    let b = map.get(key)?.as_bool()?;
    map.shift_remove(key);
    Some(b)
}

/// Topics a step reads and writes, noted before any step is mapped so schemas and
/// producers are known when the statements are written.
pub fn note_topics(workload: &Workload, topics: &mut Topics) {
    let spec = &workload.spec;
    if let Some(output) = spec.get("output") {
        if let Some(topic) = output.get("topic").and_then(Json::as_str) {
            let schema = topics::observed(
                output.get("typeClassName").and_then(Json::as_str),
                output.get("sinkSchemaType").and_then(Json::as_str),
            );
            topics.note(topic, schema, true);
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
            topics.note(topic, topics::observed(type_class, schema_type), false);
        }
    }
}

pub fn map(workload: &Workload, name: &str, cx: &mut Context) -> Draft {
    let mut spec = workload.spec.clone();
    let who = format!(
        "document {} ({} {})",
        workload.document,
        workload.kind.word(),
        workload.name
    );
    let mut out: Vec<String> = Vec::new();
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
    topics_io(&mut spec, &mut out, cx.topics);
    if let Some(t) = take_str(&mut spec, "logTopic") {
        out.push(format!("log-topic {}", write::string(&t)));
    }
    if workload.kind != StepKind::Source {
        delivery(&mut spec, &mut out);
    }
    if let Some(g) = spec.get("processingGuarantee").and_then(Json::as_str) {
        let word = g.replace('_', "-");
        if ["atleast-once", "atmost-once", "effectively-once", "manual"].contains(&word.as_str()) {
            take(&mut spec, "processingGuarantee");
            out.push(format!("guarantee {word}"));
        }
    }
    replicas(&mut spec, &mut out);
    let mut pod = take_object(&mut spec, "pod");
    autoscale(&mut pod, &mut out);
    resources(&mut spec, &mut out);
    env(&mut spec, &mut pod, &mut out, &who, cx.warnings);
    volumes(&mut spec, &mut pod, &mut out);
    pod_settings(&mut pod, &mut out);
    put_back(&mut spec, "pod", pod);

    let mut stateful = take_object(&mut spec, "statefulConfig");
    let mut store = take_object(&mut stateful, "pulsar");
    if let Some(url) = take_str(&mut store, "serviceUrl") {
        out.push(format!("state {}", write::string(&url)));
    }
    put_back(&mut stateful, "pulsar", store);
    put_back(&mut spec, "statefulConfig", stateful);

    let config_key = match workload.kind {
        StepKind::Function => "funcConfig",
        StepKind::Source => "sourceConfig",
        StepKind::Sink => "sinkConfig",
    };
    if let Some(Json::Object(config)) = spec.get(config_key) {
        warn_literal_secrets(config, config_key, &who, cx.warnings);
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

fn warn_literal_secrets(
    config: &Map<String, Json>,
    path: &str,
    who: &str,
    warnings: &mut Vec<String>,
) {
    for (k, v) in config {
        let here = format!("{path}.{k}");
        match v {
            Json::String(s) if !s.is_empty() && crate::passes::looks_secret(k) => warnings.push(format!(
                "{who}: `{here}` holds a literal secret; imported as written, but `fmc check` refuses it: move it to a Secret"
            )),
            Json::Object(inner) => warn_literal_secrets(inner, &here, who, warnings),
            _ => {}
        }
    }
}

/// The runtime block: which runtime, the package and its file name.
fn runtime(
    kind: StepKind,
    spec: &mut Map<String, Json>,
    out: &mut Vec<String>,
    who: &str,
    warnings: &mut Vec<String>,
) -> Runtime {
    // Connectors run on java; a function on the first runtime block it has. Any other
    // runtime block stays in `spec` (and the operator's admission rules judge it).
    let present: Vec<&str> = ["java", "python", "golang"]
        .into_iter()
        .filter(|k| spec.contains_key(*k))
        .collect();
    let key = match kind {
        StepKind::Function => present.first().copied().unwrap_or("java"),
        StepKind::Source | StepKind::Sink => "java",
    };
    for other in present.iter().filter(|k| **k != key) {
        warnings.push(format!(
            "{who}: a {} runs on one runtime, `{key}`; its `{other}` block is kept in `spec`",
            kind.word()
        ));
    }
    let (runtime, file_key, location_key) = match (kind, key) {
        (StepKind::Function, "python") => (Runtime::Python, "py", "pyLocation"),
        (StepKind::Function, "golang") => (Runtime::Go, "go", "goLocation"),
        (StepKind::Function, _) => (Runtime::Java, "jar", "jarLocation"),
        _ => (Runtime::Connector, "jar", "jarLocation"),
    };
    let mut block = take_object(spec, key);
    let file = take_str(&mut block, file_key);
    let location = block
        .get(location_key)
        .and_then(Json::as_str)
        .map(str::to_owned);
    match (&file, location.as_deref()) {
        (_, Some(url)) if url.contains("://") => {
            take(&mut block, location_key);
            out.push(format!("package {}", write::string(url)));
            let derived = derived_file(runtime, url);
            if let Some(file) = file.filter(|f| *f != derived) {
                out.push(format!("file {}", write::string(&file)));
            }
        }
        (Some(url), None | Some("")) if url.contains("://") => {
            // A URL as the file name itself: the compiler would download it as the package
            // and name the file after it, so the block keeps the file and clears the location.
            take(&mut block, location_key);
            out.push(format!("package {}", write::string(url)));
            block.insert(file_key.to_owned(), Json::String(url.clone()));
            block.insert(location_key.to_owned(), Json::Null);
        }
        (Some(file), location) => {
            // An empty location means "the file inside the image", as no location does.
            if location == Some("") {
                take(&mut block, location_key);
            }
            out.push(format!("package {}", write::string(file)));
        }
        (None, _) => {
            warnings.push(format!(
                "{who}: no `{key}.{file_key}`: the step has no package"
            ));
        }
    }
    put_back(spec, key, block);
    runtime
}

/// Log level and JVM options live in the runtime block too; written after `config`.
fn runtime_extras(runtime: Runtime, spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    let key = match runtime {
        Runtime::Python => "python",
        Runtime::Go => "golang",
        Runtime::Java | Runtime::Connector => "java",
    };
    let mut block = take_object(spec, key);
    let mut log = take_object(&mut block, "log");
    if log.len() == 1 {
        if let Some(level) = take_str(&mut log, "level") {
            out.push(format!("log-level {level}"));
        }
    }
    put_back(&mut block, "log", log);
    if runtime != Runtime::Python && runtime != Runtime::Go {
        if let Some(Json::Array(opts)) = block.get("javaOpts") {
            if opts.iter().all(Json::is_string) {
                out.push(format!(
                    "java-opts {}",
                    write::value(&Json::Array(opts.clone()))
                ));
                take(&mut block, "javaOpts");
            }
        }
    }
    put_back(spec, key, block);
}

/// The file name the compiler derives from a package URL (see codegen's `package_file`).
fn derived_file(runtime: Runtime, package: &str) -> String {
    let last = package
        .rsplit('/')
        .next()
        .unwrap_or(package)
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    match runtime {
        _ if last.contains('.') => last,
        Runtime::Java => format!("{last}.jar"),
        Runtime::Python => format!("{last}.py"),
        Runtime::Connector => format!("{last}.nar"),
        Runtime::Go => last,
    }
}

fn topic_ref(topics: &Topics, full: &str) -> String {
    topics
        .get(full)
        .map(|t| t.short.clone())
        .unwrap_or_else(|| write::string(full))
}

/// `in`, `in pattern`, `out`, and the type information the topics' schemas reproduce.
fn topics_io(spec: &mut Map<String, Json>, out: &mut Vec<String>, topics: &Topics) {
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
                .map(|n| topic_ref(topics, n))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // What the compiler will write for these topics; taken only if it is what is there.
        let declared: Vec<_> = names.iter().filter_map(|n| topics.get(n)).collect();
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
        out.push(format!("out {}", topic_ref(topics, &full)));
        if let Some(topic) = topics.get(&full) {
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
    if let Some(p @ ("earliest" | "latest")) =
        spec.get("subscriptionPosition").and_then(Json::as_str)
    {
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

/// Whether the grammar reads `text` as one `measure` token (a number with an optional unit).
fn is_measure(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let end = digits
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(digits.len());
    let (number, unit) = digits.split_at(end);
    let mut parts = number.split('.');
    let whole_ok = parts.next().is_some_and(|w| !w.is_empty());
    let frac_ok = parts.next().is_none_or(|f| !f.is_empty()) && parts.next().is_none();
    whole_ok && frac_ok && unit.chars().all(|c| c.is_ascii_alphabetic())
}

fn quantity_text(v: &Json) -> Option<String> {
    let text = match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        _ => return None,
    };
    is_measure(&text).then_some(text)
}

/// `resources`, or `requests` and `limits` when they differ (cpu and memory only).
fn resources(spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    let mut res = take_object(spec, "resources");
    let mut side = |name: &str| -> Vec<(String, String)> {
        let mut side = take_object(&mut res, name);
        let mut amounts = Vec::new();
        for resource in ["cpu", "memory"] {
            if let Some(q) = side.get(resource).and_then(quantity_text) {
                side.shift_remove(resource);
                amounts.push((resource.to_owned(), q));
            }
        }
        put_back(&mut res, name, side);
        amounts
    };
    let requests = side("requests");
    let limits = side("limits");
    let text = |amounts: &[(String, String)]| {
        amounts
            .iter()
            .map(|(r, q)| format!("{r} {q}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !requests.is_empty() && requests == limits {
        out.push(format!("resources {}", text(&requests)));
    } else {
        if !requests.is_empty() {
            out.push(format!("requests {}", text(&requests)));
        }
        if !limits.is_empty() {
            out.push(format!("limits {}", text(&limits)));
        }
    }
    put_back(spec, "resources", res);
}

/// `secretsMap` and `pod.env` as one `env { … }` block.
fn env(
    spec: &mut Map<String, Json>,
    pod: &mut Map<String, Json>,
    out: &mut Vec<String>,
    who: &str,
    warnings: &mut Vec<String>,
) {
    let mut entries: Vec<String> = Vec::new();
    // Plain name/value pairs only; a `valueFrom` keeps the whole list in `spec`, since a
    // list there replaces the generated one.
    let plain: Option<Vec<(String, String)>> =
        pod.get("env").and_then(Json::as_array).and_then(|list| {
            list.iter()
                .map(|e| {
                    let e = e.as_object()?;
                    if e.len() != 2 {
                        return None;
                    }
                    Some((
                        e.get("name")?.as_str()?.to_owned(),
                        e.get("value")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        });
    if let Some(plain) = plain {
        pod.shift_remove("env");
        for (name, value) in plain {
            if crate::passes::looks_secret(&name) && !value.is_empty() {
                warnings.push(format!(
                    "{who}: env `{name}` holds a literal secret; imported as written, but `fmc check` refuses it: use `secret \"name\" key \"key\"`"
                ));
            }
            entries.push(format!("{}: {}", write::key(&name), write::string(&value)));
        }
    }
    let mut secrets = take_object(spec, "secretsMap");
    let names: Vec<String> = secrets.keys().cloned().collect();
    for name in names {
        let Some(Json::Object(reference)) = secrets.get(&name) else {
            continue;
        };
        let (Some(path), Some(key)) = (
            reference.get("path").and_then(Json::as_str),
            reference.get("key").and_then(Json::as_str),
        ) else {
            continue;
        };
        if reference.len() != 2 {
            continue;
        }
        entries.push(format!(
            "{}: secret {} key {}",
            write::key(&name),
            write::string(path),
            write::string(key)
        ));
        secrets.shift_remove(&name);
    }
    put_back(spec, "secretsMap", secrets);
    match entries.len() {
        0 => {}
        1 => out.push(format!("env {{ {} }}", entries[0])),
        _ => out.push(format!(
            "env {{\n{}\n}}",
            write::indent(&entries.join("\n"), 2)
        )),
    }
}

/// `volume NAME … at "/path"` when volumes and mounts pair up one to one, in order, with
/// nothing but the source the statement can say; otherwise both lists stay in `spec`.
fn volumes(spec: &mut Map<String, Json>, pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let (Some(Json::Array(volumes)), Some(Json::Array(mounts))) =
        (pod.get("volumes"), spec.get("volumeMounts"))
    else {
        return;
    };
    if volumes.len() != mounts.len() {
        return;
    }
    let mut statements = Vec::new();
    for (volume, mount) in volumes.iter().zip(mounts) {
        let (Some(volume), Some(mount)) = (volume.as_object(), mount.as_object()) else {
            return;
        };
        let name = volume
            .get("name")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if super::kebab(name, "") != name || volume.len() != 2 || mount.len() != 2 {
            return;
        }
        if mount.get("name").and_then(Json::as_str) != Some(name) {
            return;
        }
        let Some(path) = mount.get("mountPath").and_then(Json::as_str) else {
            return;
        };
        let source = if volume.get("emptyDir") == Some(&json!({})) {
            "empty-dir".to_owned()
        } else if let Some(Json::Object(s)) = volume.get("secret") {
            match (s.len(), s.get("secretName").and_then(Json::as_str)) {
                (1, Some(n)) => format!("secret {}", write::string(n)),
                _ => return,
            }
        } else if let Some(Json::Object(c)) = volume.get("configMap") {
            match (c.len(), c.get("name").and_then(Json::as_str)) {
                (1, Some(n)) => format!("config-map {}", write::string(n)),
                _ => return,
            }
        } else {
            return;
        };
        statements.push(format!("volume {name} {source} at {}", write::string(path)));
    }
    pod.shift_remove("volumes");
    spec.shift_remove("volumeMounts");
    out.extend(statements);
}

/// `autoscale cpu|memory N%` for resource-utilisation metrics, in the order the compiler
/// writes them (cpu, then memory).
fn autoscale(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let Some(Json::Array(metrics)) = pod.get("autoScalingMetrics") else {
        return;
    };
    let mut statements = Vec::new();
    for metric in metrics {
        let resource = metric.get("resource");
        let name = resource.and_then(|r| r.get("name")).and_then(Json::as_str);
        let target = resource.and_then(|r| r.get("target"));
        let simple = metric.as_object().is_some_and(|m| m.len() == 2)
            && metric.get("type") == Some(&json!("Resource"))
            && resource
                .and_then(Json::as_object)
                .is_some_and(|r| r.len() == 2)
            && target
                .and_then(Json::as_object)
                .is_some_and(|t| t.len() == 2)
            && target.and_then(|t| t.get("type")) == Some(&json!("Utilization"));
        let percent = target
            .and_then(|t| t.get("averageUtilization"))
            .and_then(Json::as_i64);
        match (simple, name, percent) {
            (true, Some(n @ ("cpu" | "memory")), Some(p)) => {
                let n: &'static str = if n == "cpu" { "cpu" } else { "memory" };
                statements.push((n, format!("autoscale {n} {p}%")))
            }
            _ => return,
        }
    }
    let names: Vec<_> = statements.iter().map(|(n, _)| *n).collect();
    if names != ["cpu"] && names != ["memory"] && names != ["cpu", "memory"] {
        return;
    }
    pod.shift_remove("autoScalingMetrics");
    out.extend(statements.into_iter().map(|(_, s)| s));
}

fn string_map(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|m| !m.is_empty() && m.values().all(Json::is_string))
}

/// Labels, annotations, node selector, tolerations, service account, grace period.
fn pod_settings(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    for (key, word) in [
        ("labels", "labels"),
        ("annotations", "annotations"),
        ("nodeSelector", "node-selector"),
    ] {
        if let Some(map) = pod.get(key).filter(|m| string_map(m)) {
            out.push(format!("{word} {}", write::value(map)));
            pod.shift_remove(key);
        }
    }
    if let Some(Json::Array(list)) = pod.get("tolerations") {
        if !list.is_empty()
            && list
                .iter()
                .all(|t| t.as_object().is_some_and(|m| !m.is_empty()))
        {
            for t in list {
                out.push(format!("toleration {}", write::value(t)));
            }
            pod.shift_remove("tolerations");
        }
    }
    if let Some(sa) = take_str(pod, "serviceAccountName") {
        out.push(format!("service-account {}", write::string(&sa)));
    }
    if let Some(s) = take_i64(pod, "terminationGracePeriodSeconds") {
        out.push(format!("termination-grace {s}s"));
    }
}
