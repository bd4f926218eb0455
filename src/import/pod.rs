//! Pod-level statements: resources, env and `secretsMap`, volumes, autoscaling, and the pod
//! policy (labels, annotations, node selector, tolerations, service account, grace period).

use serde_json::{json, Map, Value as Json};

use super::fields::{put_back, take_i64, take_object, take_str};
use super::write;
use crate::syntax::ast::Relaxation;

/// Whether the grammar reads `text` as one `measure` token (a number with an optional unit).
fn is_measure(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let end = digits
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(digits.len());
    let (number, unit) = digits.split_at(end);
    let mut parts = number.split('.');
    let whole_ok = parts.next().is_some_and(|w| !w.is_empty());
    let frac_ok = parts.next().is_none_or(|f| !f.is_empty()) && parts.next().is_none();
    whole_ok && frac_ok && unit.chars().all(|c| c.is_ascii_alphabetic())
}

fn quantity_text(v: &Json) -> Option<String> {
    let text = match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        _ => return None,
    };
    is_measure(&text).then_some(text)
}

/// `resources`, or `requests` and `limits` when they differ (cpu and memory only).
pub fn resources(spec: &mut Map<String, Json>, out: &mut Vec<String>) {
    let mut res = take_object(spec, "resources");
    let mut side = |name: &str| -> Vec<(String, String)> {
        let mut side = take_object(&mut res, name);
        let mut amounts = Vec::new();
        for resource in ["cpu", "memory"] {
            if let Some(q) = side.get(resource).and_then(quantity_text) {
                side.shift_remove(resource);
                amounts.push((resource.to_owned(), q));
            }
        }
        put_back(&mut res, name, side);
        amounts
    };
    let requests = side("requests");
    let limits = side("limits");
    let text = |amounts: &[(String, String)]| {
        amounts
            .iter()
            .map(|(r, q)| format!("{r} {q}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !requests.is_empty() && requests == limits {
        out.push(format!("resources {}", text(&requests)));
    } else {
        if !requests.is_empty() {
            out.push(format!("requests {}", text(&requests)));
        }
        if !limits.is_empty() {
            out.push(format!("limits {}", text(&limits)));
        }
    }
    put_back(spec, "resources", res);
}

/// `secretsMap` and `pod.env` as one `env { … }` block.
pub fn env(
    spec: &mut Map<String, Json>,
    pod: &mut Map<String, Json>,
    out: &mut Vec<String>,
    who: &str,
    warnings: &mut Vec<String>,
) {
    let mut entries: Vec<String> = Vec::new();
    // Plain name/value pairs only; a `valueFrom` keeps the whole list in `spec`, since a
    // list there replaces the generated one.
    let plain: Option<Vec<(String, String)>> =
        pod.get("env").and_then(Json::as_array).and_then(|list| {
            list.iter()
                .map(|e| {
                    let e = e.as_object()?;
                    if e.len() != 2 {
                        return None;
                    }
                    Some((
                        e.get("name")?.as_str()?.to_owned(),
                        e.get("value")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        });
    // An empty list stays as written: the compiler would leave it out.
    if let Some(plain) = plain.filter(|p| !p.is_empty()) {
        pod.shift_remove("env");
        for (name, value) in plain {
            if crate::secrets::looks_secret(&name) && !value.is_empty() {
                warnings.push(format!(
                    "{who}: env `{name}` holds a literal secret; imported as written, but `fmc check` refuses it: use `secret \"name\" key \"key\"`"
                ));
            }
            entries.push(format!("{}: {}", write::key(&name), write::string(&value)));
        }
    }
    let mut secrets = take_object(spec, "secretsMap");
    let names: Vec<String> = secrets.keys().cloned().collect();
    for name in names {
        let Some(Json::Object(reference)) = secrets.get(&name) else {
            continue;
        };
        let (Some(path), Some(key)) = (
            reference.get("path").and_then(Json::as_str),
            reference.get("key").and_then(Json::as_str),
        ) else {
            continue;
        };
        if reference.len() != 2 {
            continue;
        }
        entries.push(format!(
            "{}: secret {} key {}",
            write::key(&name),
            write::string(path),
            write::string(key)
        ));
        secrets.shift_remove(&name);
    }
    put_back(spec, "secretsMap", secrets);
    match entries.len() {
        0 => {}
        1 => out.push(format!("env {{ {} }}", entries[0])),
        _ => out.push(format!(
            "env {{\n{}\n}}",
            write::indent(&entries.join("\n"), 2)
        )),
    }
}

/// `volume NAME … at "/path"` when volumes and mounts pair up one to one, in order, with
/// nothing but the source the statement can say; otherwise both lists stay in `spec`.
pub fn volumes(spec: &mut Map<String, Json>, pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let (Some(Json::Array(volumes)), Some(Json::Array(mounts))) =
        (pod.get("volumes"), spec.get("volumeMounts"))
    else {
        return;
    };
    if volumes.len() != mounts.len() || volumes.is_empty() {
        return;
    }
    let mut statements = Vec::new();
    for (volume, mount) in volumes.iter().zip(mounts) {
        let (Some(volume), Some(mount)) = (volume.as_object(), mount.as_object()) else {
            return;
        };
        let name = volume
            .get("name")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if super::kebab(name, "") != name || volume.len() != 2 || mount.len() != 2 {
            return;
        }
        if mount.get("name").and_then(Json::as_str) != Some(name) {
            return;
        }
        let Some(path) = mount.get("mountPath").and_then(Json::as_str) else {
            return;
        };
        let source = if volume.get("emptyDir") == Some(&json!({})) {
            "empty-dir".to_owned()
        } else if let Some(Json::Object(s)) = volume.get("secret") {
            match (s.len(), s.get("secretName").and_then(Json::as_str)) {
                (1, Some(n)) => format!("secret {}", write::string(n)),
                _ => return,
            }
        } else if let Some(Json::Object(c)) = volume.get("configMap") {
            match (c.len(), c.get("name").and_then(Json::as_str)) {
                (1, Some(n)) => format!("config-map {}", write::string(n)),
                _ => return,
            }
        } else {
            return;
        };
        statements.push(format!("volume {name} {source} at {}", write::string(path)));
    }
    pod.shift_remove("volumes");
    spec.shift_remove("volumeMounts");
    out.extend(statements);
}

/// `autoscale cpu|memory N%` for resource-utilisation metrics, in the order the compiler
/// writes them (cpu, then memory).
pub fn autoscale(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let Some(Json::Array(metrics)) = pod.get("autoScalingMetrics") else {
        return;
    };
    let mut statements = Vec::new();
    for metric in metrics {
        let resource = metric.get("resource");
        let name = resource.and_then(|r| r.get("name")).and_then(Json::as_str);
        let target = resource.and_then(|r| r.get("target"));
        let simple = metric.as_object().is_some_and(|m| m.len() == 2)
            && metric.get("type") == Some(&json!("Resource"))
            && resource
                .and_then(Json::as_object)
                .is_some_and(|r| r.len() == 2)
            && target
                .and_then(Json::as_object)
                .is_some_and(|t| t.len() == 2)
            && target.and_then(|t| t.get("type")) == Some(&json!("Utilization"));
        let percent = target
            .and_then(|t| t.get("averageUtilization"))
            .and_then(Json::as_i64);
        match (simple, name, percent) {
            (true, Some(n @ ("cpu" | "memory")), Some(p)) => {
                let n: &'static str = if n == "cpu" { "cpu" } else { "memory" };
                statements.push((n, format!("autoscale {n} {p}%")))
            }
            _ => return,
        }
    }
    let names: Vec<_> = statements.iter().map(|(n, _)| *n).collect();
    if names != ["cpu"] && names != ["memory"] && names != ["cpu", "memory"] {
        return;
    }
    pod.shift_remove("autoScalingMetrics");
    out.extend(statements.into_iter().map(|(_, s)| s));
}

fn string_map(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|m| !m.is_empty() && m.values().all(Json::is_string))
}

/// fmc's own pod security context (hardened, or with `run-as-root` / `seccomp-unconfined`
/// relaxed) is what the compiler writes anyway: it is taken, and a relaxed one becomes the
/// `security { … }` block that asks for it. Any other stays in `spec`.
pub fn security_context(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    let Some(written) = pod.get("securityContext") else {
        return;
    };
    for (as_root, unconfined) in [(false, false), (true, false), (false, true), (true, true)] {
        let ours = crate::mapping::pod_security_context(as_root, unconfined);
        if serde_json::to_value(&ours).ok().as_ref() == Some(written) {
            pod.shift_remove("securityContext");
            let words: Vec<&str> = [
                (as_root, Relaxation::RunAsRoot.word()),
                (unconfined, Relaxation::SeccompUnconfined.word()),
            ]
            .into_iter()
            .filter_map(|(on, word)| on.then_some(word))
            .collect();
            if !words.is_empty() {
                out.push(format!("security {{ {} }}", words.join("; ")));
            }
            return;
        }
    }
}

/// Labels, annotations, node selector, tolerations, service account, grace period.
pub fn pod_settings(pod: &mut Map<String, Json>, out: &mut Vec<String>) {
    for (key, word) in [
        ("labels", "labels"),
        ("annotations", "annotations"),
        ("nodeSelector", "node-selector"),
    ] {
        if let Some(map) = pod.get(key).filter(|m| string_map(m)) {
            out.push(format!("{word} {}", write::value(map)));
            pod.shift_remove(key);
        }
    }
    if let Some(Json::Array(list)) = pod.get("tolerations") {
        if !list.is_empty()
            && list
                .iter()
                .all(|t| t.as_object().is_some_and(|m| !m.is_empty()))
        {
            for t in list {
                out.push(format!("toleration {}", write::value(t)));
            }
            pod.shift_remove("tolerations");
        }
    }
    if let Some(sa) = take_str(pod, "serviceAccountName") {
        out.push(format!("service-account {}", write::string(&sa)));
    }
    if let Some(s) = take_i64(pod, "terminationGracePeriodSeconds") {
        out.push(format!("termination-grace {s}s"));
    }
}
