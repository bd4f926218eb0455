//! The generated CRDs as `kubectl` users meet them: small enough for client-side
//! `kubectl apply`, every field of ours described for `kubectl explain`, and readiness columns
//! for `kubectl get`.

use std::collections::BTreeSet;

use fm_api::backend_config::BackendConfigStatus;
use fm_api::status::{ComponentStatus, FunctionMeshStatus};
use fm_api::{BackendConfigSpec, FunctionMeshSpec, FunctionSpec, SinkSpec, SourceSpec};
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{Map, Value};

fn crds() -> Vec<(String, Value)> {
    fm_api::crds::all()
        .into_iter()
        .map(|crd| {
            let value = serde_json::to_value(&crd).expect("CRD serialises");
            let kind = value["spec"]["names"]["kind"]
                .as_str()
                .expect("kind")
                .to_owned();
            (kind, value)
        })
        .collect()
}

/// Client-side `kubectl apply` stores the whole object, as compact JSON, in the
/// `kubectl.kubernetes.io/last-applied-configuration` annotation, and the API server refuses
/// annotations over 262,144 bytes in total. The bound leaves room for the object's metadata.
///
/// Measured (compact JSON bytes, printed by this test): with k8s-openapi's descriptions,
/// Function 326 KB, Source 283 KB, Sink 284 KB, FunctionMesh 891 KB; without them and with
/// every field of ours described: Function 90,103, Source 78,234, Sink 79,193, FunctionMesh
/// 196,261 (244,159 if mesh items kept their nested descriptions: see `crds.rs`). The mesh is
/// the tight one: a new spec field's description counts three times there.
#[test]
fn each_crd_fits_in_the_last_applied_configuration_annotation() {
    const LIMIT: usize = 200_000;
    let mut too_big = Vec::new();
    for crd in fm_api::crds::all() {
        let size = serde_json::to_string(&crd).expect("CRD serialises").len();
        let name = crd.metadata.name.unwrap_or_default();
        println!("{name}: {size} bytes of compact JSON");
        if size >= LIMIT {
            too_big.push(format!("{name}: {size} bytes"));
        }
    }
    assert!(
        too_big.is_empty(),
        "over {LIMIT} bytes, too big for client-side apply: {too_big:?}"
    );
}

/// Property paths (`.spec.pod.affinity`, `.spec.pod.volumes[]`,
/// `.spec.pod.vpa.resourcePolicy.containerPolicies[].minAllowed{}`) at which `T`'s schema
/// embeds a Kubernetes API type. Found independently of the CRD generation: with subschemas
/// not inlined, every k8s-openapi type is a reference to a definition named after its OpenAPI
/// name, `io.k8s.…`, while ours carry their Rust names.
fn kubernetes_paths<T: JsonSchema>(prefix: &str, out: &mut BTreeSet<String>) {
    let root = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    let defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    fn walk(schema: &Value, defs: &Map<String, Value>, path: &str, out: &mut BTreeSet<String>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference
                .strip_prefix("#/$defs/")
                .unwrap_or_else(|| panic!("unexpected reference {reference}"));
            if name.starts_with("io.k8s.") {
                out.insert(path.to_owned());
            } else {
                walk(&defs[name], defs, path, out);
            }
            return;
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for sub in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                walk(sub, defs, path, out);
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                walk(sub, defs, &format!("{path}.{name}"), out);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(items, defs, &format!("{path}[]"), out);
        }
        if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            walk(extra, defs, &format!("{path}{{}}"), out);
        }
    }
    walk(&root, &defs, prefix, out);
}

fn kubernetes_paths_of(kind: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match kind {
        "Function" => kubernetes_paths::<FunctionSpec>(".spec", &mut out),
        "Source" => kubernetes_paths::<SourceSpec>(".spec", &mut out),
        "Sink" => kubernetes_paths::<SinkSpec>(".spec", &mut out),
        "FunctionMesh" => kubernetes_paths::<FunctionMeshSpec>(".spec", &mut out),
        "BackendConfig" => kubernetes_paths::<BackendConfigSpec>(".spec", &mut out),
        other => panic!("unknown kind {other}"),
    }
    match kind {
        "FunctionMesh" => kubernetes_paths::<FunctionMeshStatus>(".status", &mut out),
        "BackendConfig" => kubernetes_paths::<BackendConfigStatus>(".status", &mut out),
        _ => kubernetes_paths::<ComponentStatus>(".status", &mut out),
    }
    out
}

fn description(node: &Value) -> &str {
    node.get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
}

/// Calls `f(path, schema)` for `node` and every schema below it.
fn each_schema(node: &Value, path: &str, f: &mut impl FnMut(&str, &Value)) {
    f(path, node);
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            each_schema(sub, &format!("{path}.{name}"), f);
        }
    }
    if let Some(items) = node.get("items") {
        each_schema(items, &format!("{path}[]"), f);
    }
    if let Some(extra) = node.get("additionalProperties").filter(|v| v.is_object()) {
        each_schema(extra, &format!("{path}{{}}"), f);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for sub in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            each_schema(sub, path, f);
        }
    }
}

struct Findings {
    undocumented: Vec<String>,
    embedded_descriptions: Vec<String>,
    documented: usize,
    embedded_seen: BTreeSet<String>,
}

/// A field of a FunctionMesh item (`.spec.functions[].input`): described itself, with nothing
/// described below it, to keep the mesh CRD small enough for client-side apply; the same
/// fields are described in full in the Function, Source and Sink CRDs, checked here too.
fn is_mesh_item_field(path: &str) -> bool {
    ["functions", "sources", "sinks"].iter().any(|list| {
        path.strip_prefix(&format!(".spec.{list}[]."))
            .is_some_and(|rest| !rest.contains(['.', '[', '{']))
    })
}

/// Our properties need a description; below a path holding a Kubernetes type (or a mesh
/// item's field) nothing may have one (the field's own description, on the property itself,
/// is ours).
fn check(node: &Value, path: &str, is_property: bool, k8s: &BTreeSet<String>, f: &mut Findings) {
    if k8s.contains(path) || is_mesh_item_field(path) {
        f.embedded_seen
            .extend(k8s.iter().filter(|p| p.starts_with(path)).cloned());
        if is_property {
            if description(node).is_empty() {
                f.undocumented.push(path.to_owned());
            } else {
                f.documented += 1;
            }
        }
        each_schema(node, path, &mut |p, sub| {
            let own = std::ptr::eq(sub, node) && is_property;
            if !own && !description(sub).is_empty() {
                f.embedded_descriptions.push(p.to_owned());
            }
        });
        return;
    }
    if is_property {
        if description(node).is_empty() {
            f.undocumented.push(path.to_owned());
        } else {
            f.documented += 1;
        }
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            check(sub, &format!("{path}.{name}"), true, k8s, f);
        }
    }
    if let Some(items) = node.get("items") {
        check(items, &format!("{path}[]"), false, k8s, f);
    }
    if let Some(extra) = node.get("additionalProperties").filter(|v| v.is_object()) {
        check(extra, &format!("{path}{{}}"), false, k8s, f);
    }
}

#[test]
fn every_field_of_ours_is_described_and_embedded_kubernetes_types_are_not() {
    let mut problems = Vec::new();
    for (kind, crd) in crds() {
        let k8s = kubernetes_paths_of(&kind);
        // The walk must see the embedded types; a handful of them, to be sure it does.
        // A BackendConfig has a `pod` but no `resources` or `volumeMounts`.
        let own_fields: &[&str] = if kind == "BackendConfig" {
            &[]
        } else {
            &[".spec.resources", ".spec.volumeMounts[]"]
        };
        for expected in own_fields.iter().copied().chain([
            ".spec.pod.affinity",
            ".spec.pod.volumes[]",
            ".spec.pod.env[]",
            ".spec.pod.vpa.resourcePolicy.containerPolicies[].minAllowed{}",
        ]) {
            let expected = if kind == "FunctionMesh" {
                expected.replacen(".spec", ".spec.functions[]", 1)
            } else {
                expected.to_owned()
            };
            assert!(
                k8s.contains(&expected),
                "{kind}: {expected} not found as a Kubernetes type in {k8s:?}"
            );
        }
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        assert!(
            !description(schema).is_empty() && !description(schema).contains("Auto-generated"),
            "{kind}: the kind itself needs a description"
        );
        let mut findings = Findings {
            undocumented: Vec::new(),
            embedded_descriptions: Vec::new(),
            documented: 0,
            embedded_seen: BTreeSet::new(),
        };
        check(schema, "", false, &k8s, &mut findings);
        // A BackendConfig has only `pod` and three fields of its own.
        let least = if kind == "BackendConfig" { 40 } else { 100 };
        assert!(
            findings.documented > least,
            "{kind}: only {} documented properties: is the walk broken?",
            findings.documented
        );
        let unseen: Vec<_> = k8s.difference(&findings.embedded_seen).collect();
        assert!(
            unseen.is_empty(),
            "{kind}: Kubernetes types not found in the CRD: {unseen:?}"
        );
        problems.extend(
            findings
                .undocumented
                .iter()
                .map(|p| format!("{kind}: {p} has no description")),
        );
        problems.extend(findings.embedded_descriptions.iter().map(|p| {
            format!(
                "{kind}: {p} keeps a nested description (from k8s-openapi: add \
                 `#[schemars(transform = crate::schema::kubernetes_type)]` to its field)"
            )
        }));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn spec_and_status_describe_their_kind() {
    for (kind, crd) in crds() {
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let spec = description(&schema["properties"]["spec"]);
        assert!(
            spec.contains(&format!("Desired state of a {kind}")),
            "{kind}: spec described as {spec:?}"
        );
        let status = description(&schema["properties"]["status"]);
        assert!(
            status.contains(&format!("Status of a {kind}"))
                || (kind != "FunctionMesh"
                    && status.starts_with("Status of a Function, Source or Sink")),
            "{kind}: status described as {status:?}"
        );
    }
}

#[test]
fn printer_columns_show_readiness() {
    for (kind, crd) in crds() {
        let columns = crd["spec"]["versions"][0]["additionalPrinterColumns"]
            .as_array()
            .unwrap_or_else(|| panic!("{kind}: no additionalPrinterColumns"))
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap_or("").to_owned(),
                    c["type"].as_str().unwrap_or("").to_owned(),
                    c["jsonPath"].as_str().unwrap_or("").to_owned(),
                    c["priority"].as_i64().unwrap_or(0),
                )
            })
            .collect::<Vec<_>>();
        if kind == "BackendConfig" {
            // Nothing reconciles a BackendConfig itself: it has no readiness to show.
            let expected = vec![
                (
                    "AutoUpdate".to_owned(),
                    "boolean".to_owned(),
                    ".spec.autoUpdate".to_owned(),
                    0,
                ),
                (
                    "Age".to_owned(),
                    "date".to_owned(),
                    ".metadata.creationTimestamp".to_owned(),
                    0,
                ),
            ];
            assert_eq!(columns, expected, "{kind}");
            continue;
        }
        let mut expected = vec![
            ("Ready", "string", ".status.conditions.Ready.status", 0),
            ("Replicas", "integer", ".status.replicas", 0),
            ("Reason", "string", ".status.conditions.Ready.reason", 0),
            ("Age", "date", ".metadata.creationTimestamp", 0),
            ("Message", "string", ".status.conditions.Ready.message", 1),
        ];
        if kind == "FunctionMesh" {
            expected.retain(|c| c.0 != "Replicas");
        }
        let expected: Vec<_> = expected
            .into_iter()
            .map(|(n, t, p, prio)| (n.to_owned(), t.to_owned(), p.to_owned(), prio))
            .collect();
        assert_eq!(columns, expected, "{kind}");
    }
}

#[test]
fn the_mesh_status_has_a_ready_conditions_map() {
    let (_, mesh) = crds()
        .into_iter()
        .find(|(kind, _)| kind == "FunctionMesh")
        .expect("FunctionMesh CRD");
    let status = &mesh["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"];
    let conditions = &status["properties"]["conditions"];
    assert_eq!(conditions["type"], "object");
    assert_eq!(
        conditions["additionalProperties"]["properties"]["status"]["type"],
        "string"
    );
    // Optional, like every mesh status field: a status written by upstream's operator stays valid.
    let required = status["required"].as_array().cloned().unwrap_or_default();
    assert!(!required.contains(&Value::from("conditions")));

    let parsed: FunctionMeshStatus = serde_json::from_value(serde_json::json!({
        "conditions": {"Ready": {"condition": "Ready", "status": "True", "action": "NoAction"}}
    }))
    .expect("status parses");
    let ready = &parsed.conditions.as_ref().expect("conditions")["Ready"];
    assert_eq!(ready.status.as_deref(), Some("True"));
    assert_eq!(
        serde_json::to_value(FunctionMeshStatus::default()).expect("serialises"),
        serde_json::json!({}),
        "an empty mesh status writes no conditions"
    );
}
