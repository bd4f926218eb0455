//! Code generation: the checked model becomes Function Mesh resources, ConfigMaps, a Kustomize
//! base and one overlay per environment. Everything is built in memory and checked first (a
//! custom template's output is parsed back); only then does `write` touch the disk.
//!
//! Modules by job: `spec` turns a step into its Function Mesh spec (with `hardening`),
//! `objects` builds the objects of one effective mesh, `document` serialises them,
//! `overlay` computes an environment's patches (`patch`), `templates` renders files and
//! `write` puts the tree on disk; `resource` holds what they pass between them.

mod document;
pub mod hardening;
mod objects;
mod overlay;
pub mod patch;
mod resource;
pub mod spec;
mod templates;
mod write;

use serde_json::json;

pub use document::{block_yaml, mesh_member, Body, MeshBody};
pub use objects::{admission, child_name, resources};
pub use resource::{Output, Resource};
pub use templates::Templates;
pub use write::write_atomically;

use crate::diag::Diagnostics;
use crate::model::Model;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// One Function/Source/Sink per step instead of one FunctionMesh.
    pub split: bool,
}

/// Renders the whole output tree for a checked model.
pub fn generate(
    model: &Model,
    source_name: &str,
    options: &Options,
    templates: &Templates,
) -> Result<Output, Diagnostics> {
    let base = match resources(&model.base, options) {
        Ok(base) => base,
        Err(mut diagnostics) => {
            // Every environment's problems too, as `fmc check` gives them.
            for env in &model.envs {
                diagnostics.extend(admission(env, Some(&model.base)));
            }
            return Err(diagnostics);
        }
    };
    let mut output = Output::default();
    let mut base_files = Vec::new();
    for r in &base {
        let text = templates.resource(source_name, r)?;
        let file = format!("{}.yaml", r.stem);
        output.base_order.push(format!("base/{file}"));
        output.files.insert(format!("base/{file}"), text);
        base_files.push(file);
    }
    base_files.sort();
    output.files.insert(
        "base/kustomization.yaml".into(),
        templates.kustomization(source_name, None, &base_files, &[])?,
    );
    let mut failures = Diagnostics::default();
    for env in &model.envs {
        let env_name = env
            .env
            .as_ref()
            .map(|n| n.value.clone())
            .unwrap_or_default();
        let env_patches = match overlay::patches(&model.base, env, &base, options) {
            Ok(env_patches) => env_patches,
            Err(diagnostics) => {
                failures.extend(diagnostics);
                continue;
            }
        };
        let mut patches = Vec::new();
        for (index, ops) in env_patches {
            let b = &base[index];
            let path = format!("{}.patch.yaml", b.stem);
            let text = templates.patch(source_name, &env_name, &ops)?;
            output
                .files
                .insert(format!("overlays/{env_name}/{path}"), text);
            let (group, version) = match b.api_version.split_once('/') {
                Some((g, v)) => (g.to_owned(), v.to_owned()),
                None => (String::new(), b.api_version.clone()),
            };
            patches.push(json!({"path": path, "group": group, "version": version, "kind": b.kind, "name": b.name}));
        }
        let namespace = env
            .namespace
            .as_ref()
            .filter(|ns| Some(&ns.value) != model.base.namespace.as_ref().map(|n| &n.value))
            .map(|ns| ns.value.clone());
        output.files.insert(
            format!("overlays/{env_name}/kustomization.yaml"),
            templates.kustomization(
                source_name,
                namespace.as_deref(),
                &["../../base".to_owned()],
                &patches,
            )?,
        );
    }
    if failures.has_errors() {
        return Err(failures);
    }
    Ok(output)
}
