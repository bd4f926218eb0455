//! Secret values written literally. A mesh may only name Secrets; a password in a connector
//! config or an env var would end up in plain text in Git and in the cluster.
//! Messages never repeat the value.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{Mesh, Step};
use crate::secrets::{generic_params_hold_secret, looks_secret};
use crate::syntax::ast::{EnvValue, Map, Value};

pub fn check(mesh: &Mesh, steps: &[&Step], diagnostics: &mut Diagnostics) {
    for &step in steps {
        check_map(&step.settings.config, "config", diagnostics);
        // The escape hatch can carry connector or function config too: same rule there.
        for (key, value) in &step.settings.spec {
            if let ("funcConfig" | "sourceConfig" | "sinkConfig", Value::Map(inner)) =
                (key.value.as_str(), &value.value)
            {
                check_map(inner, "spec", diagnostics);
            }
        }
        for (key, value) in &step.settings.env {
            if let EnvValue::Literal(v) = value {
                if matches!(&v.value, Value::String(s) if !s.is_empty()) && looks_secret(&key.value)
                {
                    diagnostics.push(literal(key.span, &key.value, "env").redact(v.span));
                }
            }
        }
    }
    for cluster in &mesh.clusters {
        let params = cluster
            .generic_auth
            .as_ref()
            .and_then(|g| g.value.get("params"));
        if let Some(params) = params.filter(|p| generic_params_hold_secret(&p.value)) {
            diagnostics.push(
                Diagnostic::error(
                    Code::LiteralSecret,
                    params.span,
                    "the authentication parameters hold a credential",
                )
                .redact(params.span)
                .primary("secret written in the mesh")
                .help("point the plugin at a file mounted from a Secret (`token:file:///path`, `{\"privateKey\": \"file:///path\"}`), or use `auth secret \"name\"`"),
            );
        }
        for url in [&cluster.broker, &cluster.admin].into_iter().flatten() {
            if url.value.split("://").nth(1).is_some_and(|rest| {
                rest.split('/')
                    .next()
                    .is_some_and(|host| host.contains('@'))
            }) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::LiteralSecret,
                        url.span,
                        "this URL carries credentials",
                    )
                    .redact(url.span)
                    .primary("user or password in the URL")
                    .help("remove them from the URL and use `auth secret \"name\"` or `auth oauth2 { … }` on the cluster"),
                );
            }
        }
    }
}

fn check_map(map: &Map, context: &str, diagnostics: &mut Diagnostics) {
    for (key, value) in map {
        match &value.value {
            Value::String(s) if looks_secret(&key.value) && !s.is_empty() => {
                diagnostics.push(literal(key.span, &key.value, context).redact(value.span))
            }
            Value::Map(inner) => check_map(inner, context, diagnostics),
            _ => {}
        }
    }
}

fn literal(span: crate::diag::Span, key: &str, context: &str) -> Diagnostic {
    Diagnostic::error(
        Code::LiteralSecret,
        span,
        format!("`{key}` in {context} holds a literal secret value"),
    )
    .primary("secret written in the mesh")
    .help(format!(
        "store it in a Kubernetes Secret and reference it instead: `env {{ {key}: secret \"name\" key \"key\" }}` (Pulsar IO connectors load sensitive fields of that name from the secrets provider)"
    ))
}
