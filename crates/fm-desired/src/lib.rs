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
//!
//! Every entry point takes any of the three kinds (an [`fm_api::Component`]); what differs
//! between them is matched on [`SpecRef`] where it is used.

pub mod backend_config;
pub mod cleanup;
pub mod command;
mod component;
pub mod defaults;
pub mod details;
pub mod download;
mod error;
pub mod filebeat;
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
pub mod vpa;

use std::borrow::Cow;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

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
    /// Present when `pod.vpa` is set (applied only where the cluster serves the VPA API).
    pub vpa: Option<vpa::VerticalPodAutoscaler>,
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

/// Upstream's admission rules for a Function's, Source's or Sink's spec, every problem as a
/// [`Violation`]; empty when the operator would accept it. The rules read nothing but the
/// spec. The compiler runs its output through these.
pub fn validate(spec: SpecRef<'_>) -> Vec<Violation> {
    validate::errors(spec)
}

/// The desired objects of a Function, Source or Sink.
pub fn desired_for<C: fm_api::Component>(
    resource: &C,
    cluster: Option<&ClusterConfig>,
    options: &Options,
) -> Result<DesiredObjects, DesiredError> {
    let spec = resource.spec_ref();
    let f = frame(validate::errors(spec), resource.meta(), spec.common(), spec)?;
    let statefulset = f.statefulset(options, cluster)?;
    let service = service::build(f.metadata(&f.service_name), &f.base);
    let hpa = hpa::build(&f.c, fm_api::API_VERSION, f.metadata(&f.workload));
    let vpa = vpa::build(&f.c, fm_api::API_VERSION, f.metadata(&f.workload));
    Ok(DesiredObjects {
        statefulset,
        service,
        hpa,
        vpa,
        selector: labels::selector_string(&f.base),
    })
}

/// The desired objects of a Function, Source or Sink with the BackendConfigs that apply to it
/// merged in (see [`backend_config`]).
pub fn desired_with<C: fm_api::Component + Clone>(
    resource: &C,
    cluster: Option<&ClusterConfig>,
    options: &Options,
    backend: &BackendConfigs<'_>,
) -> Result<DesiredObjects, DesiredError> {
    let merged = backend_config::merge(backend);
    let mut resource = Cow::Borrowed(resource);
    if !merged.is_empty() {
        merged.apply_to_spec(resource.to_mut().common_mut());
    }
    let mut objects = desired_for(resource.as_ref(), cluster, options)?;
    merged.finish(&mut objects.statefulset);
    Ok(objects)
}

/// The Job that removes a deleted resource's subscription from Pulsar (a Function's or
/// Sink's; a batch Source's intermediate topic), or `None` when it asks for no clean-up (see
/// [`cleanup`]). `deadline` bounds how long the Job runs.
pub fn cleanup_job<C: fm_api::Component>(
    resource: &C,
    options: &Options,
    deadline: std::time::Duration,
) -> Result<Option<Job>, DesiredError> {
    let (meta, spec) = (resource.meta(), resource.spec_ref());
    if !cleanup::wanted(meta, spec) {
        return Ok(None);
    }
    // The Job authenticates as `cleanupAuthConfig` when given: its command and its mounts.
    let common = cleanup::with_cleanup_auth(spec.common());
    let kind = spec.kind();
    let f = frame(validate::errors(spec), meta, &common, spec)?;
    let removals = cleanup::removals(&f.c).map_err(|e| f.invalid(vec![e]))?;
    if removals.is_empty() {
        return Ok(None);
    }
    let statefulset = f.statefulset(options, None)?;
    let mut metadata = f.metadata(&cleanup::job_name(f.c.name, kind));
    if let (Some(labels), Some(uid)) = (metadata.labels.as_mut(), f.c.uid) {
        labels.insert("owner".to_owned(), uid.to_owned());
    }
    cleanup::job(&f.c, &statefulset, metadata, &removals, deadline)
        .map(Some)
        .map_err(|e| f.invalid(vec![e]))
}

/// A resource's normalised view and the names and metadata its objects share.
struct Frame<'a> {
    c: Component<'a>,
    base: labels::Labels,
    workload: String,
    service_name: String,
}

impl Frame<'_> {
    fn invalid(&self, errors: Vec<Violation>) -> DesiredError {
        DesiredError::Invalid {
            kind: self.c.kind.kind().to_owned(),
            namespace: self.c.namespace.to_owned(),
            name: self.c.name.to_owned(),
            errors,
        }
    }

    /// Metadata of a generated object: the base labels, and the resource as its controller.
    fn metadata(&self, object_name: &str) -> ObjectMeta {
        let c = &self.c;
        ObjectMeta {
            name: Some(object_name.to_owned()),
            namespace: Some(c.namespace.to_owned()),
            labels: Some(self.base.clone()),
            owner_references: c.uid.filter(|u| !u.is_empty()).map(|uid| {
                vec![labels::controller_ref(
                    fm_api::API_VERSION,
                    c.kind.kind(),
                    c.name,
                    uid,
                )]
            }),
            ..Default::default()
        }
    }

    fn statefulset(
        &self,
        options: &Options,
        cluster: Option<&ClusterConfig>,
    ) -> Result<StatefulSet, DesiredError> {
        statefulset::build(
            &self.c,
            options,
            cluster,
            self.metadata(&self.workload),
            &self.base,
            &self.service_name,
        )
        .map_err(|e| self.invalid(e))
    }
}

/// The frame of a resource whose spec broke none of `errors`' rules (else every problem,
/// the name's and the runtime's first). `common` is the spec's own, or a copy adjusted for
/// what is built (the clean-up Job's credentials).
fn frame<'a>(
    mut errors: Vec<Violation>,
    meta: &'a ObjectMeta,
    common: &'a fm_api::spec_common::CommonSpec,
    specific: SpecRef<'a>,
) -> Result<Frame<'a>, DesiredError> {
    let kind = specific.kind();
    let name = meta.name.as_deref().unwrap_or("");
    let namespace = meta
        .namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    errors.splice(0..0, naming::check_resource_name(name));
    let runtime = component::runtime_of(kind, common);
    if let Err(e) = &runtime {
        errors.push(e.clone());
    }
    match runtime {
        Ok(runtime) if errors.is_empty() => Ok(Frame {
            c: Component {
                kind,
                name,
                namespace,
                uid: meta.uid.as_deref(),
                common,
                specific,
                runtime,
            },
            base: labels::base_labels(name, namespace, kind),
            workload: naming::workload_name(name, kind),
            service_name: naming::service_name(name, kind),
        }),
        _ => Err(DesiredError::Invalid {
            kind: kind.kind().to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            errors,
        }),
    }
}
