//! The subscription clean-up Job (`fm_desired::cleanup`): when there is one, what it looks
//! like, and what its command makes pulsar-admin or pulsarctl do once a real bash has expanded
//! it (see `common/run_script.rs`), compared with the command upstream's `getCleanUpCommand`
//! (`controllers/spec/common.go`) builds for the same resource. Upstream's Go tests state no
//! clean-up command, so the upstream side is that function's output written out by hand.

mod common;

use std::time::Duration;

use common::run_script::{Call, Harness, Run};
use fm_api::{Function, Sink, Source};
use fm_desired::{cleanup_job, Options};
use k8s_openapi::api::batch::v1::Job;

const DEADLINE: Duration = Duration::from_secs(300);

fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    serde_yaml_ng::from_str(yaml).expect("test resource parses")
}

fn function_job(yaml: &str) -> Option<Job> {
    let f: Function = parse(yaml);
    cleanup_job(&f, &Options::default(), DEADLINE).expect("valid")
}

fn sink_job(yaml: &str) -> Option<Job> {
    let s: Sink = parse(yaml);
    cleanup_job(&s, &Options::default(), DEADLINE).expect("valid")
}

fn source_job(yaml: &str) -> Option<Job> {
    let s: Source = parse(yaml);
    cleanup_job(&s, &Options::default(), DEADLINE).expect("valid")
}

fn command(job: &Job) -> Vec<String> {
    job.spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|p| p.containers[0].command.clone().expect("command"))
        .expect("pod")
}

const ADMIN_TOOLS: [&str; 2] = ["pulsarctl", "/pulsar/bin/pulsar-admin"];

/// `(program, args)` of every admin tool call.
fn admin_calls(run: &Run) -> Vec<(String, Vec<String>)> {
    run.calls
        .iter()
        .filter(|c: &&Call| ADMIN_TOOLS.contains(&c.program.as_str()))
        .map(|c| (c.program.clone(), c.args.clone()))
        .collect()
}

fn function(extra: &str, pulsar: &str) -> String {
    format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: fn, namespace: ns, uid: 6b1e0c2a-0000-4000-8000-000000000001 }}
spec:
  className: org.example.Fn
  cleanupSubscription: true
{extra}
  pulsar: {{ pulsarConfig: cluster{pulsar} }}
  java: {{ jar: /pulsar/fn.jar }}
"#
    )
}

/// One resource, and the command upstream's `getCleanUpCommand` builds for it, its elements
/// joined with spaces as upstream joins them (without the `sleep infinity … wait` preamble
/// that makes upstream's Job wait for a signal: this Job runs when it is created).
struct Case {
    what: &'static str,
    job: fn() -> Option<Job>,
    upstream: &'static [&'static str],
}

const OAUTH2: &str = "{ oauth2Config: { audience: test-audience, issuerUrl: test-issuer-url, keySecretName: test-private-key, keySecretKey: auth.json } }";

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "topics, default subscription, pulsar-admin",
            job: || {
                function_job(&function(
                    "  input: { topics: [persistent://public/default/a, persistent://public/default/b] }",
                    "",
                ))
            },
            upstream: &[
                "/pulsar/bin/pulsar-admin",
                "--admin-url",
                "$webServiceURL",
                "topics",
                "unsubscribe",
                "-s",
                "public/default/fn",
                "persistent://public/default/a",
                "&& ",
                "/pulsar/bin/pulsar-admin",
                "--admin-url",
                "$webServiceURL",
                "topics",
                "unsubscribe",
                "-s",
                "public/default/fn",
                "persistent://public/default/b",
            ],
        },
        Case {
            what: "named subscription, pulsarctl",
            job: || {
                function_job(&function(
                    "  imageHasPulsarctl: true\n  subscriptionName: my-sub\n  tenant: t\n  namespace: n\n  input: { topics: [persistent://t/n/in] }",
                    "",
                ))
            },
            upstream: &[
                "export PATH=$PATH:/pulsar/bin && ",
                "pulsarctl",
                "--admin-service-url",
                "$webServiceURL",
                "subscriptions",
                "delete",
                "persistent://t/n/in",
                "my-sub",
            ],
        },
        Case {
            what: "topic pattern, pulsar-admin",
            job: || {
                function_job(&function(
                    "  input: { topicPattern: \"persistent://t/n/in-.*\" }",
                    "",
                ))
            },
            upstream: &[
                "/pulsar/bin/pulsar-admin",
                "--admin-url",
                "$webServiceURL",
                "namespaces",
                "unsubscribe",
                "-s",
                "public/default/fn",
                "t/n",
            ],
        },
        Case {
            what: "topic pattern, pulsarctl",
            job: || {
                function_job(&function(
                    "  imageHasPulsarctl: true\n  input: { topicPattern: \"persistent://t/n/in-.*\" }",
                    "",
                ))
            },
            upstream: &[
                "export PATH=$PATH:/pulsar/bin && ",
                "pulsarctl",
                "--admin-service-url",
                "$webServiceURL",
                "namespaces",
                "unsubscribe",
                "t/n",
                "public/default/fn",
            ],
        },
        Case {
            what: "cleanupAuthConfig OAuth2 over authConfig generic, pulsarctl",
            job: || {
                function_job(&function(
                    "  imageHasPulsarctl: true\n  input: { topics: [persistent://public/default/a] }",
                    &format!(
                        ", authConfig: {{ genericAuth: {{ clientAuthenticationPlugin: p, clientAuthenticationParameters: x }} }}, cleanupAuthConfig: {OAUTH2}"
                    ),
                ))
            },
            upstream: &[
                "export PATH=$PATH:/pulsar/bin && ",
                "pulsarctl",
                "context",
                "set",
                "downloader",
                "--admin-service-url",
                "$webServiceURL",
                "--issuer-endpoint",
                "test-issuer-url",
                "--audience",
                "test-audience",
                "--key-file",
                "/etc/oauth2/auth.json",
                "&& pulsarctl",
                "oauth2",
                "activate",
                "&& pulsarctl",
                "subscriptions",
                "delete",
                "persistent://public/default/a",
                "public/default/fn",
            ],
        },
        Case {
            what: "authConfig generic, TLS, pulsar-admin sink",
            job: || {
                sink_job(
                    r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Sink
metadata: { name: snk, namespace: ns }
spec:
  className: org.example.Snk
  cleanupSubscription: true
  sinkConfig: { a: b }
  input: { topics: [persistent://public/default/in] }
  pulsar:
    pulsarConfig: cluster
    authConfig: { genericAuth: { clientAuthenticationPlugin: auth-plugin, clientAuthenticationParameters: auth-params } }
    tlsConfig: { enabled: true, allowInsecure: false, hostnameVerification: true, certSecretName: test-secret, certSecretKey: test-key }
  java: { jar: connectors/snk.nar }
"#,
                )
            },
            upstream: &[
                "/pulsar/bin/pulsar-admin",
                "--admin-url",
                "$webServiceURL",
                "--auth-plugin",
                "auth-plugin",
                "--auth-params",
                "'auth-params'",
                "--tls-enable-hostname-verification",
                "--tls-trust-cert-path",
                "/etc/tls/pulsar-functions/test-key",
                "topics",
                "unsubscribe",
                "-s",
                "public/default/snk",
                "persistent://public/default/in",
            ],
        },
        Case {
            what: "batch source: intermediate topic",
            job: || {
                source_job(
                    r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: { name: src, namespace: ns }
spec:
  className: org.example.Src
  tenant: t
  namespace: n
  sourceConfig: { a: b }
  batchSourceConfig: { discoveryTriggererClassName: org.example.Trigger }
  output: { topic: persistent://t/n/out }
  pulsar: { pulsarConfig: cluster }
  java: { jar: connectors/src.nar }
"#,
                )
            },
            upstream: &[
                "/pulsar/bin/pulsar-admin",
                "--admin-url",
                "$webServiceURL",
                "topics",
                "unsubscribe",
                "-s",
                "BatchSourceExecutor-t/n/src",
                "persistent://t/n/src-intermediate",
                "&& ",
                "/pulsar/bin/pulsar-admin",
                "--admin-url",
                "$webServiceURL",
                "topics",
                "delete",
                "-f",
                "persistent://t/n/src-intermediate",
            ],
        },
    ]
}

/// Each case: pulsar-admin or pulsarctl receive what upstream's command would make them
/// receive under the same bash.
#[test]
fn clean_up_commands_do_what_upstreams_do() {
    let Some(h) = Harness::new() else { return };
    for case in cases() {
        let job = (case.job)().unwrap_or_else(|| panic!("{}: a Job", case.what));
        let ours = h.run_command(&command(&job));
        ours.assert_ok();
        let upstream = h.run("sh", &case.upstream.join(" "));
        upstream.assert_ok();
        let calls = admin_calls(&ours);
        assert!(!calls.is_empty(), "{}: no admin call", case.what);
        assert_eq!(calls, admin_calls(&upstream), "{}", case.what);
    }
}

/// pulsarctl keeps its state under a writable `HOME` (the root filesystem is read-only).
#[test]
fn pulsarctl_runs_with_a_writable_home() {
    let Some(h) = Harness::new() else { return };
    let job = function_job(&function(
        "  imageHasPulsarctl: true\n  input: { topics: [persistent://public/default/a] }",
        "",
    ))
    .expect("a Job");
    let run = h.run_command(&command(&job));
    run.assert_ok();
    assert!(run.calls_to("pulsarctl").iter().all(|c| c.home == "/tmp"));
}

/// A failing removal fails the script: the Job retries, then reports failure.
#[test]
fn a_failed_removal_fails_the_job() {
    let Some(mut h) = Harness::new() else { return };
    h.stub(
        "/pulsar/bin/pulsar-admin",
        common::run_script::Stub::Fail(1),
    );
    let job = function_job(&function(
        "  input: { topics: [persistent://public/default/a, persistent://public/default/b] }",
        "",
    ))
    .expect("a Job");
    let run = h.run_command(&command(&job));
    assert_eq!(run.status, Some(1));
    assert_eq!(run.calls_to("/pulsar/bin/pulsar-admin").len(), 1);
}

/// Deliberate difference (README): a batch Source's Job authenticates as
/// `cleanupAuthConfig` when it is set; upstream mounted its key but passed `authConfig`.
#[test]
fn a_batch_source_uses_its_cleanup_credentials() {
    let job = source_job(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: { name: src, namespace: ns }
spec:
  className: org.example.Src
  sourceConfig: { a: b }
  batchSourceConfig: { discoveryTriggererClassName: org.example.Trigger }
  output: { topic: persistent://public/default/out }
  pulsar:
    pulsarConfig: cluster
    authConfig: { genericAuth: { clientAuthenticationPlugin: p, clientAuthenticationParameters: runtime-token } }
    cleanupAuthConfig: { genericAuth: { clientAuthenticationPlugin: p, clientAuthenticationParameters: cleanup-token } }
  java: { jar: connectors/src.nar }
"#,
    )
    .expect("a Job");
    let script = &command(&job)[2];
    assert!(script.contains("cleanup-token"), "{script}");
    assert!(!script.contains("runtime-token"), "{script}");
}

#[test]
fn resources_without_clean_up_get_no_job() {
    let topics = "  input: { topics: [persistent://public/default/a] }";
    let off =
        function(topics, "").replace("cleanupSubscription: true", "cleanupSubscription: false");
    assert!(function_job(&off).is_none());
    let unset = function(topics, "").replace("  cleanupSubscription: true\n", "");
    assert!(function_job(&unset).is_none());
    // Upstream's opt-out annotation, and resources function-mesh-worker-service manages.
    let annotated = function(topics, "").replace(
        "uid: 6b1e0c2a-0000-4000-8000-000000000001",
        "uid: u, annotations: { compute.functionmesh.io/need-cleanup: \"false\" }",
    );
    assert!(function_job(&annotated).is_none());
    let worker = function(topics, "").replace(
        "uid: 6b1e0c2a-0000-4000-8000-000000000001",
        "uid: u, labels: { compute.functionmesh.io/pulsar-cluster: c }",
    );
    assert!(function_job(&worker).is_none());
    // A Source without batchSourceConfig has no intermediate topic.
    let source: Source = parse(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: { name: src, namespace: ns }
spec:
  className: org.example.Src
  sourceConfig: { a: b }
  output: { topic: persistent://public/default/out }
  pulsar: { pulsarConfig: cluster }
  java: { jar: connectors/src.nar }
"#,
    );
    assert!(cleanup_job(&source, &Options::default(), DEADLINE)
        .expect("valid")
        .is_none());
}

/// The Job as applied: upstream's name, labels and container (main container renamed, no
/// probes, `cleanupImage`), `cleanupAuthConfig`'s key mounted, restarted on failure, bounded
/// by the deadline, owned by the resource; its pods outside the resource's selector.
#[test]
fn the_job_object() {
    let job = function_job(&function(
        "  cleanupImage: streamnative/pulsarctl:4.0.0\n  input: { topics: [persistent://public/default/a] }\n  pod: { liveness: { periodSeconds: 10 } }",
        &format!(", cleanupAuthConfig: {OAUTH2}"),
    ))
    .expect("a Job");
    let yaml = fm_api::yaml::to_string_of(&job).expect("YAML");
    insta::with_settings!({ snapshot_path => common::SNAPSHOTS, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cleanup_job", yaml);
    });
    let pod = job
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("pod");
    assert_eq!(pod.restart_policy.as_deref(), Some("OnFailure"));
    let container = &pod.containers[0];
    assert_eq!(container.name, "cleanup");
    assert!(container.liveness_probe.is_none());
    assert_eq!(
        container.image.as_deref(),
        Some("streamnative/pulsarctl:4.0.0")
    );
    let labels = job
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.as_ref())
        .expect("labels");
    assert_eq!(labels["app.kubernetes.io/name"], "fn-function-cleanup");
}
