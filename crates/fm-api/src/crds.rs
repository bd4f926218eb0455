//! CustomResourceDefinitions generated from the Rust types, so the schema the API server
//! enforces and the types the code uses cannot drift apart.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

use crate::{Function, FunctionMesh, Sink, Source};

/// The four CRDs, in a fixed order.
pub fn all() -> Vec<CustomResourceDefinition> {
    [
        Function::crd(),
        Source::crd(),
        Sink::crd(),
        FunctionMesh::crd(),
    ]
    .into_iter()
    .map(kubernetes_compatible)
    .collect()
}

/// schemars lists `null` among the `enum` values of an optional enum field; the API server
/// rejects that (seen on a real 1.20 server: "unknown object type nil"). The field stays
/// optional through `nullable`, so `null` is dropped from the list.
fn kubernetes_compatible(crd: CustomResourceDefinition) -> CustomResourceDefinition {
    let Ok(mut value) = serde_json::to_value(&crd) else {
        return crd;
    };
    strip_null_enum_values(&mut value);
    serde_json::from_value(value).unwrap_or(crd)
}

fn strip_null_enum_values(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            map.values_mut().for_each(strip_null_enum_values);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_null_enum_values),
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
