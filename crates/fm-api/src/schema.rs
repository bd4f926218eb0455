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
