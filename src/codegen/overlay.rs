//! An environment's patches, computed from only what it changes. Environments override a
//! few steps of meshes that may have thousands; rebuilding and diffing every resource per
//! environment was most of the compile time. Here only the steps whose settings or cluster
//! changed are rebuilt, and each is diffed against the same step built from the base mesh, so
//! the patches are exactly what a full rebuild and diff would give (the overlay tests build
//! every overlay with kustomize and compare it with a full rebuild of the environment).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::document::Body;
use super::objects::{admit, config_maps, metadata, serialise, split_resource, MESH_STEM};
use super::resource::Resource;
use super::spec::{step_spec, StepSpec};
use super::{patch, Options};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{changed_steps, Mesh};

/// JSON6902 operations per base resource (by index into `base`), for the resources the
/// environment changes, in base order.
pub fn patches(
    base_mesh: &Mesh,
    env: &Mesh,
    base: &[Resource],
    options: &Options,
) -> Result<BTreeMap<usize, Vec<Value>>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let by_stem: HashMap<&str, usize> = base
        .iter()
        .enumerate()
        .map(|(i, r)| (r.stem.as_str(), i))
        .collect();
    let mut out: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    let changed = changed_steps(base_mesh, env);

    // Children of the FunctionMesh, grouped by list so operations come in document order.
    let mut mesh_ops: [Vec<Value>; 3] = Default::default();
    let mut position = [0usize; 3];
    for (i, step) in env.steps.iter().enumerate() {
        // Its list in the FunctionMesh (`Kind::ALL`'s order).
        let list = step.kind.value.index();
        let j = position[list];
        position[list] += 1;
        if !changed.get(i).copied().unwrap_or(true) {
            continue;
        }
        let spec = step_spec(env, step, &mut diagnostics);
        admit(env, step, &spec, &mut diagnostics);
        if options.split {
            let resource = split_resource(env, step, spec)?;
            if let Some(&b) = by_stem.get(resource.stem.as_str()) {
                diff_objects(&base[b], &resource, b, &mut out);
            }
        } else if let Some(base_step) = base_mesh.steps.get(i) {
            let child = member(env, spec)?;
            // The base was checked already; rebuilding its step reports nothing new.
            let base_child = member(
                base_mesh,
                step_spec(base_mesh, base_step, &mut Diagnostics::default()),
            )?;
            let at = format!("/spec/{}/{j}", step.kind.value.plural());
            mesh_ops[list].extend(patch::diff_at(&at, &base_child, &child));
        }
    }
    let base_head = by_stem
        .get(MESH_STEM)
        .filter(|_| !options.split)
        .and_then(|&b| match &base[b].body {
            Body::Mesh(mesh) => Some((b, mesh)),
            Body::Object(_) => None,
        });
    if let Some((b, base_mesh_body)) = base_head {
        let base_meta = base_mesh_body
            .head
            .get("metadata")
            .cloned()
            .unwrap_or_default();
        let mut ops = patch::diff_at(
            "/metadata",
            &without_namespace_meta(&base_meta),
            &without_namespace_meta(&serialise(env, &metadata(env, &env.name.value))?),
        );
        ops.extend(mesh_ops.into_iter().flatten());
        if !ops.is_empty() {
            out.entry(b).or_default().extend(ops);
        }
    }
    for resource in config_maps(env)? {
        if let Some(&b) = by_stem.get(resource.stem.as_str()) {
            diff_objects(&base[b], &resource, b, &mut out);
        }
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(out)
    }
}

/// A step's entry in the FunctionMesh spec, as JSON.
fn member(mesh: &Mesh, spec: StepSpec) -> Result<Value, Diagnostic> {
    match spec {
        StepSpec::Function(f) => serialise(mesh, &*f),
        StepSpec::Source(s) => serialise(mesh, &*s),
        StepSpec::Sink(s) => serialise(mesh, &*s),
    }
}

/// The operations turning a base object (built whole) into the environment's, filed under
/// the base resource's index.
fn diff_objects(
    base: &Resource,
    env: &Resource,
    index: usize,
    out: &mut BTreeMap<usize, Vec<Value>>,
) {
    let (Body::Object(base_value), Body::Object(env_value)) = (&base.body, &env.body) else {
        return;
    };
    let ops = patch::diff(
        &without_namespace(base_value),
        &without_namespace(env_value),
    );
    if !ops.is_empty() {
        out.entry(index).or_default().extend(ops);
    }
}

/// The namespace is the overlay's kustomization's business, not a patch's.
fn without_namespace(value: &Value) -> Value {
    let mut v = value.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("namespace");
    }
    v
}

fn without_namespace_meta(meta: &Value) -> Value {
    let mut m = meta.clone();
    if let Some(map) = m.as_object_mut() {
        map.remove("namespace");
    }
    m
}
