//! Pod annotations through which a resource relaxes the container-level hardening that
//! fm-operator applies by default. The Function Mesh API has no field for the main
//! container's securityContext, so these travel as `spec.pod.annotations`: fmc writes them
//! for a mesh's `security { … }` block and fm-operator reads them. The upstream operator
//! ignores them and keeps its own (stricter or equal) container settings, so a resource is
//! never less safe under either operator than its author asked for.

/// `"true"`: the main container may gain privileges (`allowPrivilegeEscalation: true`).
pub const PRIVILEGE_ESCALATION: &str = "fmc.functionmesh.io/allow-privilege-escalation";
/// `"true"`: the main container's root filesystem stays writable.
pub const WRITABLE_ROOT_FILESYSTEM: &str = "fmc.functionmesh.io/writable-root-filesystem";
/// Comma-separated capability names added back after dropping ALL, e.g. `NET_ADMIN,NET_RAW`.
pub const ADD_CAPABILITIES: &str = "fmc.functionmesh.io/add-capabilities";
/// `"true"`: mount the service account token even without a named service account.
pub const SERVICE_ACCOUNT_TOKEN: &str = "fmc.functionmesh.io/mount-service-account-token";

/// The relaxations a set of pod annotations asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relaxations {
    pub privilege_escalation: bool,
    pub writable_root_filesystem: bool,
    pub add_capabilities: Vec<String>,
    pub service_account_token: bool,
}

impl Relaxations {
    /// Reads the annotations; anything but exactly `"true"` leaves a setting hardened.
    pub fn from_annotations(
        annotations: Option<&std::collections::BTreeMap<String, String>>,
    ) -> Self {
        let Some(annotations) = annotations else {
            return Relaxations::default();
        };
        let flag = |key: &str| annotations.get(key).is_some_and(|v| v == "true");
        Relaxations {
            privilege_escalation: flag(PRIVILEGE_ESCALATION),
            writable_root_filesystem: flag(WRITABLE_ROOT_FILESYSTEM),
            add_capabilities: annotations
                .get(ADD_CAPABILITIES)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            service_account_token: flag(SERVICE_ACCOUNT_TOKEN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn only_exact_true_relaxes() {
        let annotations = BTreeMap::from([
            (PRIVILEGE_ESCALATION.to_owned(), "True".to_owned()),
            (WRITABLE_ROOT_FILESYSTEM.to_owned(), "true".to_owned()),
            (
                ADD_CAPABILITIES.to_owned(),
                " NET_ADMIN, ,NET_RAW".to_owned(),
            ),
        ]);
        let r = Relaxations::from_annotations(Some(&annotations));
        assert!(!r.privilege_escalation);
        assert!(r.writable_root_filesystem);
        assert_eq!(r.add_capabilities, ["NET_ADMIN", "NET_RAW"]);
        assert!(!r.service_account_token);
        assert_eq!(Relaxations::from_annotations(None), Relaxations::default());
    }
}
