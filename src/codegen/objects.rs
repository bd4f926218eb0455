//! The objects of one effective mesh: a FunctionMesh (or, with `--split`, one Function,
//! Source or Sink per step) and one ConfigMap per cluster, each checked against the
//! operator's own admission rules as it is built.

use std::collections::BTreeMap;

use fm_api::{Function, Sink, Source};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{json, Value};

use super::document::{mesh_member, Body, MeshBody};
use super::resource::{resource, Resource};
use super::spec::{cluster_config_map, step_spec, StepSpec};
use super::Options;
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{changed_steps, Mesh};

/// The objects of one effective mesh, in a fixed order: workloads first, then ConfigMaps.
pub fn resources(mesh: &Mesh, options: &Options) -> Result<Vec<Resource>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::new();
    if options.split {
        let mut by_kind: [Vec<Resource>; 3] = Default::default();
        for step in &mesh.steps {
            let spec = step_spec(mesh, step, &mut diagnostics);
            admit(mesh, step, &spec, &mut diagnostics);
            by_kind[step.kind.value.index()].push(split_resource(mesh, step, spec)?);
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
            lists[step.kind.value.index()].push(member);
        }
        let mut head = serde_json::Map::new();
        head.insert("apiVersion".into(), json!(fm_api::API_VERSION));
        head.insert("kind".into(), json!("FunctionMesh"));
        head.insert(
            "metadata".into(),
            serialise(mesh, &metadata(mesh, &mesh.name.value))?,
        );
        // The member lists in the order the spec serialises them: `Kind::ALL`'s.
        let lists = fm_api::Kind::ALL
            .into_iter()
            .map(fm_api::Kind::plural)
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

/// File stem of the FunctionMesh resource.
pub(super) const MESH_STEM: &str = "functionmesh";

/// File stem of a step's own resource in `--split` mode.
fn split_stem(step: &crate::model::Step) -> String {
    format!("{}-{}", step.kind.value.word(), step.name.value)
}

pub(super) fn serialise(mesh: &Mesh, value: &impl serde::Serialize) -> Result<Value, Diagnostic> {
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
pub(super) fn split_resource(
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
pub(super) fn config_maps(mesh: &Mesh) -> Result<Vec<Resource>, Diagnostic> {
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
/// is reported at the statement that sets the field, instead of being rejected in the cluster.
pub(super) fn admit(
    mesh: &Mesh,
    step: &crate::model::Step,
    spec: &StepSpec,
    diagnostics: &mut Diagnostics,
) {
    let rejected = fm_desired::validate(spec.spec_ref());
    // As the passes do, an environment's findings say where they arise.
    let environment = mesh.environment_suffix();
    for violation in rejected {
        let (span, label) = match statement_span(step, violation.top_field()) {
            Some(span) => (span, format!("sets `{}`", violation.field)),
            None => (step.name.span, "generated from this step".to_owned()),
        };
        diagnostics.push(
            Diagnostic::error(
                Code::Admission,
                span,
                format!(
                    "the Function Mesh operator would reject step `{}`: {violation}{environment}",
                    step.name.value
                ),
            )
            .primary(label)
            .help("adjust the step's settings; this rule is enforced by the operator's admission checks"),
        );
    }
}

/// The statement of `step` that sets the spec field `field` (a top-level field of a
/// Function, Source or Sink spec), when one does: the `spec { … }` escape hatch if it names
/// the field, else the statement the field is generated from.
fn statement_span(step: &crate::model::Step, field: &str) -> Option<Span> {
    let s = &step.settings;
    if s.spec.iter().any(|(key, _)| key.value == field) {
        return s.spec_span;
    }
    let first = |spans: &mut dyn Iterator<Item = Span>| spans.next();
    match field {
        "timeout" => s.timeout_ms.as_ref().map(|t| t.span),
        "maxMessageRetry" => s.max_retries.as_ref().map(|m| m.span),
        "deadLetterTopic" => s.dead_letter.as_ref().map(|d| d.span),
        "retainOrdering" | "retainKeyOrdering" => s.subscription_type.as_ref().map(|n| n.span),
        "processingGuarantee" => s.guarantee.as_ref().map(|n| n.span),
        "subscriptionPosition" => s.position.as_ref().map(|n| n.span),
        "replicas" | "minReplicas" | "maxReplicas" => s.replicas.as_ref().map(|r| r.span),
        "resources" => first(&mut s.requests.values().chain(s.limits.values()).map(|q| q.span)),
        "input" => s
            .input_pattern
            .as_ref()
            .map(|p| p.span)
            .or_else(|| first(&mut s.inputs.iter().flatten().map(|t| t.span))),
        "output" => s.output.as_ref().map(|o| o.span),
        "sourceConfig" | "sinkConfig" | "funcConfig" => s.config_span,
        "java" | "python" | "golang" | "genericRuntime" | "className" => Some(step.runtime.span),
        _ => None,
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

/// The name a FunctionMesh gives the child for a step; `--split` uses the same name so
/// switching modes does not rename running objects.
pub fn child_name(mesh: &Mesh, step: &str) -> String {
    fm_desired::child_name(&mesh.name.value, step)
}

pub(super) fn metadata(mesh: &Mesh, name: &str) -> ObjectMeta {
    let mut labels = BTreeMap::from([
        ("app.kubernetes.io/managed-by".to_owned(), "fmc".to_owned()),
        (
            "app.kubernetes.io/part-of".to_owned(),
            mesh.name.value.clone(),
        ),
    ]);
    labels.extend(crate::mapping::string_map(&mesh.labels).unwrap_or_default());
    let annotations = crate::mapping::string_map(&mesh.annotations).unwrap_or_default();
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: mesh.namespace.as_ref().map(|n| n.value.clone()),
        labels: Some(labels),
        annotations: (!annotations.is_empty()).then_some(annotations),
        ..Default::default()
    }
}
