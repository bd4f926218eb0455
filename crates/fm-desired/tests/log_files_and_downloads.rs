//! Regressions found by running upstream's own end-to-end resources through the engine: a
//! user's log configuration reaches the runner under the file name its format needs, and
//! pulsarctl downloads work with plugin-style credentials and under a read-only root.

mod common;

use common::shell;
use fm_api::Function;
use fm_desired::{desired_for, Options};
use k8s_openapi::api::core::v1::{Container, PodSpec, Volume};

/// A Function `name` in namespace `team` reading `words`, with the rest of its spec given
/// as YAML indented under `spec:`.
fn function(name: &str, spec: &str) -> Function {
    let yaml = format!(
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\n\
         metadata: {{ name: {name}, namespace: team }}\n\
         spec:\n  input: {{ topics: [persistent://public/default/words] }}{spec}"
    );
    serde_yaml_ng::from_str(&yaml).expect("test Function parses")
}

fn pod(name: &str, spec: &str) -> PodSpec {
    desired_for(&function(name, spec), None, &Options::default())
        .expect("valid")
        .statefulset
        .spec
        .and_then(|s| s.template.spec)
        .expect("pod spec")
}

fn main_container(p: &PodSpec) -> &Container {
    p.containers.last().expect("main container")
}

fn script(p: &PodSpec) -> String {
    main_container(p).command.clone().expect("command")[2].clone()
}

fn volume<'a>(p: &'a PodSpec, name: &str) -> &'a Volume {
    p.volumes
        .iter()
        .flatten()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no volume {name}: {:?}", p.volumes))
}

fn mount_path<'a>(c: &'a Container, volume: &str) -> &'a str {
    c.volume_mounts
        .iter()
        .flatten()
        .find(|m| m.name == volume)
        .map(|m| m.mount_path.as_str())
        .unwrap_or_else(|| panic!("{volume} is not mounted"))
}

/// `(key, file)` pairs a ConfigMap volume projects.
fn projected(v: &Volume) -> Vec<(String, String)> {
    v.config_map
        .as_ref()
        .and_then(|c| c.items.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|i| (i.key, i.path))
        .collect()
}

/// A YAML log4j2 configuration kept under a key without an extension: log4j2 would read
/// a file of that name as XML, so the key is projected as `java_instance_log4j.yaml`.
#[test]
fn a_java_log_config_map_key_becomes_the_file_its_format_needs() {
    let p = pod(
        "logs-yaml",
        r#"
  className: org.example.Upper
  pulsar: { pulsarConfig: pulsar-local }
  java:
    jar: /opt/upper.jar
    log:
      javaLog4JConfigFileType: yaml
      logConfig: { name: shared-logging, key: upper-log4j }
"#,
    );
    let v = volume(&p, "shared-logging-java-log-conf");
    assert_eq!(
        v.config_map.as_ref().map(|c| c.name.as_str()),
        Some("shared-logging")
    );
    assert_eq!(
        projected(v),
        [(
            "upper-log4j".to_owned(),
            "java_instance_log4j.yaml".to_owned()
        )]
    );
    let c = main_container(&p);
    assert_eq!(
        mount_path(c, "shared-logging-java-log-conf"),
        "/pulsar/conf/java-log"
    );
    let words = shell::words(shell::steps(&script(&p)).last().expect("exec step"));
    assert!(
        words.contains(
            &"-Dlog4j.configurationFile=/pulsar/conf/java-log/java_instance_log4j.yaml".to_owned()
        ),
        "{words:?}"
    );
}

#[test]
fn an_xml_log_config_map_key_is_read_as_the_default_file() {
    let p = pod(
        "logs-xml",
        r#"
  className: org.example.Upper
  pulsar: { pulsarConfig: pulsar-local }
  java:
    jar: /opt/upper.jar
    log: { logConfig: { name: shared-logging, key: debug.xml } }
"#,
    );
    assert_eq!(
        projected(volume(&p, "shared-logging-java-log-conf")),
        [("debug.xml".to_owned(), "java_instance_log4j.xml".to_owned())]
    );
    assert!(script(&p)
        .contains("-Dlog4j.configurationFile=/pulsar/conf/java-log/java_instance_log4j.xml"));
}

#[test]
fn a_python_log_config_map_key_is_read_as_the_logging_ini() {
    let p = pod(
        "logs-py",
        r#"
  className: upper.Upper
  pulsar: { pulsarConfig: pulsar-local }
  python:
    py: /opt/upper.py
    log: { logConfig: { name: py-logging, key: verbose } }
"#,
    );
    let v = volume(&p, "py-logging-python-log-conf");
    assert_eq!(
        projected(v),
        [(
            "verbose".to_owned(),
            "python_instance_logging.ini".to_owned()
        )]
    );
    assert_eq!(
        mount_path(main_container(&p), "py-logging-python-log-conf"),
        "/pulsar/conf/python-log"
    );
    let words = shell::words(shell::steps(&script(&p)).last().expect("exec step"));
    let at = words
        .iter()
        .position(|w| w == "--logging_config_file")
        .expect("--logging_config_file");
    assert_eq!(
        words[at + 1],
        "/pulsar/conf/python-log/python_instance_logging.ini"
    );
}

/// The steps of a script that run pulsarctl, as words.
fn pulsarctl_steps(script: &str) -> Vec<Vec<String>> {
    shell::steps(script)
        .iter()
        .map(|s| shell::words(s))
        .filter(|w| w.iter().any(|x| x == "pulsarctl"))
        .collect()
}

/// With the OAuth2 plugin given as plugin + parameters (a legacy `authSecret` here),
/// pulsarctl only reads a grant saved by `oauth2 activate`: the activation is tried first,
/// its failure tolerated (other plugins), as upstream's in-container download does.
#[test]
fn pulsarctl_with_a_legacy_auth_secret_activates_oauth2_first() {
    let p = pod(
        "fetch-py",
        r#"
  image: streamnative/pulsar-functions-pulsarctl-python-runner:3.2.2.1
  className: upper.Upper
  pulsar: { pulsarConfig: pulsar-local, authSecret: pulsar-credentials }
  python:
    py: upper.py
    pyLocation: function://public/default/upper@3
"#,
    );
    let steps = pulsarctl_steps(&script(&p));
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(
        steps[0],
        [
            "(",
            "HOME=/tmp",
            "pulsarctl",
            "oauth2",
            "activate",
            "--auth-params",
            "${clientAuthenticationParameters}",
            "||",
            "true",
            ")"
        ]
    );
    let download = &steps[1];
    assert_eq!(&download[..2], ["HOME=/tmp", "pulsarctl"]);
    assert!(download
        .windows(2)
        .any(|w| w == ["--auth-plugin", "${clientAuthenticationPlugin}"]));
    assert!(download.ends_with(&[
        "packages".into(),
        "download".into(),
        "function://public/default/upper@3".into(),
        "--path".into(),
        "/pulsar/download/upper.py".into(),
    ]));
}

#[test]
fn pulsarctl_with_generic_auth_activates_with_its_literal_parameters() {
    let p = pod(
        "fetch-java",
        r#"
  image: streamnative/pulsar-functions-pulsarctl-java-runner:3.2.2.1
  className: org.example.Upper
  pulsar:
    pulsarConfig: pulsar-local
    authConfig:
      genericAuth:
        clientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2
        clientAuthenticationParameters: '{"type":"client_credentials","issuerUrl":"https://id.example/","audience":"urn:team","privateKey":"/keys/it''s.json"}'
  java:
    jar: upper.jar
    jarLocation: function://public/default/upper@3
"#,
    );
    let steps = pulsarctl_steps(&script(&p));
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(
        &steps[0][..6],
        [
            "(",
            "HOME=/tmp",
            "pulsarctl",
            "oauth2",
            "activate",
            "--auth-params"
        ]
    );
    // The parameters arrive as one word, quotes included.
    assert_eq!(
        steps[0][6],
        r#"{"type":"client_credentials","issuerUrl":"https://id.example/","audience":"urn:team","privateKey":"/keys/it's.json"}"#
    );
}

/// pulsarctl writes its context and OAuth2 grants under `$HOME/.config/pulsar`; the Java
/// runner's root filesystem is read-only, so each pulsarctl call gets `HOME=/tmp`, an
/// emptyDir in that container.
#[test]
fn pulsarctl_keeps_its_state_in_a_writable_home_under_a_read_only_root() {
    let p = pod(
        "fetch-oauth",
        r#"
  image: streamnative/pulsar-functions-pulsarctl-java-runner:3.2.2.1
  className: org.example.Upper
  pulsar:
    pulsarConfig: pulsar-local
    authConfig:
      oauth2Config: { audience: urn:team, issuerUrl: "https://id.example/", keySecretName: team-key, keySecretKey: key.json }
  java:
    jar: upper.jar
    jarLocation: function://public/default/upper@3
"#,
    );
    let c = main_container(&p);
    assert_eq!(
        c.security_context
            .as_ref()
            .and_then(|s| s.read_only_root_filesystem),
        Some(true)
    );
    let tmp = c
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| m.mount_path == "/tmp")
        .expect("/tmp is mounted");
    assert!(volume(&p, &tmp.name).empty_dir.is_some());
    let steps = pulsarctl_steps(&script(&p));
    let verbs: Vec<&str> = steps.iter().map(|w| w[2].as_str()).collect();
    assert_eq!(
        verbs,
        // The download runs in the activated context, which holds the URL (as upstream).
        ["context", "oauth2", "packages"],
        "{steps:?}"
    );
    for step in &steps {
        assert_eq!(&step[..2], ["HOME=/tmp", "pulsarctl"], "{step:?}");
    }
}

/// The init-container downloader has its own scratch HOME in its env: no prefix there.
#[test]
fn the_downloader_init_container_needs_no_home_prefix() {
    let options = Options {
        download_in_init_container: true,
        ..Options::default()
    };
    let objects = desired_for(
        &function(
            "fetch-init",
            r#"
  className: org.example.Upper
  pulsar: { pulsarConfig: pulsar-local, authSecret: pulsar-credentials }
  java:
    jar: upper.jar
    jarLocation: function://public/default/upper@3
"#,
        ),
        None,
        &options,
    )
    .expect("valid");
    let p = objects
        .statefulset
        .spec
        .and_then(|s| s.template.spec)
        .expect("pod spec");
    let downloader = p
        .init_containers
        .iter()
        .flatten()
        .find(|c| c.name == "downloader")
        .expect("downloader");
    assert!(downloader
        .env
        .iter()
        .flatten()
        .any(|e| e.name == "HOME" && e.value.as_deref() == Some("/tmp")));
    let steps = pulsarctl_steps(&downloader.command.as_ref().expect("command")[2]);
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(&steps[0][..4], ["(", "pulsarctl", "oauth2", "activate"]);
    assert_eq!(steps[1][0], "pulsarctl");
}
