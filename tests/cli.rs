//! The `fmc` binary: exit codes, output placement, and what a failed run leaves behind.
mod common;

use std::path::Path;
use std::process::{Command, Output};

fn fmc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fmc"))
        .args(args)
        .current_dir(common::root())
        .output()
        .expect("fmc runs")
}

/// `fmc compile examples/word-count/mesh.fm -o OUT EXTRA…`
fn compile_word_count(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "compile",
        "examples/word-count/mesh.fm",
        "-o",
        out.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    fmc(&args)
}

fn assert_success(run: &Output) {
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                out.push((rel, std::fs::read(&path).expect("file")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_exit_codes() {
    assert_eq!(
        fmc(&["check", "examples/word-count/mesh.fm"]).status.code(),
        Some(0)
    );
    let broken = fmc(&["check", "tests/broken/cycle.fm"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("fmc::cycle"));
    assert_eq!(fmc(&["check", "no/such/file.fm"]).status.code(), Some(2));
    assert_eq!(fmc(&["check", "examples"]).status.code(), Some(2));
    assert_eq!(fmc(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn non_utf8_input_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.fm");
    std::fs::write(&path, b"mesh m { \xff\xfe }").expect("write");
    let out = fmc(&["check", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
}

#[test]
fn json_message_format() {
    let out = fmc(&[
        "check",
        "--message-format",
        "json",
        "tests/broken/unknown-topic.fm",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stderr).expect("UTF-8");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
        assert!(v["code"].as_str().expect("code").starts_with("fmc::"));
    }
}

#[test]
fn compile_writes_the_tree_and_replaces_it_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("stale")).expect("mkdir");
    std::fs::write(out.join("stale/old.yaml"), "old").expect("write");
    let run = compile_word_count(&out, &[]);
    assert_success(&run);
    assert!(out.join("base/kustomization.yaml").exists());
    assert!(out.join("overlays/prod/kustomization.yaml").exists());
    assert!(
        !out.join("stale").exists(),
        "the output directory is fmc's: replaced whole"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no staging directories left behind");
}

#[test]
fn failed_compile_leaves_the_output_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let ok = compile_word_count(&out, &[]);
    assert_eq!(ok.status.code(), Some(0));
    let before = tree(&out);
    let failed = fmc(&[
        "compile",
        "tests/broken/cycle.fm",
        "-o",
        out.to_str().expect("path"),
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(tree(&out), before);
    let missing_parent = dir.path().join("no/such/dir/out");
    let io = compile_word_count(&missing_parent, &[]);
    assert_eq!(io.status.code(), Some(2));
    assert!(!missing_parent.exists());
    let file_target = dir.path().join("a-file");
    std::fs::write(&file_target, "x").expect("write");
    let io = compile_word_count(&file_target, &[]);
    assert_eq!(io.status.code(), Some(2));
    assert_eq!(std::fs::read(&file_target).expect("still there"), b"x");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 2, "only out/ and a-file");
}

#[test]
fn stdout_stream_is_the_base_resources() {
    let out = fmc(&["compile", "examples/word-count/mesh.fm", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let docs: Vec<serde_json::Value> = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("YAML"))
        .collect();
    let kinds: Vec<_> = docs
        .iter()
        .map(|d| d["kind"].as_str().expect("kind").to_owned())
        .collect();
    assert_eq!(kinds, ["FunctionMesh", "ConfigMap"]);
}

#[test]
fn a_template_that_changes_content_is_refused_before_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).expect("mkdir");
    std::fs::write(templates.join("resource.yaml.j2"), "kind: Evil\n").expect("write");
    let out = dir.path().join("out");
    let run = compile_word_count(&out, &["--templates", templates.to_str().expect("path")]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("fmc::template"));
    assert!(!out.exists());
    // A template that only changes layout is accepted.
    std::fs::write(
        templates.join("resource.yaml.j2"),
        "# team header\n{{ resource | yaml }}\n",
    )
    .expect("write");
    let run = compile_word_count(&out, &["--templates", templates.to_str().expect("path")]);
    assert_success(&run);
    let text = std::fs::read_to_string(out.join("base/functionmesh.yaml")).expect("written");
    assert!(text.starts_with("# team header"));
}

#[test]
fn crds_subcommand_prints_four_crds() {
    let out = fmc(&["crds"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(text.matches("kind: CustomResourceDefinition").count(), 4);
}

#[test]
fn import_writes_a_mesh_that_compiles_and_warns_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mesh = dir.path().join("mesh.fm");
    let sample = common::shared_dir().join("samples/compute_v1alpha1_function.yaml");
    let run = fmc(&[
        "import",
        sample.to_str().expect("path"),
        "-o",
        mesh.to_str().expect("path"),
    ]);
    assert_success(&run);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning: document 4 (Secret test-secret)"),
        "{stderr}"
    );
    let out = dir.path().join("out");
    assert_success(&fmc(&[
        "compile",
        mesh.to_str().expect("path"),
        "--split",
        "-o",
        out.to_str().expect("path"),
    ]));
    assert!(out.join("base/function-sample.yaml").exists());
    // Without -o the mesh goes to stdout.
    let run = fmc(&["import", sample.to_str().expect("path")]);
    assert_success(&run);
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        std::fs::read_to_string(&mesh).expect("mesh")
    );
}

#[test]
fn import_of_invalid_yaml_is_a_usage_error_naming_the_document_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Sink\nmetadata: {name: s}\nspec:\n  replicas: two\n",
    )
    .expect("write");
    let run = fmc(&["import", path.to_str().expect("path")]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("document 1") && stderr.contains("replicas"),
        "{stderr}"
    );
    assert!(run.stdout.is_empty());
    assert_eq!(fmc(&["import", "no/such.yaml"]).status.code(), Some(2));
}
