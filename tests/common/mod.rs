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

/// Compiles `file` with the built-in templates; it must compile without any finding.
pub fn compile_clean(file: &fmc::diag::SourceFile) -> fmc::codegen::Output {
    let (output, diagnostics) = fmc::pipeline::compile(
        file,
        &fmc::codegen::Options::default(),
        &fmc::codegen::Templates::builtin(),
    );
    assert!(
        diagnostics.is_empty(),
        "{} should compile without findings:\n{}\n{}",
        file.name,
        fmc::diag::render_human(file, &diagnostics.into_sorted(), true),
        file.text
    );
    output.expect("output")
}

/// The base resources as one YAML stream, as `fmc compile -o -` writes them.
pub fn base_stream(output: &fmc::codegen::Output) -> String {
    output
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("base/") && !path.ends_with("kustomization.yaml"))
        .map(|(_, text)| format!("---\n{text}"))
        .collect()
}

/// The documents of a YAML stream as JSON, sorted by kind and name (order-free comparison).
pub fn documents(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    let mut docs: Vec<serde_json::Value> = serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| serde_json::Value::deserialize(d).expect("YAML"))
        .filter(|v| !v.is_null())
        .collect();
    docs.sort_by_key(|d| (d["kind"].to_string(), d["metadata"]["name"].to_string()));
    docs
}
