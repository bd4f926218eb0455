//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// Upstream reference data: `FM_SHARED_DIR`, else `<workspace>/../shared/function-mesh`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("FM_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/function-mesh"
        )),
    }
}

pub fn samples() -> Vec<PathBuf> {
    let dir = shared_dir().join("samples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no samples in {}", dir.display());
    files
}

pub fn load(path: &std::path::Path) -> Vec<fm_api::load::Loaded> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    fm_api::load::load_stream(&text).unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
}

pub mod run_script;
pub mod shell;

pub const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/fm-desired");
