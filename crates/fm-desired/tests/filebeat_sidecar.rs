//! `logTopicAgent: sidecar`: the filebeat container, its volume and mounts, and the rolling
//! log files it reads, compared with upstream's `makeFilebeatContainer`,
//! `GenerateContainerVolumeMounts` and `GeneratePodVolumes` (`controllers/spec/common.go`) and
//! its template `controllers/spec/template/filebeat-config.yaml.tmpl`.

mod common;

use common::run_script::{Harness, Stub};
use fm_api::Function;
use fm_desired::{desired_for, Options};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Container, PodSpec};

/// Upstream's template, as it is in `controllers/spec/template/filebeat-config.yaml.tmpl`.
const UPSTREAM_TEMPLATE: &str = r#"filebeat.inputs:
- type: log
  paths:
  - /pulsar/logs/functions/*.log
output.pulsar:
  fast_fail: true
  url: \${brokerServiceURL}
  topic: \${logTopic}
  name: \${POD_NAME}
  token: \${clientAuthenticationParameters:""}
  oauth2:
    enabled: \${oauth2Enabled:false}
    issuerUrl: \${oauth2IssuerUrl:""}
    privateKey: \${oauth2PrivateKey:""}
    audience: \${oauth2Audience:""}
    scope: \${oauth2Scope:""}
log_level: info"#;

fn function(extra: &str) -> String {
    format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: fn, namespace: ns }}
spec:
  className: org.example.Fn
  logTopic: persistent://public/default/logs
  logTopicAgent: sidecar
  input: {{ topics: [persistent://public/default/in] }}
{extra}
  java: {{ jar: /pulsar/fn.jar }}
"#
    )
}

fn sts(yaml: &str) -> StatefulSet {
    let f: Function = serde_yaml_ng::from_str(yaml).expect("parses");
    desired_for(&f, None, &Options::default())
        .expect("valid")
        .statefulset
}

fn pod(sts: &StatefulSet) -> &PodSpec {
    sts.spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("pod")
}

fn container<'a>(pod: &'a PodSpec, name: &str) -> &'a Container {
    pod.containers
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

fn mounts(c: &Container) -> Vec<(String, String)> {
    c.volume_mounts
        .iter()
        .flatten()
        .map(|m| (m.name.clone(), m.mount_path.clone()))
        .collect()
}

/// Deliberate difference (README): one input path, `**`, so that the Python instance's
/// per-function log directories are read too; otherwise upstream's configuration.
#[test]
fn the_configuration_is_upstreams_with_a_recursive_path() {
    assert_eq!(
        fm_desired::filebeat::CONFIG,
        UPSTREAM_TEMPLATE.replace(
            "/pulsar/logs/functions/*.log",
            "/pulsar/logs/functions/**/*.log"
        )
    );
}

#[test]
fn the_sidecar_container_is_upstreams() {
    let sts = sts(&function(
        "  pulsar: { pulsarConfig: cluster, tlsSecret: tls, authConfig: { oauth2Config: { audience: aud, issuerUrl: https://issuer, keySecretName: key, keySecretKey: auth.json, scope: s } } }\n  volumeMounts: [{ name: extra, mountPath: /extra }]\n  pod: { volumes: [{ name: extra, emptyDir: {} }], env: [{ name: A, value: b }] }",
    ));
    let pod = pod(&sts);
    let names: Vec<&str> = pod.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["pulsar-function", "filebeat"]);
    let fb = container(pod, "filebeat");
    assert_eq!(fb.image.as_deref(), Some("streamnative/filebeat:v0.6.0"));
    assert_eq!(fb.image_pull_policy.as_deref(), Some("IfNotPresent"));
    let command = fb.command.clone().expect("command");
    let upstream_script = format!(
        "echo \"{}\" > /usr/share/filebeat/config/filebeat.yaml && /usr/share/filebeat/filebeat -e -c /usr/share/filebeat/config/filebeat.yaml",
        UPSTREAM_TEMPLATE.replace("/pulsar/logs/functions/*.log", "/pulsar/logs/functions/**/*.log")
    );
    assert_eq!(command, ["/bin/sh", "-c", "--", upstream_script.as_str()]);
    // Env: pod.env, the topic, the pod name, then the OAuth2 settings.
    let env: Vec<(String, Option<String>)> = fb
        .env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect();
    let s = |a: &str, b: Option<&str>| (a.to_owned(), b.map(str::to_owned));
    assert_eq!(
        env,
        [
            s("A", Some("b")),
            s("logTopic", Some("persistent://public/default/logs")),
            s("POD_NAME", None),
            s("oauth2Enabled", Some("true")),
            s("oauth2IssuerUrl", Some("https://issuer")),
            s("oauth2Audience", Some("aud")),
            s("oauth2PrivateKey", Some("/etc/oauth2/auth.json")),
            s("oauth2Scope", Some("s")),
        ]
    );
    // envFrom: the cluster ConfigMap and the messaging Secrets, as the instance's.
    assert_eq!(fb.env_from, container(pod, "pulsar-function").env_from);
    // Mounts: the user's, the shared log directory, the credentials.
    assert_eq!(
        mounts(fb),
        [
            ("extra".to_owned(), "/extra".to_owned()),
            (
                "filebeat-logs".to_owned(),
                "/pulsar/logs/functions".to_owned()
            ),
            ("key-auth-json".to_owned(), "/etc/oauth2".to_owned()),
        ]
    );
    let sc = fb.security_context.as_ref().expect("security context");
    assert_eq!(sc.run_as_user, Some(1000));
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    // The instance writes into the shared directory.
    assert!(mounts(container(pod, "pulsar-function")).contains(&(
        "filebeat-logs".to_owned(),
        "/pulsar/logs/functions".to_owned()
    )));
    let volume = pod
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == "filebeat-logs")
        .expect("filebeat-logs volume");
    assert!(volume.empty_dir.is_some());
}

#[test]
fn filebeat_image_is_honoured() {
    let sts = sts(&function(
        "  filebeatImage: example.com/filebeat:1\n  pulsar: { pulsarConfig: cluster }",
    ));
    assert_eq!(
        container(pod(&sts), "filebeat").image.as_deref(),
        Some("example.com/filebeat:1")
    );
}

#[test]
fn no_sidecar_without_the_agent_or_a_topic() {
    for yaml in [
        function("  pulsar: { pulsarConfig: cluster }").replace("  logTopicAgent: sidecar\n", ""),
        function("  pulsar: { pulsarConfig: cluster }")
            .replace("logTopicAgent: sidecar", "logTopicAgent: runtime"),
        function("  pulsar: { pulsarConfig: cluster }")
            .replace("  logTopic: persistent://public/default/logs\n", ""),
    ] {
        let sts = sts(&yaml);
        let pod = pod(&sts);
        assert_eq!(pod.containers.len(), 1, "{yaml}");
        assert!(!pod
            .volumes
            .iter()
            .flatten()
            .any(|v| v.name == "filebeat-logs"));
    }
}

/// A token for the token plugin; OAuth2 parameters from a generic OAuth2 plugin's JSON, and a
/// clear error when they are not JSON (upstream silently dropped the sidecar).
#[test]
fn generic_auth_reaches_filebeat() {
    let env_of = |params: &str, plugin: &str| {
        let sts = sts(&function(&format!(
            "  pulsar: {{ pulsarConfig: cluster, authConfig: {{ genericAuth: {{ clientAuthenticationPlugin: {plugin}, clientAuthenticationParameters: '{params}' }} }} }}"
        )));
        container(pod(&sts), "filebeat")
            .env
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.name, e.value.unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let env = env_of(
        "token:abc",
        "org.apache.pulsar.client.impl.auth.AuthenticationToken",
    );
    assert!(env.contains(&("clientAuthenticationParameters".into(), "token:abc".into())));
    let env = env_of(
        r#"{"issuerUrl":"https://i","audience":"a","privateKey":"file:///k.json"}"#,
        "org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2",
    );
    assert!(env.contains(&("oauth2IssuerUrl".into(), "https://i".into())));
    assert!(env.contains(&("oauth2PrivateKey".into(), "file:///k.json".into())));
    assert!(!env.iter().any(|(k, _)| k == "oauth2Scope"));

    let f: Function = serde_yaml_ng::from_str(&function(
        "  pulsar: { pulsarConfig: cluster, authConfig: { genericAuth: { clientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2, clientAuthenticationParameters: not-json } } }",
    ))
    .expect("parses");
    let err = desired_for(&f, None, &Options::default())
        .expect_err("refused")
        .to_string();
    assert!(err.contains("filebeat sidecar"), "{err}");
}

/// The instance writes rolling files where filebeat reads (upstream's sidecar default: 10 MB
/// files, 5 kept), for Java and Python.
#[test]
fn the_instance_writes_rolling_log_files() {
    let java = sts(&function("  pulsar: { pulsarConfig: cluster }"));
    let script = &container(pod(&java), "pulsar-function")
        .command
        .clone()
        .expect("command")[2];
    assert!(script.contains("RollingRandomAccessFile"), "{script}");
    assert!(script.contains("10 MB"), "{script}");
    let py = sts(&function("  pulsar: { pulsarConfig: cluster }").replace(
        "java: { jar: /pulsar/fn.jar }",
        "python: { py: /pulsar/fn.py }",
    ));
    let script = &container(pod(&py), "pulsar-function")
        .command
        .clone()
        .expect("command")[2];
    assert!(script.contains("rotating_file_handler"), "{script}");
    assert!(script.contains("10485760"), "{script}");
}

/// The command run under bash (its paths moved from `/usr/share/filebeat` to `/pulsar/filebeat`
/// inside the throw-away root): filebeat is started on the file the `echo` wrote, which holds
/// the configuration with `${…}` left for filebeat to expand.
#[test]
fn the_command_writes_the_configuration_and_starts_filebeat() {
    let Some(mut h) = Harness::new() else { return };
    h.file("/pulsar/filebeat/config/.keep", "")
        .stub("/pulsar/filebeat/filebeat", Stub::Record);
    let sts = sts(&function("  pulsar: { pulsarConfig: cluster }"));
    let command: Vec<String> = container(pod(&sts), "filebeat")
        .command
        .clone()
        .expect("command")
        .into_iter()
        .map(|w| w.replace("/usr/share/filebeat", "/pulsar/filebeat"))
        .collect();
    let run = h.run_command(&command);
    run.assert_ok();
    assert_eq!(
        run.call("/pulsar/filebeat/filebeat").args,
        ["-e", "-c", "/pulsar/filebeat/config/filebeat.yaml"]
    );
    let written = run
        .file("/pulsar/filebeat/config/filebeat.yaml")
        .expect("configuration written");
    // The shell turns `\$` into `$`, and, as under upstream, the `""` defaults close and
    // reopen the double-quoted string, leaving `${…:}` (an empty default, the same to filebeat).
    assert_eq!(
        written,
        format!(
            "{}\n",
            fm_desired::filebeat::CONFIG
                .replace("\\$", "$")
                .replace("\"\"", "")
        )
    );
    let yaml: serde_json::Value = serde_yaml_ng::from_str(&written).expect("YAML");
    assert_eq!(yaml["output.pulsar"]["topic"], "${logTopic}");
    assert_eq!(
        yaml["filebeat.inputs"][0]["paths"][0],
        "/pulsar/logs/functions/**/*.log"
    );
}

#[test]
fn sidecar_statefulset_snapshot() {
    let sts = sts(&function(
        "  pulsar: { pulsarConfig: cluster, authConfig: { oauth2Config: { audience: aud, issuerUrl: https://issuer, keySecretName: key, keySecretKey: auth.json } } }",
    ));
    let yaml = fm_api::yaml::to_string_of(&sts).expect("YAML");
    insta::with_settings!({ snapshot_path => common::SNAPSHOTS, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("filebeat_sidecar_statefulset", yaml);
    });
}
