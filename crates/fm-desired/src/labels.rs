//! Labels, annotations and owner references of the generated objects (upstream:
//! `controllers/spec/function.go`, `makeFunctionLabels` and `MakeFunctionObjectMeta`, and their
//! twins in `source.go` and `sink.go`).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::naming::{workload_name, Kind};

pub const METRICS_PORT: i32 = 9094;
pub const GRPC_PORT: i32 = 9093;

/// Annotation carrying a digest of the cluster ConfigMap values the pods consume through
/// `envFrom`, so that a changed broker URL rolls the pods (envFrom is read only at start).
pub const CLUSTER_CONFIG_HASH_ANNOTATION: &str = "compute.functionmesh.io/pulsar-config-hash";

pub type Labels = BTreeMap<String, String>;

/// The labels on every generated object, the StatefulSet selector and the Service selector.
/// Includes upstream's legacy short forms (`component`, `name`, `namespace`) and, for
/// Functions only, `app=function-mesh` in both spellings — dashboards select on these.
pub fn base_labels(name: &str, namespace: &str, kind: Kind) -> Labels {
    let workload = workload_name(name, kind);
    let mut labels = Labels::new();
    let mut put = |k: &str, v: &str| {
        labels.insert(k.to_owned(), v.to_owned());
    };
    put("app.kubernetes.io/name", &workload);
    put("app.kubernetes.io/instance", &workload);
    put("compute.functionmesh.io/component", kind.word());
    put("compute.functionmesh.io/name", name);
    put("compute.functionmesh.io/namespace", namespace);
    put("component", kind.word());
    put("name", name);
    put("namespace", namespace);
    if kind == Kind::Function {
        put("compute.functionmesh.io/app", "function-mesh");
        put("app", "function-mesh");
    }
    labels
}

/// Pod template labels: operator-wide `resourceLabels`, then the spec's `pod.labels`, then
/// the base labels. Unlike upstream, the base labels are applied last: a user label that
/// overwrote one of them would make the template stop matching the immutable selector.
pub fn pod_labels(base: &Labels, resource_labels: &Labels, pod: Option<&Labels>) -> Labels {
    let mut labels = resource_labels.clone();
    if let Some(pod) = pod {
        labels.extend(pod.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    labels.extend(base.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels
}

/// Pod template annotations: Prometheus scrape hints first, then operator-wide
/// `resourceAnnotations`, then `pod.annotations` (which may override the hints, as upstream),
/// then the cluster-config digest when known.
pub fn pod_annotations(
    resource_annotations: &Labels,
    pod: Option<&Labels>,
    cluster_config_hash: Option<String>,
) -> Labels {
    let mut annotations = Labels::new();
    annotations.insert("prometheus.io/scrape".into(), "true".into());
    annotations.insert("prometheus.io/port".into(), METRICS_PORT.to_string());
    annotations.extend(
        resource_annotations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    if let Some(pod) = pod {
        annotations.extend(pod.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(hash) = cluster_config_hash {
        annotations.insert(CLUSTER_CONFIG_HASH_ANNOTATION.into(), hash);
    }
    annotations
}

/// The owner reference every generated object carries: the custom resource is the
/// controller, and foreground deletion waits for the child.
pub fn controller_ref(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        uid: uid.to_owned(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Renders labels as a selector string (`k=v,k2=v2`, sorted), as `status.selector` wants it.
pub fn selector_string(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_labels_include_app() {
        let l = base_labels("f", "ns", Kind::Function);
        assert_eq!(l.len(), 10);
        assert_eq!(l["app"], "function-mesh");
        assert_eq!(l["app.kubernetes.io/name"], "f-function");
        let s = base_labels("s", "ns", Kind::Sink);
        assert_eq!(s.len(), 8);
        assert!(!s.contains_key("app"));
        assert_eq!(s["component"], "sink");
    }

    #[test]
    fn base_labels_win_over_pod_labels() {
        let base = base_labels("f", "ns", Kind::Function);
        let mut user = Labels::new();
        user.insert("name".into(), "other".into());
        user.insert("team".into(), "a".into());
        let pod = pod_labels(&base, &Labels::new(), Some(&user));
        assert_eq!(pod["name"], "f");
        assert_eq!(pod["team"], "a");
    }

    #[test]
    fn user_annotations_override_hints() {
        let mut user = Labels::new();
        user.insert("prometheus.io/scrape".into(), "false".into());
        let a = pod_annotations(&Labels::new(), Some(&user), Some("abc".into()));
        assert_eq!(a["prometheus.io/scrape"], "false");
        assert_eq!(a["prometheus.io/port"], "9094");
        assert_eq!(a[CLUSTER_CONFIG_HASH_ANNOTATION], "abc");
    }
}
