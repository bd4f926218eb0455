//! How the mesh language's words and literals map to Function Mesh API values: topic schemas
//! to schema types and Java type classes, literals to JSON and to the strings labels and
//! annotations take, runtimes to package file extensions, pod-level security relaxations to
//! the pod security context. One table, read both ways: `codegen` writes resources with it and
//! `import` reads them back with it.

use std::collections::BTreeMap;

// The uid and gid the Pulsar runner images are built for: the operator's own values.
use fm_desired::security::{FS_GROUP, RUN_AS_GROUP as RUNNER_GROUP, RUN_AS_USER as RUNNER_USER};
use k8s_openapi::api::core::v1::{PodSecurityContext, SeccompProfile};
use serde_json::Value as Json;

use crate::syntax::ast::{Map, Runtime, Schema, Value};

/// What a downloaded package's file is named with when its URL has no extension.
pub fn default_extension(runtime: Runtime) -> &'static str {
    match runtime {
        Runtime::Java => ".jar",
        Runtime::Python | Runtime::GenericPython => ".py",
        Runtime::Connector => ".nar",
        Runtime::NodeJs => ".js",
        Runtime::Wasm => ".wasm",
        Runtime::Go | Runtime::Executable => "",
    }
}

/// The pod security context fmc writes for the two pod-level relaxations (`run-as-root`,
/// `seccomp-unconfined`): non-root with the runner's ids and the runtime's seccomp profile
/// unless relaxed. `fmc import` recognises each of the four.
pub fn pod_security_context(as_root: bool, seccomp_unconfined: bool) -> PodSecurityContext {
    let seccomp = if seccomp_unconfined {
        "Unconfined"
    } else {
        "RuntimeDefault"
    };
    PodSecurityContext {
        run_as_non_root: Some(!as_root),
        run_as_user: Some(if as_root { 0 } else { RUNNER_USER }),
        run_as_group: Some(if as_root { 0 } else { RUNNER_GROUP }),
        fs_group: Some(FS_GROUP),
        seccomp_profile: Some(SeccompProfile {
            type_: seccomp.into(),
            localhost_profile: None,
        }),
        ..Default::default()
    }
}

/// Pulsar schema type name for a topic schema, as `customSchemaSources` and `sinkSchemaType`
/// take it; `None` for raw bytes.
pub fn schema_type(schema: &Schema) -> Option<String> {
    let kind = schema.kind.as_deref()?;
    match kind {
        "bytes" => None,
        other => Some(other.replace('-', "_").to_ascii_uppercase()),
    }
}

/// The Java type a schema carries, for `typeClassName`.
pub fn type_class(schema: &Schema) -> Option<String> {
    match (schema.kind.as_deref(), &schema.class) {
        (_, Some(class)) => Some(class.clone()),
        (Some("bytes"), None) => Some("[B".into()),
        (Some("string"), None) => Some("java.lang.String".into()),
        _ => None,
    }
}

/// Labels, annotations and the like: each value as [`scalar_text`] writes it, `None` when empty.
pub fn string_map(map: &Map) -> Option<BTreeMap<String, String>> {
    (!map.is_empty()).then(|| {
        map.iter()
            .map(|(k, v)| (k.value.clone(), scalar_text(&v.value)))
            .collect()
    })
}

/// Text of a scalar for places Kubernetes wants strings (labels, env values).
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) | Value::Measure(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => value_to_json(other).to_string(),
    }
}

/// A map literal as a JSON object ([`value_to_json`] for each value).
pub fn map_to_json(map: &Map) -> serde_json::Map<String, Json> {
    map.iter()
        .map(|(k, v)| (k.value.clone(), value_to_json(&v.value)))
        .collect()
}

/// A literal as JSON: plain numbers become numbers; numbers with units or `%` stay text.
pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::String(s) => Json::String(s.clone()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Null => Json::Null,
        Value::Measure(m) => m
            .parse::<i64>()
            .map(Json::from)
            .ok()
            .or_else(|| {
                m.parse::<f64>()
                    .ok()
                    .and_then(|f| serde_json::Number::from_f64(f).map(Json::Number))
            })
            .unwrap_or_else(|| Json::String(m.clone())),
        Value::List(items) => Json::Array(items.iter().map(|i| value_to_json(&i.value)).collect()),
        Value::Map(m) => Json::Object(map_to_json(m)),
    }
}
