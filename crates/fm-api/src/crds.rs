//! CustomResourceDefinitions generated from the Rust types, so the schema the API server
//! enforces and the types the code uses cannot drift apart.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

use crate::{Function, FunctionMesh, Sink, Source};

/// The four CRDs, in a fixed order.
pub fn all() -> Vec<CustomResourceDefinition> {
    vec![
        Function::crd(),
        Source::crd(),
        Sink::crd(),
        FunctionMesh::crd(),
    ]
}

/// All CRDs as one multi-document YAML stream (what `fmc crds` and `fm-operator crds` print).
pub fn to_yaml() -> Result<String, serde_yaml_ng::Error> {
    let mut out = String::new();
    for crd in all() {
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(&crd)?);
    }
    Ok(out)
}
