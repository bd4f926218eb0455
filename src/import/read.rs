//! Reading the YAML stream: every document is first loaded strictly through the API types
//! (`fm_api::load`), so a misspelt or ill-typed field stops the import with the document and
//! the field named; the mapping then works on the documents as written (JSON values), which
//! keeps field order and anything the mapping does not know for the `spec { … }` block.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::syntax::ast::StepKind;

/// A Function, Source or Sink: a standalone resource or a member of a FunctionMesh.
#[derive(Clone, Debug)]
pub struct Workload {
    pub kind: StepKind,
    /// `metadata.name`, or the member's `name` inside a FunctionMesh.
    pub name: String,
    /// 1-based document number, for messages.
    pub document: usize,
    /// The enclosing FunctionMesh's name, for members.
    pub mesh: Option<String>,
    pub spec: Map<String, Json>,
}

/// Object metadata that is not per step: namespace, labels, annotations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub namespace: Option<String>,
    pub labels: Option<Json>,
    pub annotations: Option<Json>,
}

#[derive(Clone, Debug, Default)]
pub struct Documents {
    pub workloads: Vec<Workload>,
    /// Metadata of each top-level Function Mesh object (standalone resource or FunctionMesh).
    pub metas: Vec<(String, Meta)>,
    /// FunctionMesh names, in order.
    pub meshes: Vec<String>,
    /// ConfigMap name → its `data`.
    pub config_maps: BTreeMap<String, BTreeMap<String, String>>,
    /// Where each ConfigMap was: (1-based document number, name), in input order.
    pub config_map_documents: Vec<(usize, String)>,
    pub warnings: Vec<String>,
}

pub fn read(text: &str) -> Result<Documents, String> {
    // Strict pass: errors name the document and the field.
    fm_api::load::load_stream(text).map_err(|e| e.to_string())?;
    let mut docs = Documents::default();
    let mut index = 0;
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let value = Json::deserialize(de).map_err(|e| format!("not valid YAML: {e}"))?;
        if value.is_null() {
            continue;
        }
        index += 1;
        read_document(index, value, &mut docs)?;
    }
    Ok(docs)
}

fn read_document(index: usize, value: Json, docs: &mut Documents) -> Result<(), String> {
    let Json::Object(mut object) = value else {
        return Err(format!("document {index}: not a Kubernetes object"));
    };
    let kind = object
        .get("kind")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut metadata = match object.remove("metadata") {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    let name = metadata
        .get("name")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    // Only what the strict pass checked: it goes by apiVersion and kind (a `v1` Source is
    // some other object, never loaded through the API types).
    let api_version = object.get("apiVersion").and_then(Json::as_str);
    let expected = match kind.as_str() {
        "ConfigMap" | "Secret" => Some("v1"),
        "Function" | "Source" | "Sink" | "FunctionMesh" => Some(fm_api::API_VERSION),
        _ => None,
    };
    if let Some(expected) = expected.filter(|&v| api_version != Some(v)) {
        docs.warnings.push(format!(
            "document {index} ({kind} {name}): apiVersion is not {expected}; not imported"
        ));
        return Ok(());
    }
    let step_kind = StepKind::ALL.into_iter().find(|k| k.kind() == kind);
    match kind.as_str() {
        "ConfigMap" => {
            let data = object
                .get("data")
                .and_then(Json::as_object)
                .map(|d| {
                    d.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            docs.config_map_documents.push((index, name.clone()));
            docs.config_maps.insert(name, data);
            return Ok(());
        }
        "Secret" => {
            // Secrets stay out of the mesh by design: it may only name them.
            docs.warnings.push(format!(
                "document {index} (Secret {name}): not imported; a mesh only names Secrets, apply it separately"
            ));
            return Ok(());
        }
        "Function" | "Source" | "Sink" | "FunctionMesh" => {}
        "BackendConfig" => {
            // Operator-wide defaults, not part of any mesh: they keep applying as they are.
            docs.warnings.push(format!(
                "document {index} (BackendConfig {name}): not imported; BackendConfigs are cluster and namespace defaults for every resource, apply it separately"
            ));
            return Ok(());
        }
        other => {
            docs.warnings.push(format!(
                "document {index} ({other} {name}): not a Function Mesh resource; not imported"
            ));
            return Ok(());
        }
    }
    let meta = Meta {
        namespace: metadata
            .remove("namespace")
            .and_then(|n| n.as_str().map(str::to_owned)),
        labels: metadata.remove("labels"),
        annotations: metadata.remove("annotations"),
    };
    metadata.remove("name");
    for extra in metadata.keys() {
        docs.warnings.push(format!(
            "document {index} ({kind} {name}): metadata.{extra} has no place in a mesh; not imported"
        ));
    }
    if object.get("status").is_some() {
        docs.warnings.push(format!(
            "document {index} ({kind} {name}): status is the operator's; not imported"
        ));
    }
    docs.metas.push((name.clone(), meta));
    let spec = match object.remove("spec") {
        Some(Json::Object(s)) => s,
        _ => {
            return Err(format!(
                "document {index} ({kind} {name}): `spec` is missing"
            ))
        }
    };
    match step_kind {
        Some(kind) => docs.workloads.push(Workload {
            kind,
            name,
            document: index,
            mesh: None,
            spec,
        }),
        None => {
            // A FunctionMesh: each member of its lists is a step.
            docs.meshes.push(name.clone());
            for kind in StepKind::ALL {
                let list = kind.plural();
                let Some(Json::Array(members)) = spec.get(list) else {
                    continue;
                };
                for (i, member) in members.iter().enumerate() {
                    let Json::Object(member) = member else {
                        return Err(format!(
                            "document {index} (FunctionMesh {name}): spec.{list}[{i}] is not an object"
                        ));
                    };
                    let member_name = member
                        .get("name")
                        .and_then(Json::as_str)
                        .ok_or_else(|| {
                            format!("document {index} (FunctionMesh {name}): spec.{list}[{i}].name is required")
                        })?
                        .to_owned();
                    docs.workloads.push(Workload {
                        kind,
                        name: member_name,
                        document: index,
                        mesh: Some(name.clone()),
                        spec: member.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}
