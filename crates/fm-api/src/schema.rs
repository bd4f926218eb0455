//! Schema helpers for fields the CRDs leave free-form.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// A free-form JSON object (`funcConfig`, `sourceConfig`, connector `configs`, …).
///
/// The CRD declares these `type: object` with `x-kubernetes-preserve-unknown-fields`, so the
/// API server keeps whatever the user wrote. Keys keep the order they were written in, so
/// output stays as the author arranged it and is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FreeForm(pub serde_json::Map<String, serde_json::Value>);

impl FreeForm {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for FreeForm {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        FreeForm(map)
    }
}

impl JsonSchema for FreeForm {
    fn schema_name() -> Cow<'static, str> {
        "FreeForm".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true
        })
    }
}

/// Field transform for every field whose type is, or contains, a Kubernetes API type from
/// k8s-openapi (`Affinity`, `Container`, `Volume`, `EnvVar`, `PersistentVolumeClaim`,
/// `MetricSpec`, `Quantity`, …): keeps the field's own description (its doc comment, which
/// schemars writes at the field schema's root before running field transforms) and removes every
/// description nested below it.
///
/// Why: the CRDs inline k8s-openapi's schemas, whose upstream descriptions made them several
/// hundred kilobytes; `kubectl apply` (client-side) copies the whole object into the
/// `kubectl.kubernetes.io/last-applied-configuration` annotation, which the API server caps at
/// 262,144 bytes, so the CRDs could not be applied that way. Those types are documented by
/// Kubernetes itself (`kubectl explain pod.spec.affinity`, …), so the field's doc names the type.
///
/// Why a field attribute (`#[schemars(transform = crate::schema::kubernetes_type)]`) and not a
/// pass over the finished CRD: once inlined, nothing in a schema says where it came from, so a
/// post-processing step could only guess (by path or by shape) and risk stripping our own docs.
/// The attribute sits on exactly the fields that embed Kubernetes types; the test
/// `crates/fm-api/tests/crd_docs.rs` finds those fields independently (through k8s-openapi's
/// `io.k8s.` schema names) and fails if one lacks the attribute or one of ours lacks a doc.
pub fn kubernetes_type(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        for_each_subschema(object, &mut strip_descriptions);
    }
}

/// Removes `description` from this schema and every schema nested in it.
pub(crate) fn strip_descriptions(schema: &mut serde_json::Value) {
    if let serde_json::Value::Object(object) = schema {
        object.remove("description");
        for_each_subschema(object, &mut strip_descriptions);
    }
}

/// Calls `f` on each schema directly nested in `object`, by JSON Schema keyword, so that a
/// *property* named `description` is never mistaken for the keyword.
fn for_each_subschema(
    object: &mut serde_json::Map<String, serde_json::Value>,
    f: &mut impl FnMut(&mut serde_json::Value),
) {
    const SCHEMA_MAPS: &[&str] = &[
        "properties",
        "patternProperties",
        "dependentSchemas",
        "$defs",
        "definitions",
    ];
    const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
    const SCHEMAS: &[&str] = &[
        "items",
        "additionalProperties",
        "additionalItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
    ];
    for (key, value) in object.iter_mut() {
        let key = key.as_str();
        if SCHEMA_MAPS.contains(&key) {
            if let serde_json::Value::Object(map) = value {
                map.values_mut().for_each(&mut *f);
            }
        } else if SCHEMA_LISTS.contains(&key) {
            if let serde_json::Value::Array(list) = value {
                list.iter_mut().for_each(&mut *f);
            }
        } else if SCHEMAS.contains(&key) {
            match value {
                // `items` may be a list of schemas (tuple validation).
                serde_json::Value::Array(list) => list.iter_mut().for_each(&mut *f),
                other => f(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_fields_own_description_and_properties_named_description() {
        let mut schema = json_schema!({
            "description": "ours",
            "type": "object",
            "properties": {
                "description": { "description": "theirs", "type": "string" },
                "list": { "type": "array", "items": { "description": "theirs" } },
                "either": { "anyOf": [{ "description": "theirs" }, { "type": "null" }] },
                "map": { "additionalProperties": { "description": "theirs" } }
            }
        });
        kubernetes_type(&mut schema);
        assert_eq!(
            schema.to_value(),
            serde_json::json!({
                "description": "ours",
                "type": "object",
                "properties": {
                    "description": { "type": "string" },
                    "list": { "type": "array", "items": {} },
                    "either": { "anyOf": [{}, { "type": "null" }] },
                    "map": { "additionalProperties": {} }
                }
            })
        );
    }
}
