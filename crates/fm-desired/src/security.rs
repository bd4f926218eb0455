//! Hardened-by-default security settings (a deliberate improvement over upstream, which ran
//! pods as root unless `RUN_AS_NON_ROOT` was set). The runner images run as uid 10000.

use fm_api::relaxations::Relaxations;
use k8s_openapi::api::core::v1::{
    Capabilities, PodSecurityContext, SeccompProfile, SecurityContext,
};

pub const RUN_AS_USER: i64 = 10000;
pub const RUN_AS_GROUP: i64 = 10001;
pub const FS_GROUP: i64 = 10001;

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        localhost_profile: None,
    }
}

/// Pod context: the user's `pod.securityContext` replaces it entirely (an explicit,
/// visible relaxation); otherwise non-root with the runner's ids and the default seccomp.
pub fn pod_context(user: Option<&PodSecurityContext>) -> PodSecurityContext {
    match user {
        Some(ctx) => ctx.clone(),
        None => PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(RUN_AS_USER),
            run_as_group: Some(RUN_AS_GROUP),
            fs_group: Some(FS_GROUP),
            seccomp_profile: Some(runtime_default()),
            ..Default::default()
        },
    }
}

/// The main container's context: hardened as `container_context`, minus what the resource's
/// pod annotations explicitly relax (see `fm_api::relaxations`).
pub fn main_container_context(read_only_root: bool, relax: &Relaxations) -> SecurityContext {
    let mut context = container_context(read_only_root);
    if relax.privilege_escalation {
        context.allow_privilege_escalation = Some(true);
    }
    if !relax.add_capabilities.is_empty() {
        if let Some(capabilities) = context.capabilities.as_mut() {
            capabilities.add = Some(relax.add_capabilities.clone());
        }
    }
    context
}

/// Container context: no privilege escalation, no capabilities, and a read-only root
/// filesystem where the runner allows it (writable paths get emptyDirs).
pub fn container_context(read_only_root: bool) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        read_only_root_filesystem: Some(read_only_root),
        ..Default::default()
    }
}
