//! The `fmc` binary: exit codes, output placement, and what a failed run leaves behind.
mod common;

use std::io::Write;
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
fn non_utf8_input_is_a_diagnostic_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.fm");
    std::fs::write(&path, b"mesh m {\n  \xff\xfe }").expect("write");
    let path = path.to_str().expect("path");
    let human = fmc(&["check", path]);
    assert_eq!(
        human.status.code(),
        Some(1),
        "a finding in the file, not a usage error"
    );
    let text = String::from_utf8_lossy(&human.stderr);
    assert!(
        text.contains("fmc::encoding") && text.contains("not UTF-8"),
        "{text}"
    );
    let json = fmc(&["check", "--message-format", "json", path]);
    assert_eq!(json.status.code(), Some(1));
    let line: serde_json::Value =
        serde_json::from_slice(&json.stderr).expect("one JSON diagnostic");
    assert_eq!(line["code"], "fmc::encoding");
    assert_eq!(
        (
            line["span"]["line"].as_u64(),
            line["span"]["column"].as_u64()
        ),
        (Some(2), Some(3))
    );
    // `fmt -` reads stdin the same way.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fmc"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("fmc runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"mesh m { \xe9 }")
        .expect("write stdin");
    let out = child.wait_with_output().expect("fmc ends");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fmc::encoding"));
    assert!(out.stdout.is_empty());
}

/// In JSON mode every line of stderr is a diagnostic, even when there is no mesh to check:
/// an editor parsing the output never meets plain text.
#[test]
fn file_errors_are_json_lines_in_json_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "x").expect("write");
    let a_file = a_file.to_str().expect("path");
    let runs: [&[&str]; 4] = [
        &["check", "--message-format", "json", "no/such/file.fm"],
        &["check", "--message-format", "json", "examples"],
        &["graph", "--message-format", "json", "examples"],
        &[
            "compile",
            "--message-format",
            "json",
            "examples/word-count/mesh.fm",
            "-o",
            a_file,
        ],
    ];
    for args in runs {
        let out = fmc(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8(out.stderr).expect("UTF-8");
        assert!(!text.is_empty(), "{args:?}: says why");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {line}"));
            assert_eq!(v["code"], "fmc::io", "{args:?}");
            assert_eq!(v["span"]["line"], 1);
        }
    }
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
fn crds_subcommand_prints_five_crds() {
    let out = fmc(&["crds"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(text.matches("kind: CustomResourceDefinition").count(), 5);
    assert!(text.contains("name: backendconfigs.compute.functionmesh.io"));
}

#[test]
fn explain_prints_a_page_lists_codes_and_rejects_unknown_ones() {
    let page = fmc(&["explain", "fmc::unknown-topic"]);
    assert_success(&page);
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(text.starts_with("# fmc::unknown-topic: "), "{text}");
    assert!(text.contains("## Wrong") && text.contains("## Fixed"));

    let list = fmc(&["explain"]);
    assert_success(&list);
    let listed = String::from_utf8_lossy(&list.stdout);
    for code in fmc::diag::Code::ALL {
        assert!(listed.contains(code.as_str()), "{code} not listed");
    }

    let unknown = fmc(&["explain", "unknwn-topic"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `unknown-topic`?"));
}

#[test]
fn completions_are_valid_scripts_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = fmc(&["completions", shell]);
        assert_success(&run);
        let script = String::from_utf8_lossy(&run.stdout);
        for word in ["compile", "check", "explain", "message-format"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // bash can at least parse its script.
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("fmc.bash");
    std::fs::write(&script, fmc(&["completions", "bash"]).stdout).expect("written");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .expect("bash runs");
    assert!(syntax.success());
}

#[test]
fn man_pages_cover_every_command() {
    let page = fmc(&["man"]);
    assert_success(&page);
    let roff = String::from_utf8_lossy(&page.stdout);
    assert!(roff.contains(".TH fmc 1"), "{roff}");
    assert!(roff.contains(".SH SYNOPSIS") && roff.contains("Exit codes"));

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    assert_success(&fmc(&["man", "--out-dir", out.to_str().expect("path")]));
    for name in [
        "fmc",
        "fmc-check",
        "fmc-compile",
        "fmc-explain",
        "fmc-completions",
    ] {
        let text = std::fs::read_to_string(out.join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("{name}.1: {e}"));
        assert!(text.contains(".SH NAME"), "{name}.1");
    }
}

#[test]
fn fmt_rewrites_in_place_checks_and_leaves_broken_files_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = dir.path().join("messy.fm");
    let original = "mesh m {cluster c{broker \"pulsar://b:6650\" admin \"http://b:8080\"}\n\
                    external topic a:string // in\n\
                    sink k=connector \"org.K\"{\npackage \"k.nar\" in a}}\n";
    std::fs::write(&messy, original).expect("written");
    let broken = dir.path().join("broken.fm");
    std::fs::write(&broken, "mesh m { topic a string }").expect("written");
    let path = |p: &Path| p.to_str().expect("path").to_owned();

    let check = fmc(&["fmt", "--check", &path(&messy)]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("is not formatted"));
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), original);

    // One broken file does not stop the others; it is reported and left as it was.
    let run = fmc(&["fmt", &path(&broken), &path(&messy)]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("fmc::syntax"));
    assert_eq!(
        std::fs::read_to_string(&broken).expect("read"),
        "mesh m { topic a string }"
    );
    let formatted = std::fs::read_to_string(&messy).expect("read");
    assert_eq!(
        formatted,
        "mesh m {\n  cluster c { broker \"pulsar://b:6650\"; admin \"http://b:8080\" }\n  \
         external topic a: string // in\n  sink k = connector \"org.K\" {\n    package \"k.nar\"\n    \
         in a\n  }\n}\n"
    );
    assert_success(&fmc(&["fmt", "--check", &path(&messy)]));

    // `-` formats standard input to standard output, for editors.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fmc"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("fmc runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), original.as_bytes())
        .expect("written");
    let piped = child.wait_with_output().expect("fmc ends");
    assert_success(&piped);
    assert_eq!(String::from_utf8_lossy(&piped.stdout), formatted);
}

#[test]
fn graph_writes_stdout_or_the_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("mesh.mmd");
    let to_stdout = fmc(&[
        "graph",
        "examples/word-count/mesh.fm",
        "--format",
        "mermaid",
    ]);
    assert_success(&to_stdout);
    assert!(String::from_utf8_lossy(&to_stdout.stdout).starts_with("flowchart LR\n"));
    let to_file = fmc(&[
        "graph",
        "examples/word-count/mesh.fm",
        "--format",
        "mermaid",
        "-o",
        file.to_str().expect("path"),
    ]);
    assert_success(&to_file);
    assert!(to_file.stdout.is_empty());
    assert_eq!(std::fs::read(&file).expect("written"), to_stdout.stdout);
}

#[test]
fn graph_of_an_unknown_environment_is_a_usage_error() {
    let out = fmc(&["graph", "examples/two-clusters/mesh.fm", "--env", "qa"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`qa`") && stderr.contains("staging, prod"),
        "{stderr}"
    );
    let known = fmc(&["graph", "examples/two-clusters/mesh.fm", "--env", "prod"]);
    assert_success(&known);
}

#[test]
fn graph_of_a_broken_mesh_reports_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("mesh.svg");
    let out = fmc(&[
        "graph",
        "tests/broken/cycle.fm",
        "--format",
        "svg",
        "-o",
        file.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fmc::cycle"));
    assert!(out.stdout.is_empty());
    assert!(!file.exists(), "no picture of a broken mesh");
}

#[test]
fn import_writes_a_mesh_that_compiles_and_warns_on_stderr() {
    let Some(sample) = common::upstream::upstream_file("samples/compute_v1alpha1_function.yaml")
    else {
        return common::upstream::skip("import_writes_a_mesh_that_compiles_and_warns_on_stderr");
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mesh = dir.path().join("mesh.fm");
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

/// A connector with a password in its config (as upstream's elasticsearch-sink test case):
/// the import writes the password only into the `--secrets-out` file, never to stdout or
/// stderr, refuses to go on without that file, and the mesh it writes compiles.
const SINK_WITH_PASSWORD: &str = r#"apiVersion: compute.functionmesh.io/v1alpha1
kind: Sink
metadata: { name: shop-es }
spec:
  className: org.apache.pulsar.io.elasticsearch.ElasticSearchSink
  input: { topics: [persistent://public/default/orders] }
  pulsar: { pulsarConfig: local }
  sinkConfig:
    elasticSearchUrl: http://es:9200
    username: elastic
    password: QqB1OtT6m79vfP7H9H0q2a82
  java: { jar: connectors/pulsar-io-elastic-search.nar }
"#;

#[test]
fn import_moves_a_literal_secret_to_the_secrets_file_only() {
    const PASSWORD: &str = "QqB1OtT6m79vfP7H9H0q2a82";
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("sink.yaml");
    std::fs::write(&input, SINK_WITH_PASSWORD).expect("write");
    let secrets = dir.path().join("secrets.yaml");

    let refused = fmc(&["import", input.to_str().expect("path")]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--secrets-out"), "{stderr}");
    assert!(refused.stdout.is_empty() && !stderr.contains(PASSWORD));

    let run = fmc(&[
        "import",
        input.to_str().expect("path"),
        "--secrets-out",
        secrets.to_str().expect("path"),
    ]);
    assert_success(&run);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    assert!(
        stderr.contains(
            "`sinkConfig.password` held a literal secret: moved to Secret `shop-es-secrets`"
        ),
        "{stderr}"
    );
    assert!(
        stdout.contains("env { password: secret \"shop-es-secrets\" key \"password\" }"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&secrets).expect("secrets file");
    let secret: serde_json::Value =
        serde_yaml_ng::from_str(written.trim_start_matches("---\n")).expect("one Secret");
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(secret["metadata"]["name"], "shop-es-secrets");
    assert_eq!(secret["stringData"]["password"], PASSWORD);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secrets)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only its owner reads the secrets file");
    }

    let mesh = dir.path().join("mesh.fm");
    std::fs::write(&mesh, stdout.as_bytes()).expect("mesh");
    assert_success(&fmc(&["check", mesh.to_str().expect("path")]));
}

/// `fmc import` reads its input as `check` reads a mesh, and says what it found with stable
/// codes, as JSON lines with `--message-format json`.
#[test]
fn import_reads_files_as_check_does_and_speaks_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json_lines = |stderr: &[u8]| -> Vec<serde_json::Value> {
        String::from_utf8_lossy(stderr)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect()
    };
    // Not UTF-8: the encoding diagnostic `check` gives.
    let utf16 = dir.path().join("utf16.yaml");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("kind: Sink\n".encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).expect("write");
    let run = fmc(&[
        "import",
        utf16.to_str().expect("path"),
        "--message-format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(json_lines(&run.stderr)[0]["code"], "fmc::encoding");

    // Invalid: one JSON line with its code, naming the document and the field.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Sink\nmetadata: {name: s}\nspec:\n  replicas: two\n",
    )
    .expect("write");
    let run = fmc(&[
        "import",
        bad.to_str().expect("path"),
        "--message-format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let lines = json_lines(&run.stderr);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["code"], "fmc::import-invalid");
    assert_eq!(lines[0]["severity"], "error");
    let message = lines[0]["message"].as_str().expect("message");
    assert!(
        message.contains("document 1") && message.contains("replicas"),
        "{message}"
    );

    // Warnings: each a JSON line with its code (the Secret not imported, the missing
    // ConfigMap); the moved secret is `literal-secret`.
    let input = dir.path().join("sink.yaml");
    std::fs::write(
        &input,
        format!(
            "{SINK_WITH_PASSWORD}---\napiVersion: v1\nkind: Secret\nmetadata: {{ name: es }}\n"
        ),
    )
    .expect("write");
    let secrets = dir.path().join("secrets.yaml");
    let run = fmc(&[
        "import",
        input.to_str().expect("path"),
        "--secrets-out",
        secrets.to_str().expect("path"),
        "--message-format",
        "json",
    ]);
    assert_success(&run);
    let codes: Vec<String> = json_lines(&run.stderr)
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["severity"].as_str().unwrap_or(""),
                l["code"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            "warning fmc::import-note",
            "warning fmc::import-note",
            "warning fmc::literal-secret"
        ],
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // Nothing a mesh can say: its own code.
    let empty = dir.path().join("empty.yaml");
    std::fs::write(
        &empty,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n",
    )
    .expect("write");
    let run = fmc(&[
        "import",
        empty.to_str().expect("path"),
        "--message-format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        json_lines(&run.stderr)[0]["code"],
        "fmc::import-unsupported"
    );

    // Too large: refused before reading, as `check` refuses it.
    let large = dir.path().join("large.yaml");
    std::fs::write(&large, vec![b'#'; fmc::syntax::MAX_FILE_BYTES + 1]).expect("write");
    let run = fmc(&[
        "import",
        large.to_str().expect("path"),
        "--message-format",
        "json",
    ]);
    assert_eq!(json_lines(&run.stderr)[0]["code"], "fmc::file-too-large");
}
