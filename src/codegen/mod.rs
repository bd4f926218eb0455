//! Code generation: the checked model becomes Function Mesh resources, ConfigMaps, a Kustomize
//! base and one overlay per environment. Everything is built in memory first and each rendered
//! file is parsed back and checked; only then does `write` touch the disk.

mod hardening;
pub mod patch;
pub mod spec;
mod templates;
mod write;

use std::collections::BTreeMap;

use fm_api::{Function, FunctionMesh, FunctionMeshSpec, Sink, Source};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{json, Value};

pub use templates::Templates;
pub use write::write_atomically;

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{Mesh, Model};
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
    pub value: Value,
}

/// Everything `fmc compile` writes, by path relative to the output directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    /// The base resources as one multi-document stream (`-o -`).
    pub stream: String,
}

/// The objects of one effective mesh, in a fixed order: workloads first, then ConfigMaps.
pub fn resources(mesh: &Mesh, options: &Options) -> Result<Vec<Resource>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::new();
    let mut functions = Vec::new();
    let mut sources = Vec::new();
    let mut sinks = Vec::new();
    for step in &mesh.steps {
        let spec = step_spec(mesh, step, &mut diagnostics);
        admit(mesh, step, &spec, &mut diagnostics);
        match spec {
            StepSpec::Function(f) => functions.push((step, *f)),
            StepSpec::Source(s) => sources.push((step, *s)),
            StepSpec::Sink(s) => sinks.push((step, *s)),
        }
    }
    let to_value = |v: Result<Value, serde_json::Error>| {
        v.map_err(|e| {
            Diagnostic::error(
                Code::Template,
                mesh.name.span,
                format!("cannot serialise a resource: {e}"),
            )
        })
    };
    if options.split {
        for (step, spec) in functions {
            let name = child_name(mesh, &step.name.value);
            let mut r = Function::new(&name, spec);
            r.metadata = metadata(mesh, &name);
            out.push(resource(
                format!("function-{}", step.name.value),
                &name,
                "Function",
                to_value(serde_json::to_value(&r))?,
            ));
        }
        for (step, spec) in sources {
            let name = child_name(mesh, &step.name.value);
            let mut r = Source::new(&name, spec);
            r.metadata = metadata(mesh, &name);
            out.push(resource(
                format!("source-{}", step.name.value),
                &name,
                "Source",
                to_value(serde_json::to_value(&r))?,
            ));
        }
        for (step, spec) in sinks {
            let name = child_name(mesh, &step.name.value);
            let mut r = Sink::new(&name, spec);
            r.metadata = metadata(mesh, &name);
            out.push(resource(
                format!("sink-{}", step.name.value),
                &name,
                "Sink",
                to_value(serde_json::to_value(&r))?,
            ));
        }
    } else {
        fn nonempty<T>(v: Vec<T>) -> Option<Vec<T>> {
            (!v.is_empty()).then_some(v)
        }
        let spec = FunctionMeshSpec {
            functions: nonempty(functions.into_iter().map(|(_, s)| s).collect()),
            sources: nonempty(sources.into_iter().map(|(_, s)| s).collect()),
            sinks: nonempty(sinks.into_iter().map(|(_, s)| s).collect()),
        };
        let mut r = FunctionMesh::new(&mesh.name.value, spec);
        r.metadata = metadata(mesh, &mesh.name.value);
        out.push(resource(
            "functionmesh".into(),
            &mesh.name.value,
            "FunctionMesh",
            to_value(serde_json::to_value(&r))?,
        ));
    }
    for cluster in &mesh.clusters {
        let name = cluster_config_map(mesh, cluster);
        let data = BTreeMap::from([
            (
                "brokerServiceURL".to_owned(),
                cluster
                    .broker
                    .as_ref()
                    .map(|u| u.value.clone())
                    .unwrap_or_default(),
            ),
            (
                "webServiceURL".to_owned(),
                cluster
                    .admin
                    .as_ref()
                    .map(|u| u.value.clone())
                    .unwrap_or_default(),
            ),
        ]);
        let cm = ConfigMap {
            metadata: metadata(mesh, &name),
            data: Some(data),
            ..Default::default()
        };
        let mut value = to_value(serde_json::to_value(&cm))?;
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
            value,
        });
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(out)
    }
}

/// The operator's own admission rules, as a last line of defence: anything the passes missed
/// is reported at the step instead of being rejected in the cluster.
fn admit(mesh: &Mesh, step: &crate::model::Step, spec: &StepSpec, diagnostics: &mut Diagnostics) {
    let name = child_name(mesh, &step.name.value);
    let rejected = match spec {
        StepSpec::Function(f) => {
            fm_desired::validate_function(&Function::new(&name, (**f).clone()))
        }
        StepSpec::Source(s) => fm_desired::validate_source(&Source::new(&name, (**s).clone())),
        StepSpec::Sink(s) => fm_desired::validate_sink(&Sink::new(&name, (**s).clone())),
    };
    for problem in rejected {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                step.name.span,
                format!("the Function Mesh operator would reject step `{}`: {problem}", step.name.value),
            )
            .primary("generated from this step")
            .help("adjust the step's settings; this rule is enforced by the operator's admission checks"),
        );
    }
}

/// Runs the operator's admission rules on the steps of an effective mesh without rendering
/// anything (what `fmc check` needs). With `base`, only the steps whose spec can differ from
/// the base's are checked: their own settings, or their cluster's, were overridden.
pub fn admission(mesh: &Mesh, base: Option<&Mesh>) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    for (i, step) in mesh.steps.iter().enumerate() {
        if let Some(base) = base {
            let same_settings = base
                .steps
                .get(i)
                .is_some_and(|b| b.settings == step.settings);
            let same_cluster = match (base.step_cluster(step), mesh.step_cluster(step)) {
                (Some(b), Some(m)) => b.spec_fields_equal(m),
                (None, None) => true,
                _ => false,
            };
            if same_settings && same_cluster {
                continue;
            }
        }
        let spec = step_spec(mesh, step, &mut diagnostics);
        admit(mesh, step, &spec, &mut diagnostics);
    }
    diagnostics
}

fn resource(stem: String, name: &str, kind: &str, value: Value) -> Resource {
    Resource {
        stem,
        api_version: fm_api::API_VERSION.into(),
        kind: kind.into(),
        name: name.into(),
        value,
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
    let base = resources(&model.base, options)?;
    let mut output = Output::default();
    let mut base_files = Vec::new();
    for r in &base {
        let text = templates.resource(source_name, r)?;
        output.stream.push_str(&text);
        if !text.ends_with('\n') {
            output.stream.push('\n');
        }
        output.stream.push_str("---\n");
        let file = format!("{}.yaml", r.stem);
        output.files.insert(format!("base/{file}"), text);
        base_files.push(file);
    }
    // The stream ends without a dangling separator.
    if output.stream.ends_with("---\n") {
        output.stream.truncate(output.stream.len() - 4);
    }
    base_files.sort();
    output.files.insert(
        "base/kustomization.yaml".into(),
        templates.kustomization(source_name, None, &base_files, &[])?,
    );
    for env in &model.envs {
        let env_name = env
            .env
            .as_ref()
            .map(|n| n.value.clone())
            .unwrap_or_default();
        let resources = resources(env, options)?;
        let mut patches = Vec::new();
        for (b, e) in base.iter().zip(&resources) {
            let ops = patch::diff(&without_namespace(&b.value), &without_namespace(&e.value));
            if ops.is_empty() {
                continue;
            }
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
    Ok(output)
}

fn without_namespace(value: &Value) -> Value {
    let mut v = value.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("namespace");
    }
    v
}

pub(crate) fn template_error(message: String) -> Diagnostics {
    Diagnostic::error(Code::Template, Span::new(0, 0), message)
        .help("check the templates directory given with --templates against the built-in ones in templates/")
        .into()
}
