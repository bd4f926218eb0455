//! Literal secrets in an imported resource (a password in a connector's config, a token in a
//! pod's env) cannot stay in the mesh: `fmc check` refuses them. Each moves to a Secret that
//! `fmc import --secrets-out FILE` writes, and the step reads it through `secretsMap` (an
//! `env { KEY: secret "…" key "…" }` entry), which is where Pulsar IO connectors and the
//! instance's secrets provider look for sensitive fields. The value itself is never part of
//! a message.

use serde_json::{Map, Value as Json};

use super::fields::take;
use crate::secrets::looks_secret;

/// One value moved out of a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovedSecret {
    /// The Secret's name.
    pub secret: String,
    /// Its key holding the value.
    pub key: String,
    pub value: String,
}

/// A Secret data key for an env or config name: Kubernetes allows `[-._a-zA-Z0-9]`.
fn secret_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Moves the literal secrets of `spec[config_key]` and of `spec.pod.env` into
/// `spec.secretsMap`, referencing Secret `secret`; the values go to `moved`.
pub fn move_literal_secrets(
    spec: &mut Map<String, Json>,
    config_key: &str,
    secret: &str,
    who: &str,
    moved: &mut Vec<MovedSecret>,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    let mut found: Vec<Found> = Vec::new();
    if let Some(Json::Object(config)) = spec.get_mut(config_key) {
        take_from_config(config, &[], config_key, &mut found);
    }
    let mut pod_emptied = false;
    if let Some(Json::Object(pod)) = spec.get_mut("pod") {
        if let Some(Json::Array(env)) = pod.get_mut("env") {
            let before = env.len();
            env.retain(|entry| {
                let name = entry.get("name").and_then(Json::as_str);
                let value = entry.get("value").and_then(Json::as_str);
                match (name, value, entry.as_object().map(Map::len)) {
                    (Some(name), Some(value), Some(2))
                        if looks_secret(name) && !value.is_empty() =>
                    {
                        found.push(Found {
                            place: format!("pod.env {name}"),
                            name: name.to_owned(),
                            value: value.to_owned(),
                            nested: false,
                        });
                        false
                    }
                    _ => true,
                }
            });
            // An empty list written as such stays; one this emptied goes.
            if env.is_empty() && before > 0 {
                take(pod, "env");
                pod_emptied = pod.is_empty();
            }
        }
    }
    if pod_emptied {
        take(spec, "pod");
    }
    if found.is_empty() {
        return;
    }
    let map = spec
        .entry("secretsMap")
        .or_insert_with(|| Json::Object(Map::new()));
    let Json::Object(map) = map else {
        warnings.push(format!(
            "{who}: literal secrets found, but `secretsMap` is not a map: they were not moved"
        ));
        return;
    };
    for Found {
        place,
        name,
        value,
        nested,
    } in found
    {
        if map.contains_key(&name) {
            // Two sources for one name: the resource's own reference wins, as in Pulsar.
            warnings.push(format!(
                "{who}: `{place}` holds a literal secret, and `secretsMap` already has `{name}`: \
                 the literal value was dropped; the existing reference stays"
            ));
            continue;
        }
        let key = secret_key(&name);
        map.insert(
            name.clone(),
            serde_json::json!({ "path": secret, "key": key }),
        );
        let nested = if nested {
            " (a nested field: check that the connector reads it from the secrets provider)"
        } else {
            ""
        };
        notes.push(format!(
            "{who}: `{place}` held a literal secret: moved to Secret `{secret}` key `{key}` \
             (written to --secrets-out); the step reads it as `{name}` from `secretsMap`{nested}"
        ));
        moved.push(MovedSecret {
            secret: secret.to_owned(),
            key,
            value,
        });
    }
}

/// A literal secret found: where, the name it is read by, the value, and whether it was
/// inside a nested map of the config (connectors read sensitive fields at the top level).
struct Found {
    place: String,
    name: String,
    value: String,
    nested: bool,
}

fn take_from_config(
    config: &mut Map<String, Json>,
    path: &[&str],
    config_key: &str,
    found: &mut Vec<Found>,
) {
    let keys: Vec<String> = config.keys().cloned().collect();
    for key in keys {
        let mut here: Vec<&str> = path.to_vec();
        here.push(&key);
        match config.get_mut(&key) {
            Some(Json::String(value)) if looks_secret(&key) && !value.is_empty() => {
                let value = std::mem::take(value);
                config.shift_remove(&key);
                found.push(Found {
                    place: format!("{config_key}.{}", here.join(".")),
                    name: here.join("."),
                    value,
                    nested: !path.is_empty(),
                });
            }
            Some(Json::Object(inner)) => take_from_config(inner, &here, config_key, found),
            _ => {}
        }
    }
}

/// The Secrets holding the moved values, as a YAML stream (one Secret per name).
pub fn manifests(moved: &[MovedSecret], namespace: Option<&str>) -> String {
    let mut names: Vec<&str> = moved.iter().map(|m| m.secret.as_str()).collect();
    names.dedup();
    let mut out = String::new();
    for name in names {
        let data: Map<String, Json> = moved
            .iter()
            .filter(|m| m.secret == name)
            .map(|m| (m.key.clone(), Json::String(m.value.clone())))
            .collect();
        let mut metadata = Map::new();
        metadata.insert("name".into(), Json::String(name.to_owned()));
        if let Some(ns) = namespace {
            metadata.insert("namespace".into(), Json::String(ns.to_owned()));
        }
        let secret = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata,
            "type": "Opaque",
            "stringData": data,
        });
        out.push_str("---\n");
        out.push_str(&fm_api::yaml::to_string(&secret));
    }
    out
}
