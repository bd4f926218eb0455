//! Every Kubernetes API call the operator makes, as (API group, resource, verb). The ClusterRole
//! and Role in `deploy/rbac.yaml` must grant exactly these (tested), the mock API tests check
//! each request they see against this list, and a cluster test runs the operator with its own
//! ServiceAccount and compares what the API server's audit log saw it do with what `deploy/`
//! grants: least privilege that cannot silently drift either way.

/// A server-side apply is authorised as `patch` when the object exists and as `create` when it
/// does not, so every kind the operator applies needs both.
pub const REQUIRED: &[(&str, &str, &[&str])] = &[
    // FunctionMesh members are applied as Functions, Sources and Sinks.
    (
        "compute.functionmesh.io",
        "functions",
        &["list", "watch", "create", "patch", "delete"],
    ),
    (
        "compute.functionmesh.io",
        "sources",
        &["list", "watch", "create", "patch", "delete"],
    ),
    (
        "compute.functionmesh.io",
        "sinks",
        &["list", "watch", "create", "patch", "delete"],
    ),
    (
        "compute.functionmesh.io",
        "functionmeshes",
        &["list", "watch"],
    ),
    // BackendConfigs are only read, through a watch.
    (
        "compute.functionmesh.io",
        "backendconfigs",
        &["list", "watch"],
    ),
    ("compute.functionmesh.io", "functions/status", &["patch"]),
    ("compute.functionmesh.io", "sources/status", &["patch"]),
    ("compute.functionmesh.io", "sinks/status", &["patch"]),
    (
        "compute.functionmesh.io",
        "functionmeshes/status",
        &["patch"],
    ),
    // `create` because a server-side apply that creates an object is authorised as a create.
    (
        "apps",
        "statefulsets",
        &["get", "list", "watch", "create", "patch", "delete"],
    ),
    ("", "services", &["list", "watch", "create", "patch"]),
    ("", "configmaps", &["get"]),
    // Only where the cluster serves the VPA API.
    (
        "autoscaling.k8s.io",
        "verticalpodautoscalers",
        &["get", "create", "patch", "delete"],
    ),
    // Subscription clean-up Jobs of deleted resources: created once, watched to completion.
    ("batch", "jobs", &["get", "list", "watch", "create"]),
    // Warning Events on failing resources (kube's Recorder: create, then patch a series).
    ("events.k8s.io", "events", &["create", "patch"]),
    // The admission webhooks register themselves (server-side apply).
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        &["create", "patch"],
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        &["create", "patch"],
    ),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        &["list", "watch", "create", "patch", "delete"],
    ),
];

/// Calls in the operator's own namespace only, granted by a Role there: the leader Lease, and
/// the Secret with the webhook's certificate (read, created once, replaced on renewal).
pub const OWN_NAMESPACE: &[(&str, &str, &[&str])] = &[
    (
        "coordination.k8s.io",
        "leases",
        &["get", "create", "update"],
    ),
    ("", "secrets", &["get", "create", "update"]),
];

/// Whether `REQUIRED` grants `verb` on `group`/`resource`.
pub fn allows(group: &str, resource: &str, verb: &str) -> bool {
    REQUIRED
        .iter()
        .any(|(g, r, verbs)| *g == group && *r == resource && verbs.contains(&verb))
}
