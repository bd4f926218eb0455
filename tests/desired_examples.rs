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
        let docs = fm_api::load::load_stream(&output.stream)
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
