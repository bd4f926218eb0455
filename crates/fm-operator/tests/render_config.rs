//! `fm-operator render --config FILE` reads the same configuration file as `run`.

use std::io::Write;
use std::process::{Command, Stdio};

const FUNCTION: &str = "apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {name: runner, namespace: default}
spec:
  className: org.example.Fn
  input: {topics: [persistent://public/default/in]}
  output: {topic: persistent://public/default/out}
  pulsar: {pulsarConfig: test-pulsar}
  java: {jar: /pulsar/examples/api-examples.jar}
";

fn render(test: &str, config: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("fm-render-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("{test}.yaml"));
    std::fs::write(&path, config).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fm-operator"))
        .args([
            "render",
            "-f",
            "-",
            "--config",
            path.to_str().expect("path"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // A bad configuration file is refused before stdin is read: the process may be gone
    // before the write, which then fails with a broken pipe. Its exit and output are what
    // the tests judge.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(FUNCTION.as_bytes());
    child.wait_with_output().expect("ends")
}

#[test]
fn render_uses_the_configured_runner_image() {
    let out = render(
        "image",
        "runnerImages:\n  java: registry.example/java-runner:4.0.1\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("image: registry.example/java-runner:4.0.1"),
        "{text}"
    );
}

#[test]
fn render_refuses_a_bad_configuration_file() {
    let out = render("bad", "runnerImagePullPolicy: always\n");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("runnerImagePullPolicy: `always` is not one of Always, IfNotPresent, Never"),
        "{stderr}"
    );
}
