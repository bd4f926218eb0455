//! The compiler's output is the operator's input: every example, compiled, is accepted by the
//! desired-state engine (so it passes the operator's validation), and the objects the operator
//! would create for it are pinned by snapshots.
mod common;

use fmc::codegen::{self, Options, Templates};

#[test]
fn every_example_renders_to_pinned_cluster_objects() {
    for path in common::examples() {
        let name = common::example_name(&path);
        let file = common::source(&path);
        let (model, diagnostics) = fmc::pipeline::check(&file);
        assert!(!diagnostics.has_errors());
        let model = model.expect("model");
        let output = codegen::generate(
            &model,
            &file.name,
            &Options::default(),
            &Templates::builtin(),
        )
        .expect("output");
        let docs = fm_api::load::load_stream(&output.stream())
            .expect("the compiler's stream loads strictly");
        let rendered = fm_desired::render_stream(&docs, &fm_desired::Options::default())
            .unwrap_or_else(|e| {
                panic!("{name}: the operator would reject the compiler's output: {e}")
            });
        assert!(rendered.contains("kind: StatefulSet"));
        common::snapshot_settings("desired-examples").bind(|| {
            insta::assert_snapshot!(name.clone(), rendered);
        });
    }
}

/// A `security` block reaches the cluster: pod-level relaxations through the resource's
/// securityContext, container-level ones through annotations the operator reads, and an
/// environment's `security {}` takes them back.
#[test]
fn security_relaxations_travel_from_the_mesh_to_the_pods() {
    let path = common::root().join("tests/broken/relaxed-security.fm");
    let file = common::source(&path);
    let (model, diagnostics) = fmc::pipeline::check(&file);
    assert!(!diagnostics.has_errors(), "relaxations are warnings only");
    let model = model.expect("model");
    let base = codegen::generate(
        &model,
        &file.name,
        &Options::default(),
        &Templates::builtin(),
    )
    .expect("output");
    let docs = fm_api::load::load_stream(&base.stream()).expect("loads");
    let rendered = fm_desired::render_stream(&docs, &fm_desired::Options::default())
        .expect("the operator accepts relaxed resources");
    let objects: Vec<serde_json::Value> = serde_yaml_ng::Deserializer::from_str(&rendered)
        .map(|d| serde::Deserialize::deserialize(d).expect("yaml"))
        .collect();
    let pod_of = |name: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == name)
            .map(|o| o["spec"]["template"]["spec"].clone())
            .unwrap_or_else(|| panic!("no StatefulSet {name}"))
    };
    let k1 = pod_of("m-k1-sink");
    assert_eq!(k1["securityContext"]["runAsUser"], 0);
    assert_eq!(k1["securityContext"]["runAsNonRoot"], false);
    let main = k1["containers"]
        .as_array()
        .and_then(|c| c.last())
        .expect("main container");
    assert_eq!(
        main["securityContext"]["capabilities"]["add"],
        serde_json::json!(["NET_ADMIN", "NET_RAW"])
    );
    assert_eq!(
        main["securityContext"]["capabilities"]["drop"],
        serde_json::json!(["ALL"])
    );
    assert_eq!(main["securityContext"]["allowPrivilegeEscalation"], false);

    let k3 = pod_of("m-k3-sink");
    assert_eq!(
        k3["securityContext"]["seccompProfile"]["type"],
        "Unconfined"
    );
    assert_eq!(k3["securityContext"]["runAsNonRoot"], true);
    let main = k3["containers"]
        .as_array()
        .and_then(|c| c.last())
        .expect("main container");
    assert!(main["resources"]["limits"].get("cpu").is_none());
    assert_eq!(main["resources"]["limits"]["memory"], "512Mi");
    assert_eq!(main["resources"]["requests"]["cpu"], "250m");

    let prod = model
        .envs
        .iter()
        .find(|e| e.env.as_ref().is_some_and(|n| n.value == "prod"))
        .expect("prod");
    let k2 = prod
        .steps
        .iter()
        .find(|s| s.name.value == "k2")
        .expect("k2");
    assert!(
        k2.settings.security.as_ref().is_some_and(|s| s.is_empty()),
        "`security {{}}` in prod replaces the relaxations"
    );
}
