//! Regressions found by running upstream's own end-to-end resources through the engine: a
//! user's log configuration reaches the runner under the file name its format needs.

mod common;

use common::shell;
use fm_api::Function;
use fm_desired::{desired_for_function, Options};
use k8s_openapi::api::core::v1::{Container, PodSpec, Volume};

fn function(yaml: &str) -> Function {
    serde_yaml_ng::from_str(yaml).expect("test Function parses")
}

fn pod(yaml: &str) -> PodSpec {
    desired_for_function(&function(yaml), None, &Options::default())
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
    let p = pod(r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: logs-yaml, namespace: team }
spec:
  className: org.example.Upper
  input: { topics: [persistent://public/default/words] }
  pulsar: { pulsarConfig: pulsar-local }
  java:
    jar: /opt/upper.jar
    log:
      javaLog4JConfigFileType: yaml
      logConfig: { name: shared-logging, key: upper-log4j }
"#);
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
    let p = pod(r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: logs-xml, namespace: team }
spec:
  className: org.example.Upper
  input: { topics: [persistent://public/default/words] }
  pulsar: { pulsarConfig: pulsar-local }
  java:
    jar: /opt/upper.jar
    log: { logConfig: { name: shared-logging, key: debug.xml } }
"#);
    assert_eq!(
        projected(volume(&p, "shared-logging-java-log-conf")),
        [("debug.xml".to_owned(), "java_instance_log4j.xml".to_owned())]
    );
    assert!(script(&p)
        .contains("-Dlog4j.configurationFile=/pulsar/conf/java-log/java_instance_log4j.xml"));
}

#[test]
fn a_python_log_config_map_key_is_read_as_the_logging_ini() {
    let p = pod(r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: logs-py, namespace: team }
spec:
  className: upper.Upper
  input: { topics: [persistent://public/default/words] }
  pulsar: { pulsarConfig: pulsar-local }
  python:
    py: /opt/upper.py
    log: { logConfig: { name: py-logging, key: verbose } }
"#);
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
