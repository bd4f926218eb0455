//! CustomResourceDefinitions generated from the Rust types, so the schema the API server
//! enforces and the types the code uses cannot drift apart.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

use crate::{BackendConfig, Function, FunctionMesh, Sink, Source};

/// The five CRDs, in a fixed order.
pub fn all() -> Vec<CustomResourceDefinition> {
    [
        Function::crd(),
        Source::crd(),
        Sink::crd(),
        FunctionMesh::crd(),
        BackendConfig::crd(),
    ]
    .into_iter()
    .map(kubernetes_compatible)
    .map(shallow_mesh_item_docs)
    .map(|crd| edit_json(crd, unwrap_doc_lines))
    .collect()
}

/// The items of a FunctionMesh (`spec.functions[]`, `spec.sources[]`, `spec.sinks[]`) are
/// Function, Source and Sink specs; with all their descriptions, three times over, the mesh CRD
/// would be about 244 KB of JSON, too close to the 262,144 bytes that client-side `kubectl apply`
/// can keep in its last-applied annotation (see [`crate::schema::kubernetes_type`]). So each
/// field of an item keeps its own description (what `kubectl explain functionmesh.spec.functions`
/// lists), and the descriptions nested below it are dropped: the same fields are described in
/// full under their own kind (`kubectl explain function.spec.input.topics`).
fn shallow_mesh_item_docs(crd: CustomResourceDefinition) -> CustomResourceDefinition {
    if crd.spec.names.kind != "FunctionMesh" {
        return crd;
    }
    edit_json(crd, |value| {
        for version in value["spec"]["versions"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            for list in ["functions", "sources", "sinks"] {
                let pointer = format!(
                    "/schema/openAPIV3Schema/properties/spec/properties/{list}/items/properties"
                );
                let fields = version
                    .pointer_mut(&pointer)
                    .and_then(|f| f.as_object_mut());
                for field in fields.into_iter().flat_map(|f| f.values_mut()) {
                    let description = field.get("description").cloned();
                    crate::schema::strip_descriptions(field);
                    if let (Some(description), Some(field)) = (description, field.as_object_mut()) {
                        field.insert("description".into(), description);
                    }
                }
            }
        }
    })
}

/// schemars writes an optional field as `nullable: true` and lists `null` among the `enum`
/// values of an optional enum; both are dropped, as upstream's CRDs (controller-gen) have
/// neither:
/// - the API server rejects `null` in an enum (seen on a real 1.20 server: "unknown object
///   type nil");
/// - a server without OpenAPI v3 (before 1.23) publishes CRD schemas as OpenAPI v2 without
///   the properties of any `nullable` field, so `kubectl explain function.spec.input.topics`
///   answered with `input`'s description (seen on 1.20).
///
/// Optional stays optional: a field is required only when listed in `required`, and a `null`
/// sent for a field that is not nullable is pruned by the API server, which our types read as
/// absent, as they read `null`.
fn kubernetes_compatible(crd: CustomResourceDefinition) -> CustomResourceDefinition {
    edit_json(crd, without_nulls)
}

/// `crd` edited as JSON by `edit`.
fn edit_json(
    crd: CustomResourceDefinition,
    edit: impl FnOnce(&mut serde_json::Value),
) -> CustomResourceDefinition {
    let Ok(mut value) = serde_json::to_value(&crd) else {
        return crd;
    };
    edit(&mut value);
    serde_json::from_value(value).unwrap_or(crd)
}

/// Descriptions come from doc comments, whose line breaks only wrap the source: joined into
/// one line (a blank line, a paragraph break, stays), so `kubectl explain` wraps them to the
/// terminal instead of breaking lines where the source did.
fn unwrap_doc_lines(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(text)) = map.get_mut("description") {
                *text = text
                    .split("\n\n")
                    .map(|paragraph| {
                        paragraph
                            .split('\n')
                            .map(str::trim)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            map.values_mut().for_each(unwrap_doc_lines);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unwrap_doc_lines),
        _ => {}
    }
}

fn without_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            // The keyword holds a boolean; a property that happens to be named `nullable`
            // holds a schema (an object) and stays.
            if map
                .get("nullable")
                .is_some_and(serde_json::Value::is_boolean)
            {
                map.remove("nullable");
            }
            map.values_mut().for_each(without_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_nulls),
        _ => {}
    }
}

/// All CRDs as one multi-document YAML stream (what `fmc crds` and `fm-operator crds` print),
/// written for `kubectl apply -f` (see [`crate::yaml`]).
pub fn to_yaml() -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for crd in all() {
        out.push_str("---\n");
        out.push_str(&crate::yaml::to_string_of(&crd)?);
    }
    Ok(out)
}
