//! What `fmc import` cannot carry into a mesh is said, never dropped quietly: ConfigMaps that
//! do not become a cluster, and functions on the generic runtime in a language the mesh has
//! no word for (found importing upstream's end-to-end resources). Functions on the generic
//! runtime in upstream's languages import and compile back.

/// One Function on cluster `edge`, with its log configuration and its package service's URLs
/// in two more ConfigMaps.
const WITH_SIDE_CONFIG_MAPS: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: { name: edge }
data: { webServiceURL: "http://edge:8080", brokerServiceURL: "pulsar://edge:6650" }
---
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: shop-tally }
spec:
  className: org.example.Tally
  input: { topics: [persistent://public/default/sales] }
  pulsar: { pulsarConfig: edge }
  pulsarPackageService: { pulsarConfig: packages }
  java:
    jar: tally.jar
    jarLocation: function://public/default/tally@2
    log: { logConfig: { name: tally-logging, key: log4j2.xml } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: tally-logging }
data: { log4j2.xml: "<Configuration/>" }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: packages }
data: { webServiceURL: "http://packages:8080", brokerServiceURL: "pulsar://packages:6650" }
"#;

#[test]
fn config_maps_that_become_no_cluster_are_reported_with_their_document() {
    let imported = fmc::import::import(WITH_SIDE_CONFIG_MAPS).expect("imports");
    let about = |name: &str| -> Vec<&fmc::import::Warning> {
        imported
            .warnings
            .iter()
            .filter(|w| w.contains(&format!("(ConfigMap {name})")))
            .collect()
    };
    assert!(about("edge").is_empty(), "{:?}", imported.warnings);
    for (document, name) in [(3, "tally-logging"), (4, "packages")] {
        let found = about(name);
        assert!(
            found.iter().all(|w| w.code == fmc::diag::Code::ImportNote),
            "{found:?}"
        );
        assert_eq!(found.len(), 1, "{:?}", imported.warnings);
        assert!(
            found[0].starts_with(&format!("document {document} "))
                && found[0].contains("not imported"),
            "{}",
            found[0]
        );
    }
    // The references themselves stay in the step, as written.
    assert!(imported.mesh.contains("tally-logging"), "{}", imported.mesh);
    assert!(
        imported.mesh.contains("pulsarConfig: \"packages\""),
        "{}",
        imported.mesh
    );
}

#[test]
fn a_backend_config_is_reported_as_left_to_apply_separately() {
    let text = format!(
        "{WITH_SIDE_CONFIG_MAPS}---\napiVersion: compute.functionmesh.io/v1alpha1\nkind: BackendConfig\n\
         metadata: {{ name: backend-config }}\nspec: {{ env: {{ REGION: eu }} }}\n"
    );
    let imported = fmc::import::import(&text).expect("imports");
    let found: Vec<_> = imported
        .warnings
        .iter()
        .filter(|w| w.contains("(BackendConfig backend-config)"))
        .collect();
    assert_eq!(found.len(), 1, "{:?}", imported.warnings);
    assert_eq!(found[0].code, fmc::diag::Code::ImportNote);
    assert!(found[0].contains("apply it separately"), "{}", found[0]);
    assert!(!imported.mesh.contains("REGION"), "{}", imported.mesh);
}

#[test]
fn a_generic_runtime_function_imports_and_compiles_back() {
    let text = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: greet-js }
spec:
  className: greet
  input: { topics: [persistent://public/default/names] }
  pulsar: { pulsarConfig: local }
  genericRuntime:
    functionFile: greet.js
    functionFileLocation: function://public/default/greet@1
    language: nodejs
"#;
    let imported = fmc::import::import(text).expect("a nodejs function imports");
    assert!(
        imported.mesh.contains("function js = nodejs \"greet\" {")
            && imported
                .mesh
                .contains("package \"function://public/default/greet@1\"")
            && !imported.mesh.contains("spec {"),
        "{}",
        imported.mesh
    );
    let file = fmc::diag::SourceFile::new("greet.fm".to_owned(), imported.mesh.clone());
    let (model, diagnostics) = fmc::pipeline::check(&file);
    let model = model.unwrap_or_else(|| panic!("{:?}", diagnostics.into_sorted()));
    let resources = fmc::codegen::resources(&model.base, &fmc::codegen::Options { split: true })
        .expect("compiles");
    let spec = resources[0].value().expect("value")["spec"].clone();
    assert_eq!(
        spec["genericRuntime"],
        serde_json::json!({
            "functionFile": "greet.js",
            "functionFileLocation": "function://public/default/greet@1",
            "language": "nodejs"
        })
    );
}

#[test]
fn a_generic_runtime_member_of_a_function_mesh_imports_as_its_language() {
    let text = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: FunctionMesh
metadata: { name: greetings }
spec:
  functions:
    - name: upper
      className: org.example.Upper
      input: { topics: [persistent://public/default/names] }
      output: { topic: persistent://public/default/upper }
      pulsar: { pulsarConfig: local }
      java: { jar: /opt/upper.jar }
    - name: greet
      input: { topics: [persistent://public/default/upper] }
      pulsar: { pulsarConfig: local }
      genericRuntime: { functionFile: /opt/greet.wasm, language: wasm }
"#;
    let imported = fmc::import::import(text).expect("a wasm member imports");
    assert!(
        imported.mesh.contains("function greet = wasm {")
            && imported.mesh.contains("package \"/opt/greet.wasm\""),
        "{}",
        imported.mesh
    );
}

#[test]
fn a_generic_runtime_in_another_language_is_refused_naming_it() {
    let text = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: greet-rb }
spec:
  input: { topics: [persistent://public/default/names] }
  pulsar: { pulsarConfig: local }
  genericRuntime: { functionFile: greet.rb, language: ruby }
"#;
    let error = fmc::import::import(text).expect_err("no word for ruby");
    assert!(
        error.starts_with(
            "document 1 (Function greet-rb): runs on the generic runtime in the language `ruby`"
        ),
        "{error}"
    );
}
