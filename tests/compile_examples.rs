//! Every example compiles cleanly; its output is pinned by snapshots, validates against the
//! upstream CRD schemas, builds with the real `kubectl kustomize`, and is deterministic.
mod common;
#[path = "../crates/fm-api/tests/support/yaml.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use fmc::codegen::{self, Options, Output, Templates};
use serde_json::Value;

fn compile(path: &Path, options: &Options) -> (fmc::model::Model, Output) {
    let file = common::source(path);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    assert!(
        diagnostics.is_empty(),
        "{} should compile without findings:\n{}",
        file.name,
        fmc::diag::render_human(&file, &diagnostics.into_sorted(), true)
    );
    let model = model.expect("model");
    let output = codegen::generate(&model, &file.name, options, &Templates::builtin())
        .unwrap_or_else(|d| panic!("{}", fmc::diag::render_human(&file, &d.into_sorted(), true)));
    (model, output)
}

fn listing(output: &Output) -> String {
    output
        .files
        .iter()
        .map(|(path, text)| format!("=== {path}\n{text}"))
        .collect()
}

#[test]
fn examples_compile_to_pinned_output() {
    for path in common::examples() {
        let name = common::example_name(&path);
        let (_, output) = compile(&path, &Options::default());
        common::snapshot_settings("compile").bind(|| {
            insta::assert_snapshot!(name.clone(), listing(&output));
        });
    }
}

#[test]
fn split_mode_is_pinned_too() {
    let path = common::root().join("examples/word-count/mesh.fm");
    let (_, output) = compile(&path, &Options { split: true });
    common::snapshot_settings("compile").bind(|| {
        insta::assert_snapshot!("word-count-split", listing(&output));
    });
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    for path in common::examples() {
        for split in [false, true] {
            let (_, a) = compile(&path, &Options { split });
            let (_, b) = compile(&path, &Options { split });
            assert_eq!(a, b, "{} is not deterministic", path.display());
        }
    }
}

/// The upstream CRD schema for a kind, made strict: an object schema with `properties` and
/// no `x-kubernetes-preserve-unknown-fields` rejects other fields, as the API server would
/// prune them (a pruned field is a silently lost setting). `upstream` is the folder of
/// upstream's reference data (`common::upstream::upstream_dir`).
fn strict_schema(upstream: &Path, kind: &str) -> Value {
    let file = match kind {
        "Function" => "functions",
        "Source" => "sources",
        "Sink" => "sinks",
        "FunctionMesh" => "functionmeshes",
        other => panic!("no CRD for {other}"),
    };
    let path = upstream.join(format!("crds/compute.functionmesh.io_{file}.yaml"));
    let crd: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&path).expect("CRD")).expect("CRD YAML");
    let mut schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    tighten(&mut schema);
    schema
}

fn tighten(schema: &mut Value) {
    if let Value::Object(map) = schema {
        let preserve = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if map.contains_key("properties") && !preserve && !map.contains_key("additionalProperties")
        {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        for value in map.values_mut() {
            tighten(value);
        }
    } else if let Value::Array(items) = schema {
        items.iter_mut().for_each(tighten);
    }
}

#[test]
fn every_generated_resource_validates_against_the_upstream_crd() {
    let Some(upstream) = common::upstream::upstream_dir() else {
        return common::upstream::skip(
            "every_generated_resource_validates_against_the_upstream_crd",
        );
    };
    let mut validated = 0;
    for path in common::examples() {
        for split in [false, true] {
            let (model, _) = compile(&path, &Options { split });
            for mesh in model.all() {
                for resource in codegen::resources(mesh, &Options { split }).expect("resources") {
                    if resource.api_version != fm_api::API_VERSION {
                        continue;
                    }
                    let schema = strict_schema(&upstream, &resource.kind);
                    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
                    let errors: Vec<String> = validator
                        .iter_errors(&resource.value().expect("value"))
                        .map(|e| format!("{} at {}", e, e.instance_path()))
                        .collect();
                    assert!(
                        errors.is_empty(),
                        "{} {}: {errors:#?}",
                        resource.kind,
                        resource.name
                    );
                    // And our own strict loader accepts it unchanged.
                    fm_api::load::load_value(1, resource.value().expect("value"))
                        .unwrap_or_else(|e| panic!("{}: {e}", resource.name));
                    validated += 1;
                }
            }
        }
    }
    assert!(validated >= 20, "only {validated} resources validated");
}

#[test]
fn the_strict_schema_check_can_fail() {
    let Some(upstream) = common::upstream::upstream_dir() else {
        return common::upstream::skip("the_strict_schema_check_can_fail");
    };
    let schema = strict_schema(&upstream, "Function");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let bad = serde_json::json!({
        "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
        "metadata": {"name": "f"}, "spec": {"input": {"topicz": []}, "replicas": "two"}
    });
    assert!(validator.iter_errors(&bad).count() >= 2);
}

fn kubectl_kustomize(dir: &Path) -> Vec<Value> {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl must be installed to run this test");
    assert!(
        out.status.success(),
        "kubectl kustomize {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| serde::Deserialize::deserialize(doc).expect("kustomize output is YAML"))
        .filter(|v: &Value| !v.is_null())
        .collect()
}

fn by_kind_and_name(docs: Vec<Value>) -> BTreeMap<(String, String), Value> {
    docs.into_iter()
        .map(|d| {
            let key = (
                d["kind"].as_str().unwrap_or_default().to_owned(),
                d["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
            (key, d)
        })
        .collect()
}

#[test]
fn kubectl_kustomize_builds_every_overlay_into_the_environment_resources() {
    let mut overlays = 0;
    // Beyond the examples: a synthetic mesh with several clusters and environments that
    // override steps and clusters (patches are computed from the changed steps only, so this
    // compares them with a full rebuild of every environment).
    let synthetic = tempfile::tempdir().expect("tempdir");
    let synth_path = synthetic.path().join("synth.fm");
    std::fs::write(
        &synth_path,
        fmc::synth::synth(fmc::synth::SynthOptions {
            steps: 60,
            clusters: 3,
            envs: 3,
        }),
    )
    .expect("written");
    let mut meshes = common::examples();
    meshes.push(synth_path);
    meshes.push(common::root().join("tests/yaml/ambiguous.fm"));
    for path in meshes {
        for split in [false, true] {
            let options = Options { split };
            let (model, output) = compile(&path, &options);
            let dir = tempfile::tempdir().expect("tempdir");
            let out = dir.path().join("out");
            codegen::write_atomically(&output, &out).expect("written");

            let base = by_kind_and_name(kubectl_kustomize(&out.join("base")));
            let expected_base = by_kind_and_name(
                codegen::resources(&model.base, &options)
                    .expect("resources")
                    .into_iter()
                    .map(|r| r.value().expect("value"))
                    .collect(),
            );
            assert_eq!(base, expected_base, "base of {}", path.display());

            for env in &model.envs {
                let name = &env.env.as_ref().expect("env name").value;
                let built = by_kind_and_name(kubectl_kustomize(&out.join("overlays").join(name)));
                let expected = by_kind_and_name(
                    codegen::resources(env, &options)
                        .expect("resources")
                        .into_iter()
                        .map(|r| r.value().expect("value"))
                        .collect(),
                );
                assert_eq!(built, expected, "overlay {name} of {}", path.display());
                overlays += 1;
            }
        }
    }
    assert!(overlays >= 12, "only {overlays} overlays built");
}

#[test]
fn overlay_carries_the_overridden_values() {
    let path = common::root().join("examples/word-count/mesh.fm");
    let (_, output) = compile(&path, &Options::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    codegen::write_atomically(&output, &out).expect("written");
    let prod = by_kind_and_name(kubectl_kustomize(&out.join("overlays/prod")));
    let mesh = &prod[&("FunctionMesh".to_owned(), "word-count".to_owned())];
    assert_eq!(mesh["metadata"]["namespace"], "streaming-prod");
    let split = mesh["spec"]["functions"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "split"))
        .expect("split function");
    assert_eq!(split["maxReplicas"], 32);
    assert_eq!(split["resources"]["limits"]["memory"], "2Gi");
    let cm = &prod[&("ConfigMap".to_owned(), "word-count-local-pulsar".to_owned())];
    assert_eq!(
        cm["data"]["brokerServiceURL"],
        "pulsar+ssl://pulsar-broker.prod.svc:6651"
    );
}

const SPEC_MESH: &str = r#"mesh hatch {
  cluster local { broker "pulsar://b:6650"  admin "http://b:8080" }
  external topic a: string
  topic b: string
  function f = java "org.example.F" {
    package "function://public/default/f@1"
    in a
    out b
    replicas 2
    spec {
      pod: { disableDefaultAffinity: true, imagePullSecrets: [{ name: "regcred" }] }
      input: { sourceSpecs: { "persistent://public/default/a": { receiverQueueSize: 10 } } }
      maxPendingAsyncRequests: 500
    }
  }
  sink s = connector "org.example.S" {
    package "connectors/s.nar"
    in b
    spec { sinkConfig: { url: "http://x" } }
    spec { replicas: 3 }
  }
}
"#;

/// The resources compiled from `SPEC_MESH`, which has warnings at most.
fn spec_mesh_resources(split: bool) -> Vec<codegen::Resource> {
    let file = fmc::diag::SourceFile::new("hatch.fm", SPEC_MESH);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    let warnings: Vec<_> = diagnostics.into_sorted();
    assert!(
        warnings
            .iter()
            .all(|d| d.severity == fmc::diag::Severity::Warning),
        "{warnings:?}"
    );
    let model = model.expect("model");
    codegen::resources(&model.base, &Options { split }).expect("resources")
}

#[test]
fn spec_escape_hatch_is_deep_merged() {
    for split in [false, true] {
        let resources = spec_mesh_resources(split);
        let values: Vec<Value> = resources
            .iter()
            .map(|r| r.value().expect("value"))
            .collect();
        let specs: Vec<&Value> = if split {
            values.iter().map(|v| &v["spec"]).collect()
        } else {
            let spec = &values[0]["spec"];
            vec![&spec["functions"][0], &spec["sinks"][0]]
        };
        let f = specs[0];
        // Merged key by key: the generated pod settings stay beside the new ones.
        assert_eq!(f["pod"]["disableDefaultAffinity"], true);
        assert_eq!(f["pod"]["imagePullSecrets"][0]["name"], "regcred");
        assert_eq!(f["pod"]["securityContext"]["runAsNonRoot"], true);
        assert_eq!(
            f["input"]["topics"][0], "persistent://public/default/a",
            "generated input kept"
        );
        assert_eq!(
            f["input"]["sourceSpecs"]["persistent://public/default/a"]["receiverQueueSize"],
            10
        );
        assert_eq!(f["maxPendingAsyncRequests"], 500);
        assert_eq!(f["replicas"], 2);
        // Later blocks merge too; a scalar replaces.
        let s = specs[1];
        assert_eq!(s["sinkConfig"]["url"], "http://x");
        assert_eq!(s["replicas"], 3);
    }
}

#[test]
fn spec_escape_hatch_output_still_validates_against_the_upstream_crd() {
    let Some(upstream) = common::upstream::upstream_dir() else {
        return common::upstream::skip(
            "spec_escape_hatch_output_still_validates_against_the_upstream_crd",
        );
    };
    for split in [false, true] {
        for resource in &spec_mesh_resources(split) {
            if resource.api_version != fm_api::API_VERSION {
                continue;
            }
            let schema = strict_schema(&upstream, &resource.kind);
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            let errors: Vec<String> = validator
                .iter_errors(&resource.value().expect("value"))
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", resource.name);
        }
    }
}

#[test]
fn spec_escape_hatch_rejects_fields_the_api_lacks_and_admission_failures() {
    // Pod settings the API does not have (Kubernetes' own `priorityClassName`) are refused.
    let misspelt = SPEC_MESH.replace(
        "disableDefaultAffinity: true",
        "priorityClassName: \"high\"",
    );
    let file = fmc::diag::SourceFile::new("hatch.fm", misspelt);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    assert!(model.is_none());
    let text = fmc::diag::render_human(&file, &diagnostics.into_sorted(), true);
    assert!(
        text.contains("`spec` does not fit the Function Mesh API")
            && text.contains("unknown field `pod.priorityClassName`"),
        "{text}"
    );
    // The merged spec still goes through the operator's admission rules.
    let bad = SPEC_MESH.replace(
        "spec { replicas: 3 }",
        "spec { replicas: 3, maxReplicas: 1 }",
    );
    let file = fmc::diag::SourceFile::new("hatch.fm", bad);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    assert!(model.is_none());
    let text = fmc::diag::render_human(&file, &diagnostics.into_sorted(), true);
    assert!(text.contains("would reject step `s`"), "{text}");
    // A secret written into a config through the hatch is refused like one in `config`.
    let secret = SPEC_MESH.replace("url: \"http://x\"", "password: \"hunter2\"");
    let file = fmc::diag::SourceFile::new("hatch.fm", secret);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    assert!(model.is_none());
    assert!(diagnostics
        .iter()
        .any(|d| d.code == fmc::diag::Code::LiteralSecret));
}

#[test]
fn every_file_reads_the_same_in_yaml_1_1() {
    // PyYAML reads YAML 1.1, as `kubectl apply -f` (go-yaml v2) and SnakeYAML do: strings such
    // as `yes`, `on`, `1_000`, `12:30` must come through as strings in every generated file.
    let path = common::root().join("tests/yaml/ambiguous.fm");
    for split in [false, true] {
        let (_, output) = compile(&path, &Options { split });
        for (name, text) in &output.files {
            let yaml_1_1 = support::pyyaml_documents(text)
                .unwrap_or_else(|e| panic!("PyYAML could not read {name}: {e}"));
            let yaml_1_2: Vec<Value> = serde_yaml_ng::Deserializer::from_str(text)
                .map(|doc| serde::Deserialize::deserialize(doc).expect("YAML"))
                .collect();
            assert_eq!(yaml_1_1, yaml_1_2, "{name} reads differently in YAML 1.1");
        }
    }
}
