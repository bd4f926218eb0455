//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "../../crates/fm-api/tests/support/upstream.rs"]
pub mod upstream;

/// Example mesh files, sorted.
pub fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples directory")
        .map(|e| e.expect("entry").path().join("mesh.fm"))
        .filter(|p| p.exists())
        .collect();
    out.sort();
    assert!(out.len() >= 3, "expected at least three examples");
    out
}

/// The source file with a path relative to the repository, so snapshots do not depend on
/// where the checkout lives.
pub fn source(path: &Path) -> fmc::diag::SourceFile {
    let text = std::fs::read_to_string(path).expect("readable mesh");
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    fmc::diag::SourceFile::new(name, text)
}

pub fn snapshot_settings(area: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots").join(area));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

pub fn example_name(path: &Path) -> String {
    path.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .expect("example folder")
}
