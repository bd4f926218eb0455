//! `fm-operator render`: the YAML stream of every object the operator would create for a
//! set of manifests, in document order (a FunctionMesh is followed by its children and then
//! their objects). Deterministic: the same input gives the same bytes.

use std::collections::BTreeMap;

use fm_api::load::{Document, Loaded};
use fm_api::AnyComponent;
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
    let cluster_for = |ns: Option<&String>, common: &fm_api::spec_common::CommonSpec| {
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

    let mut out = String::new();
    let mut errors = Vec::new();
    let emit_function = |out: &mut String, f: &fm_api::Function| -> Result<(), DesiredError> {
        let cluster = cluster_for(f.metadata.namespace.as_ref(), &f.spec.common);
        let backend = backend_for(f.metadata.namespace.as_ref());
        push_objects(out, &desired_with(f, cluster, options, &backend)?)
    };
    let emit_source = |out: &mut String, s: &fm_api::Source| -> Result<(), DesiredError> {
        let cluster = cluster_for(s.metadata.namespace.as_ref(), &s.spec.common);
        let backend = backend_for(s.metadata.namespace.as_ref());
        push_objects(out, &desired_with(s, cluster, options, &backend)?)
    };
    let emit_sink = |out: &mut String, s: &fm_api::Sink| -> Result<(), DesiredError> {
        let cluster = cluster_for(s.metadata.namespace.as_ref(), &s.spec.common);
        let backend = backend_for(s.metadata.namespace.as_ref());
        push_objects(out, &desired_with(s, cluster, options, &backend)?)
    };
    for d in docs {
        let result = match &d.document {
            Document::Function(f) => emit_function(&mut out, f),
            Document::Source(s) => emit_source(&mut out, s),
            Document::Sink(s) => emit_sink(&mut out, s),
            Document::FunctionMesh(mesh) => children_for_mesh(mesh).and_then(|children| {
                let mut child_errors = Vec::new();
                for child in &children {
                    let r = match child {
                        AnyComponent::Function(f) => push_yaml(&mut out, "Function", f)
                            .and_then(|_| emit_function(&mut out, f)),
                        AnyComponent::Source(s) => {
                            push_yaml(&mut out, "Source", s).and_then(|_| emit_source(&mut out, s))
                        }
                        AnyComponent::Sink(s) => {
                            push_yaml(&mut out, "Sink", s).and_then(|_| emit_sink(&mut out, s))
                        }
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
