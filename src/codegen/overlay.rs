//! An environment's patches, computed from only what it changes. Environments override a
//! few steps of meshes that may have thousands; rebuilding and diffing every resource per
//! environment was most of the compile time. Here only the steps whose settings or cluster
//! changed are rebuilt, and each is diffed against its own entry in the base resource, so the
//! patches are exactly what a full rebuild and diff would give (the overlay tests build every
//! overlay with kustomize and compare it with a full rebuild of the environment).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::spec::{step_spec, StepSpec};
use super::{
    admit, changed_steps, config_maps, metadata, patch, serialise, split_resource, Options,
    Resource, MESH_STEM,
};
use crate::diag::Diagnostics;
use crate::model::Mesh;
use crate::syntax::ast::StepKind;

/// The FunctionMesh's step lists, in the order its spec serialises them.
const MESH_LISTS: [&str; 3] = ["functions", "sources", "sinks"];

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
        let list = match step.kind.value {
            StepKind::Function => 0,
            StepKind::Source => 1,
            StepKind::Sink => 2,
        };
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
                let ops = patch::diff(
                    &without_namespace(&base[b].value),
                    &without_namespace(&resource.value),
                );
                if !ops.is_empty() {
                    out.entry(b).or_default().extend(ops);
                }
            }
        } else if let Some(&b) = by_stem.get(MESH_STEM) {
            let child = match spec {
                StepSpec::Function(f) => serialise(env, &*f)?,
                StepSpec::Source(s) => serialise(env, &*s)?,
                StepSpec::Sink(s) => serialise(env, &*s)?,
            };
            let base_child = &base[b].value["spec"][MESH_LISTS[list]][j];
            let at = format!("/spec/{}/{j}", MESH_LISTS[list]);
            mesh_ops[list].extend(patch::diff_at(&at, base_child, &child));
        }
    }
    if let Some(&b) = by_stem.get(MESH_STEM).filter(|_| !options.split) {
        let mut ops = patch::diff_at(
            "/metadata",
            &without_namespace_meta(&base[b].value["metadata"]),
            &without_namespace_meta(&serialise(env, &metadata(env, &env.name.value))?),
        );
        ops.extend(mesh_ops.into_iter().flatten());
        if !ops.is_empty() {
            out.entry(b).or_default().extend(ops);
        }
    }
    for resource in config_maps(env)? {
        if let Some(&b) = by_stem.get(resource.stem.as_str()) {
            let ops = patch::diff(
                &without_namespace(&base[b].value),
                &without_namespace(&resource.value),
            );
            if !ops.is_empty() {
                out.entry(b).or_default().extend(ops);
            }
        }
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(out)
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
