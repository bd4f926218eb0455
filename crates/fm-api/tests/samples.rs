//! Every upstream sample loads unchanged, and nothing written is dropped.
#[path = "support/upstream.rs"]
mod upstream;

use fm_api::load::{load_stream, Document, LoadError};

#[test]
fn every_upstream_sample_loads_losslessly() {
    let Some(files) = upstream::upstream_files("samples") else {
        return upstream::skip("every_upstream_sample_loads_losslessly");
    };
    let mut custom_resources = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("sample readable");
        let docs = load_stream(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for doc in docs {
            if matches!(
                doc.document,
                Document::Function(_)
                    | Document::Source(_)
                    | Document::Sink(_)
                    | Document::FunctionMesh(_)
            ) {
                custom_resources += 1;
            }
        }
    }
    assert_eq!(
        custom_resources, 9,
        "the nine upstream samples each hold one custom resource"
    );
}

#[test]
fn misspelled_field_is_an_error_naming_document_and_path() {
    let text = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata:
  name: f
spec:
  className: A
  input:
    topicz: [persistent://public/default/in]
  java: {jar: a.jar}
"#;
    let err = load_stream(text).expect_err("unknown field must be rejected");
    assert_eq!(
        err,
        LoadError::Fields {
            index: 2,
            kind: "Function".into(),
            name: "f".into(),
            problems: vec!["unknown field `spec.input.topicz`".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "document 2 (Function f): unknown field `spec.input.topicz`"
    );
}

#[test]
fn unknown_field_inside_kubernetes_types_is_caught_too() {
    let text = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Sink
metadata: {name: s}
spec:
  pod:
    tolerations:
      - {key: a, operator: Exists, effct: NoSchedule}
"#;
    let err = load_stream(text).expect_err("typo inside a Toleration");
    assert!(
        err.to_string().contains("spec.pod.tolerations[0].effct"),
        "{err}"
    );
}

#[test]
fn wrong_type_names_the_path() {
    let text = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {name: f}\nspec:\n  replicas: many\n";
    let err = load_stream(text).expect_err("replicas must be a number");
    assert!(err.to_string().contains("spec.replicas"), "{err}");
}

#[test]
fn unknown_kind_in_our_group_is_rejected() {
    let text =
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Functoin\nmetadata: {name: f}\n";
    let err = load_stream(text).expect_err("unknown kind");
    assert!(err.to_string().contains("Functoin"), "{err}");
}

#[test]
fn other_objects_pass_through_and_empty_documents_are_skipped() {
    let text = "---\n# nothing\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n";
    let docs = load_stream(text).expect("loads");
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].index, 1);
    assert!(matches!(docs[0].document, Document::Other(_)));
}

#[test]
fn numbers_written_for_quantities_are_accepted() {
    let text = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {name: f}\nspec:\n  resources:\n    limits: {cpu: 1, memory: 1G}\n";
    load_stream(text).expect("cpu: 1 is a valid quantity");
}
