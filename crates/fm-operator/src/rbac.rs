//! Every Kubernetes API call the operator makes, as (API group, resource, verb). The ClusterRole
//! in `deploy/rbac.yaml` must grant exactly these (tested), and the mock API tests check each
//! request they see against this list: least privilege that cannot silently drift.

pub const REQUIRED: &[(&str, &str, &[&str])] = &[
    (
        "compute.functionmesh.io",
        "functions",
        &["get", "list", "watch", "patch", "delete"],
    ),
    (
        "compute.functionmesh.io",
        "sources",
        &["get", "list", "watch", "patch", "delete"],
    ),
    (
        "compute.functionmesh.io",
        "sinks",
        &["get", "list", "watch", "patch", "delete"],
    ),
    (
        "compute.functionmesh.io",
        "functionmeshes",
        &["get", "list", "watch"],
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
    ("", "services", &["get", "list", "watch", "create", "patch"]),
    ("", "configmaps", &["get"]),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        &["create", "patch", "delete"],
    ),
];

/// Lease calls, granted by a Role in the lease namespace only.
pub const LEASE: (&str, &str, &[&str]) = (
    "coordination.k8s.io",
    "leases",
    &["get", "create", "update"],
);

/// Whether `REQUIRED` grants `verb` on `group`/`resource`.
pub fn allows(group: &str, resource: &str, verb: &str) -> bool {
    REQUIRED
        .iter()
        .any(|(g, r, verbs)| *g == group && *r == resource && verbs.contains(&verb))
}
