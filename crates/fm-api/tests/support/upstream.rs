//! Where upstream's reference data (samples, CRDs of the Function Mesh repository) lives, for
//! the tests of every crate (each includes this file with `#[path]`). The data is never
//! copied into this repository: it is the folder `$FM_SHARED_DIR` when that is set, else
//! `../shared/function-mesh` beside the workspace. A checkout without it still passes its
//! tests: each test needing the data prints one line saying it was skipped, and returns.
//!
//! ```ignore
//! let Some(files) = upstream::upstream_files("samples") else {
//!     return upstream::skip("every_sample_loads");
//! };
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Why a test needing the data did not run; the end of each skip line.
pub const NO_DATA: &str =
    "no upstream reference data (set FM_SHARED_DIR or put it at ../shared/function-mesh)";

/// The workspace root: the nearest folder above this crate's manifest holding `Cargo.lock`.
fn workspace_root() -> &'static Path {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(manifest)
}

/// Upstream's `function-mesh` folder, or `None` when there is none: `$FM_SHARED_DIR` (the
/// folder itself) when set and not empty, else `<workspace>/../shared/function-mesh`.
pub fn upstream_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("FM_SHARED_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/function-mesh"),
    };
    dir.is_dir().then_some(dir)
}

/// A file of the data, e.g. `samples/compute_v1alpha1_function.yaml`; `None` without the
/// data. Panics when the data is there but this file is not.
pub fn upstream_file(relative: &str) -> Option<PathBuf> {
    let path = upstream_dir()?.join(relative);
    assert!(path.is_file(), "no {} in the upstream data", path.display());
    Some(path)
}

/// The `*.yaml` files of a folder of the data (`samples`, `crds`), sorted; `None` without
/// the data. Panics when the data is there but the folder is missing or holds no YAML.
pub fn upstream_files(sub: &str) -> Option<Vec<PathBuf>> {
    let dir = upstream_dir()?.join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML files in {}", dir.display());
    Some(files)
}

/// Says on stderr that `test` did not run for want of the data.
pub fn skip(test: &str) {
    eprintln!("skipped {test}: {NO_DATA}");
}
