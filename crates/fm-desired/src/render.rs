//! `fm-operator render`: the YAML stream of every object the operator would create for a
//! set of manifests, in document order (a FunctionMesh is followed by its children and then
//! their objects). Deterministic: the same input gives the same bytes.

use std::collections::BTreeMap;

use fm_api::load::{Document, Loaded};
use fm_api::spec_common::CommonSpec;
use fm_api::{AnyComponent, Component};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::backend_config::{BackendConfigs, Names};
use crate::error::DesiredError;
use crate::mesh::children_for_mesh;
use crate::options::{ClusterConfig, Options};
use crate::{desired_with, DesiredObjects};

fn push_yaml<T: Serialize>(out: &mut String, what: &str, object: &T) -> Result<(), DesiredError> {
    // What `kubectl apply -f` reads back as written (YAML 1.1 included).
    let text = fm_api::yaml::to_string_of(object).map_err(|e| DesiredError::Serialize {
        what: what.to_owned(),
        message: e.to_string(),
    })?;
    out.push_str("---\n");
    out.push_str(&text);
    Ok(())
}

fn push_objects(out: &mut String, objects: &DesiredObjects) -> Result<(), DesiredError> {
    push_yaml(out, "StatefulSet", &objects.statefulset)?;
    push_yaml(out, "Service", &objects.service)?;
    if let Some(hpa) = &objects.hpa {
        push_yaml(out, "HorizontalPodAutoscaler", hpa)?;
    }
    if let Some(vpa) = &objects.vpa {
        push_yaml(out, "VerticalPodAutoscaler", vpa)?;
    }
    Ok(())
}

/// What a resource is rendered with: the cluster ConfigMap it names and its BackendConfigs.
type Inputs<'a> = (Option<&'a ClusterConfig>, BackendConfigs<'a>);

/// Appends the objects of one Function, Source or Sink, rendered with the cluster ConfigMap
/// and BackendConfigs `inputs` finds for it.
fn emit<'a, C: Component + Clone>(
    out: &mut String,
    resource: &C,
    inputs: &dyn Fn(&ObjectMeta, &CommonSpec) -> Inputs<'a>,
    options: &Options,
) -> Result<(), DesiredError> {
    let (cluster, backend) = inputs(resource.meta(), resource.common());
    push_objects(out, &desired_with(resource, cluster, options, &backend)?)
}

fn namespace_of(ns: Option<&String>) -> String {
    ns.filter(|n| !n.is_empty())
        .cloned()
        .unwrap_or_else(|| "default".into())
}

/// Renders all desired objects of `docs`. ConfigMaps in the stream provide the cluster
/// configuration of the resources that name them, BackendConfigs their defaults (named as
/// `fm-operator run` names them by default, [`Names::default`]). Every invalid resource is
/// reported.
pub fn render_stream(docs: &[Loaded], options: &Options) -> Result<String, DesiredError> {
    let mut config_maps: BTreeMap<(String, String), ClusterConfig> = BTreeMap::new();
    let mut backend_configs = BTreeMap::new();
    for d in docs {
        match &d.document {
            Document::ConfigMap(cm) => {
                let key = (
                    namespace_of(cm.metadata.namespace.as_ref()),
                    cm.metadata.name.clone().unwrap_or_default(),
                );
                config_maps.insert(key, ClusterConfig::from_config_map(cm));
            }
            Document::BackendConfig(config) => {
                let key = (
                    namespace_of(config.metadata.namespace.as_ref()),
                    config.metadata.name.clone().unwrap_or_default(),
                );
                backend_configs.insert(key, config.as_ref());
            }
            _ => {}
        }
    }
    let cluster_for = |ns: Option<&String>, common: &CommonSpec| {
        let name = common.pulsar.as_ref()?.pulsar_config.clone()?;
        config_maps.get(&(namespace_of(ns), name))
    };
    let names = Names::default();
    let backend_for = |ns: Option<&String>| BackendConfigs {
        global: names
            .global
            .clone()
            .and_then(|(name, namespace)| backend_configs.get(&(namespace, name)).copied()),
        namespaced: names
            .namespaced
            .clone()
            .and_then(|name| backend_configs.get(&(namespace_of(ns), name)).copied()),
    };

    let inputs = |meta: &ObjectMeta, common: &CommonSpec| -> Inputs<'_> {
        (
            cluster_for(meta.namespace.as_ref(), common),
            backend_for(meta.namespace.as_ref()),
        )
    };

    let mut out = String::new();
    let mut errors = Vec::new();
    for d in docs {
        let result = match &d.document {
            Document::Function(f) => emit(&mut out, f.as_ref(), &inputs, options),
            Document::Source(s) => emit(&mut out, s.as_ref(), &inputs, options),
            Document::Sink(s) => emit(&mut out, s.as_ref(), &inputs, options),
            Document::FunctionMesh(mesh) => children_for_mesh(mesh).and_then(|children| {
                let mut child_errors = Vec::new();
                for child in &children {
                    let kind = child.kind().kind();
                    let r = match child {
                        AnyComponent::Function(f) => push_yaml(&mut out, kind, f)
                            .and_then(|_| emit(&mut out, f.as_ref(), &inputs, options)),
                        AnyComponent::Source(s) => push_yaml(&mut out, kind, s)
                            .and_then(|_| emit(&mut out, s.as_ref(), &inputs, options)),
                        AnyComponent::Sink(s) => push_yaml(&mut out, kind, s)
                            .and_then(|_| emit(&mut out, s.as_ref(), &inputs, options)),
                    };
                    child_errors.extend(r.err());
                }
                DesiredError::combine(child_errors)
            }),
            // ConfigMaps, BackendConfigs, Secrets and other objects are inputs, not objects
            // this operator owns.
            Document::ConfigMap(_)
            | Document::BackendConfig(_)
            | Document::Secret(_)
            | Document::Other(_) => Ok(()),
        };
        errors.extend(result.err());
    }
    DesiredError::combine(errors).map(|()| out)
}
