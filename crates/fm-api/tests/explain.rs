//! `deploy/crds.yaml` on a real API server, the way a user installs it: client-side
//! `kubectl apply` (which copies each CRD into the `last-applied-configuration` annotation, capped
//! at 262,144 bytes), then `kubectl explain` on fields of ours. Runs when `FM_TEST_KUBECONFIG`
//! points at a cluster (`tests/k8s/with-apiserver cargo test -p fm-api --test explain`);
//! otherwise it says it was skipped. It installs the CRDs cluster-wide.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn kubeconfig() -> Option<String> {
    std::env::var("FM_TEST_KUBECONFIG")
        .ok()
        .filter(|s| !s.is_empty())
}

fn kubectl(args: &[&str]) -> Output {
    let config = kubeconfig().expect("FM_TEST_KUBECONFIG");
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", config)
        .output()
        .expect("kubectl runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The DESCRIPTION section of `kubectl explain` output: the lines between `DESCRIPTION:` and
/// the next unindented heading (`FIELDS:`), trimmed. Both the older (OpenAPI v2) and newer
/// (OpenAPI v3) kubectl layouts look like this; an undocumented field prints `<empty>`.
fn description_section(output: &str) -> Option<String> {
    let mut lines = output
        .lines()
        .skip_while(|l| l.trim_end() != "DESCRIPTION:");
    lines.next()?;
    let body: Vec<&str> = lines
        .take_while(|l| l.is_empty() || l.starts_with(char::is_whitespace))
        .map(str::trim)
        .collect();
    Some(body.join(" ").trim().to_owned())
}

#[test]
fn description_section_is_parsed() {
    let v2 = "KIND:     Function\nVERSION:  compute.functionmesh.io/v1alpha1\n\n\
              RESOURCE: java <Object>\n\nDESCRIPTION:\n     Run a Java function.\n     More.\n\n\
              FIELDS:\n   jar\t<string> -required-\n";
    assert_eq!(
        description_section(v2).as_deref(),
        Some("Run a Java function. More.")
    );
    let empty = "KIND: Function\n\nFIELD: java <Object>\n\nDESCRIPTION:\n    <empty>\nFIELDS:\n";
    assert_eq!(description_section(empty).as_deref(), Some("<empty>"));
    assert_eq!(description_section("no such section"), None);
}

#[test]
fn client_side_apply_then_explain_describes_our_fields() {
    if kubeconfig().is_none() {
        eprintln!(
            "skipped client_side_apply_then_explain_describes_our_fields: FM_TEST_KUBECONFIG \
             is not set (see tests/k8s/README.md)"
        );
        return;
    }
    let crds = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/crds.yaml"
    ));
    // Client-side on purpose: no --server-side. This is what failed with "metadata.annotations:
    // Too long" while the CRDs carried every description of the embedded Kubernetes types.
    let out = kubectl(&["apply", "-f", crds.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "kubectl apply -f deploy/crds.yaml: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    let names = [
        "functions",
        "sources",
        "sinks",
        "functionmeshes",
        "backendconfigs",
    ];
    for name in names {
        let crd = format!("crd/{name}.compute.functionmesh.io");
        // The annotation client-side apply relies on is there (so a later apply can diff).
        let out = kubectl(&[
            "get",
            &crd,
            "-o",
            r#"jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}"#,
        ]);
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "{crd}: no last-applied-configuration: {}",
            text(&out.stderr)
        );
        // `kubectl wait` fails outright while a new CRD has no conditions yet: poll.
        let jsonpath = r#"jsonpath={.status.conditions[?(@.type=="Established")].status}"#;
        poll(&format!("{crd} established"), || {
            let out = kubectl(&["get", &crd, "-o", jsonpath]);
            (text(&out.stdout) == "True").then_some(())
        });
    }

    // The API server publishes a CRD's schema to OpenAPI a little after it is established (and
    // a replaced schema a little after the update), so each field is polled until explain shows
    // its description. A fresh cache directory keeps kubectl from answering from an old download.
    let cache = std::env::temp_dir().join(format!("fm-api-explain-{}", std::process::id()));
    let cache = cache.to_str().expect("path").to_owned();
    let fields = [
        "function.spec.java",
        "function.spec.input",
        "function.spec.output",
        "function.spec.pod",
        "function.spec.input.topics",
        "function.spec.java.jar",
        "function.spec.output.producerConf",
        "function.spec.pod.affinity",
        "source.spec.sourceConfig",
        "sink.spec.input",
        "sink.spec.input.topics",
        "sink.spec.sinkConfig",
        "functionmesh.spec.functions",
        "functionmesh.status.conditions",
    ];
    let mut problems = Vec::new();
    let mut checked = 0;
    for field in fields {
        let expected = expected_description(field);
        assert!(!expected.is_empty(), "{field}: no description in our CRD");
        checked += 1;
        let mut last = None;
        let described = poll_for(Duration::from_secs(60), || {
            let out = kubectl(&["explain", field, "--cache-dir", &cache]);
            let answer = if out.status.success() {
                description_section(&text(&out.stdout))
                    .unwrap_or_else(|| format!("no DESCRIPTION in {:?}", text(&out.stdout)))
            } else {
                text(&out.stderr)
            };
            last = Some(answer.clone());
            // For a list or map, kubectl adds the description of its items after the field's.
            words(&answer)
                .starts_with(&words(&expected))
                .then_some(answer)
        });
        match described {
            Some(d) => println!("{field}: {d}"),
            None => problems.push(format!(
                "{field}: expected {expected:?}; last answer: {last:?}"
            )),
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
    assert_eq!(checked, fields.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The description of `kind.path.to.field` in our generated CRD.
fn expected_description(field: &str) -> String {
    let mut parts = field.split('.');
    let singular = parts.next().expect("kind");
    let crd = fm_api::crds::all()
        .into_iter()
        .map(|crd| serde_json::to_value(crd).expect("CRD serialises"))
        .find(|crd| crd["spec"]["names"]["singular"] == singular)
        .unwrap_or_else(|| panic!("no CRD for {singular}"));
    let mut node = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    for part in parts {
        node = &node["properties"][part];
        assert!(!node.is_null(), "{field}: no property {part}");
    }
    node["description"].as_str().unwrap_or("").to_owned()
}

fn poll<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    poll_for(Duration::from_secs(60), check)
        .unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

/// `check` until it answers or `timeout` passes; the last answer, if any.
fn poll_for<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if start.elapsed() >= timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
