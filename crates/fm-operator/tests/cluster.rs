//! The real operator against a real API server. Runs when `FM_TEST_KUBECONFIG` points at a
//! cluster (CI starts one with `tests/k8s/with-apiserver`); without it each test says it was
//! skipped. Every test uses its own namespace and its own operator process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

fn kubeconfig() -> Option<String> {
    std::env::var("FM_TEST_KUBECONFIG")
        .ok()
        .filter(|s| !s.is_empty())
}

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn shared() -> PathBuf {
    std::env::var_os("FM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/function-mesh"))
}

fn kubectl(args: &[&str]) -> Output {
    let config = kubeconfig().expect("FM_TEST_KUBECONFIG");
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", config)
        .output()
        .expect("kubectl runs")
}

fn kubectl_ok(args: &[&str]) -> String {
    let out = kubectl(args);
    assert!(
        out.status.success(),
        "kubectl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn get_json(ns: &str, what: &str) -> Option<Value> {
    let out = kubectl(&["-n", ns, "get", what, "-o", "json"]);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).expect("JSON"))
}

fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Tests share one API server: they run one at a time, each in a fresh namespace.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| Mutex::new(()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn install_crds() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let crds = root().join("deploy/crds.yaml");
        kubectl_ok(&[
            "apply",
            "--server-side",
            "--force-conflicts",
            "-f",
            crds.to_str().expect("path"),
        ]);
        // `kubectl wait` fails outright while a new CRD has no conditions yet: poll.
        for name in ["functions", "sources", "sinks", "functionmeshes"] {
            let crd = format!("crd/{name}.compute.functionmesh.io");
            let jsonpath = r#"jsonpath={.status.conditions[?(@.type=="Established")].status}"#;
            wait_for(
                &format!("{crd} established"),
                Duration::from_secs(60),
                || {
                    let out = kubectl(&["get", &crd, "-o", jsonpath]);
                    (String::from_utf8_lossy(&out.stdout) == "True").then_some(())
                },
            );
        }
    });
}

struct Operator {
    child: Child,
    log: PathBuf,
}

impl Operator {
    fn start(namespace: &str, metrics_port: u16, extra: &[&str]) -> Operator {
        let log = std::env::temp_dir().join(format!("fm-operator-{namespace}-{metrics_port}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let mut args = vec!["run", "--namespace", namespace, "--metrics-addr"];
        let addr = format!("127.0.0.1:{metrics_port}");
        args.push(&addr);
        args.extend_from_slice(extra);
        let child = Command::new(env!("CARGO_BIN_EXE_fm-operator"))
            .args(&args)
            .env("KUBECONFIG", kubeconfig().expect("kubeconfig"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("operator starts");
        Operator { child, log }
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            if let Ok(text) = std::fs::read_to_string(&self.log) {
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                eprintln!(
                    "--- operator log (last lines)\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
        }
    }
}

struct Namespace(String);

impl Namespace {
    fn new(name: &str) -> Namespace {
        let _ = kubectl(&["delete", "namespace", name, "--wait=false"]);
        wait_for("the old namespace to go", Duration::from_secs(120), || {
            (!kubectl(&["get", "namespace", name]).status.success()).then_some(())
        });
        kubectl_ok(&["create", "namespace", name]);
        Namespace(name.to_owned())
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = kubectl(&["delete", "namespace", &self.0, "--wait=false"]);
    }
}

fn apply_file(ns: &str, path: &Path) {
    kubectl_ok(&[
        "-n",
        ns,
        "apply",
        "--server-side",
        "-f",
        path.to_str().expect("path"),
    ]);
}

fn apply_text(ns: &str, yaml: &str) {
    let dir = tempfile_dir();
    let path = dir.join(format!("doc-{}.yaml", std::process::id()));
    std::fs::write(&path, yaml).expect("write");
    apply_file(ns, &path);
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("fm-cluster-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn skip(test: &str) -> bool {
    if kubeconfig().is_none() {
        eprintln!("skipped {test}: FM_TEST_KUBECONFIG is not set (see tests/k8s/README.md)");
        return true;
    }
    false
}

/// The documents of a manifest with any `metadata.namespace` removed, so they land in the
/// test's namespace (one upstream sample pins `default`).
fn without_namespaces(text: &str) -> String {
    let mut out = String::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let mut value: Value = serde::Deserialize::deserialize(doc).expect("YAML");
        if value.is_null() {
            continue;
        }
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("namespace");
        }
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(&value).expect("YAML"));
    }
    out
}

fn function_yaml(name: &str, image: &str, max_replicas: Option<i32>) -> String {
    let max = max_replicas
        .map(|m| format!("  maxReplicas: {m}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata:
  name: {name}
spec:
  className: org.apache.pulsar.functions.api.examples.ExclamationFunction
  image: {image}
  replicas: 1
{max}  input:
    topics: [persistent://public/default/in]
  output:
    topic: persistent://public/default/out
  resources:
    requests: {{cpu: 100m, memory: 512Mi}}
    limits: {{cpu: 100m, memory: 512Mi}}
  pulsar:
    pulsarConfig: test-pulsar
  java:
    jar: /pulsar/examples/api-examples.jar
"
    )
}

fn sts_image(ns: &str, sts: &str) -> Option<String> {
    let v = get_json(ns, &format!("statefulset/{sts}"))?;
    let containers = v["spec"]["template"]["spec"]["containers"].as_array()?;
    containers
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("pulsar-")))
        .and_then(|c| c["image"].as_str().map(str::to_owned))
}

#[test]
fn every_upstream_sample_gets_its_objects() {
    if skip("every_upstream_sample_gets_its_objects") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-samples");
    let _op = Operator::start(&ns.0, 18081, &[]);
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared().join("samples"))
        .expect("samples")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut expected = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("sample");
        apply_text(&ns.0, &without_namespaces(&text));
        for doc in fm_api::load::load_stream(&text).expect("sample loads") {
            match doc.document {
                fm_api::load::Document::Function(f) => expected.push((
                    format!("{}-function", f.metadata.name.clone().unwrap_or_default()),
                    f.spec.common.max_replicas.is_some(),
                )),
                fm_api::load::Document::Source(s) => expected.push((
                    format!("{}-source", s.metadata.name.clone().unwrap_or_default()),
                    s.spec.common.max_replicas.is_some(),
                )),
                fm_api::load::Document::Sink(s) => expected.push((
                    format!("{}-sink", s.metadata.name.clone().unwrap_or_default()),
                    s.spec.common.max_replicas.is_some(),
                )),
                fm_api::load::Document::FunctionMesh(m) => {
                    for f in m.spec.functions.iter().flatten() {
                        expected.push((
                            format!(
                                "{}-{}-function",
                                m.metadata.name.clone().unwrap_or_default(),
                                f.common.name.clone().unwrap_or_default()
                            ),
                            f.common.max_replicas.is_some(),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(expected.len() >= 10, "{expected:?}");
    for (sts, hpa) in &expected {
        wait_for(
            &format!("StatefulSet {sts}"),
            Duration::from_secs(90),
            || get_json(&ns.0, &format!("statefulset/{sts}")),
        );
        let svc = wait_for(
            &format!("Service {sts}-headless"),
            Duration::from_secs(30),
            || get_json(&ns.0, &format!("service/{sts}-headless")),
        );
        assert_eq!(svc["spec"]["clusterIP"], "None");
        if *hpa {
            wait_for(&format!("HPA {sts}"), Duration::from_secs(30), || {
                get_json(&ns.0, &format!("horizontalpodautoscaler/{sts}"))
            });
        }
    }
    // `kubectl scale` works through the scale subresource.
    kubectl_ok(&[
        "-n",
        &ns.0,
        "scale",
        "function/java-function-sample",
        "--replicas=2",
    ]);
    wait_for("the scaled StatefulSet", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "statefulset/java-function-sample-function")?;
        (v["spec"]["replicas"] == 2).then_some(())
    });
}

#[test]
fn children_are_repaired_updated_and_collected() {
    if skip("children_are_repaired_updated_and_collected") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-lifecycle");
    let _op = Operator::start(&ns.0, 18082, &[]);
    apply_text(
        &ns.0,
        &function_yaml(
            "wc",
            "streamnative/pulsar-functions-java-sample:3.2.2.1",
            Some(3),
        ),
    );
    wait_for("StatefulSet", Duration::from_secs(60), || {
        get_json(&ns.0, "statefulset/wc-function")
    });
    wait_for("HPA", Duration::from_secs(30), || {
        get_json(&ns.0, "horizontalpodautoscaler/wc-function")
    });
    let status = wait_for("status", Duration::from_secs(30), || {
        let v = get_json(&ns.0, "function/wc")?;
        v["status"]["selector"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(|_| v["status"].clone())
    });
    assert_eq!(status["conditions"]["Service"]["status"], "True");

    // A deleted StatefulSet comes back.
    kubectl_ok(&["-n", &ns.0, "delete", "statefulset", "wc-function"]);
    wait_for("the StatefulSet to return", Duration::from_secs(60), || {
        get_json(&ns.0, "statefulset/wc-function")
    });

    // An image change reaches the StatefulSet.
    apply_text(
        &ns.0,
        &function_yaml(
            "wc",
            "streamnative/pulsar-functions-java-sample:3.3.0",
            Some(3),
        ),
    );
    wait_for("the new image", Duration::from_secs(60), || {
        (sts_image(&ns.0, "wc-function").as_deref()
            == Some("streamnative/pulsar-functions-java-sample:3.3.0"))
        .then_some(())
    });

    // Removing maxReplicas removes the HPA.
    apply_text(
        &ns.0,
        &function_yaml(
            "wc",
            "streamnative/pulsar-functions-java-sample:3.3.0",
            None,
        ),
    );
    wait_for("the HPA to go", Duration::from_secs(60), || {
        get_json(&ns.0, "horizontalpodautoscaler/wc-function")
            .is_none()
            .then_some(())
    });

    // Deleting the Function garbage-collects its children (ownerReferences).
    kubectl_ok(&["-n", &ns.0, "delete", "function", "wc"]);
    wait_for("children to be collected", Duration::from_secs(90), || {
        (get_json(&ns.0, "statefulset/wc-function").is_none()
            && get_json(&ns.0, "service/wc-function-headless").is_none())
        .then_some(())
    });
}

#[test]
fn an_invalid_resource_gets_a_condition_while_others_reconcile() {
    if skip("an_invalid_resource_gets_a_condition_while_others_reconcile") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-invalid");
    let _op = Operator::start(&ns.0, 18083, &[]);
    let bad = function_yaml("bad", "x:1", Some(1))
        .replace("replicas: 1\n", "replicas: 1\n  minReplicas: 3\n");
    apply_text(&ns.0, &bad);
    apply_text(
        &ns.0,
        &function_yaml(
            "good",
            "streamnative/pulsar-functions-java-sample:3.2.2.1",
            None,
        ),
    );
    wait_for("the good StatefulSet", Duration::from_secs(60), || {
        get_json(&ns.0, "statefulset/good-function")
    });
    let cond = wait_for("the invalid condition", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "function/bad")?;
        let c = v["status"]["conditions"]["Spec"].clone();
        (c["status"] == "False").then_some(c)
    });
    assert_eq!(cond["reason"], "InvalidSpec");
    assert!(get_json(&ns.0, "statefulset/bad-function").is_none());
}

#[test]
fn a_mesh_change_reaches_its_children_and_removed_items_go() {
    if skip("a_mesh_change_reaches_its_children_and_removed_items_go") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-mesh");
    let _op = Operator::start(&ns.0, 18084, &[]);
    let sample =
        std::fs::read_to_string(shared().join("samples/compute_v1alpha1_functionmesh.yaml"))
            .expect("sample");
    apply_text(&ns.0, &sample);
    wait_for("both children", Duration::from_secs(90), || {
        (get_json(&ns.0, "statefulset/functionmesh-sample-ex1-function").is_some()
            && get_json(&ns.0, "statefulset/functionmesh-sample-ex2-function").is_some())
        .then_some(())
    });
    // Image change in the mesh reaches the child's StatefulSet (an upstream bug).
    let changed = sample.replacen(
        "pulsar-functions-java-sample:3.2.2.1",
        "pulsar-functions-java-sample:3.3.0",
        1,
    );
    apply_text(&ns.0, &changed);
    wait_for("the new image in ex1", Duration::from_secs(90), || {
        (sts_image(&ns.0, "functionmesh-sample-ex1-function").as_deref()
            == Some("streamnative/pulsar-functions-java-sample:3.3.0"))
        .then_some(())
    });
    // Dropping ex2 from the mesh deletes its child and, by garbage collection, its objects.
    let mut mesh: Value = serde_json::from_str(&kubectl_ok(&[
        "-n",
        &ns.0,
        "get",
        "functionmesh/functionmesh-sample",
        "-o",
        "json",
    ]))
    .expect("json");
    let functions = mesh["spec"]["functions"].as_array_mut().expect("functions");
    functions.retain(|f| f["name"] != "ex2");
    let patch = serde_json::json!({"spec": {"functions": functions}}).to_string();
    kubectl_ok(&[
        "-n",
        &ns.0,
        "patch",
        "functionmesh/functionmesh-sample",
        "--type",
        "merge",
        "-p",
        &patch,
    ]);
    wait_for("ex2 to be removed", Duration::from_secs(120), || {
        (get_json(&ns.0, "function/functionmesh-sample-ex2").is_none()
            && get_json(&ns.0, "statefulset/functionmesh-sample-ex2-function").is_none())
        .then_some(())
    });
}

#[test]
fn two_replicas_elect_one_leader() {
    if skip("two_replicas_elect_one_leader") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-leader");
    let lease_args = [
        "--leader-elect",
        "--lease-namespace",
        "fm-leader",
        "--lease-name",
        "fm-test-lease",
    ];
    let _a = Operator::start(&ns.0, 18085, &lease_args);
    let _b = Operator::start(&ns.0, 18086, &lease_args);
    let holder = wait_for("a lease holder", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "lease/fm-test-lease")?;
        v["spec"]["holderIdentity"].as_str().map(str::to_owned)
    });
    assert!(!holder.is_empty());
    // Exactly one replica reports itself leader.
    let leaders = wait_for("metrics from both", Duration::from_secs(30), || {
        let mut leaders = 0;
        for port in [18085, 18086] {
            let text = http_get(port, "/metrics")?;
            if text.contains("fm_operator_leader 1") {
                leaders += 1;
            }
        }
        Some(leaders)
    });
    assert_eq!(leaders, 1);
    apply_text(
        &ns.0,
        &function_yaml(
            "led",
            "streamnative/pulsar-functions-java-sample:3.2.2.1",
            None,
        ),
    );
    wait_for("the leader to act", Duration::from_secs(60), || {
        get_json(&ns.0, "statefulset/led-function")
    });
}

fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    Some(text)
}

#[test]
fn time_for_a_hundred_functions() {
    if skip("time_for_a_hundred_functions") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-scale");
    let _op = Operator::start(&ns.0, 18087, &[]);
    let docs: String = (0..100)
        .map(|i| {
            format!(
                "---\n{}",
                function_yaml(
                    &format!("f{i:03}"),
                    "streamnative/pulsar-functions-java-sample:3.2.2.1",
                    None
                )
            )
        })
        .collect();
    let start = Instant::now();
    apply_text(&ns.0, &docs);
    wait_for("100 StatefulSets", Duration::from_secs(600), || {
        let v = get_json(&ns.0, "statefulsets")?;
        (v["items"].as_array()?.len() >= 100).then_some(())
    });
    // A figure, not an assertion: speed targets live in benchmarks.
    println!(
        "100 Functions → 100 StatefulSets in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn an_immutable_field_change_replaces_the_statefulset_instead_of_looping() {
    if skip("an_immutable_field_change_replaces_the_statefulset_instead_of_looping") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-immutable");
    // A StatefulSet left by an older operator, whose serviceName (immutable) differs.
    apply_text(
        &ns.0,
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: old-function
spec:
  serviceName: legacy-name
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: old-function}
  template:
    metadata:
      labels: {app.kubernetes.io/name: old-function}
    spec:
      containers:
        - name: pulsar-function
          image: busybox:1.36
",
    );
    let _op = Operator::start(&ns.0, 18088, &[]);
    apply_text(
        &ns.0,
        &function_yaml(
            "old",
            "streamnative/pulsar-functions-java-sample:3.2.2.1",
            None,
        ),
    );
    wait_for("the replaced StatefulSet", Duration::from_secs(90), || {
        let v = get_json(&ns.0, "statefulset/old-function")?;
        (v["spec"]["serviceName"] == "old-function-headless").then_some(())
    });
    let status = wait_for("a reconciled status", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "function/old")?;
        v["status"]["observedGeneration"]
            .as_i64()
            .map(|_| v["status"].clone())
    });
    assert_eq!(status["conditions"]["Spec"]["status"], "True");
}

#[test]
fn a_restarted_operator_converges_without_duplicates() {
    if skip("a_restarted_operator_converges_without_duplicates") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-restart");
    {
        let _first = Operator::start(&ns.0, 18089, &[]);
        apply_text(
            &ns.0,
            &function_yaml(
                "r",
                "streamnative/pulsar-functions-java-sample:3.2.2.1",
                Some(2),
            ),
        );
        wait_for("the first StatefulSet", Duration::from_secs(60), || {
            get_json(&ns.0, "statefulset/r-function")
        });
    } // killed mid-way
    apply_text(
        &ns.0,
        &function_yaml(
            "r2",
            "streamnative/pulsar-functions-java-sample:3.2.2.1",
            None,
        ),
    );
    let _second = Operator::start(&ns.0, 18089, &[]);
    wait_for("the second StatefulSet", Duration::from_secs(60), || {
        get_json(&ns.0, "statefulset/r2-function")
    });
    let count = |what: &str| {
        get_json(&ns.0, what)
            .and_then(|v| v["items"].as_array().map(Vec::len))
            .unwrap_or(0)
    };
    assert_eq!(count("statefulsets"), 2);
    assert_eq!(count("services"), 2);
    assert_eq!(count("horizontalpodautoscalers"), 1);
}

#[test]
fn strings_yaml_1_1_would_retype_survive_kubectl() {
    // `kubectl apply -f` reads YAML 1.1: written plain, `off` in a CRD's enum and `yes`, `on`,
    // `1_000` in a resource become booleans and numbers. Both the CRDs (installed above with
    // kubectl) and resources written by fm_api::yaml must come through as strings.
    if skip("strings_yaml_1_1_would_retype_survive_kubectl") {
        return;
    }
    let _guard = serial();
    install_crds();
    let ns = Namespace::new("fm-yaml");
    let config = serde_json::json!({
        "a": "yes", "b": "on", "c": "1_000", "d": "12:30", "e": "Off", "f": "0.2",
        "g": "2026-11-25", "h": "y", "i": "null", "j": "<<", "k": "line one\nline two\n",
    });
    let mut function: Value =
        serde_yaml_ng::from_str(&function_yaml("ambiguous", "x:1", None)).expect("YAML");
    function["spec"]["funcConfig"] = config.clone();
    function["spec"]["java"]["log"] = serde_json::json!({"level": "off"});
    function["spec"]["pod"] = serde_json::json!({"env": [{"name": "FLAG", "value": "yes"}]});
    apply_text(&ns.0, &fm_api::yaml::to_string(&function));
    let stored = get_json(&ns.0, "function/ambiguous").expect("the Function is stored");
    assert_eq!(stored["spec"]["funcConfig"], config);
    assert_eq!(stored["spec"]["java"]["log"]["level"], "off");
    assert_eq!(stored["spec"]["pod"]["env"][0]["value"], "yes");
}
