//! Code generation: the checked model becomes Function Mesh resources, ConfigMaps, a Kustomize
//! base and one overlay per environment. Everything is built in memory and checked first (a
//! custom template's output is parsed back); only then does `write` touch the disk.

mod document;
pub mod hardening;
mod overlay;
pub mod patch;
pub mod spec;
mod templates;
mod write;

use std::collections::BTreeMap;

use fm_api::{Function, Sink, Source};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{json, Value};

pub use document::{block_yaml, mesh_member, Body, MeshBody};
pub use templates::Templates;
pub use write::write_atomically;

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{changed_steps, Mesh, Model};
use spec::{cluster_config_map, step_spec, StepSpec};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// One Function/Source/Sink per step instead of one FunctionMesh.
    pub split: bool,
}

/// One generated Kubernetes object and the file it goes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// File name without `.yaml`, unique in the output.
    pub stem: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub body: Body,
}

impl Resource {
    /// The whole object as JSON.
    pub fn value(&self) -> Result<Value, serde_yaml_ng::Error> {
        self.body.value()
    }
}

/// Everything `fmc compile` writes, by path relative to the output directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    /// The base resources' files in resource order (workloads first, then ConfigMaps).
    pub base_order: Vec<String>,
}

impl Output {
    /// The base resources as one multi-document stream (`-o -`).
    pub fn stream(&self) -> String {
        let mut stream = String::new();
        for (i, path) in self.base_order.iter().enumerate() {
            if i > 0 {
                stream.push_str("---\n");
            }
            let text = self.files.get(path).map(String::as_str).unwrap_or_default();
            stream.push_str(text);
            if !text.ends_with('\n') {
                stream.push('\n');
            }
        }
        stream
    }
}

/// The objects of one effective mesh, in a fixed order: workloads first, then ConfigMaps.
pub fn resources(mesh: &Mesh, options: &Options) -> Result<Vec<Resource>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::new();
    if options.split {
        let mut by_kind: [Vec<Resource>; 3] = Default::default();
        for step in &mesh.steps {
            let spec = step_spec(mesh, step, &mut diagnostics);
            admit(mesh, step, &spec, &mut diagnostics);
            by_kind[list_index(step)].push(split_resource(mesh, step, spec)?);
        }
        out.extend(by_kind.into_iter().flatten());
    } else {
        // Each member is serialised as soon as it is built, so the mesh is never one tree.
        let mut lists: [Vec<String>; 3] = Default::default();
        for step in &mesh.steps {
            let spec = step_spec(mesh, step, &mut diagnostics);
            admit(mesh, step, &spec, &mut diagnostics);
            let member = match &spec {
                StepSpec::Function(f) => mesh_member(f),
                StepSpec::Source(s) => mesh_member(s),
                StepSpec::Sink(s) => mesh_member(s),
            }
            .map_err(|e| serialise_error(mesh, &e))?;
            lists[list_index(step)].push(member);
        }
        let mut head = serde_json::Map::new();
        head.insert("apiVersion".into(), json!(fm_api::API_VERSION));
        head.insert("kind".into(), json!("FunctionMesh"));
        head.insert(
            "metadata".into(),
            serialise(mesh, &metadata(mesh, &mesh.name.value))?,
        );
        let lists = MESH_LISTS
            .into_iter()
            .zip(lists)
            .filter(|(_, members)| !members.is_empty())
            .collect();
        out.push(resource(
            MESH_STEM.into(),
            &mesh.name.value,
            "FunctionMesh",
            Body::Mesh(MeshBody { head, lists }),
        ));
    }
    out.extend(config_maps(mesh)?);
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(out)
    }
}

/// A FunctionMesh's member lists, in the order its spec serialises them.
pub(crate) const MESH_LISTS: [&str; 3] = ["functions", "sources", "sinks"];

/// Which of [`MESH_LISTS`] (and which `--split` kind) a step belongs to.
pub(crate) fn list_index(step: &crate::model::Step) -> usize {
    match step.kind.value {
        crate::syntax::ast::StepKind::Function => 0,
        crate::syntax::ast::StepKind::Source => 1,
        crate::syntax::ast::StepKind::Sink => 2,
    }
}

/// File stem of the FunctionMesh resource.
const MESH_STEM: &str = "functionmesh";

/// File stem of a step's own resource in `--split` mode.
fn split_stem(step: &crate::model::Step) -> String {
    let kind = match step.kind.value {
        crate::syntax::ast::StepKind::Function => "function",
        crate::syntax::ast::StepKind::Source => "source",
        crate::syntax::ast::StepKind::Sink => "sink",
    };
    format!("{kind}-{}", step.name.value)
}

fn serialise(mesh: &Mesh, value: &impl serde::Serialize) -> Result<Value, Diagnostic> {
    serde_json::to_value(value).map_err(|e| serialise_error(mesh, &e))
}

fn serialise_error(mesh: &Mesh, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        Code::Template,
        mesh.name.span,
        format!("cannot serialise a resource: {e}"),
    )
}

/// A step as its own Function, Source or Sink (`--split`).
fn split_resource(
    mesh: &Mesh,
    step: &crate::model::Step,
    spec: StepSpec,
) -> Result<Resource, Diagnostic> {
    let name = child_name(mesh, &step.name.value);
    let (kind, mut value) = match spec {
        StepSpec::Function(f) => ("Function", serialise(mesh, &Function::new(&name, *f))?),
        StepSpec::Source(s) => ("Source", serialise(mesh, &Source::new(&name, *s))?),
        StepSpec::Sink(s) => ("Sink", serialise(mesh, &Sink::new(&name, *s))?),
    };
    value["metadata"] = serialise(mesh, &metadata(mesh, &name))?;
    Ok(resource(split_stem(step), &name, kind, Body::Object(value)))
}

/// One ConfigMap per cluster with its URLs, referenced by the steps' `pulsar.pulsarConfig`.
fn config_maps(mesh: &Mesh) -> Result<Vec<Resource>, Diagnostic> {
    let mut out = Vec::new();
    for cluster in &mesh.clusters {
        let name = cluster_config_map(mesh, cluster);
        let url = |u: &Option<crate::syntax::ast::Spanned<String>>| {
            u.as_ref().map(|u| u.value.clone()).unwrap_or_default()
        };
        let data = BTreeMap::from([
            ("brokerServiceURL".to_owned(), url(&cluster.broker)),
            ("webServiceURL".to_owned(), url(&cluster.admin)),
        ]);
        let cm = ConfigMap {
            metadata: metadata(mesh, &name),
            data: Some(data),
            ..Default::default()
        };
        let mut value = serialise(mesh, &cm)?;
        if let Value::Object(map) = &mut value {
            // k8s-openapi leaves these to the caller for built-in kinds.
            let mut ordered = serde_json::Map::new();
            ordered.insert("apiVersion".into(), json!("v1"));
            ordered.insert("kind".into(), json!("ConfigMap"));
            ordered.append(map);
            value = Value::Object(ordered);
        }
        out.push(Resource {
            stem: format!("configmap-{}", cluster.name.value),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name,
            body: Body::Object(value),
        });
    }
    Ok(out)
}

/// The operator's own admission rules, as a last line of defence: anything the passes missed
/// is reported at the step instead of being rejected in the cluster.
fn admit(mesh: &Mesh, step: &crate::model::Step, spec: &StepSpec, diagnostics: &mut Diagnostics) {
    let rejected = match spec {
        StepSpec::Function(f) => fm_desired::validate_function(f),
        StepSpec::Source(s) => fm_desired::validate_source(s),
        StepSpec::Sink(s) => fm_desired::validate_sink(s),
    };
    // As the passes do, an environment's findings say where they arise.
    let environment = mesh.environment_suffix();
    for problem in rejected {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                step.name.span,
                format!(
                    "the Function Mesh operator would reject step `{}`: {problem}{environment}",
                    step.name.value
                ),
            )
            .primary("generated from this step")
            .help("adjust the step's settings; this rule is enforced by the operator's admission checks"),
        );
    }
}

/// Runs the operator's admission rules on the steps of an effective mesh without rendering
/// anything (what `fmc check` needs). With `base`, only the steps whose spec can differ from
/// the base's are checked.
pub fn admission(mesh: &Mesh, base: Option<&Mesh>) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let changed = base.map(|base| changed_steps(base, mesh));
    for (i, step) in mesh.steps.iter().enumerate() {
        if changed.as_ref().is_some_and(|c| !c[i]) {
            continue;
        }
        let spec = step_spec(mesh, step, &mut diagnostics);
        admit(mesh, step, &spec, &mut diagnostics);
    }
    diagnostics
}

fn resource(stem: String, name: &str, kind: &str, body: Body) -> Resource {
    Resource {
        stem,
        api_version: fm_api::API_VERSION.into(),
        kind: kind.into(),
        name: name.into(),
        body,
    }
}

/// The name a FunctionMesh gives the child for a step; `--split` uses the same name so
/// switching modes does not rename running objects.
pub fn child_name(mesh: &Mesh, step: &str) -> String {
    format!("{}-{step}", mesh.name.value)
}

fn metadata(mesh: &Mesh, name: &str) -> ObjectMeta {
    let mut labels = BTreeMap::from([
        ("app.kubernetes.io/managed-by".to_owned(), "fmc".to_owned()),
        (
            "app.kubernetes.io/part-of".to_owned(),
            mesh.name.value.clone(),
        ),
    ]);
    for (k, v) in &mesh.labels {
        labels.insert(
            k.value.clone(),
            spec::value_to_json(&v.value)
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| spec::value_to_json(&v.value).to_string()),
        );
    }
    let annotations: BTreeMap<String, String> = mesh
        .annotations
        .iter()
        .map(|(k, v)| {
            (
                k.value.clone(),
                spec::value_to_json(&v.value)
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| spec::value_to_json(&v.value).to_string()),
            )
        })
        .collect();
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: mesh.namespace.as_ref().map(|n| n.value.clone()),
        labels: Some(labels),
        annotations: (!annotations.is_empty()).then_some(annotations),
        ..Default::default()
    }
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

pub(crate) fn template_error(message: String) -> Diagnostics {
    Diagnostic::error(Code::Template, Span::new(0, 0), message)
        .help("check the templates directory given with --templates against the built-in ones in templates/")
        .into()
}
