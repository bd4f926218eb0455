//! The real operator against a real API server. Runs when `FM_TEST_KUBECONFIG` points at a
//! cluster (CI starts one with `tests/k8s/with-apiserver`); without it each test says it was
//! skipped. Every test uses its own namespace and its own operator process.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../../fm-api/tests/support/upstream.rs"]
mod upstream;

fn kubeconfig() -> Option<String> {
    std::env::var("FM_TEST_KUBECONFIG")
        .ok()
        .filter(|s| !s.is_empty())
}

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
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

/// The install command the README gives users, run verbatim from the repository root.
const INSTALL: &str = "kubectl apply -k deploy/";
/// Where `deploy/` installs the operator and its ServiceAccount.
const OPERATOR_NAMESPACE: &str = "function-mesh-system";

/// Runs [`INSTALL`] as a user would (after checking the README still says it) and waits for
/// the CRDs. The first run is an upgrade: `tests/k8s/self-test` installed upstream's CRDs.
fn run_install_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("`{INSTALL}`")),
        "the README no longer tells users to run `{INSTALL}`"
    );
    let words: Vec<&str> = INSTALL.split_whitespace().collect();
    let out = Command::new(words[0])
        .args(&words[1..])
        .current_dir(root())
        .env("KUBECONFIG", kubeconfig().expect("FM_TEST_KUBECONFIG"))
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "`{INSTALL}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `kubectl wait` fails outright while a new CRD has no conditions yet: poll.
    for name in [
        "functions",
        "sources",
        "sinks",
        "functionmeshes",
        "backendconfigs",
    ] {
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
}

/// Installs once per test process, and writes a kubeconfig that authenticates as the
/// operator's own ServiceAccount, with its own token: the operator runs as installed.
fn install() -> &'static Path {
    static OPERATOR_KUBECONFIG: OnceLock<PathBuf> = OnceLock::new();
    OPERATOR_KUBECONFIG.get_or_init(|| {
        run_install_command();
        let token = wait_for("the ServiceAccount's token", Duration::from_secs(60), service_account_token);
        let admin: Value = serde_yaml_ng::from_str(&kubectl_ok(&[
            "config", "view", "--raw", "--minify", "-o", "json",
        ]))
        .expect("kubeconfig");
        let cluster = &admin["clusters"][0]["cluster"];
        let config = serde_json::json!({
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "test", "cluster": cluster}],
            "users": [{"name": "fm-operator", "user": {"token": token}}],
            "contexts": [{"name": "fm-operator", "context": {"cluster": "test", "user": "fm-operator"}}],
            "current-context": "fm-operator",
        });
        let path = tempfile_dir().join("fm-operator-serviceaccount.kubeconfig");
        std::fs::write(&path, config.to_string()).expect("kubeconfig written");
        path
    })
}

/// A token of the `fm-operator` ServiceAccount: a bound token from the TokenRequest API, or,
/// where the server does not serve it, the token Secret its controller made (Kubernetes < 1.24).
fn service_account_token() -> Option<String> {
    let out = kubectl(&[
        "-n",
        OPERATOR_NAMESPACE,
        "create",
        "token",
        "fm-operator",
        "--duration=24h",
    ]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !token.is_empty() {
        return Some(token);
    }
    let account = get_json(OPERATOR_NAMESPACE, "serviceaccount/fm-operator")?;
    let secret = account["secrets"][0]["name"].as_str()?.to_owned();
    let secret = get_json(OPERATOR_NAMESPACE, &format!("secret/{secret}"))?;
    let encoded = secret["data"]["token"].as_str()?;
    let out = Command::new("base64")
        .arg("-d")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take()?.write_all(encoded.as_bytes()).ok()?;
            child.wait_with_output().ok()
        })?;
    let token = String::from_utf8(out.stdout).ok()?;
    (!token.is_empty()).then_some(token)
}

/// The identity the operator's requests carry, as the API server sees it.
const OPERATOR_USER: &str = "system:serviceaccount:function-mesh-system:fm-operator";

struct Operator {
    child: Child,
    log: PathBuf,
}

impl Operator {
    /// The operator as installed: its ServiceAccount's token, leases and the webhook
    /// certificate in its namespace, and the admission webhooks served on
    /// `metrics_port + 1000`, registered by URL (loopback: the API server runs here).
    fn start(namespace: &str, metrics_port: u16, extra: &[&str]) -> Operator {
        let webhook = format!("127.0.0.1:{}", metrics_port + 1000);
        let url = format!("https://{webhook}");
        let mut args = vec!["--webhook-addr", &webhook, "--webhook-url", &url];
        args.extend_from_slice(extra);
        Operator::start_without_webhooks(namespace, metrics_port, &args)
    }

    fn start_without_webhooks(namespace: &str, metrics_port: u16, extra: &[&str]) -> Operator {
        let log = std::env::temp_dir().join(format!("fm-operator-{namespace}-{metrics_port}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let addr = format!("127.0.0.1:{metrics_port}");
        let mut args = vec![
            "run",
            "--namespace",
            namespace,
            "--metrics-addr",
            &addr,
            "--lease-namespace",
            OPERATOR_NAMESPACE,
        ];
        args.extend_from_slice(extra);
        let child = Command::new(env!("CARGO_BIN_EXE_fm-operator"))
            .args(&args)
            .env("KUBECONFIG", install())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("operator starts");
        Operator { child, log }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Operator {
    /// SIGTERM, then wait for the process to end (a graceful shutdown).
    fn terminate(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let text = self.log_text();
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            eprintln!(
                "--- operator log (last lines)\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
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

/// `kubectl apply -f`, as users apply their resources (client-side, through the webhooks).
fn apply_file(ns: &str, path: &Path) {
    kubectl_ok(&["-n", ns, "apply", "-f", path.to_str().expect("path")]);
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
    let Some(files) = upstream::upstream_files("samples") else {
        return upstream::skip("every_upstream_sample_gets_its_objects");
    };
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-samples");
    let _op = Operator::start(&ns.0, 18081, &[]);
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
    install();
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

    // A deleted HPA comes back at once (it is watched), not at the 5-minute resync.
    kubectl_ok(&[
        "-n",
        &ns.0,
        "delete",
        "horizontalpodautoscaler",
        "wc-function",
    ]);
    wait_for("the HPA to return", Duration::from_secs(30), || {
        get_json(&ns.0, "horizontalpodautoscaler/wc-function")
    });

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
    install();
    let ns = Namespace::new("fm-invalid");
    // No webhook: what happens while none answers (or with upstream's CRDs and no admission):
    // the invalid resource is stored, and the reconciler reports it.
    delete_webhook_configurations();
    let _op = Operator::start_without_webhooks(&ns.0, 18083, &[]);
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
    let ready = wait_for("Ready: False", Duration::from_secs(30), || {
        let v = get_json(&ns.0, "function/bad")?;
        let c = v["status"]["conditions"]["Ready"].clone();
        (c["status"] == "False").then_some(c)
    });
    assert_eq!(ready["reason"], "InvalidSpec");
    let event = wait_for_event(&ns.0, "Function", "bad", "InvalidSpec");
    assert_eq!(event["type"], "Warning");
    assert!(
        event["message"]
            .as_str()
            .unwrap_or("")
            .contains("minReplicas"),
        "{event}"
    );
}

/// The webhook configurations registered by earlier operators (harmless with `Ignore`, but
/// a test of the unguarded path wants none).
fn delete_webhook_configurations() {
    for kind in [
        "validatingwebhookconfiguration",
        "mutatingwebhookconfiguration",
    ] {
        kubectl_ok(&["delete", kind, "fm-operator", "--ignore-not-found"]);
    }
}

/// Waits for an Event of `reason` about one object, and returns it.
fn wait_for_event(ns: &str, kind: &str, name: &str, reason: &str) -> Value {
    wait_for(
        &format!("a {reason} Event on {kind} {name}"),
        Duration::from_secs(30),
        || {
            events_about(ns, kind, name)
                .into_iter()
                .find(|e| e["reason"] == reason)
        },
    )
}

/// Events about one object, as `kubectl get events` lists them (core/v1 view).
fn events_about(ns: &str, kind: &str, name: &str) -> Vec<Value> {
    let Some(list) = get_json(ns, "events") else {
        return Vec::new();
    };
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["involvedObject"]["kind"] == kind && e["involvedObject"]["name"] == name)
        .cloned()
        .collect()
}

#[test]
fn a_mesh_change_reaches_its_children_and_removed_items_go() {
    if skip("a_mesh_change_reaches_its_children_and_removed_items_go") {
        return;
    }
    let Some(sample) = upstream::upstream_file("samples/compute_v1alpha1_functionmesh.yaml") else {
        return upstream::skip("a_mesh_change_reaches_its_children_and_removed_items_go");
    };
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-mesh");
    let _op = Operator::start(&ns.0, 18084, &[]);
    let sample = std::fs::read_to_string(sample).expect("sample");
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
    install();
    let ns = Namespace::new("fm-leader");
    let _ = kubectl(&["-n", OPERATOR_NAMESPACE, "delete", "lease", "fm-test-lease"]);
    let lease_args = ["--leader-elect", "--lease-name", "fm-test-lease"];
    let mut a = Operator::start(&ns.0, 18085, &lease_args);
    let mut b = Operator::start(&ns.0, 18086, &lease_args);
    let holder = wait_for("a lease holder", Duration::from_secs(60), || {
        let v = get_json(OPERATOR_NAMESPACE, "lease/fm-test-lease")?;
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

    // The leader shuts down (SIGTERM, as a rollout does): it releases the lease, so the
    // standby takes over at once instead of waiting out the 15 s lease.
    let (leader, standby_port) =
        if http_get(18085, "/metrics").is_some_and(|m| m.contains("fm_operator_leader 1")) {
            (&mut a, 18086)
        } else {
            (&mut b, 18085)
        };
    let stopped = std::time::Instant::now();
    leader.terminate();
    wait_for("the standby to lead", Duration::from_secs(10), || {
        http_get(standby_port, "/metrics")
            .filter(|m| m.contains("fm_operator_leader 1"))
            .map(drop)
    });
    let took = stopped.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "the standby took over after {took:?}: the lease was not released"
    );
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
    install();
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
    install();
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
    install();
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
    install();
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

#[test]
fn the_install_command_upgrades_an_install_in_place() {
    if skip("the_install_command_upgrades_an_install_in_place") {
        return;
    }
    let _guard = serial();
    install();
    // The same command again is how users upgrade.
    run_install_command();
    for what in [
        "serviceaccount/fm-operator",
        "deployment/fm-operator",
        "service/fm-operator-webhook",
        "role/fm-operator-leader-election",
        "rolebinding/fm-operator-leader-election",
    ] {
        assert!(
            get_json(OPERATOR_NAMESPACE, what).is_some(),
            "{what} is installed"
        );
    }
    let role: Value = serde_json::from_str(&kubectl_ok(&[
        "get",
        "clusterrole/fm-operator",
        "-o",
        "json",
    ]))
    .expect("JSON");
    assert!(role["rules"].as_array().is_some_and(|r| !r.is_empty()));
}

fn valid_function(name: &str) -> String {
    function_yaml(
        name,
        "streamnative/pulsar-functions-java-sample:3.2.2.1",
        None,
    )
}

/// `kubectl apply -f` of `yaml`; its stderr when refused.
fn apply_refused(ns: &str, yaml: &str) -> Option<String> {
    let path = tempfile_dir().join(format!("refused-{}.yaml", std::process::id()));
    std::fs::write(&path, yaml).expect("write");
    let out = kubectl(&["-n", ns, "apply", "-f", path.to_str().expect("path")]);
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_webhooks_refuse_invalid_resources_and_default_valid_ones() {
    if skip("the_webhooks_refuse_invalid_resources_and_default_valid_ones") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-webhook");
    let _op = Operator::start(&ns.0, 18090, &[]);
    // Invalid: minReplicas above maxReplicas, and no className.
    let bad = function_yaml("bad", "x:1", Some(1))
        .replace("replicas: 1\n", "replicas: 1\n  minReplicas: 3\n")
        .replace(
            "  className: org.apache.pulsar.functions.api.examples.ExclamationFunction\n",
            "",
        );
    // The API server picks up a new registration within a moment: retry until refused.
    let refusal = wait_for("the webhook to refuse", Duration::from_secs(60), || {
        let refused = apply_refused(&ns.0, &bad);
        if refused.is_none() {
            let _ = kubectl(&["-n", &ns.0, "delete", "function/bad"]);
        }
        refused
    });
    assert!(refusal.contains("denied the request"), "{refusal}");
    assert!(refusal.contains("minReplicas"), "{refusal}");
    assert!(refusal.contains("className"), "{refusal}");
    assert!(get_json(&ns.0, "function/bad").is_none(), "nothing stored");

    // Valid: stored with upstream's defaults filled in.
    apply_text(&ns.0, &valid_function("good"));
    let stored = get_json(&ns.0, "function/good").expect("stored");
    let spec = &stored["spec"];
    assert_eq!(spec["tenant"], "public");
    assert_eq!(spec["namespace"], "default");
    assert_eq!(spec["clusterName"], "kubernetes");
    assert_eq!(spec["name"], "good");
    assert_eq!(spec["autoAck"], true);
    assert_eq!(spec["processingGuarantee"], "atleast_once");
    assert_eq!(spec["maxPendingAsyncRequests"], 1000);
    assert_eq!(spec["input"]["typeClassName"], "[B");
    assert_eq!(spec["output"]["typeClassName"], "[B");
    assert_eq!(spec["minReplicas"], 1);

    // A FunctionMesh with one invalid member is refused, naming the member.
    let mesh = format!(
        "apiVersion: compute.functionmesh.io/v1alpha1
kind: FunctionMesh
metadata:
  name: m
spec:
  functions:
    - name: fine
{ok}    - name: broken
{broken}",
        ok = member_spec(&valid_function("x")),
        broken = member_spec(&bad),
    );
    let refusal = apply_refused(&ns.0, &mesh).expect("the mesh is refused");
    assert!(refusal.contains("spec.functions[name=broken]"), "{refusal}");
    assert!(!refusal.contains("name=fine"), "{refusal}");

    // Upstream's metric names, for the dashboards users already have.
    let metrics = wait_for("upstream's metrics", Duration::from_secs(60), || {
        http_get(18090, "/metrics").filter(|m| m.contains("name=\"good\""))
    });
    assert!(
        metrics.contains("function_mesh_reconcile_count{type=\"function\",name=\"good\",namespace=\"fm-webhook\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("function_mesh_reconcile_latency_bucket{type=\"function\",name=\"good\"")
    );
    // Logs to a file carry no colour codes.
    let log = _op.log_text();
    assert!(log.contains("reconciled"), "{log}");
    assert!(!log.contains('\u{1b}'), "ANSI escapes in a log file");
}

/// The `spec` of a Function manifest, indented as a FunctionMesh list item's fields.
fn member_spec(function: &str) -> String {
    let spec = function
        .split_once("spec:\n")
        .map(|(_, spec)| spec)
        .expect("a spec");
    spec.lines()
        .map(|line| format!("      {}\n", &line[2..]))
        .collect()
}

#[test]
fn a_name_taken_by_someone_else_shows_as_a_condition_and_an_event() {
    if skip("a_name_taken_by_someone_else_shows_as_a_condition_and_an_event") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-taken");
    // A StatefulSet with the name the Function needs, controlled by another object.
    let owner_uid = take_statefulset_name(&ns.0, "taken-function");
    // And a Function with the name a mesh member needs, controlled by another object (one
    // without a controller would be adopted, as controller-runtime's CreateOrUpdate does).
    apply_text(
        &ns.0,
        &valid_function("mesh-member").replace(
            "  name: mesh-member\n",
            &format!("  name: mesh-member\n  ownerReferences:\n    - {{apiVersion: v1, kind: ConfigMap, name: owner, uid: {owner_uid}, controller: true}}\n"),
        ),
    );
    let _op = Operator::start(&ns.0, 18091, &[]);
    apply_text(&ns.0, &valid_function("taken"));
    let ready = wait_for(
        "Ready: False on the Function",
        Duration::from_secs(60),
        || {
            let c = get_json(&ns.0, "function/taken")?["status"]["conditions"]["Ready"].clone();
            (c["status"] == "False").then_some(c)
        },
    );
    assert_eq!(ready["reason"], "NotOwned");
    assert!(
        ready["message"]
            .as_str()
            .unwrap_or("")
            .contains("ConfigMap owner"),
        "{ready}"
    );
    let event = wait_for_event(&ns.0, "Function", "taken", "NotOwned");
    assert_eq!(event["type"], "Warning");
    let sts = get_json(&ns.0, "statefulset/taken-function").expect("still there");
    assert_eq!(sts["spec"]["serviceName"], "someone-else", "not taken over");
    // `kubectl get` shows it at a glance.
    let table = kubectl_ok(&["-n", &ns.0, "get", "function/taken"]);
    assert!(table.contains("NotOwned"), "{table}");

    let mesh = format!(
        "apiVersion: compute.functionmesh.io/v1alpha1
kind: FunctionMesh
metadata:
  name: mesh
spec:
  functions:
    - name: member
{}",
        member_spec(&valid_function("x"))
    );
    apply_text(&ns.0, &mesh);
    let ready = wait_for("Ready: False on the mesh", Duration::from_secs(60), || {
        let c = get_json(&ns.0, "functionmesh/mesh")?["status"]["conditions"]["Ready"].clone();
        (c["status"] == "False").then_some(c)
    });
    assert_eq!(ready["reason"], "NotOwned");
    wait_for_event(&ns.0, "FunctionMesh", "mesh", "NotOwned");
}

/// Creates a StatefulSet `name` controlled by a ConfigMap `owner` (made here too), so the
/// operator must not take it over; returns the owner's uid.
fn take_statefulset_name(ns: &str, name: &str) -> String {
    kubectl_ok(&["-n", ns, "create", "configmap", "owner"]);
    let owner_uid = get_json(ns, "configmap/owner").expect("owner")["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_owned();
    apply_text(
        ns,
        &format!(
            "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
  ownerReferences:
    - {{apiVersion: v1, kind: ConfigMap, name: owner, uid: {owner_uid}, controller: true}}
spec:
  serviceName: someone-else
  replicas: 1
  selector: {{matchLabels: {{app: someone-else}}}}
  template:
    metadata: {{labels: {{app: someone-else}}}}
    spec: {{containers: [{{name: main, image: busybox:1.36}}]}}
"
        ),
    );
    owner_uid
}

/// What one audit log line says the operator did: (group, resource[/subresource], verb),
/// the status code, and whether it was authorised.
fn audited(line: &str) -> Option<((String, String, String), i64, String)> {
    let event: Value = serde_json::from_str(line).ok()?;
    if event["user"]["username"] != OPERATOR_USER || event["stage"] != "ResponseComplete" {
        return None;
    }
    let object = event.get("objectRef")?;
    let mut resource = object["resource"].as_str()?.to_owned();
    if let Some(sub) = object["subresource"].as_str() {
        resource = format!("{resource}/{sub}");
    }
    let group = object["apiGroup"].as_str().unwrap_or("").to_owned();
    let verb = event["verb"].as_str()?.to_owned();
    let code = event["responseStatus"]["code"].as_i64().unwrap_or(0);
    let decision = event["annotations"]["authorization.k8s.io/decision"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    Some(((group, resource, verb), code, decision))
}

/// Every (group, resource, verb) the installed ClusterRole and Role grant.
fn installed_grants() -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for (ns, what) in [
        (None, "clusterrole/fm-operator"),
        (Some(OPERATOR_NAMESPACE), "role/fm-operator-leader-election"),
    ] {
        let mut args = vec!["get", what, "-o", "json"];
        if let Some(ns) = ns {
            args.extend(["-n", ns]);
        }
        let role: Value = serde_json::from_str(&kubectl_ok(&args)).expect("JSON");
        for rule in role["rules"].as_array().expect("rules") {
            for g in rule["apiGroups"].as_array().expect("groups") {
                for r in rule["resources"].as_array().expect("resources") {
                    for v in rule["verbs"].as_array().expect("verbs") {
                        out.insert((
                            g.as_str().unwrap_or("").to_owned(),
                            r.as_str().unwrap_or("").to_owned(),
                            v.as_str().unwrap_or("").to_owned(),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_operator_uses_exactly_the_rbac_it_is_installed_with() {
    if skip("the_operator_uses_exactly_the_rbac_it_is_installed_with") {
        return;
    }
    let Some(audit_log) = std::env::var_os("FM_TEST_AUDIT_LOG").map(PathBuf::from) else {
        eprintln!("skipped the_operator_uses_exactly_the_rbac_it_is_installed_with: FM_TEST_AUDIT_LOG is not set (tests/k8s/with-apiserver sets it)");
        return;
    };
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-rbac");
    // The VPA API is served, so that its calls are made too.
    install_vpa_crd();
    // First-time paths: no certificate Secret, no webhook registration, no lease yet.
    for (ns_, what) in [
        (OPERATOR_NAMESPACE, "secret/fm-operator-webhook-cert"),
        (OPERATOR_NAMESPACE, "lease/fm-rbac-lease"),
    ] {
        kubectl_ok(&["-n", ns_, "delete", what, "--ignore-not-found"]);
    }
    delete_webhook_configurations();
    let offset = std::fs::metadata(&audit_log).map(|m| m.len()).unwrap_or(0);
    let flags = [
        "--leader-elect",
        "--lease-name",
        "fm-rbac-lease",
        "--event-interval",
        "1",
    ];
    {
        let _op = Operator::start(&ns.0, 18092, &flags);
        kubectl_ok(&[
            "-n",
            &ns.0,
            "create",
            "configmap",
            "test-pulsar",
            "--from-literal=webServiceURL=http://pulsar:8080",
            "--from-literal=brokerServiceURL=pulsar://pulsar:6650",
        ]);
        // A mesh with every kind: creates, then re-applies, its children.
        let source = "      className: org.example.Source
      replicas: 1
      sourceConfig: {a: b}
      output: {topic: persistent://public/default/in}
      resources: {requests: {cpu: 100m, memory: 512Mi}, limits: {cpu: 100m, memory: 512Mi}}
      pulsar: {pulsarConfig: test-pulsar}
      java: {jar: connectors/source.nar}
";
        let sink = "      className: org.example.Sink
      replicas: 1
      sinkConfig: {a: b}
      input: {topics: [persistent://public/default/out]}
      resources: {requests: {cpu: 100m, memory: 512Mi}, limits: {cpu: 100m, memory: 512Mi}}
      pulsar: {pulsarConfig: test-pulsar}
      java: {jar: connectors/sink.nar}
";
        let mesh = |with_all: bool| {
            let mut text = format!(
                "apiVersion: compute.functionmesh.io/v1alpha1
kind: FunctionMesh
metadata:
  name: mesh
spec:
  functions:
    - name: a
{}",
                member_spec(&valid_function("x"))
            );
            if with_all {
                text.push_str(&format!(
                    "    - name: b\n{}  sources:\n    - name: s\n{source}  sinks:\n    - name: k\n{sink}",
                    member_spec(&valid_function("y"))
                ));
            }
            text
        };
        apply_text(&ns.0, &mesh(true));
        for sts in [
            "mesh-a-function",
            "mesh-b-function",
            "mesh-s-source",
            "mesh-k-sink",
        ] {
            wait_for(sts, Duration::from_secs(90), || {
                get_json(&ns.0, &format!("statefulset/{sts}"))
            });
        }
        // Autoscaling on, edited, then off: the HPA is created, patched and deleted.
        apply_text(
            &ns.0,
            &function_yaml(
                "h",
                "streamnative/pulsar-functions-java-sample:3.2.2.1",
                Some(2),
            ),
        );
        wait_for("the HPA", Duration::from_secs(60), || {
            get_json(&ns.0, "horizontalpodautoscaler/h-function")
        });
        apply_text(
            &ns.0,
            &function_yaml(
                "h",
                "streamnative/pulsar-functions-java-sample:3.3.0",
                Some(3),
            ),
        );
        wait_for("the edited HPA", Duration::from_secs(60), || {
            let v = get_json(&ns.0, "horizontalpodautoscaler/h-function")?;
            (v["spec"]["maxReplicas"] == 3).then_some(())
        });
        apply_text(
            &ns.0,
            &function_yaml("h", "streamnative/pulsar-functions-java-sample:3.3.0", None),
        );
        wait_for("the HPA to go", Duration::from_secs(60), || {
            get_json(&ns.0, "horizontalpodautoscaler/h-function")
                .is_none()
                .then_some(())
        });
        // An immutable change: the StatefulSet is deleted and created again.
        let with_volume = function_yaml("h", "streamnative/pulsar-functions-java-sample:3.3.0", None)
            .replace("  java:\n", "  volumeClaimTemplates:\n    - metadata: {name: state}\n      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n  java:\n");
        apply_text(&ns.0, &with_volume);
        wait_for("the replaced StatefulSet", Duration::from_secs(60), || {
            let v = get_json(&ns.0, "statefulset/h-function")?;
            v["spec"]["volumeClaimTemplates"].as_array().map(|_| ())
        });
        // Rollouts paused on it, then its StatefulSet edited by hand: the operator reads the
        // StatefulSet and asks the server, in a dry run, what its apply would change.
        kubectl_ok(&[
            "-n",
            &ns.0,
            "annotate",
            "function/h",
            "compute.functionmesh.io/pause-rollout=true",
        ]);
        kubectl_ok(&[
            "-n",
            &ns.0,
            "patch",
            "statefulset/h-function",
            "--type",
            "json",
            "-p",
            r#"[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "edited:by-hand"}]"#,
        ]);
        wait_for("the pending change", Duration::from_secs(60), || {
            let v = get_json(&ns.0, "function/h")?;
            v["status"]["pendingChange"].as_str().map(|_| ())
        });
        // A failure reported twice: the Event is created, then its series patched.
        take_statefulset_name(&ns.0, "taken-function");
        apply_text(&ns.0, &valid_function("taken"));
        wait_for("a repeated Event", Duration::from_secs(60), || {
            events_about(&ns.0, "Function", "taken")
                .into_iter()
                .find(|e| {
                    e["count"].as_i64().unwrap_or(1) >= 2
                        || e["series"]["count"].as_i64().unwrap_or(1) >= 2
                })
        });
        // Members removed from the mesh are deleted.
        apply_text(&ns.0, &mesh(false));
        wait_for("the pruned members", Duration::from_secs(60), || {
            (get_json(&ns.0, "function/mesh-b").is_none()
                && get_json(&ns.0, "source/mesh-s").is_none()
                && get_json(&ns.0, "sink/mesh-k").is_none())
            .then_some(())
        });
        // A delete with subscription clean-up: the Job is created, read, and watched.
        apply_text(&ns.0, &cleanup_function_yaml("c", true));
        wait_for("the clean-up finalizer", Duration::from_secs(60), || {
            finalizers(&ns.0, "function/c")?
                .contains(&CLEANUP_FINALIZER.to_owned())
                .then_some(())
        });
        delete_and_wait_for_cleanup_job(&ns.0, "c");
        finish_job(&ns.0, "c-function-cleanup", "Complete", r#""succeeded":1"#);
        wait_gone(&ns.0, "function/c", Duration::from_secs(30));
        // A VPA created, then deleted.
        apply_text(&ns.0, &function_with("v", WITH_VPA));
        wait_for("the VPA", Duration::from_secs(60), || {
            get_json(&ns.0, "verticalpodautoscaler/v-function")
        });
        apply_text(&ns.0, &function_with("v", ""));
        wait_gone(
            &ns.0,
            "verticalpodautoscaler/v-function",
            Duration::from_secs(60),
        );
        // The lease is renewed every 5 s.
        std::thread::sleep(Duration::from_secs(6));
    }
    // An unreadable certificate Secret is replaced by the next operator, which registers again.
    kubectl_ok(&[
        "-n",
        OPERATOR_NAMESPACE,
        "patch",
        "secret/fm-operator-webhook-cert",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"material.json":"bm90IEpTT04="}}"#,
    ]);
    {
        let op = Operator::start(&ns.0, 18093, &flags);
        wait_for(
            "the certificate to be replaced",
            Duration::from_secs(60),
            || {
                op.log_text()
                    .contains("webhook certificate written")
                    .then_some(())
            },
        );
        wait_for("the registration", Duration::from_secs(30), || {
            op.log_text()
                .contains("serving admission webhooks")
                .then_some(())
        });
    }

    remove_vpa_crd();
    let text = std::fs::read(&audit_log).expect("audit log");
    let text = String::from_utf8_lossy(&text[offset as usize..]).into_owned();
    let mut used = BTreeSet::new();
    let mut refused = Vec::new();
    for (call, code, decision) in text.lines().filter_map(audited) {
        if decision == "forbid" || code == 403 {
            refused.push(call.clone());
        }
        // A server-side apply that creates its object is authorised as a create too.
        if call.2 == "patch" && code == 201 {
            used.insert((call.0.clone(), call.1.clone(), "create".to_owned()));
        }
        used.insert(call);
    }
    assert!(
        refused.is_empty(),
        "calls the installed RBAC refused: {refused:?}"
    );
    let granted = installed_grants();
    let unused: Vec<_> = granted.difference(&used).collect();
    let ungranted: Vec<_> = used.difference(&granted).collect();
    assert!(
        unused.is_empty(),
        "deploy/rbac.yaml grants calls the operator never made: {unused:?}"
    );
    assert!(
        ungranted.is_empty(),
        "calls made without a grant: {ungranted:?}"
    );
}

/// The main container's env of a StatefulSet, as (name, value) in order.
fn sts_env(ns: &str, sts: &str) -> Option<Vec<(String, String)>> {
    let v = get_json(ns, &format!("statefulset/{sts}"))?;
    let containers = v["spec"]["template"]["spec"]["containers"].as_array()?;
    let main = containers
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("pulsar-")))?;
    Some(
        main["env"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["name"].as_str().unwrap_or("").to_owned(),
                    e["value"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect(),
    )
}

fn env_has(env: &[(String, String)], name: &str, value: &str) -> bool {
    env.iter().any(|(n, v)| n == name && v == value)
}

/// `kubectl patch --type=json` of `what` in `ns`.
fn json_patch(ns: &str, what: &str, patch: &str) {
    kubectl_ok(&["-n", ns, "patch", what, "--type=json", "-p", patch]);
}

fn resource_version(ns: &str, what: &str) -> String {
    get_json(ns, what).expect("exists")["metadata"]["resourceVersion"]
        .as_str()
        .expect("resourceVersion")
        .to_owned()
}

fn backend_config_yaml(name: &str, auto_update: bool, env: &[(&str, &str)], extra: &str) -> String {
    let env: String = env.iter().map(|(k, v)| format!("    {k}: {v}\n")).collect();
    format!(
        "apiVersion: compute.functionmesh.io/v1alpha1
kind: BackendConfig
metadata:
  name: {name}
spec:
  autoUpdate: {auto_update}
  env:
{env}{extra}"
    )
}

/// A Function whose pod defines `podenv` itself (upstream's end-to-end case does the same).
fn function_with_pod_env(name: &str, replicas: i32) -> String {
    function_yaml(
        name,
        "streamnative/pulsar-functions-java-sample:3.2.2.1",
        None,
    )
    .replace(
        "  replicas: 1\n",
        &format!(
            "  replicas: {replicas}\n  pod:\n    env:\n      - {{name: podenv, value: podvalue}}\n"
        ),
    )
}

/// Deletes the global BackendConfig a test made in the operator's namespace, however the test ends.
struct GlobalBackendConfig(&'static str);

impl Drop for GlobalBackendConfig {
    fn drop(&mut self) {
        let _ = kubectl(&[
            "-n",
            OPERATOR_NAMESPACE,
            "delete",
            "backendconfig",
            self.0,
            "--ignore-not-found",
        ]);
    }
}

#[test]
fn backend_configs_merge_with_precedence_record_revisions_and_auto_update_rolls_out() {
    if skip("backend_configs_merge_with_precedence_record_revisions_and_auto_update_rolls_out") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-backend-config");
    const GLOBAL: &str = "fm-test-global-backend-config";
    let _global = GlobalBackendConfig(GLOBAL);
    apply_text(
        OPERATOR_NAMESPACE,
        &backend_config_yaml(
            GLOBAL,
            true,
            &[("global1", "globalvalue1"), ("shared1", "fromglobal")],
            "  pod:\n    labels: {from: global-backendconfig}\n    liveness: {initialDelaySeconds: 10, periodSeconds: 30}\n",
        ),
    );
    apply_text(
        &ns.0,
        &backend_config_yaml(
            "backend-config",
            true,
            &[
                ("namespaced1", "namespacedvalue1"),
                ("shared1", "fromnamespace"),
                ("podenv", "backendconfigvalue"),
            ],
            "  pod:\n    labels: {from: namespace-backendconfig}\n    liveness: {initialDelaySeconds: 30, periodSeconds: 10}\n",
        ),
    );
    let _op = Operator::start(&ns.0, 18111, &["--global-backend-config", GLOBAL]);
    apply_text(&ns.0, &function_with_pod_env("env", 1));

    // Both merged, the namespace's over the global one, the Function's over both.
    let env = wait_for("the merged env", Duration::from_secs(60), || {
        let env = sts_env(&ns.0, "env-function")?;
        env_has(&env, "global1", "globalvalue1").then_some(env)
    });
    assert!(env_has(&env, "namespaced1", "namespacedvalue1"), "{env:?}");
    assert!(env_has(&env, "shared1", "fromnamespace"), "{env:?}");
    assert_eq!(
        env.iter()
            .filter(|(n, _)| n == "podenv")
            .collect::<Vec<_>>(),
        vec![&("podenv".to_owned(), "podvalue".to_owned())]
    );
    let sts = get_json(&ns.0, "statefulset/env-function").expect("StatefulSet");
    let template = &sts["spec"]["template"];
    assert_eq!(
        template["metadata"]["labels"]["from"],
        "namespace-backendconfig"
    );
    let main = template["spec"]["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .find(|c| c["name"] == "pulsar-function")
        .expect("main container");
    assert_eq!(main["livenessProbe"]["initialDelaySeconds"], 30);

    // Status: the resourceVersions of both.
    let global_rv = resource_version(OPERATOR_NAMESPACE, &format!("backendconfig/{GLOBAL}"));
    let namespaced_rv = resource_version(&ns.0, "backendconfig/backend-config");
    wait_for("the revisions in status", Duration::from_secs(30), || {
        let v = get_json(&ns.0, "function/env")?;
        (v["status"]["globalBackendConfigRevision"] == global_rv.as_str()
            && v["status"]["namespacedBackendConfigRevision"] == namespaced_rv.as_str())
        .then_some(())
    });

    // autoUpdate: a change rolls out without touching the Function.
    json_patch(
        &ns.0,
        "backendconfig/backend-config",
        r#"[{"op": "replace", "path": "/spec/env/shared1", "value": "newvalue"}]"#,
    );
    wait_for("the rolled-out change", Duration::from_secs(60), || {
        env_has(&sts_env(&ns.0, "env-function")?, "shared1", "newvalue").then_some(())
    });
    let namespaced_rv = resource_version(&ns.0, "backendconfig/backend-config");
    wait_for(
        "the new revision in status",
        Duration::from_secs(30),
        || {
            let v = get_json(&ns.0, "function/env")?;
            (v["status"]["namespacedBackendConfigRevision"] == namespaced_rv.as_str()).then_some(())
        },
    );

    // Deleting the namespaced one (it had autoUpdate): the global one alone.
    kubectl_ok(&["-n", &ns.0, "delete", "backendconfig/backend-config"]);
    let env = wait_for("the namespaced env gone", Duration::from_secs(60), || {
        let env = sts_env(&ns.0, "env-function")?;
        (!env.iter().any(|(n, _)| n == "namespaced1")).then_some(env)
    });
    assert!(env_has(&env, "shared1", "fromglobal"), "{env:?}");
    wait_for(
        "the namespaced revision gone",
        Duration::from_secs(30),
        || {
            let v = get_json(&ns.0, "function/env")?;
            (v["status"].get("namespacedBackendConfigRevision").is_none()
                && v["status"]["globalBackendConfigRevision"] == global_rv.as_str())
            .then_some(())
        },
    );
    let sts = get_json(&ns.0, "statefulset/env-function").expect("StatefulSet");
    assert_eq!(
        sts["spec"]["template"]["metadata"]["labels"]["from"],
        "global-backendconfig"
    );

    // The global one changed: every resource in every namespace the operator serves.
    json_patch(
        OPERATOR_NAMESPACE,
        &format!("backendconfig/{GLOBAL}"),
        r#"[{"op": "replace", "path": "/spec/env/global1", "value": "globalvalue2"}]"#,
    );
    wait_for(
        "the global change rolled out",
        Duration::from_secs(60),
        || env_has(&sts_env(&ns.0, "env-function")?, "global1", "globalvalue2").then_some(()),
    );
}

#[test]
fn without_auto_update_a_backend_config_change_waits_for_the_next_edit() {
    if skip("without_auto_update_a_backend_config_change_waits_for_the_next_edit") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-backend-config-wait");
    apply_text(
        &ns.0,
        &backend_config_yaml("backend-config", false, &[("setting", "one")], ""),
    );
    // No global BackendConfig: its name is switched off.
    let _op = Operator::start(&ns.0, 18112, &["--global-backend-config", ""]);
    apply_text(&ns.0, &function_with_pod_env("wait", 1));
    wait_for("the first value", Duration::from_secs(60), || {
        env_has(&sts_env(&ns.0, "wait-function")?, "setting", "one").then_some(())
    });
    let first_rv = resource_version(&ns.0, "backendconfig/backend-config");
    wait_for("the revision in status", Duration::from_secs(30), || {
        let v = get_json(&ns.0, "function/wait")?;
        (v["status"]["namespacedBackendConfigRevision"] == first_rv.as_str()
            && v["status"].get("globalBackendConfigRevision").is_none())
        .then_some(())
    });

    json_patch(
        &ns.0,
        "backendconfig/backend-config",
        r#"[{"op": "replace", "path": "/spec/env/setting", "value": "two"}]"#,
    );
    // A reconcile that is no edit of the Function (its deleted Service is repaired) leaves
    // the StatefulSet as it was.
    kubectl_ok(&["-n", &ns.0, "delete", "service", "wait-function-headless"]);
    wait_for("the repaired Service", Duration::from_secs(60), || {
        get_json(&ns.0, "service/wait-function-headless")
    });
    std::thread::sleep(Duration::from_secs(3));
    let env = sts_env(&ns.0, "wait-function").expect("StatefulSet");
    assert!(
        env_has(&env, "setting", "one"),
        "rolled out without an edit: {env:?}"
    );
    let v = get_json(&ns.0, "function/wait").expect("Function");
    assert_eq!(
        v["status"]["namespacedBackendConfigRevision"],
        first_rv.as_str()
    );

    // The next edit of the Function takes it.
    apply_text(&ns.0, &function_with_pod_env("wait", 2));
    wait_for("the change at the edit", Duration::from_secs(60), || {
        env_has(&sts_env(&ns.0, "wait-function")?, "setting", "two").then_some(())
    });
    let second_rv = resource_version(&ns.0, "backendconfig/backend-config");
    wait_for(
        "the new revision in status",
        Duration::from_secs(30),
        || {
            let v = get_json(&ns.0, "function/wait")?;
            (v["status"]["namespacedBackendConfigRevision"] == second_rv.as_str()).then_some(())
        },
    );
}

#[test]
fn the_configuration_file_sets_the_runner_image_and_a_bad_one_stops_the_start() {
    if skip("the_configuration_file_sets_the_runner_image_and_a_bad_one_stops_the_start") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-config-file");
    let dir = tempfile_dir();

    let bad = dir.join("fm-operator-bad-config.yaml");
    std::fs::write(&bad, "runnerImages:\n  java: ''\nimagePullPolicy: Always\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_fm-operator"))
        .args([
            "run",
            "--namespace",
            &ns.0,
            "--config",
            bad.to_str().expect("path"),
        ])
        .env("KUBECONFIG", install())
        .output()
        .expect("operator runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown field `imagePullPolicy`, expected one of `runnerImages`"),
        "{stderr}"
    );

    let good = dir.join("fm-operator-config.yaml");
    std::fs::write(
        &good,
        "runnerImages:\n  java: registry.example/pulsar-functions-java-runner:4.0.1\nrunnerImagePullSecrets:\n  - name: registry-a\nresourceLabels:\n  team: data\n",
    )
    .expect("write");
    let _op = Operator::start(&ns.0, 18113, &["--config", good.to_str().expect("path")]);
    // No `image`: the runner image for Java comes from the file.
    apply_text(
        &ns.0,
        &function_yaml("runner", "unused", None).replace("  image: unused\n", ""),
    );
    let image = wait_for("the StatefulSet", Duration::from_secs(60), || {
        sts_image(&ns.0, "runner-function")
    });
    assert_eq!(image, "registry.example/pulsar-functions-java-runner:4.0.1");
    let sts = get_json(&ns.0, "statefulset/runner-function").expect("StatefulSet");
    let pod = &sts["spec"]["template"];
    assert_eq!(pod["metadata"]["labels"]["team"], "data");
    assert_eq!(pod["spec"]["imagePullSecrets"][0]["name"], "registry-a");
}

/// A Function that asks for its subscription to be cleaned up on delete (or not).
fn cleanup_function_yaml(name: &str, cleanup: bool) -> String {
    function_yaml(
        name,
        "streamnative/pulsar-functions-java-sample:3.2.2.1",
        None,
    )
    .replace(
        "  replicas: 1\n",
        &format!("  replicas: 1\n  cleanupSubscription: {cleanup}\n"),
    )
}

fn finalizers(ns: &str, what: &str) -> Option<Vec<String>> {
    let v = get_json(ns, what)?;
    Some(
        v["metadata"]["finalizers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect(),
    )
}

const CLEANUP_FINALIZER: &str = "cleanup.subscription.finalizer";

/// Deletes `function/<name>` without waiting, then waits for its clean-up Job and returns it.
fn delete_and_wait_for_cleanup_job(ns: &str, name: &str) -> Value {
    kubectl_ok(&["-n", ns, "delete", "function", name, "--wait=false"]);
    wait_for(
        &format!("the clean-up Job of {name}"),
        Duration::from_secs(30),
        || get_json(ns, &format!("job/{name}-function-cleanup")),
    )
}

/// The test API server runs no Job controller (and no kubelet): the test plays its part and
/// writes the Job's outcome into its status, as the Job controller would once the pod ended.
fn finish_job(ns: &str, job: &str, condition: &str, counts: &str) {
    let patch = format!(
        r#"{{"status":{{{counts},"conditions":[{{"type":"{condition}","status":"True","reason":"ByTest","message":"written by the test"}}]}}}}"#
    );
    kubectl_ok(&[
        "-n",
        ns,
        "patch",
        &format!("job/{job}"),
        "--subresource=status",
        "--type=merge",
        "-p",
        &patch,
    ]);
}

fn wait_gone(ns: &str, what: &str, timeout: Duration) {
    wait_for(&format!("{what} to be gone"), timeout, || {
        get_json(ns, what).is_none().then_some(())
    });
}

#[test]
fn deleting_runs_the_cleanup_job_and_never_hangs() {
    if skip("deleting_runs_the_cleanup_job_and_never_hangs") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-cleanup");
    {
        let _op = Operator::start(&ns.0, 18141, &[]);
        apply_text(&ns.0, &cleanup_function_yaml("plain", false));
        apply_text(&ns.0, &cleanup_function_yaml("ok", true));
        apply_text(&ns.0, &cleanup_function_yaml("bad", true));
        apply_text(&ns.0, &cleanup_function_yaml("toggle", true));
        for name in ["ok", "bad", "toggle"] {
            wait_for(
                &format!("the finalizer on {name}"),
                Duration::from_secs(60),
                || {
                    finalizers(&ns.0, &format!("function/{name}"))?
                        .contains(&CLEANUP_FINALIZER.to_owned())
                        .then_some(())
                },
            );
        }
        // Without the flag: no finalizer; turning the flag off removes it.
        wait_for("plain's StatefulSet", Duration::from_secs(60), || {
            get_json(&ns.0, "statefulset/plain-function")
        });
        assert_eq!(finalizers(&ns.0, "function/plain"), Some(vec![]));
        apply_text(&ns.0, &cleanup_function_yaml("toggle", false));
        wait_for("toggle's finalizer to go", Duration::from_secs(60), || {
            finalizers(&ns.0, "function/toggle")?
                .is_empty()
                .then_some(())
        });

        // Succeeds: the Job unsubscribes the input, the Function waits for it, then goes.
        let job = delete_and_wait_for_cleanup_job(&ns.0, "ok");
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["name"], "cleanup");
        let script = container["command"][2].as_str().expect("script");
        assert!(
            script
                .contains("topics unsubscribe -s public/default/ok persistent://public/default/in"),
            "{script}"
        );
        assert_eq!(job["metadata"]["ownerReferences"][0]["name"], "ok");
        assert_eq!(job["spec"]["activeDeadlineSeconds"], 300);
        std::thread::sleep(Duration::from_secs(2));
        let held = get_json(&ns.0, "function/ok").expect("held by its finalizer");
        assert!(held["metadata"]["deletionTimestamp"].is_string());
        finish_job(&ns.0, "ok-function-cleanup", "Complete", r#""succeeded":1"#);
        wait_gone(&ns.0, "function/ok", Duration::from_secs(30));

        // Fails: the Function goes anyway, with a Warning Event saying what may remain.
        delete_and_wait_for_cleanup_job(&ns.0, "bad");
        finish_job(&ns.0, "bad-function-cleanup", "Failed", r#""failed":7"#);
        wait_gone(&ns.0, "function/bad", Duration::from_secs(30));
        let event = wait_for_event(&ns.0, "Function", "bad", "CleanupFailed");
        assert!(
            event["message"]
                .as_str()
                .unwrap_or("")
                .contains("subscription may remain"),
            "{event}"
        );

        // Without the flag, a delete is immediate.
        kubectl_ok(&["-n", &ns.0, "delete", "function", "plain", "--wait=false"]);
        wait_gone(&ns.0, "function/plain", Duration::from_secs(30));
        assert!(get_json(&ns.0, "job/plain-function-cleanup").is_none());
    }
    // Times out: nothing finishes the Job; after --cleanup-timeout the Function goes anyway.
    let _op = Operator::start(&ns.0, 18142, &["--cleanup-timeout", "5"]);
    apply_text(&ns.0, &cleanup_function_yaml("slow", true));
    wait_for("the finalizer on slow", Duration::from_secs(60), || {
        finalizers(&ns.0, "function/slow")?
            .contains(&CLEANUP_FINALIZER.to_owned())
            .then_some(())
    });
    let deleted = Instant::now();
    let job = delete_and_wait_for_cleanup_job(&ns.0, "slow");
    assert_eq!(job["spec"]["activeDeadlineSeconds"], 5);
    wait_gone(&ns.0, "function/slow", Duration::from_secs(30));
    assert!(
        deleted.elapsed() >= Duration::from_secs(4),
        "released before the timeout: {:?}",
        deleted.elapsed()
    );
    let event = wait_for_event(&ns.0, "Function", "slow", "CleanupTimedOut");
    assert!(
        event["message"]
            .as_str()
            .unwrap_or("")
            .contains("subscription may remain"),
        "{event}"
    );
}

/// `function_yaml` with extra spec lines (indented two spaces) before `input`.
fn function_with(name: &str, extra: &str) -> String {
    function_yaml(
        name,
        "streamnative/pulsar-functions-java-sample:3.2.2.1",
        None,
    )
    .replace("  input:\n", &format!("{extra}  input:\n"))
}

/// A minimal VerticalPodAutoscaler CRD (the VPA project's API without its schema): enough for
/// the API server to serve `autoscaling.k8s.io/v1`, which is all the operator needs.
const VPA_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: verticalpodautoscalers.autoscaling.k8s.io
  annotations:
    # *.k8s.io groups need it; the VPA project's own CRD carries this one.
    api-approved.kubernetes.io: https://github.com/kubernetes/kubernetes/pull/63797
spec:
  group: autoscaling.k8s.io
  scope: Namespaced
  names:
    plural: verticalpodautoscalers
    singular: verticalpodautoscaler
    kind: VerticalPodAutoscaler
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
";

fn install_vpa_crd() {
    let path = tempfile_dir().join("vpa-crd.yaml");
    std::fs::write(&path, VPA_CRD).expect("write");
    kubectl_ok(&["apply", "-f", path.to_str().expect("path")]);
    wait_for("the VPA CRD", Duration::from_secs(60), || {
        let out = kubectl(&["get", "verticalpodautoscalers", "-A"]);
        out.status.success().then_some(())
    });
}

fn remove_vpa_crd() {
    kubectl_ok(&[
        "delete",
        "crd",
        "verticalpodautoscalers.autoscaling.k8s.io",
        "--ignore-not-found",
    ]);
    wait_for("the VPA API to go", Duration::from_secs(60), || {
        let out = kubectl_ok(&["api-versions"]);
        (!out.contains("autoscaling.k8s.io/v1")).then_some(())
    });
}

const WITH_VPA: &str = "  pod:
    vpa:
      updatePolicy: {updateMode: Auto}
      resourcePolicy:
        containerPolicies:
          - containerName: pulsar-function
            minAllowed: {cpu: 100m}
            controlledValues: RequestsOnly
";

#[test]
fn a_vpa_follows_pod_vpa_and_says_when_it_cannot() {
    if skip("a_vpa_follows_pod_vpa_and_says_when_it_cannot") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-vpa");
    install_vpa_crd();
    {
        // Discovery happens at start: the API is served before this operator starts.
        let _op = Operator::start(&ns.0, 18143, &[]);
        apply_text(&ns.0, &function_with("v", WITH_VPA));
        let vpa = wait_for("the VPA", Duration::from_secs(60), || {
            get_json(&ns.0, "verticalpodautoscaler/v-function")
        });
        assert_eq!(vpa["spec"]["targetRef"]["kind"], "Function");
        assert_eq!(vpa["spec"]["targetRef"]["name"], "v");
        assert_eq!(
            vpa["spec"]["targetRef"]["apiVersion"],
            "compute.functionmesh.io/v1alpha1"
        );
        assert_eq!(vpa["spec"]["updatePolicy"]["updateMode"], "Auto");
        assert_eq!(
            vpa["spec"]["resourcePolicy"]["containerPolicies"][0]["controlledValues"],
            "RequestsOnly"
        );
        assert_eq!(vpa["metadata"]["ownerReferences"][0]["name"], "v");
        wait_for("VPAReady", Duration::from_secs(30), || {
            let v = get_json(&ns.0, "function/v")?;
            let c = &v["status"]["conditions"]["VerticalPodAutoscaler"];
            (c["condition"] == "VPAReady" && c["status"] == "True").then_some(())
        });
        // The field removed: the VPA and its condition go.
        apply_text(&ns.0, &function_with("v", ""));
        wait_for("the VPA to go", Duration::from_secs(60), || {
            get_json(&ns.0, "verticalpodautoscaler/v-function")
                .is_none()
                .then_some(())
        });
        wait_for("the VPA condition to go", Duration::from_secs(30), || {
            let v = get_json(&ns.0, "function/v")?;
            v["status"]["conditions"]
                .get("VerticalPodAutoscaler")
                .is_none()
                .then_some(())
        });
    }
    // Without the API: a condition and an Event say the VPA is not applied.
    remove_vpa_crd();
    let _op = Operator::start(&ns.0, 18144, &[]);
    apply_text(&ns.0, &function_with("w", WITH_VPA));
    let condition = wait_for("VPAReady False", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "function/w")?;
        let c = v["status"]["conditions"]["VerticalPodAutoscaler"].clone();
        (c["status"] == "False").then_some(c)
    });
    assert_eq!(condition["reason"], "VPANotServed");
    assert!(condition["message"]
        .as_str()
        .unwrap_or("")
        .contains("not applied"));
    wait_for_event(&ns.0, "Function", "w", "VPANotServed");
    // The rest of the resource is served as usual.
    wait_for("w's StatefulSet", Duration::from_secs(30), || {
        get_json(&ns.0, "statefulset/w-function")
    });
}

#[test]
fn the_log_sidecar_ships_the_log_files() {
    if skip("the_log_sidecar_ships_the_log_files") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-filebeat");
    let _op = Operator::start(&ns.0, 18145, &[]);
    apply_text(
        &ns.0,
        &function_with(
            "logs",
            "  logTopic: persistent://public/default/logs\n  logTopicAgent: sidecar\n  filebeatImage: example.com/filebeat:1\n",
        ),
    );
    let sts = wait_for("the StatefulSet", Duration::from_secs(60), || {
        get_json(&ns.0, "statefulset/logs-function")
    });
    let pod = &sts["spec"]["template"]["spec"];
    let names: Vec<&str> = pod["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["pulsar-function", "filebeat"]);
    let filebeat = &pod["containers"][1];
    assert_eq!(filebeat["image"], "example.com/filebeat:1");
    let env = filebeat["env"].as_array().expect("env");
    assert!(env
        .iter()
        .any(|e| e["name"] == "logTopic" && e["value"] == "persistent://public/default/logs"));
    let shared = |container: &Value| {
        container["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m["name"] == "filebeat-logs" && m["mountPath"] == "/pulsar/logs/functions")
    };
    assert!(shared(&pod["containers"][0]) && shared(filebeat));
    assert!(pod["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .any(|v| v["name"] == "filebeat-logs" && v["emptyDir"].is_object()));
}

#[test]
fn paused_rollouts_show_their_pending_change() {
    if skip("paused_rollouts_show_their_pending_change") {
        return;
    }
    let _guard = serial();
    install();
    let ns = Namespace::new("fm-pending");
    {
        let _op = Operator::start(&ns.0, 18146, &[]);
        apply_text(&ns.0, &function_with("p", ""));
        // Converged: the StatefulSet exists and status says which generation it reflects.
        wait_for("the StatefulSet", Duration::from_secs(60), || {
            get_json(&ns.0, "statefulset/p-function")
        });
        wait_for("the status", Duration::from_secs(60), || {
            let v = get_json(&ns.0, "function/p")?;
            (v["status"]["observedGeneration"] == v["metadata"]["generation"]).then_some(())
        });
    }
    // The operator's own output changes (no default anti-affinity) while rollouts are paused:
    // the StatefulSet is kept, and the change that waits is shown.
    let _op = Operator::start(
        &ns.0,
        18147,
        &["--pause-rollout", "--default-affinity=false"],
    );
    let pending = wait_for("pendingChange", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "function/p")?;
        v["status"]["pendingChange"].as_str().map(str::to_owned)
    });
    assert!(
        pending.starts_with("StatefulSet: remove spec.template.spec.affinity"),
        "{pending}"
    );
    let sts = get_json(&ns.0, "statefulset/p-function").expect("StatefulSet");
    assert!(
        sts["spec"]["template"]["spec"]["affinity"].is_object(),
        "paused: the StatefulSet keeps its affinity"
    );
    // An edit of the resource itself rolls out, and nothing is pending any more.
    apply_text(
        &ns.0,
        &function_with("p", "  logTopic: persistent://public/default/p-logs\n"),
    );
    wait_for("pendingChange cleared", Duration::from_secs(60), || {
        let v = get_json(&ns.0, "function/p")?;
        v["status"].get("pendingChange").is_none().then_some(())
    });
    let sts = get_json(&ns.0, "statefulset/p-function").expect("StatefulSet");
    assert!(sts["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"].is_null());
}
