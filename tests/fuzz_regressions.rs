//! The fuzzers' findings as regression tests: every input under `tests/fuzz-regressions/TARGET/`
//! (a crash, hang or slow unit `fuzz/run TARGET` found, minimised) goes through that target's
//! invariants, taken from the fuzz harness itself (`fuzz/src/lib.rs`), and so do the seeds the
//! fuzzers start from. See fuzz/README.md for the runs and what each finding was.
mod common;

#[path = "../fuzz/src/lib.rs"]
mod invariants;

use std::path::{Path, PathBuf};

/// The files of a directory, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    out.sort();
    out
}

/// Runs `check` on every file, naming each first so that a failure says which input it was.
fn run_all(paths: &[PathBuf], check: fn(&[u8])) {
    for path in paths {
        eprintln!("{}", path.display());
        check(&std::fs::read(path).expect("readable input"));
    }
}

fn regressions(target: &str) -> Vec<PathBuf> {
    files(&common::root().join("tests/fuzz-regressions").join(target))
}

#[test]
fn compile_findings_hold() {
    run_all(&regressions("compile"), invariants::compile);
}

#[test]
fn fmt_findings_hold() {
    run_all(&regressions("fmt"), invariants::fmt);
}

#[test]
fn import_findings_hold() {
    run_all(&regressions("import"), invariants::import);
}

#[test]
fn the_seeds_satisfy_every_invariant() {
    let root = common::root();
    let mut meshes = common::examples();
    meshes.extend(files(&root.join("tests/broken")));
    meshes.extend(files(&root.join("tests/format")));
    assert!(meshes.len() > 20, "seeds missing: {meshes:?}");
    run_all(&meshes, invariants::compile);
    run_all(&meshes, invariants::fmt);
    let yaml = files(&root.join("tests/import"));
    assert!(!yaml.is_empty(), "no YAML seeds");
    run_all(&yaml, invariants::import);
}

/// Comments nest strictly, as the formatter's lexer and the depth pre-scan read them: a `/*`
/// inside a comment opens a nested one even when that one is never closed. (The grammar used
/// to fall back to reading such a `/*` as text, which made unclosed ones exponential.)
#[test]
fn a_comment_left_open_inside_a_comment_leaves_both_open() {
    let check = |text: &str| fmc::syntax::parse(&fmc::diag::SourceFile::new("c.fm", text));
    assert!(check("mesh m { /* a /* b */ */ }").is_ok());
    assert!(check("mesh m { /* a /* b */ }").is_err());
    assert!(check("mesh m { /* a */ } /* b /* c */ */").is_ok());
}

/// The importer reads only what the strict pass checked through the API types: a `Source` of
/// another apiVersion is some other object, not imported (it used to be, unchecked, and its
/// ill-typed fields reached the mesh text).
#[test]
fn a_resource_of_another_api_version_is_not_imported() {
    let path = common::root().join("tests/fuzz-regressions/import/unchecked-api-version.yaml");
    let text = std::fs::read_to_string(path).expect("regression input");
    let imported = fmc::import::import(&text).expect("the Sink imports");
    assert!(!imported.mesh.contains("source s"), "{}", imported.mesh);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("document 1 (Source s)") && w.contains("not imported")),
        "{:?}",
        imported.warnings
    );
}
