//! `compile → import → compile` is a fixed point for the base: `fmc import` recognises what
//! fmc itself writes (cluster identifiers in its ConfigMap names, its hardened security
//! context, its own labels, topics placed on the clusters the resources use), so the mesh it
//! gives back compiles, without findings, to the very resources it was imported from. Shown
//! for every example and, by a property test, for meshes `fmc synth` generates.
mod common;

use fmc::diag::SourceFile;
use proptest::prelude::*;

/// Compiles `file`, imports the result and compiles that: both outputs must be equal, and
/// the import must have needed no escape hatch and said nothing.
fn assert_fixed_point(file: &SourceFile) {
    let first = common::base_stream(&common::compile_clean(file));
    let imported = fmc::import::import(&first)
        .unwrap_or_else(|e| panic!("{}: the compiled output does not import: {e}", file.name));
    assert!(
        imported.warnings.is_empty(),
        "{}: import warned: {:?}",
        file.name,
        imported.warnings
    );
    assert!(
        !imported.mesh.contains("spec {"),
        "{}: fmc's own output needs no escape hatch:\n{}",
        file.name,
        imported.mesh
    );
    let again = SourceFile::new(format!("{} (imported)", file.name), imported.mesh.clone());
    let second = common::base_stream(&common::compile_clean(&again));
    assert_eq!(
        common::documents(&second),
        common::documents(&first),
        "{}: compile → import → compile changed the resources; imported mesh:\n{}",
        file.name,
        imported.mesh
    );
}

#[test]
fn every_example_is_a_fixed_point() {
    for path in common::examples() {
        assert_fixed_point(&common::source(&path));
    }
}

/// The two-cluster example keeps its cluster names and puts each topic where the steps
/// using it run: `minute-stats` on the edge cluster and its replica on the core cluster.
#[test]
fn two_clusters_keep_their_names_and_their_topics() {
    let file = common::source(&common::root().join("examples/two-clusters/mesh.fm"));
    let imported =
        fmc::import::import(&common::base_stream(&common::compile_clean(&file))).expect("imports");
    for expected in [
        "cluster edge {",
        "cluster core {",
        "name \"pulsar-core\"",
        "default-cluster edge",
        "topic minute-stats: avro \"com.example.telemetry.Stats\"\n",
        "external topic minute-stats-2 = \"persistent://public/default/minute-stats\": avro \"com.example.telemetry.Stats\" on core",
    ] {
        assert!(
            imported.mesh.contains(expected),
            "`{expected}` missing:\n{}",
            imported.mesh
        );
    }
    assert!(
        !imported.mesh.contains("telemetry-edge-pulsar"),
        "{}",
        imported.mesh
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn synthetic_meshes_are_fixed_points(steps in 8usize..48, clusters in 1usize..4) {
        let text = fmc::synth::synth(fmc::synth::SynthOptions { steps, clusters, envs: 0 });
        assert_fixed_point(&SourceFile::new(format!("synth-{steps}-{clusters}.fm"), text));
    }
}
