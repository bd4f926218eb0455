//! The built-in resource template is not parsed back at compile time (it is the serialiser's
//! output plus a comment line), so its round trip is proved here instead: any JSON value,
//! with the strings YAML likes to reinterpret, reads back as exactly the value written. A
//! FunctionMesh is written member by member; that assembly is proved to be byte for byte the
//! serialiser's output for the whole tree.

use fmc::codegen::{block_yaml, mesh_member, Body, MeshBody, Resource, Templates};
use proptest::prelude::*;
use serde_json::{Map, Value};

#[path = "../crates/fm-api/tests/support/yaml.rs"]
mod support;
use support::{key, value};

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn the_builtin_resource_template_reads_back_as_written(spec in value()) {
        let mut object = Map::new();
        object.insert("apiVersion".into(), "compute.functionmesh.io/v1alpha1".into());
        object.insert("kind".into(), "Function".into());
        object.insert("spec".into(), spec);
        let resource = Resource {
            stem: "function-f".into(),
            api_version: "compute.functionmesh.io/v1alpha1".into(),
            kind: "Function".into(),
            name: "f".into(),
            body: Body::Object(Value::Object(object)),
        };
        let text = Templates::builtin()
            .resource("mesh \"with\" quotes.fm", &resource)
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let read: Value = serde_yaml_ng::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(read, resource.value().expect("value"), "{}", text);
    }
}

/// A FunctionMesh head: apiVersion, kind and arbitrary metadata.
fn head() -> impl Strategy<Value = Map<String, Value>> {
    value().prop_map(|metadata| {
        let mut head = Map::new();
        head.insert(
            "apiVersion".into(),
            "compute.functionmesh.io/v1alpha1".into(),
        );
        head.insert("kind".into(), "FunctionMesh".into());
        head.insert("metadata".into(), metadata);
        head
    })
}

/// A member: a step's spec, so a map, with arbitrary content.
fn member() -> impl Strategy<Value = Value> {
    proptest::collection::vec((key(), value()), 0..6)
        .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>()))
}

/// Up to three member lists, named as a FunctionMesh's, of arbitrary members.
fn lists() -> impl Strategy<Value = Vec<(&'static str, Vec<Value>)>> {
    proptest::collection::vec(proptest::collection::vec(member(), 1..4), 0..4).prop_map(|lists| {
        ["functions", "sources", "sinks"]
            .into_iter()
            .zip(lists)
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn a_mesh_written_member_by_member_is_the_whole_tree_written(head in head(), lists in lists()) {
        let mut spec = Map::new();
        for (list, members) in &lists {
            spec.insert((*list).to_owned(), Value::Array(members.clone()));
        }
        let mut whole = head.clone();
        whole.insert("spec".into(), Value::Object(spec));
        let whole = Value::Object(whole);
        let body = Body::Mesh(MeshBody {
            head,
            lists: lists
                .iter()
                .map(|(list, members)| {
                    (*list, members.iter().map(|m| mesh_member(m).expect("yaml")).collect())
                })
                .collect(),
        });
        let expected = block_yaml(&whole).expect("yaml");
        prop_assert_eq!(body.yaml().expect("yaml"), expected);
        prop_assert_eq!(body.value().expect("value"), whole);
    }
}
