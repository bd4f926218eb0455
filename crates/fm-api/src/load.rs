//! Strict loading of manifests: a multi-document YAML (or JSON) stream into typed documents.
//!
//! "Strict" means nothing the user wrote is silently dropped. serde would ignore a misspelled
//! field (and k8s-openapi's types ignore unknown fields by design), so after deserialising each
//! document we serialise it again and compare with what was written: anything present in the
//! input but missing or changed in the output is reported with its path.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::Runtime;
use crate::spec_common::CommonSpec;
use crate::{BackendConfig, Function, FunctionMesh, Sink, Source, API_VERSION};

/// One document of a stream, typed by its `apiVersion` and `kind`.
#[derive(Clone, Debug)]
pub enum Document {
    Function(Box<Function>),
    Source(Box<Source>),
    Sink(Box<Sink>),
    FunctionMesh(Box<FunctionMesh>),
    BackendConfig(Box<BackendConfig>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    /// Any other Kubernetes object, kept as written.
    Other(Value),
}

/// A document and where it was in the stream.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// 1-based position among the stream's non-empty documents.
    pub index: usize,
    pub document: Document,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LoadError {
    #[error("document {index}: not valid YAML: {message}")]
    Syntax { index: usize, message: String },
    #[error("document {index}: {message}")]
    Shape { index: usize, message: String },
    #[error("document {index} ({kind} {name}): {problems}", problems = .problems.join("; "))]
    Fields {
        index: usize,
        kind: String,
        name: String,
        problems: Vec<String>,
    },
}

/// Parses every document of `text`; stops at the first document that cannot be accepted.
pub fn load_stream(text: &str) -> Result<Vec<Loaded>, LoadError> {
    let mut loaded = Vec::new();
    let mut index = 0;
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let value = Value::deserialize(de).map_err(|e| LoadError::Syntax {
            index: index + 1,
            message: e.to_string(),
        })?;
        if value.is_null() {
            continue; // an empty document, e.g. only comments between `---`
        }
        index += 1;
        loaded.push(Loaded {
            index,
            document: load_value(index, value)?,
        });
    }
    Ok(loaded)
}

/// Types one already-parsed document.
pub fn load_value(index: usize, value: Value) -> Result<Document, LoadError> {
    let api_version = string_field(&value, "apiVersion");
    let kind = string_field(&value, "kind");
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        return Err(LoadError::Shape {
            index,
            message: "not a Kubernetes object: `apiVersion` and `kind` are required".into(),
        });
    };
    let document = match (api_version.as_str(), kind.as_str()) {
        (API_VERSION, "Function") => Document::Function(Box::new(strict(index, &value)?)),
        (API_VERSION, "Source") => Document::Source(Box::new(strict(index, &value)?)),
        (API_VERSION, "Sink") => Document::Sink(Box::new(strict(index, &value)?)),
        (API_VERSION, "FunctionMesh") => Document::FunctionMesh(Box::new(strict(index, &value)?)),
        (API_VERSION, "BackendConfig") => {
            Document::BackendConfig(Box::new(strict(index, &value)?))
        }
        (API_VERSION, other) => {
            return Err(LoadError::Shape {
                index,
                message: format!("unknown kind `{other}` in {API_VERSION}; expected Function, Source, Sink, FunctionMesh or BackendConfig"),
            })
        }
        ("v1", "ConfigMap") => Document::ConfigMap(Box::new(strict(index, &value)?)),
        ("v1", "Secret") => Document::Secret(Box::new(strict(index, &value)?)),
        _ => Document::Other(value),
    };
    Ok(document)
}

fn string_field(value: &Value, field: &str) -> Option<String> {
    value.get(field)?.as_str().map(str::to_owned)
}

/// Deserialises `value` as `T` and checks that re-serialising loses nothing.
pub fn strict<T: DeserializeOwned + Serialize>(
    index: usize,
    value: &Value,
) -> Result<T, LoadError> {
    let kind = string_field(value, "kind").unwrap_or_default();
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
        .to_owned();
    let fields_error = |problems| LoadError::Fields {
        index,
        kind: kind.clone(),
        name: name.clone(),
        problems,
    };
    let typed: T = serde_path_to_error::deserialize(value)
        .map_err(|e| fields_error(vec![precise_type_error(value, &e)]))?;
    let back = serde_json::to_value(&typed).map_err(|e| fields_error(vec![e.to_string()]))?;
    let mut problems = Vec::new();
    lost_fields(value, &back, &mut String::new(), &mut problems);
    if problems.is_empty() {
        Ok(typed)
    } else {
        Err(fields_error(problems))
    }
}

/// serde loses the path inside `#[serde(flatten)]` structs (the common spec fields and the
/// runtime blocks), reporting only the enclosing object. Re-reading that object as each
/// flattened part on its own recovers the exact field.
fn precise_type_error(
    value: &Value,
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> String {
    let outer = err.path().to_string();
    let inner = value_at(value, err.path()).and_then(|object| {
        let as_common = serde_path_to_error::deserialize::<_, CommonSpec>(object);
        let as_runtime = serde_path_to_error::deserialize::<_, Runtime>(object);
        as_common.err().or(as_runtime.err()).map(|e| {
            format!(
                "{}: {}",
                join_path(&outer, &e.path().to_string()),
                e.inner()
            )
        })
    });
    inner.unwrap_or_else(|| format!("{outer}: {}", err.inner()))
}

fn join_path(outer: &str, inner: &str) -> String {
    match (outer, inner) {
        (".", i) => i.to_owned(),
        (o, ".") => o.to_owned(),
        (o, i) => format!("{o}.{i}"),
    }
}

fn value_at<'v>(value: &'v Value, path: &serde_path_to_error::Path) -> Option<&'v Value> {
    use serde_path_to_error::Segment;
    let mut node = value;
    for segment in path.iter() {
        node = match segment {
            Segment::Map { key } => node.get(key.as_str())?,
            Segment::Seq { index } => node.get(*index)?,
            Segment::Enum { .. } | Segment::Unknown => return None,
        };
    }
    Some(node)
}

/// Collects every path present in `written` that `kept` lacks or holds differently.
fn lost_fields(written: &Value, kept: &Value, path: &mut String, problems: &mut Vec<String>) {
    match (written, kept) {
        (Value::Object(w), Value::Object(k)) => {
            for (key, wv) in w {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                match k.get(key) {
                    Some(kv) => lost_fields(wv, kv, path, problems),
                    // An explicit `null` means "unset", which is what dropping it means too.
                    None if wv.is_null() => {}
                    None => problems.push(format!("unknown field `{path}`")),
                }
                path.truncate(len);
            }
        }
        (Value::Array(w), Value::Array(k)) if w.len() == k.len() => {
            for (i, (wv, kv)) in w.iter().zip(k).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                lost_fields(wv, kv, path, problems);
                path.truncate(len);
            }
        }
        (w, k) if same_scalar(w, k) => {}
        _ => problems.push(format!("field `{path}` could not be kept as written")),
    }
}

/// Scalars are equal when they are equal as written, or numerically equal (YAML `1` vs `1.0`),
/// or a number written where a string (such as a Quantity) is stored.
fn same_scalar(written: &Value, kept: &Value) -> bool {
    match (written, kept) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Number(a), Value::String(b)) => a.to_string() == *b,
        _ => written == kept,
    }
}
