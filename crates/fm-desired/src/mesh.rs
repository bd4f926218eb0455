//! FunctionMesh → child Function/Source/Sink resources (upstream:
//! `controllers/spec/function_mesh.go`, `MakeFunctionComponent` and its Source/Sink twins;
//! `controllers/function_mesh.go`, `makeComponentName`).

use std::collections::BTreeSet;

use fm_api::{AnyComponent, Function, FunctionMesh, Kind, Sink, Source};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::error::DesiredError;
use crate::labels::controller_ref;
use crate::violation::Violation;

/// A mesh item's child resource name, `<mesh>-<item>` (upstream: `controllers/function_mesh.go`,
/// `makeComponentName`).
pub fn child_name(mesh: &str, item: &str) -> String {
    format!("{mesh}-{item}")
}

/// The children of `mesh`: one per item, named `<mesh>-<item name>`, in the mesh's namespace,
/// controlled by the mesh, spec copied verbatim. Order: functions, sources, sinks, each as
/// listed. Items without a name, or two items of one kind sharing a name, are errors.
pub fn children_for_mesh(mesh: &FunctionMesh) -> Result<Vec<AnyComponent>, DesiredError> {
    let mesh_name = mesh.metadata.name.clone().unwrap_or_default();
    let namespace = mesh.metadata.namespace.clone();
    let owner = mesh
        .metadata
        .uid
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|uid| {
            vec![controller_ref(
                fm_api::API_VERSION,
                "FunctionMesh",
                &mesh_name,
                uid,
            )]
        });
    let mut errors = Vec::new();
    let mut seen: BTreeSet<(Kind, String)> = BTreeSet::new();
    let mut meta_for = |kind: Kind, index: usize, item_name: Option<&str>| -> Option<ObjectMeta> {
        let plural = kind.plural();
        let Some(item) = item_name.filter(|n| !n.is_empty()) else {
            errors.push(Violation::new(
                format!("spec.{plural}[{index}].name"),
                "required (children are named <mesh>-<name>)",
            ));
            return None;
        };
        let child = child_name(&mesh_name, item);
        if !seen.insert((kind, child.clone())) {
            errors.push(Violation::new(
                format!("spec.{plural}[{index}].name"),
                format!("`{item}` is used twice"),
            ));
            return None;
        }
        Some(ObjectMeta {
            name: Some(child),
            namespace: namespace.clone(),
            owner_references: owner.clone(),
            ..Default::default()
        })
    };
    let mut children = Vec::new();
    for (i, spec) in mesh.spec.functions.iter().flatten().enumerate() {
        if let Some(metadata) = meta_for(Kind::Function, i, spec.common.name.as_deref()) {
            children.push(AnyComponent::Function(Box::new(Function {
                metadata,
                spec: spec.clone(),
                status: None,
            })));
        }
    }
    for (i, spec) in mesh.spec.sources.iter().flatten().enumerate() {
        if let Some(metadata) = meta_for(Kind::Source, i, spec.common.name.as_deref()) {
            children.push(AnyComponent::Source(Box::new(Source {
                metadata,
                spec: spec.clone(),
                status: None,
            })));
        }
    }
    for (i, spec) in mesh.spec.sinks.iter().flatten().enumerate() {
        if let Some(metadata) = meta_for(Kind::Sink, i, spec.common.name.as_deref()) {
            children.push(AnyComponent::Sink(Box::new(Sink {
                metadata,
                spec: spec.clone(),
                status: None,
            })));
        }
    }
    if errors.is_empty() {
        Ok(children)
    } else {
        Err(DesiredError::Invalid {
            kind: "FunctionMesh".into(),
            namespace: namespace.unwrap_or_else(|| "default".into()),
            name: mesh_name,
            errors,
        })
    }
}
