//! Our generated CRDs against upstream's: every upstream spec property path exists in ours with
//! the same JSON type, and the generated YAML is pinned by a snapshot.
#[path = "support/upstream.rs"]
mod upstream;

use serde_json::Value;

fn schema_of(crd: &Value) -> &Value {
    &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
}

/// (path, type) for every property under `schema`, following objects, maps and arrays.
fn property_paths(schema: &Value, path: String, out: &mut Vec<(String, String)>) {
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if !path.is_empty() {
        out.push((path.clone(), ty.clone()));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            property_paths(sub, format!("{path}.{name}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        property_paths(items, format!("{path}[]"), out);
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        property_paths(extra, format!("{path}{{}}"), out);
    }
}

fn lookup<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = schema;
    // Paths look like `.spec.pod.env[].name` or `.spec.secretsMap{}.key`.
    for part in path.trim_start_matches('.').split('.') {
        let mut name = part;
        let mut suffixes = Vec::new();
        while let Some(stripped) = name.strip_suffix("[]").or_else(|| name.strip_suffix("{}")) {
            suffixes.push(&name[stripped.len()..]);
            name = stripped;
        }
        node = node.get("properties")?.get(name)?;
        for suffix in suffixes.iter().rev() {
            node = if *suffix == "[]" {
                node.get("items")?
            } else {
                node.get("additionalProperties")?
            };
        }
    }
    Some(node)
}

#[test]
fn every_upstream_spec_property_exists_in_ours_with_the_same_type() {
    let Some(files) = upstream::upstream_files("crds") else {
        return upstream::skip("every_upstream_spec_property_exists_in_ours_with_the_same_type");
    };
    let ours: Vec<Value> = fm_api::crds::all()
        .into_iter()
        .map(|crd| serde_json::to_value(crd).expect("CRD serialises"))
        .collect();
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("CRD readable");
        let upstream: Value = serde_yaml_ng::from_str(&text).expect("CRD parses");
        let name = upstream["metadata"]["name"]
            .as_str()
            .expect("CRD name")
            .to_owned();
        let ours = ours
            .iter()
            .find(|c| c["metadata"]["name"] == name.as_str())
            .unwrap_or_else(|| panic!("no CRD named {name} generated"));
        let mut paths = Vec::new();
        property_paths(
            &schema_of(&upstream)["properties"]["spec"],
            ".spec".into(),
            &mut paths,
        );
        for (path, ty) in paths {
            checked += 1;
            match lookup(schema_of(ours), &path) {
                None => problems.push(format!("{name}: {path} missing")),
                Some(node) => {
                    let our_ty = node.get("type").and_then(Value::as_str).unwrap_or("");
                    let int_or_string = node.get("x-kubernetes-int-or-string").is_some();
                    if our_ty != ty && !(ty.is_empty() && int_or_string) {
                        problems.push(format!("{name}: {path} is `{our_ty}`, upstream `{ty}`"));
                    }
                }
            }
        }
    }
    assert!(
        checked > 1000,
        "only {checked} paths compared: is the walk broken?"
    );
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn scale_and_status_subresources_match_upstream() {
    for crd in fm_api::crds::all() {
        let crd = serde_json::to_value(crd).expect("serialises");
        let sub = &crd["spec"]["versions"][0]["subresources"];
        assert!(sub.get("status").is_some());
        // Upstream's BackendConfig declares a scale subresource on a `.spec.replicas` it does
        // not have (a copied marker); `kubectl scale` could only fail on it, so ours has none.
        if ["FunctionMesh", "BackendConfig"]
            .contains(&crd["spec"]["names"]["kind"].as_str().unwrap_or(""))
        {
            assert!(sub.get("scale").is_none());
        } else {
            assert_eq!(sub["scale"]["specReplicasPath"], ".spec.replicas");
            assert_eq!(sub["scale"]["statusReplicasPath"], ".status.replicas");
            assert_eq!(sub["scale"]["labelSelectorPath"], ".status.selector");
        }
    }
}

#[test]
fn no_enum_lists_null() {
    // Kubernetes rejects `null` inside `enum` (seen on a real 1.20 API server).
    let yaml = fm_api::crds::to_yaml().expect("CRDs serialise");
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&yaml)
        .map(|d| serde::Deserialize::deserialize(d).expect("YAML"))
        .collect();
    fn walk(v: &Value, path: &str) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(values)) = map.get("enum") {
                    assert!(
                        values.iter().all(|x| !x.is_null()),
                        "null in enum at {path}"
                    );
                }
                for (k, sub) in map {
                    walk(sub, &format!("{path}.{k}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, path)),
            _ => {}
        }
    }
    docs.iter().for_each(|d| walk(d, ""));
}

#[test]
fn generated_crds_are_pinned() {
    let yaml = fm_api::crds::to_yaml().expect("CRDs serialise");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../snapshots/fm-api"
    ));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("crds", yaml));
}
