//! Desired objects of every upstream sample, snapshotted as YAML.

mod common;

use fm_desired::{render_stream, Options};

#[test]
fn samples_render_to_snapshots() {
    for path in common::samples() {
        let docs = common::load(&path);
        let rendered = render_stream(&docs, &Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!rendered.is_empty(), "{}: nothing rendered", path.display());
        // Determinism: a second run gives the same bytes.
        assert_eq!(
            rendered,
            render_stream(&docs, &Options::default()).expect("second render")
        );
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_owned();
        insta::with_settings!({ snapshot_path => common::SNAPSHOTS, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
}
