//! The fields of the newer statements: message properties, async requests, logging, the log
//! topic agent, windows, the VPA, builtin autoscaler rules, volume claims and the producer.
//! As everywhere in the import, a field is taken only when its statement gives it back
//! exactly; what a statement cannot say stays in `spec { … }`. Words come from the same
//! tables the compiler reads them with (`model::words`).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::model::statements::BuiltinRule;
use crate::model::words;
use crate::syntax::ast::StepKind;

use super::fields::{put_back, take, take_bool, take_object, take_str};
use super::write;

/// The word of a JSON value through a word table, if the value is one of the table's.
fn word_of<T: DeserializeOwned + PartialEq>(
    table: &[(&'static str, T)],
    value: &Json,
) -> Option<&'static str> {
    let typed: T = serde_json::from_value(value.clone()).ok()?;
    words::word(table, &typed)
}

/// A positive whole number that fits the API's 32-bit fields.
fn positive_i32(value: Option<&Json>) -> Option<i64> {
    value
        .and_then(Json::as_i64)
        .filter(|n| *n > 0 && *n <= i64::from(i32::MAX))
}

fn duration(ms: i64) -> String {
    crate::units::duration_text(ms)
}

/// `forward-properties`, `max-pending-async` and `log-topic-agent`.
pub fn step_fields(kind: StepKind, spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    if kind != StepKind::Sink {
        if let Some(b) = take_bool(spec, "forwardSourceMessageProperty") {
            out.push(format!("forward-properties {b}"));
        }
    }
    if kind == StepKind::Function {
        if let Some(n) = positive_i32(spec.get("maxPendingAsyncRequests")) {
            take(spec, "maxPendingAsyncRequests");
            out.push(format!("max-pending-async {n}"));
        }
    }
    if let Some(agent) = spec
        .get("logTopicAgent")
        .and_then(|a| word_of(words::LOG_TOPIC_AGENT, a))
    {
        take(spec, "logTopicAgent");
        out.push(format!("log-topic-agent {agent}"));
    }
}

/// A runtime block's `log`: level, rotation, format, configuration file and its format.
pub fn log(log: &mut Map<String, Json>, out: &mut Vec<String>) {
    if let Some(level) = log.get("level").and_then(Json::as_str) {
        if crate::model::words::LOG_LEVELS.contains(&level) {
            out.push(format!("log-level {level}"));
            take(log, "level");
        }
    }
    type Word = fn(&Json) -> Option<&'static str>;
    let worded: [(&str, &str, Word); 3] = [
        ("rotatePolicy", "log-rotation", |v| {
            word_of(words::LOG_ROTATION, v)
        }),
        ("format", "log-format", |v| word_of(words::LOG_FORMAT, v)),
        ("javaLog4JConfigFileType", "log-config-format", |v| {
            word_of(words::LOG_CONFIG_FORMAT, v)
        }),
    ];
    for (key, statement, word) in worded {
        if let Some(w) = log.get(key).and_then(word) {
            take(log, key);
            out.push(format!("{statement} {w}"));
        }
    }
    let mut config = take_object(log, "logConfig");
    if config.len() == 2 {
        if let (Some(Json::String(name)), Some(Json::String(key))) =
            (config.get("name"), config.get("key"))
        {
            out.push(format!(
                "log-config {} key {}",
                write::string(name),
                write::string(key)
            ));
            config.clear();
        }
    }
    put_back(log, "logConfig", config);
}

/// `window { … }`, taking the fields it can say (the rest stays in `spec.windowConfig`).
pub fn window(
    spec: &mut Map<String, Json>,
    class: Option<&str>,
    topic_ref: impl Fn(&str) -> String,
    out: &mut Vec<String>,
) {
    let mut w = take_object(spec, "windowConfig");
    if w.is_empty() {
        return;
    }
    let original = w.clone();
    let mut lines = Vec::new();
    // The operator always overwrites the class with the function's own: empty, or the
    // function's class, says nothing.
    let actual = w
        .get("actualWindowFunctionClassName")
        .and_then(Json::as_str);
    if actual.is_some_and(|a| a.is_empty() || Some(a) == class) {
        take(&mut w, "actualWindowFunctionClassName");
    }
    for (statement, count_key, ms_key) in [
        ("length", "windowLengthCount", "windowLengthDurationMs"),
        ("slide", "slidingIntervalCount", "slidingIntervalDurationMs"),
    ] {
        let count = positive_i32(w.get(count_key));
        let ms = w.get(ms_key).and_then(Json::as_i64).filter(|ms| *ms > 0);
        match (count, ms) {
            (Some(n), None) => {
                take(&mut w, count_key);
                lines.push(format!("{statement} {n}"));
            }
            (None, Some(ms)) => {
                take(&mut w, ms_key);
                lines.push(format!("{statement} {}", duration(ms)));
            }
            _ => {}
        }
    }
    if let Some(topic) = take_str(&mut w, "lateDataTopic") {
        lines.push(format!("late-data {}", topic_ref(&topic)));
    }
    for (key, statement) in [
        ("maxLagMs", "max-lag"),
        ("watermarkEmitIntervalMs", "watermark-interval"),
    ] {
        if let Some(ms) = w.get(key).and_then(Json::as_i64).filter(|ms| *ms > 0) {
            take(&mut w, key);
            lines.push(format!("{statement} {}", duration(ms)));
        }
    }
    if let Some(class) = take_str(&mut w, "timestampExtractorClassName") {
        lines.push(format!("timestamp-extractor {}", write::string(&class)));
    }
    if let Some(g) = w
        .get("processingGuarantees")
        .and_then(|g| word_of(words::WINDOW_GUARANTEE, g))
    {
        take(&mut w, "processingGuarantees");
        lines.push(format!("guarantee {g}"));
    }
    if !lines.iter().any(|l| l.starts_with("length ")) {
        // A window without a length the statement can say stays in `spec` as written.
        put_back(spec, "windowConfig", original);
        return;
    }
    out.push(block("window", &lines));
    put_back(spec, "windowConfig", w);
}

/// `NAME {` lines `}`, one line per field.
fn block(head: &str, lines: &[String]) -> String {
    let mut text = format!("{head} {{\n");
    for line in lines {
        text.push_str(&write::indent(line, 2));
        text.push('\n');
    }
    text.push('}');
    text
}

/// `cpu Q memory Q` of a resource map holding only cpu and memory.
fn amounts(map: &Json) -> Option<String> {
    let map = map.as_object()?;
    let mut parts = Vec::new();
    for (key, value) in map {
        if key != "cpu" && key != "memory" {
            return None;
        }
        let text = match value {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            _ => return None,
        };
        if crate::units::quantity(&text).is_none_or(|q| q <= 0.0) {
            return None;
        }
        parts.push(format!("{key} {text}"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// `vpa { … }` when the whole of `pod.vpa` can be said; else it all stays in `spec`.
pub fn vpa(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let Some(vpa) = pod.get("vpa").and_then(Json::as_object) else {
        return;
    };
    if let Some(lines) = vpa_lines(vpa) {
        pod.shift_remove("vpa");
        out.push(block("vpa", &lines));
    }
}

fn vpa_lines(vpa: &Map<String, Json>) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    for (key, value) in vpa {
        let value = value.as_object()?;
        match key.as_str() {
            "updatePolicy" => {
                for (k, v) in value {
                    match k.as_str() {
                        "updateMode" => {
                            lines.push(format!("update {}", word_of(words::VPA_UPDATE, v)?))
                        }
                        "minReplicas" => {
                            lines.push(format!("min-replicas {}", positive_i32(Some(v))?))
                        }
                        _ => return None,
                    }
                }
            }
            "resourcePolicy" => {
                for (k, v) in value {
                    if k != "containerPolicies" {
                        return None;
                    }
                    for policy in v.as_array()? {
                        lines.push(vpa_container(policy.as_object()?)?);
                    }
                }
            }
            _ => return None,
        }
    }
    Some(lines)
}

fn vpa_container(policy: &Map<String, Json>) -> Option<String> {
    let name = policy.get("containerName")?.as_str()?;
    let mut lines = Vec::new();
    for (key, value) in policy {
        match key.as_str() {
            "containerName" => {}
            "mode" => lines.push(format!("mode {}", word_of(words::VPA_MODE, value)?)),
            "minAllowed" => lines.push(format!("min {}", amounts(value)?)),
            "maxAllowed" => lines.push(format!("max {}", amounts(value)?)),
            "controlledResources" => {
                let resources: Vec<&str> = value
                    .as_array()?
                    .iter()
                    .map(|r| r.as_str().filter(|r| *r == "cpu" || *r == "memory"))
                    .collect::<Option<_>>()?;
                if resources.is_empty() {
                    return None;
                }
                lines.push(format!("controls {}", resources.join(" ")));
            }
            "controlledValues" => {
                lines.push(format!("values {}", word_of(words::VPA_VALUE, value)?))
            }
            _ => return None,
        }
    }
    Some(block(&format!("container {}", write::string(name)), &lines))
}

/// `builtin-autoscale` for each of upstream's rules, cpu before memory as the compiler
/// writes them, one per resource; anything else stays in `spec`.
pub fn builtin_autoscale(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let Some(Json::Array(rules)) = pod.get("builtinAutoscaler") else {
        return;
    };
    let Some(rules) = rules
        .iter()
        .map(|r| r.as_str().and_then(BuiltinRule::from_api_name))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let resources: Vec<_> = rules.iter().map(|r| r.resource).collect();
    let mut sorted = resources.clone();
    sorted.sort();
    sorted.dedup();
    if rules.is_empty() || sorted != resources {
        return;
    }
    pod.shift_remove("builtinAutoscaler");
    for rule in rules {
        out.push(format!(
            "builtin-autoscale {} {}%",
            crate::model::statements::resource_key(rule.resource),
            rule.percent
        ));
    }
}

/// `volume-claim NAME { … }` for claims of the shape the compiler writes, with `at` from
/// their mount (taken out of `volumeMounts`); all or none.
pub fn volume_claims(spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    let Some(Json::Array(claims)) = spec.get("volumeClaimTemplates") else {
        return;
    };
    let mut statements = Vec::new();
    let mut mounted = Vec::new();
    for claim in claims {
        let Some((name, mut lines)) = claim_lines(claim) else {
            return;
        };
        let mounts: Vec<&Json> = spec
            .get("volumeMounts")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter(|m| m.get("name").and_then(Json::as_str) == Some(name.as_str()))
            .collect();
        match mounts.as_slice() {
            [] => {}
            [mount] => {
                let path = mount.get("mountPath").and_then(Json::as_str);
                match (path, mount.as_object().map(Map::len)) {
                    (Some(path), Some(2)) => lines.push(format!("at {}", write::string(path))),
                    _ => return,
                }
                mounted.push(name.clone());
            }
            _ => return,
        }
        statements.push(block(&format!("volume-claim {name}"), &lines));
    }
    take(spec, "volumeClaimTemplates");
    if let Some(Json::Array(mounts)) = spec.get_mut("volumeMounts") {
        mounts.retain(|m| {
            !m.get("name")
                .and_then(Json::as_str)
                .is_some_and(|n| mounted.iter().any(|c| c == n))
        });
        if mounts.is_empty() {
            take(spec, "volumeMounts");
        }
    }
    out.extend(statements);
}

fn claim_lines(claim: &Json) -> Option<(String, Vec<String>)> {
    let claim = claim.as_object()?;
    let metadata = claim.get("metadata")?.as_object()?;
    let name = metadata.get("name")?.as_str()?;
    if metadata.len() != 1 || super::kebab(name, "") != name {
        return None;
    }
    let spec = claim.get("spec")?.as_object()?;
    // The compiler's claims carry their type (k8s-openapi writes it); others may not.
    let typed = |key: &str, value: &str| claim.get(key).is_none_or(|v| v == value);
    if !typed("apiVersion", "v1") || !typed("kind", "PersistentVolumeClaim") {
        return None;
    }
    if claim
        .keys()
        .any(|k| !["metadata", "spec", "apiVersion", "kind"].contains(&k.as_str()))
    {
        return None;
    }
    let mut lines = Vec::new();
    for (key, value) in spec {
        match key.as_str() {
            "resources" => {
                let resources = value.as_object()?;
                let requests = resources.get("requests")?.as_object()?;
                if resources.len() != 1 || requests.len() != 1 {
                    return None;
                }
                let size = match requests.get("storage")? {
                    Json::String(s) => s.clone(),
                    Json::Number(n) => n.to_string(),
                    _ => return None,
                };
                crate::units::quantity(&size).filter(|q| *q > 0.0)?;
                lines.push(format!("size {size}"));
            }
            "accessModes" => {
                for mode in value.as_array()? {
                    let mode = mode.as_str()?;
                    let word = words::ACCESS_MODE.iter().find(|(_, m)| *m == mode)?.0;
                    lines.push(format!("access {word}"));
                }
            }
            "storageClassName" => {
                lines.push(format!("storage-class {}", write::string(value.as_str()?)))
            }
            _ => return None,
        }
    }
    lines
        .iter()
        .any(|l| l.starts_with("size "))
        .then(|| (name.to_owned(), lines))
}

/// `producer { … }` from `output.producerConf`, taking the fields it can say.
pub fn producer(output: &mut Map<String, Json>, out: &mut Vec<String>) {
    let mut conf = take_object(output, "producerConf");
    let mut lines = Vec::new();
    for (key, statement) in [
        ("maxPendingMessages", "max-pending"),
        (
            "maxPendingMessagesAcrossPartitions",
            "max-pending-across-partitions",
        ),
    ] {
        if let Some(n) = positive_i32(conf.get(key)) {
            take(&mut conf, key);
            lines.push(format!("{statement} {n}"));
        }
    }
    if let Some(b) = take_bool(&mut conf, "useThreadLocalProducers") {
        lines.push(format!("thread-local {b}"));
    }
    if let Some(word) = conf
        .get("batchBuilder")
        .and_then(Json::as_str)
        .and_then(|b| words::BATCHER.iter().find(|(_, v)| *v == b))
        .map(|(w, _)| *w)
    {
        take(&mut conf, "batchBuilder");
        lines.push(format!("batcher {word}"));
    }
    if let Some(word) = conf
        .get("compressionType")
        .and_then(|c| word_of(words::COMPRESSION, c))
    {
        take(&mut conf, "compressionType");
        lines.push(format!("compression {word}"));
    }
    if !lines.is_empty() {
        out.push(block("producer", &lines));
    }
    put_back(output, "producerConf", conf);
}
