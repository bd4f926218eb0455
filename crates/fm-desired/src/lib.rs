//! Desired-state engine: a Function, Source or Sink (plus, when known, its cluster ConfigMap)
//! in; the Kubernetes objects that must exist for it out — StatefulSet, headless Service and,
//! when autoscaling is on, a HorizontalPodAutoscaler. A FunctionMesh in; its child resources
//! out. Pure: no I/O, no clock, no randomness; equal inputs give byte-equal outputs.
//!
//! Behaviour follows the upstream Function Mesh operator (github.com/streamnative/function-mesh:
//! the object builders in `controllers/spec/`, the admission rules in `pkg/webhook/`), with
//! the deliberate differences documented where they are made (hardened pods, exact shell
//! quoting, correct Python TLS flag, byte-exact JVM memory flag, base labels that cannot be
//! overridden, current runner images).

pub mod backend_config;
pub mod command;
mod component;
pub mod defaults;
pub mod details;
pub mod download;
mod error;
pub mod hpa;
pub mod labels;
pub mod logging;
pub mod mesh;
pub mod naming;
pub mod options;
pub mod quantity;
pub mod quoting;
pub mod render;
pub mod security;
pub mod service;
pub mod statefulset;
mod validate;
mod violation;
mod volumes;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use fm_api::{Function, FunctionSpec, Sink, SinkSpec, Source, SourceSpec};

pub use backend_config::BackendConfigs;
pub use component::{Component, RuntimeRef, SpecRef};
pub use error::DesiredError;
pub use mesh::{child_name, children_for_mesh};
pub use naming::Kind;
pub use options::{ClusterConfig, Options, RunnerImages};
pub use render::render_stream;
pub use violation::Violation;

/// Everything that must exist for one Function, Source or Sink.
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredObjects {
    pub statefulset: StatefulSet,
    pub service: Service,
    /// Present when `maxReplicas` is set.
    pub hpa: Option<HorizontalPodAutoscaler>,
    /// The pod label selector as a string, for the resource's `status.selector` (read by the
    /// scale subresource, and so by the HPA).
    pub selector: String,
}

impl DesiredObjects {
    /// The HPA as `autoscaling/v2beta2` JSON for API servers without `autoscaling/v2`.
    pub fn hpa_v2beta2(&self) -> Result<Option<serde_json::Value>, DesiredError> {
        self.hpa.as_ref().map(hpa::to_v2beta2).transpose()
    }
}

/// Upstream's admission rules for a Function's spec, every problem as a [`Violation`];
/// empty when the operator would accept it. The rules read nothing but the spec. The
/// compiler runs its output through these.
pub fn validate_function(spec: &FunctionSpec) -> Vec<Violation> {
    validate::function_errors(spec)
}

/// Admission rules for a Source's spec (see [`validate_function`]).
pub fn validate_source(spec: &SourceSpec) -> Vec<Violation> {
    validate::source_errors(spec)
}

/// Admission rules for a Sink's spec (see [`validate_function`]).
pub fn validate_sink(spec: &SinkSpec) -> Vec<Violation> {
    validate::sink_errors(spec)
}

/// The desired objects of a Function.
pub fn desired_for_function(
    function: &Function,
    cluster: Option<&ClusterConfig>,
    options: &Options,
) -> Result<DesiredObjects, DesiredError> {
    let (spec, errors) = validate::prepare_function(function);
    desired(
        errors,
        &function.metadata,
        Kind::Function,
        &spec.common,
        SpecRef::Function(&spec),
        cluster,
        options,
    )
}

/// The desired objects of a Source.
pub fn desired_for_source(
    source: &Source,
    cluster: Option<&ClusterConfig>,
    options: &Options,
) -> Result<DesiredObjects, DesiredError> {
    let (spec, errors) = validate::prepare_source(source);
    desired(
        errors,
        &source.metadata,
        Kind::Source,
        &spec.common,
        SpecRef::Source(&spec),
        cluster,
        options,
    )
}

/// The desired objects of a Sink.
pub fn desired_for_sink(
    sink: &Sink,
    cluster: Option<&ClusterConfig>,
    options: &Options,
) -> Result<DesiredObjects, DesiredError> {
    let (spec, errors) = validate::prepare_sink(sink);
    desired(
        errors,
        &sink.metadata,
        Kind::Sink,
        &spec.common,
        SpecRef::Sink(&spec),
        cluster,
        options,
    )
}

fn desired(
    mut errors: Vec<Violation>,
    meta: &ObjectMeta,
    kind: Kind,
    common: &fm_api::spec_common::CommonSpec,
    specific: SpecRef<'_>,
    cluster: Option<&ClusterConfig>,
    options: &Options,
) -> Result<DesiredObjects, DesiredError> {
    let name = meta.name.as_deref().unwrap_or("");
    let namespace = meta
        .namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    let invalid = |errors: Vec<Violation>| DesiredError::Invalid {
        kind: kind.kind().to_owned(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        errors,
    };
    errors.splice(0..0, naming::check_resource_name(name));
    let runtime = component::runtime_of(kind, common);
    if let Err(e) = &runtime {
        errors.push(e.clone());
    }
    let runtime = match runtime {
        Ok(r) if errors.is_empty() => r,
        _ => return Err(invalid(errors)),
    };
    let c = Component {
        kind,
        name,
        namespace,
        uid: meta.uid.as_deref(),
        common,
        specific,
        runtime,
    };

    let base = labels::base_labels(name, namespace, kind);
    let workload = naming::workload_name(name, kind);
    let service_name = naming::service_name(name, kind);
    let metadata = |object_name: &str| ObjectMeta {
        name: Some(object_name.to_owned()),
        namespace: Some(namespace.to_owned()),
        labels: Some(base.clone()),
        owner_references: c.uid.filter(|u| !u.is_empty()).map(|uid| {
            vec![labels::controller_ref(
                fm_api::API_VERSION,
                kind.kind(),
                name,
                uid,
            )]
        }),
        ..Default::default()
    };

    let statefulset = statefulset::build(
        &c,
        options,
        cluster,
        metadata(&workload),
        &base,
        &service_name,
    )
    .map_err(invalid)?;
    let service = service::build(metadata(&service_name), &base);
    let hpa = hpa::build(&c, fm_api::API_VERSION, metadata(&workload));
    Ok(DesiredObjects {
        statefulset,
        service,
        hpa,
        selector: labels::selector_string(&base),
    })
}

/// The desired objects of a Function with the BackendConfigs that apply to it merged in (see
/// [`backend_config`]).
pub fn desired_for_function_with(
    function: &Function,
    cluster: Option<&ClusterConfig>,
    options: &Options,
    backend: &BackendConfigs<'_>,
) -> Result<DesiredObjects, DesiredError> {
    let merged = backend_config::merge(backend);
    let mut function = std::borrow::Cow::Borrowed(function);
    if !merged.is_empty() {
        merged.apply_to_spec(&mut function.to_mut().spec.common);
    }
    let mut objects = desired_for_function(&function, cluster, options)?;
    merged.finish(&mut objects.statefulset);
    Ok(objects)
}

/// The desired objects of a Source with its BackendConfigs (see [`desired_for_function_with`]).
pub fn desired_for_source_with(
    source: &Source,
    cluster: Option<&ClusterConfig>,
    options: &Options,
    backend: &BackendConfigs<'_>,
) -> Result<DesiredObjects, DesiredError> {
    let merged = backend_config::merge(backend);
    let mut source = std::borrow::Cow::Borrowed(source);
    if !merged.is_empty() {
        merged.apply_to_spec(&mut source.to_mut().spec.common);
    }
    let mut objects = desired_for_source(&source, cluster, options)?;
    merged.finish(&mut objects.statefulset);
    Ok(objects)
}

/// The desired objects of a Sink with its BackendConfigs (see [`desired_for_function_with`]).
pub fn desired_for_sink_with(
    sink: &Sink,
    cluster: Option<&ClusterConfig>,
    options: &Options,
    backend: &BackendConfigs<'_>,
) -> Result<DesiredObjects, DesiredError> {
    let merged = backend_config::merge(backend);
    let mut sink = std::borrow::Cow::Borrowed(sink);
    if !merged.is_empty() {
        merged.apply_to_spec(&mut sink.to_mut().spec.common);
    }
    let mut objects = desired_for_sink(&sink, cluster, options)?;
    merged.finish(&mut objects.statefulset);
    Ok(objects)
}
