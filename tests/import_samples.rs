//! `fmc import` over every upstream sample: the imported mesh is pinned by a snapshot, and
//! compiling it gives back the original resources, modulo the defaults fmc documents
//! (`normalise` below, README "Importing existing resources").
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use fmc::codegen::{self, Options};
use fmc::diag::{Code, SourceFile};
use serde::Deserialize;
use serde_json::Value;

/// Samples holding a literal password in their connector config (fmc refuses secrets written
/// in a mesh, fmc::literal-secret): the import moves it to a Secret, so the compiled step reads
/// it from `secretsMap` instead. Each is round-tripped against the original with that move
/// made: (file, the field, the name it is read by, the Secret it moved to).
const MOVED_SECRETS: &[(&str, &str, &str, &str)] = &[
    (
        "compute_v1alpha1_sink.yaml",
        "/spec/sinkConfig/password",
        "password",
        "sink-sample-secrets",
    ),
    (
        "compute_v1alpha1_source.yaml",
        "/spec/sourceConfig/mongodb.password",
        "mongodb.password",
        "source-sample-secrets",
    ),
];

/// Upstream's samples, or `None` (and a line saying `test` is skipped) without the data.
fn samples_or_skip(test: &str) -> Option<Vec<PathBuf>> {
    let samples = common::upstream::upstream_files("samples");
    match &samples {
        Some(files) => assert!(files.len() >= 9, "expected the upstream samples"),
        None => common::upstream::skip(test),
    }
    samples
}

fn documents(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).expect("YAML"))
        .filter(|v| !v.is_null())
        .collect()
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// Imports `text` and compiles the mesh in the mode that gives the input's shape back.
fn import_and_compile(
    name: &str,
    text: &str,
) -> (fmc::import::Imported, Result<Vec<Value>, Vec<Code>>) {
    let imported = fmc::import::import(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let file = SourceFile::new(format!("{name}.fm"), imported.mesh.clone());
    // Imported meshes come out in the canonical layout `fmc fmt` gives.
    match fmc::format::format(&file) {
        Ok(formatted) => assert_eq!(formatted, imported.mesh, "{name}: not in fmt's layout"),
        Err(e) => panic!("{name}: the imported mesh does not format: {e:?}"),
    }
    let (model, diagnostics) = fmc::pipeline::check(&file);
    let Some(model) = model else {
        let codes = diagnostics
            .into_sorted()
            .into_iter()
            .filter(|d| d.severity == fmc::diag::Severity::Error)
            .map(|d| d.code)
            .collect();
        return (imported, Err(codes));
    };
    let options = Options {
        split: !imported.function_mesh,
    };
    let resources = codegen::resources(&model.base, &options)
        .unwrap_or_else(|d| panic!("{name}: {:?}", d.into_sorted()));
    (
        imported,
        Ok(resources
            .iter()
            .map(|r| r.value().expect("value"))
            .collect()),
    )
}

/// Paths (JSON pointers inside a step's spec) of the defaults fmc writes when the original
/// does not say. Each is removed from the compiled spec when the original lacks it:
/// - `/pod/securityContext`: the hardened pod defaults (runAsNonRoot, uid/gid, seccomp)
/// - `/resources/...`: requests and limits are always set (250m / 512Mi, or limits =
///   requests when only requests are given)
/// - `/sinkConfig`, `/sourceConfig`: connectors always carry their (possibly empty) config
/// - `/tenant`, `/namespace`: the mesh's Pulsar tenant and namespace (public/default)
/// - `/name`: the step name, which a FunctionMesh member has anyway
/// - `/clusterName`: the cluster's Pulsar name
/// - `/replicas`, `/minReplicas`: `replicas N` / `MIN..MAX` write both (absent means 1)
/// - `/input/typeClassName`, `/output/typeClassName`: a topic without a type is bytes, `[B`
const DEFAULTS: &[&str] = &[
    "/pod/securityContext",
    "/resources/requests/cpu",
    "/resources/requests/memory",
    "/resources/limits/cpu",
    "/resources/limits/memory",
    "/sinkConfig",
    "/sourceConfig",
    "/tenant",
    "/namespace",
    "/name",
    "/clusterName",
    "/replicas",
    "/minReplicas",
    "/input/typeClassName",
    "/output/typeClassName",
];

/// Makes an original step spec and the compiled one comparable. Besides `DEFAULTS`:
/// - `pulsar.pulsarConfig` names a ConfigMap, which fmc names `<mesh>-<cluster>-pulsar`:
///   both sides are replaced by that ConfigMap's `data` (the URLs), which must agree;
/// - an empty `jarLocation`/`pyLocation`/`goLocation` means "the file inside the image",
///   exactly as no location does: removed from the original.
fn normalise(
    original: &mut Value,
    compiled: &mut Value,
    original_maps: &BTreeMap<String, Value>,
    compiled_maps: &BTreeMap<String, Value>,
) {
    for path in DEFAULTS {
        if original.pointer(path).is_none() {
            remove(compiled, path);
        }
    }
    for (spec, maps) in [
        (&mut *original, original_maps),
        (&mut *compiled, compiled_maps),
    ] {
        if let Some(config) = spec.pointer_mut("/pulsar/pulsarConfig") {
            let name = config.as_str().unwrap_or_default().to_owned();
            *config = maps
                .get(&name)
                .filter(|data| **data != placeholder())
                .cloned()
                .unwrap_or(Value::Null);
        }
    }
    for location in [
        "/java/jarLocation",
        "/python/pyLocation",
        "/golang/goLocation",
    ] {
        if original.pointer(location) == Some(&Value::String(String::new())) {
            remove(original, location);
        }
    }
    prune_like(compiled, original);
}

/// Objects emptied by `remove` go too (e.g. `pod` once its security context is gone), unless
/// the original has that (empty) object as well.
fn prune_like(value: &mut Value, original: &Value) {
    if let Value::Object(map) = value {
        for (k, v) in map.iter_mut() {
            prune_like(v, original.get(k).unwrap_or(&Value::Null));
        }
        map.retain(|k, v| {
            !matches!(v, Value::Object(m) if m.is_empty()) || original.get(k).is_some()
        });
    }
}

/// The URLs of a cluster whose ConfigMap was not in the input (the import warns): compared
/// as that missing ConfigMap.
fn placeholder() -> Value {
    serde_json::json!({
        "brokerServiceURL": "pulsar://replace-me.invalid:6650",
        "webServiceURL": "http://replace-me.invalid:8080",
    })
}

fn remove(value: &mut Value, pointer: &str) {
    if let Some((parent, key)) = pointer.rsplit_once('/') {
        if let Some(Value::Object(map)) = value.pointer_mut(parent) {
            map.shift_remove(key);
        }
    }
}

/// Empty objects go (metadata without labels).
fn prune(value: &mut Value) {
    if let Value::Object(map) = value {
        for v in map.values_mut() {
            prune(v);
        }
        map.retain(|_, v| !matches!(v, Value::Object(m) if m.is_empty()));
    }
}

/// ConfigMap name → data, for a list of documents.
fn config_maps(docs: &[Value]) -> BTreeMap<String, Value> {
    docs.iter()
        .filter(|d| d["kind"] == "ConfigMap")
        .map(|d| {
            (
                d["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                d["data"].clone(),
            )
        })
        .collect()
}

/// The step specs of the workloads, keyed by kind and resource (or member) name, with the
/// resource's metadata minus the labels fmc adds to everything it writes.
fn steps(docs: &[Value]) -> BTreeMap<(String, String), (Value, Value)> {
    let mut out = BTreeMap::new();
    for d in docs {
        let kind = d["kind"].as_str().unwrap_or_default().to_owned();
        let mut metadata = d["metadata"].clone();
        if let Some(labels) = metadata.get_mut("labels").and_then(Value::as_object_mut) {
            labels.shift_remove("app.kubernetes.io/managed-by");
            labels.shift_remove("app.kubernetes.io/part-of");
        }
        prune(&mut metadata);
        match kind.as_str() {
            "Function" | "Source" | "Sink" => {
                let name = metadata["name"].as_str().unwrap_or_default().to_owned();
                out.insert((kind, name), (metadata, d["spec"].clone()));
            }
            "FunctionMesh" => {
                for list in ["functions", "sources", "sinks"] {
                    for member in d["spec"][list].as_array().into_iter().flatten() {
                        let name = member["name"].as_str().unwrap_or_default().to_owned();
                        out.insert(
                            (format!("FunctionMesh/{list}"), name),
                            (metadata.clone(), member.clone()),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Asserts that the compiled resources are the original ones modulo `normalise`.
fn assert_round_trip(name: &str, original: &[Value], compiled: &[Value]) {
    let (original_maps, compiled_maps) = (config_maps(original), config_maps(compiled));
    let mut want = steps(original);
    let mut got = steps(compiled);
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{name}: the same resources by kind and name"
    );
    for (key, (want_meta, want_spec)) in &mut want {
        let (got_meta, got_spec) = got.get_mut(key).expect("same keys");
        normalise(want_spec, got_spec, &original_maps, &compiled_maps);
        assert_eq!(want_meta, got_meta, "{name}: metadata of {key:?}");
        assert_eq!(
            want_spec,
            got_spec,
            "{name}: spec of {key:?}\n--- original\n{}\n--- compiled\n{}",
            serde_yaml_ng::to_string(want_spec).unwrap_or_default(),
            serde_yaml_ng::to_string(got_spec).unwrap_or_default()
        );
    }
}

#[test]
fn every_sample_imports_to_a_pinned_mesh_that_compiles_back_to_it() {
    let Some(samples) =
        samples_or_skip("every_sample_imports_to_a_pinned_mesh_that_compiles_back_to_it")
    else {
        return;
    };
    let mut exact = 0;
    for path in samples {
        let name = file_name(&path);
        let text = std::fs::read_to_string(&path).expect("sample");
        let (imported, compiled) = import_and_compile(&name, &text);
        let stem = name.trim_end_matches(".yaml").to_owned();
        common::snapshot_settings("import").bind(|| {
            let warnings: String = imported
                .warnings
                .iter()
                .map(|w| format!("// warning: {w}\n"))
                .collect();
            insta::assert_snapshot!(stem, format!("{}{warnings}", imported.mesh));
        });
        let original = documents(&text);
        let compiled = compiled.unwrap_or_else(|codes| {
            panic!("{name}: the imported mesh does not compile: {codes:?}")
        });
        match MOVED_SECRETS.iter().find(|(file, ..)| *file == name) {
            None => {
                assert!(imported.secrets.is_empty(), "{name}: no secret to move");
                assert_round_trip(&name, &original, &compiled);
                exact += 1;
            }
            Some((_, field, reads_as, secret)) => {
                // The value went to the Secret, never into the mesh or a warning.
                let mut moved = original.clone();
                let workload = moved
                    .iter_mut()
                    .find(|d| d.pointer(field).is_some())
                    .unwrap_or_else(|| panic!("{name}: no {field}"));
                let value = workload
                    .pointer(field)
                    .and_then(Value::as_str)
                    .expect("a literal")
                    .to_owned();
                assert_eq!(
                    imported.secrets,
                    vec![fmc::import::MovedSecret {
                        secret: (*secret).to_owned(),
                        key: (*reads_as).to_owned(),
                        value: value.clone(),
                    }],
                    "{name}"
                );
                assert!(
                    !imported.mesh.contains(&format!("\"{value}\"")),
                    "{name}: the value stays out of the mesh"
                );
                assert!(
                    imported.warnings.iter().all(|w| !w.contains(&value)),
                    "{name}: the value stays out of the warnings"
                );
                assert!(
                    imported.secret_manifests().contains(&value),
                    "{name}: the value is in the Secret"
                );
                // With the value moved as the import says, the rest round-trips exactly.
                remove(workload, field);
                workload["spec"]["secretsMap"][*reads_as] =
                    serde_json::json!({ "path": secret, "key": reads_as });
                assert_round_trip(&name, &moved, &compiled);
            }
        }
    }
    assert!(exact >= 7, "only {exact} samples round-trip exactly");
}

/// Every construct the import maps to a statement (tests/import/everything.yaml): four
/// standalone resources on two clusters, one with a missing ConfigMap.
#[test]
fn the_everything_fixture_round_trips() {
    let path = common::root().join("tests/import/everything.yaml");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let (imported, compiled) = import_and_compile("everything", &text);
    common::snapshot_settings("import").bind(|| {
        let warnings: String = imported
            .warnings
            .iter()
            .map(|w| format!("// warning: {w}\n"))
            .collect();
        insta::assert_snapshot!("everything", format!("{}{warnings}", imported.mesh));
    });
    let compiled = compiled.unwrap_or_else(|codes| panic!("does not compile: {codes:?}"));
    assert_round_trip("everything", &documents(&text), &compiled);
    // Nothing but the fields without a statement is left in `spec` blocks.
    for kept in ["affinity", "golang: { go: \"unexpected\" }"] {
        assert!(imported.mesh.contains(kept), "{kept}");
    }
    for said in [
        "timeout 30000ms",
        "autoscale memory 80%",
        "volume settings config-map",
    ] {
        assert!(imported.mesh.contains(said), "{said}");
    }
}

/// A FunctionMesh with every step kind and the cases a statement cannot say exactly
/// (tests/import/mesh-edge-cases.yaml): they stay in `spec` and still round-trip.
#[test]
fn the_function_mesh_edge_cases_round_trip() {
    let path = common::root().join("tests/import/mesh-edge-cases.yaml");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let (imported, compiled) = import_and_compile("mesh-edge-cases", &text);
    assert!(imported.function_mesh);
    common::snapshot_settings("import").bind(|| {
        let warnings: String = imported
            .warnings
            .iter()
            .map(|w| format!("// warning: {w}\n"))
            .collect();
        insta::assert_snapshot!("mesh-edge-cases", format!("{}{warnings}", imported.mesh));
    });
    let compiled = compiled.unwrap_or_else(|codes| panic!("does not compile: {codes:?}"));
    assert_round_trip("mesh-edge-cases", &documents(&text), &compiled);
    assert!(imported
        .warnings
        .iter()
        .any(|w| w.contains("step name `Enrich_V2` is written `enrich-v2`")));
}

const ONE_FUNCTION: &str = "apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {name: a-f}
spec:
  className: X
  java: {jar: f.jar}
  pulsar: {pulsarConfig: missing}
";

#[test]
fn a_cluster_without_its_config_map_gets_placeholder_urls_and_a_warning() {
    let imported = fmc::import::import(ONE_FUNCTION).expect("imports");
    assert!(imported
        .mesh
        .contains("broker \"pulsar://replace-me.invalid:6650\""));
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("ConfigMap `missing` is not in the input")),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn two_function_meshes_in_one_input_are_refused() {
    let mesh = |name: &str| {
        format!("apiVersion: compute.functionmesh.io/v1alpha1\nkind: FunctionMesh\nmetadata: {{name: {name}}}\nspec: {{}}\n")
    };
    let text = format!("{}---\n{}---\n{ONE_FUNCTION}", mesh("m"), mesh("n"));
    let error = fmc::import::import(&text).expect_err("two meshes");
    assert!(
        error.contains("2 FunctionMeshes in one input (m, n)"),
        "{error}"
    );
}

#[test]
fn importing_twice_gives_identical_text() {
    let Some(samples) = samples_or_skip("importing_twice_gives_identical_text") else {
        return;
    };
    for path in samples {
        let text = std::fs::read_to_string(&path).expect("sample");
        assert_eq!(
            fmc::import::import(&text),
            fmc::import::import(&text),
            "{}",
            path.display()
        );
    }
}

#[test]
fn invalid_yaml_names_the_document_and_the_field() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n\
        apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {name: f}\n\
        spec:\n  classname: X\n";
    let error = fmc::import::import(text).expect_err("unknown field");
    assert!(
        error.contains("document 2") && error.contains("classname"),
        "{error}"
    );
    let error = fmc::import::import("a: [").expect_err("not YAML");
    assert!(error.contains("document 1"), "{error}");
}

/// Replaces the `n`-th string leaf of `value` (in document order) with `text`.
fn replace_string(value: &mut Value, n: &mut usize, text: &str) -> bool {
    match value {
        Value::String(s) => {
            if *n == 0 {
                *s = text.to_owned();
                return true;
            }
            *n -= 1;
            false
        }
        Value::Array(items) => items.iter_mut().any(|v| replace_string(v, n, text)),
        Value::Object(map) => map.values_mut().any(|v| replace_string(v, n, text)),
        _ => false,
    }
}

/// The documents of upstream's Function sample, read once; without the data, `None`, and the
/// proptest below says once that it is skipped.
fn function_sample() -> Option<&'static Vec<Value>> {
    static SAMPLE: OnceLock<Option<Vec<Value>>> = OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let path = common::upstream::upstream_file("samples/compute_v1alpha1_function.yaml");
            if path.is_none() {
                common::upstream::skip("any_strings_import_to_a_mesh_that_parses");
            }
            path.map(|p| documents(&std::fs::read_to_string(p).expect("sample")))
        })
        .as_ref()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever strings a resource holds (names, URLs, config keys and values), the import
    /// never panics, and a mesh it writes always parses: the writer's quoting holds.
    #[test]
    fn any_strings_import_to_a_mesh_that_parses(
        edits in proptest::collection::vec((0usize..80, "\\PC{0,12}|[\"\\\\#\\n\\t{}]{1,4}"), 1..6),
        key in "\\PC{1,10}",
        value in "\\PC{0,10}",
    ) {
        let Some(sample) = function_sample() else {
            return Ok(());
        };
        let mut docs = sample.clone();
        for (index, text) in &edits {
            let mut n = *index;
            replace_string(&mut docs[0], &mut n, text);
        }
        docs[0]["spec"]["funcConfig"] = serde_json::json!({ key: value });
        let text = docs
            .iter()
            .map(|d| serde_yaml_ng::to_string(d).expect("YAML"))
            .collect::<Vec<_>>()
            .join("---\n");
        if let Ok(imported) = fmc::import::import(&text) {
            let file = SourceFile::new("prop.fm", imported.mesh.clone());
            if let Err(d) = fmc::syntax::parse(&file) {
                panic!("{}\n{}", imported.mesh, fmc::diag::render_human(&file, &d.into_sorted(), true));
            }
        }
    }
}
