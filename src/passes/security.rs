//! Relaxed hardening. Every generated pod runs non-root, without privilege escalation or
//! capabilities, on a read-only root, under seccomp, with limits and without an API token;
//! a `security { … }` block may relax each of these, and every relaxation is worth a second
//! look in review, so each one is a warning (not an error: it was asked for explicitly).

use std::collections::BTreeSet;

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::Step;
use crate::syntax::ast::{Map, Relaxation, ResourceName, Value};

pub fn check(steps: &[&Step], diagnostics: &mut Diagnostics) {
    // A relaxation in a defaults block reaches many steps; say so once, where it is written.
    let mut seen = BTreeSet::new();
    for &step in steps {
        for (path, span) in hardening_overrides(&step.settings.spec) {
            if seen.insert((span.start, span.end)) {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::RelaxedSecurity,
                        span,
                        format!("`spec` sets `{path}`, which can undo the hardened defaults"),
                    )
                    .primary("set through the escape hatch")
                    .help("prefer a `security { … }` block, which names each relaxation (`fmc explain relaxed-security`)"),
                );
            }
        }
        for relaxation in step.settings.security.iter().flatten() {
            if !seen.insert((relaxation.span.start, relaxation.span.end)) {
                continue;
            }
            let (what, risk) = consequence(&relaxation.value);
            diagnostics.push(
                Diagnostic::warning(
                    Code::RelaxedSecurity,
                    relaxation.span,
                    format!(
                        "`{}` relaxes the hardened defaults: {what}",
                        relaxation.value.word()
                    ),
                )
                .primary("relaxed here")
                .help(risk),
            );
        }
    }
}

/// Places in a `spec { … }` block that reach what the hardening sets: any security context,
/// resource limits, and the annotations that carry relaxations to fm-operator.
fn hardening_overrides(spec: &Map) -> Vec<(String, Span)> {
    let mut found = Vec::new();
    walk(spec, &mut String::new(), &mut found);
    found
}

fn walk(map: &Map, path: &mut String, found: &mut Vec<(String, Span)>) {
    for (key, value) in map {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&key.value);
        let hardening = key.value == "securityContext"
            || path.as_str() == "resources.limits"
            || key.value.starts_with("fmc.functionmesh.io/");
        if hardening {
            found.push((path.clone(), key.span));
        } else if let Value::Map(inner) = &value.value {
            walk(inner, path, found);
        }
        path.truncate(len);
    }
}

/// What the relaxation changes, and why that matters.
fn consequence(relaxation: &Relaxation) -> (String, &'static str) {
    match relaxation {
        Relaxation::RunAsRoot => (
            "the pod runs as uid 0".into(),
            "a process escaping the runner is root in its container; prefer an image that runs as a non-root user",
        ),
        Relaxation::PrivilegeEscalation => (
            "the main container may gain privileges".into(),
            "setuid binaries in the image can raise privileges; only needed for tools that require them",
        ),
        Relaxation::WritableRootFilesystem => (
            "the main container's root filesystem is writable".into(),
            "a compromised function can modify its own image; prefer an `emptyDir` volume for scratch space",
        ),
        Relaxation::SeccompUnconfined => (
            "the pod runs without a seccomp profile".into(),
            "every system call is allowed; restricted namespaces reject such pods",
        ),
        Relaxation::ServiceAccountToken => (
            "the pod mounts a Kubernetes API token".into(),
            "functions talk to Pulsar, not to the Kubernetes API; a leaked token acts with the service account's rights",
        ),
        Relaxation::Capabilities(names) => (
            format!(
                "capabilities {} are added back",
                names
                    .iter()
                    .map(|n| n.value.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "each capability widens what the container can do to its node; restricted namespaces allow only NET_BIND_SERVICE",
        ),
        Relaxation::NoLimits(names) => (
            format!(
                "no {} limit",
                names
                    .iter()
                    .map(|n| match n {
                        ResourceName::Cpu => "cpu",
                        ResourceName::Memory => "memory",
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            "an unlimited pod can starve its neighbours; a memory limit in particular bounds the damage of a leak",
        ),
    }
}
