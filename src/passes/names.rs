//! Kubernetes name rules for everything fmc will name, after expansion.
//!
//! Each step becomes a custom resource `<mesh>-<step>`; the operator derives
//! `<name>-function` (StatefulSet) and `<name>-function-headless` (Service) from it, and the
//! StatefulSet's pods carry a `controller-revision-hash` label of `<sts>-<10 chars>` that must
//! fit the 63-character label limit. Upstream therefore caps resource names at 43 characters;
//! we apply the same cap so our output runs under either operator.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{Mesh, Step};

/// Longest custom-resource name whose derived names all fit their limits.
pub const MAX_RESOURCE_NAME: usize = fm_desired::naming::MAX_NAME_LEN;

pub fn check(mesh: &Mesh, steps: &[&Step], diagnostics: &mut Diagnostics) {
    for &step in steps {
        let full = format!("{}-{}", mesh.name.value, step.name.value);
        if full.len() > MAX_RESOURCE_NAME {
            diagnostics.push(
                Diagnostic::error(
                    Code::NameTooLong,
                    step.name.span,
                    format!(
                        "the resource for this step would be named `{full}` ({} characters); the limit is {MAX_RESOURCE_NAME}",
                        full.len()
                    ),
                )
                .primary("too long with the mesh name in front")
                .label(mesh.name.span, "mesh name")
                .help(format!(
                    "shorten the mesh or step name by {} characters: the StatefulSet, Service and pod labels derived from it must stay within Kubernetes' 63-character limit",
                    full.len() - MAX_RESOURCE_NAME
                )),
            );
        }
    }
    if let Some(ns) = &mesh.namespace {
        if !is_dns1123_label(&ns.value) {
            diagnostics.push(invalid(ns.span, "namespace", &ns.value, 63));
        }
    }
    let secret_names = mesh.clusters.iter().flat_map(|c| {
        [&c.auth_secret, &c.tls_secret]
            .into_iter()
            .flatten()
            .map(|s| (s.span, s.value.as_str()))
            .collect::<Vec<_>>()
    });
    for (span, name) in secret_names {
        if !is_dns1123_subdomain(name) {
            diagnostics.push(invalid(span, "Secret name", name, 253));
        }
    }
    for &step in steps {
        if let Some(sa) = &step.settings.service_account {
            if !is_dns1123_subdomain(&sa.value) {
                diagnostics.push(invalid(sa.span, "service account name", &sa.value, 253));
            }
        }
        for (key, _) in step.settings.labels.iter().chain(&mesh.labels) {
            if !is_label_key(&key.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        key.span,
                        format!("`{}` is not a valid label key", key.value),
                    )
                    .help("label keys are an optional DNS subdomain prefix and `/`, then up to 63 characters of letters, digits, `-`, `_` and `.`, starting and ending alphanumeric"),
                );
            }
        }
    }
}

fn invalid(span: Span, what: &str, value: &str, max: usize) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidName,
        span,
        format!("`{value}` is not a valid Kubernetes {what}"),
    )
    .help(format!(
        "use at most {max} lower-case letters, digits and `-`, starting and ending with a letter or digit"
    ))
}

pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
    name_ok && prefix.is_none_or(is_dns1123_subdomain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert!(is_dns1123_label("word-count"));
        assert!(!is_dns1123_label("Word"));
        assert!(!is_dns1123_label("-a"));
        assert!(is_dns1123_subdomain("pulsar.token"));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_key("bad key"));
    }
}
