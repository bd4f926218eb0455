//! Where the upstream reference data lives (never copied into the repo).
use std::path::PathBuf;

pub fn shared_dir() -> PathBuf {
    match std::env::var_os("FM_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/function-mesh"
        )),
    }
}

pub fn files_in(sub: &str) -> Vec<PathBuf> {
    let dir = shared_dir().join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML files in {}", dir.display());
    files
}
