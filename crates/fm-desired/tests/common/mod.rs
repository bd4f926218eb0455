//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[path = "../../../fm-api/tests/support/upstream.rs"]
pub mod upstream;

pub fn load(path: &std::path::Path) -> Vec<fm_api::load::Loaded> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    fm_api::load::load_stream(&text).unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
}

pub mod run_script;
pub mod shell;

pub const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/fm-desired");
