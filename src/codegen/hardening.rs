//! The hardened pod defaults every generated resource carries, and the explicit relaxations a
//! mesh's `security { … }` block asks for. Pod-level settings have a field in the Function
//! Mesh API (`pod.securityContext`); the main container's settings do not, so those travel
//! as pod annotations that fm-operator reads (see `fm_api::relaxations`).

use std::collections::BTreeMap;

use fm_api::relaxations;
use k8s_openapi::api::core::v1::PodSecurityContext;

use crate::model::Step;
use crate::syntax::ast::{Relaxation, ResourceName};

fn relaxations(step: &Step) -> impl Iterator<Item = &Relaxation> {
    step.settings
        .security
        .iter()
        .flatten()
        .map(|spanned| &spanned.value)
}

fn relaxed(step: &Step, wanted: &Relaxation) -> bool {
    relaxations(step).any(|r| r == wanted)
}

/// Non-root with the runner's ids and the runtime's seccomp profile, unless relaxed.
pub fn pod_security_context(step: &Step) -> PodSecurityContext {
    crate::mapping::pod_security_context(
        relaxed(step, &Relaxation::RunAsRoot),
        relaxed(step, &Relaxation::SeccompUnconfined),
    )
}

/// Whether the step keeps a limit on `resource` (every resource is limited unless relaxed).
pub fn limited(step: &Step, resource: ResourceName) -> bool {
    !relaxations(step)
        .any(|r| matches!(r, Relaxation::NoLimits(names) if names.contains(&resource)))
}

/// The pod annotations that carry the container-level relaxations to fm-operator.
pub fn relaxation_annotations(step: &Step) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    let mut capabilities: Vec<String> = Vec::new();
    for relaxation in relaxations(step) {
        let key = match relaxation {
            Relaxation::PrivilegeEscalation => relaxations::PRIVILEGE_ESCALATION,
            Relaxation::WritableRootFilesystem => relaxations::WRITABLE_ROOT_FILESYSTEM,
            Relaxation::ServiceAccountToken => relaxations::SERVICE_ACCOUNT_TOKEN,
            Relaxation::Capabilities(names) => {
                for name in names {
                    if !capabilities.contains(&name.value) {
                        capabilities.push(name.value.clone());
                    }
                }
                continue;
            }
            Relaxation::RunAsRoot | Relaxation::SeccompUnconfined | Relaxation::NoLimits(_) => {
                continue
            }
        };
        annotations.insert(key.to_owned(), "true".to_owned());
    }
    if !capabilities.is_empty() {
        annotations.insert(
            relaxations::ADD_CAPABILITIES.to_owned(),
            capabilities.join(","),
        );
    }
    annotations
}
