//! The generated scripts, read back word by word and checked against the flags each Pulsar
//! instance runner accepts.

mod common;

use std::collections::BTreeMap;

use common::shell;
use fm_api::Function;
use fm_desired::{desired_for, Options};

/// Options of `JavaInstanceStarter` (pulsar-functions/runtime, Apache Pulsar 3.x/4.x, the
/// class `JavaInstanceMain` delegates to). Unknown options make it exit.
const JAVA_FLAGS: &[&str] = &[
    "--function_details",
    "--jar",
    "--transform_function_jar",
    "--instance_id",
    "--function_id",
    "--function_version",
    "--pulsar_serviceurl",
    "--transform_function_id",
    "--client_auth_plugin",
    "--client_auth_params",
    "--use_tls",
    "--tls_allow_insecure",
    "--hostname_verification_enabled",
    "--tls_trust_cert_path",
    "--state_storage_impl_class",
    "--state_storage_serviceurl",
    "--port",
    "--metrics_port",
    "--max_buffered_tuples",
    "--expected_healthcheck_interval",
    "--secrets_provider",
    "--secrets_provider_config",
    "--cluster_name",
    "--nar_extraction_directory",
    "--pending_async_requests",
    "--web_serviceurl",
    "--expose_pulsaradmin",
    "--ignore_unknown_config_fields",
];
/// Passed (as upstream does) only for Functions backed by a built-in connector; read by
/// StreamNative's runner builds, not by Apache's `JavaInstanceStarter`.
const JAVA_STREAMNATIVE_FLAGS: &[&str] = &["--connectors_directory"];
const JAVA_REQUIRED: &[&str] = &[
    "--function_details",
    "--instance_id",
    "--function_id",
    "--function_version",
    "--pulsar_serviceurl",
    "--port",
    "--metrics_port",
    "--max_buffered_tuples",
    "--expected_healthcheck_interval",
    "--cluster_name",
];

/// argparse options of `python_instance_main.py` (pulsar-functions/instance, Pulsar 3.x).
const PYTHON_FLAGS: &[&str] = &[
    "--function_details",
    "--py",
    "--instance_id",
    "--function_id",
    "--function_version",
    "--pulsar_serviceurl",
    "--client_auth_plugin",
    "--client_auth_params",
    "--use_tls",
    "--tls_allow_insecure_connection",
    "--hostname_verification_enabled",
    "--tls_trust_cert_path",
    "--port",
    "--metrics_port",
    "--max_buffered_tuples",
    "--logging_directory",
    "--logging_file",
    "--logging_level",
    "--logging_config_file",
    "--expected_healthcheck_interval",
    "--secrets_provider",
    "--secrets_provider_config",
    "--install_usercode_dependencies",
    "--dependency_repository",
    "--extra_dependency_repository",
    "--state_storage_impl_class",
    "--state_storage_serviceurl",
    "--state_storage_config",
    "--cluster_name",
    "--config_file",
];
const PYTHON_REQUIRED: &[&str] = &[
    "--function_details",
    "--py",
    "--instance_id",
    "--function_id",
    "--function_version",
    "--pulsar_serviceurl",
    "--port",
    "--metrics_port",
    "--max_buffered_tuples",
    "--logging_directory",
    "--logging_file",
    "--logging_config_file",
    "--expected_healthcheck_interval",
    "--cluster_name",
];

/// JSON keys of `conf.Conf` (pulsar-function-go/conf/conf.go), read from `-instance-conf`.
const GO_CONF_KEYS: &[&str] = &[
    "pulsarServiceURL",
    "stateStorageServiceUrl",
    "pulsarWebServiceUrl",
    "instanceID",
    "funcID",
    "funcVersion",
    "maxBufTuples",
    "port",
    "clusterName",
    "killAfterIdleMs",
    "tenant",
    "nameSpace",
    "name",
    "logTopic",
    "processingGuarantees",
    "secretsMap",
    "runtime",
    "autoAck",
    "parallelism",
    "clientAuthenticationPlugin",
    "clientAuthenticationParameters",
    "tlsTrustCertsFilePath",
    "tlsAllowInsecureConnection",
    "tlsHostnameVerificationEnable",
    "subscriptionType",
    "timeoutMs",
    "subscriptionName",
    "cleanupSubscription",
    "subscriptionPosition",
    "sourceSpecsTopic",
    "sourceSchemaType",
    "isRegexPatternSubscription",
    "receiverQueueSize",
    "sinkSpecsTopic",
    "sinkSchemaType",
    "cpu",
    "ram",
    "disk",
    "maxMessageRetries",
    "deadLetterTopic",
    "expectedHealthCheckInterval",
    "userConfig",
    "metricsPort",
];

fn function(yaml: &str) -> Function {
    serde_yaml_ng::from_str(yaml).expect("test Function parses")
}

fn script_of(objects: &fm_desired::DesiredObjects) -> (String, String) {
    let pod = objects
        .statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("pod spec");
    let main = pod.containers.last().expect("main container");
    let command = main.command.clone().expect("command");
    assert_eq!(command.len(), 3, "{command:?}");
    assert_eq!(command[1], "-c");
    (command[0].clone(), command[2].clone())
}

fn flag_map(flags: &[(String, String)]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (k, v) in flags {
        assert!(
            map.insert(k.clone(), v.clone()).is_none(),
            "flag {k} given twice"
        );
    }
    map
}

fn check_flags(flags: &BTreeMap<String, String>, accepted: &[&str], required: &[&str]) {
    for k in flags.keys() {
        assert!(accepted.contains(&k.as_str()), "runner does not accept {k}");
    }
    for r in required {
        assert!(flags.contains_key(*r), "required flag {r} missing");
    }
}

const JAVA_FN: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: ex, namespace: ns1, uid: 1234-abcd }
spec:
  className: org.example.Ex
  tenant: t1
  namespace: n1
  clusterName: c1
  maxPendingAsyncRequests: 500
  maxMessageRetry: 3
  retainOrdering: true
  timeout: 30000
  input: { topics: [persistent://t1/n1/in], typeClassName: java.lang.String }
  output: { topic: persistent://t1/n1/out }
  resources: { requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: "1", memory: 2Gi } }
  secretsMap: { PASSWORD: { path: db, key: password } }
  pulsar:
    pulsarConfig: cluster
    authConfig:
      oauth2Config: { audience: urn:aud, issuerUrl: "https://issuer/", keySecretName: oauth, keySecretKey: auth.json }
    tlsConfig: { enabled: true, allowInsecure: false, hostnameVerification: true, certSecretName: ca, certSecretKey: ca.crt }
  statefulConfig: { pulsar: { serviceUrl: "bk://bookie:4181", javaProvider: { className: org.example.State } } }
  java:
    jar: ex.jar
    jarLocation: function://t1/n1/ex@v1
    javaOpts: ["-Xss1m -Dx=y", "-Dquoted=\"a'b\""]
    log: { level: debug }
"#;

#[test]
fn java_command_line() {
    let objects = desired_for(&function(JAVA_FN), None, &Options::default()).expect("valid");
    let (shell_name, script) = script_of(&objects);
    assert_eq!(shell_name, "bash");
    let steps = shell::steps(&script);
    assert_eq!(
        steps[..2],
        ["SHARD_ID=${POD_NAME##*-}", "echo shardId=${SHARD_ID}"]
    );
    // Download step: pulsar-admin with the OAuth2 plugin and TLS switches.
    let download = shell::words(
        steps
            .iter()
            .find(|s| s.contains("packages download"))
            .expect("download step"),
    );
    assert_eq!(
        &download[..3],
        [
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "${webServiceURL}"
        ]
    );
    assert!(download
        .windows(2)
        .any(|w| w == ["--tls-trust-cert-path", "/etc/tls/pulsar-functions/ca.crt"]));
    assert!(download.ends_with(&[
        "packages".into(),
        "download".into(),
        "function://t1/n1/ex@v1".into(),
        "--path".into(),
        "/pulsar/download/ex.jar".into()
    ]));

    let words = shell::exec_words(&script);
    assert_eq!(&words[..3], ["exec", "java", "-cp"]);
    assert!(words.contains(&"-Xss1m".to_owned()) && words.contains(&"-Dx=y".to_owned()));
    assert!(words.contains(&"-Dquoted=a'b".to_owned()));
    assert!(words.contains(&format!(
        "-XX:MaxDirectMemorySize={}",
        2u64 * 1024 * 1024 * 1024 / 5
    )));
    assert!(words.contains(&"-Dpulsar.log.level=DEBUG".to_owned()));
    assert!(words.contains(&"-Dpulsar.functions.instance.classpath=/pulsar/lib/*".to_owned()));
    let entry = words
        .iter()
        .position(|w| w == "org.apache.pulsar.functions.instance.JavaInstanceMain")
        .expect("entry class");
    let flags = flag_map(&shell::flags(&words[entry + 1..]));
    check_flags(&flags, JAVA_FLAGS, JAVA_REQUIRED);
    assert_eq!(flags["--jar"], "/pulsar/download/ex.jar");
    assert_eq!(flags["--instance_id"], "${SHARD_ID}");
    assert_eq!(flags["--function_id"], "${SHARD_ID}-1234-abcd");
    assert_eq!(flags["--pulsar_serviceurl"], "${brokerServiceURL}");
    assert_eq!(flags["--cluster_name"], "c1");
    assert_eq!(
        flags["--client_auth_plugin"],
        "org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2"
    );
    let auth: serde_json::Value =
        serde_json::from_str(&flags["--client_auth_params"]).expect("auth params JSON");
    assert_eq!(auth["privateKey"], "file:///etc/oauth2/auth.json");
    assert_eq!(auth["issuerUrl"], "https://issuer/");
    assert_eq!(auth["audience"], "urn:aud");
    assert_eq!(flags["--use_tls"], "true");
    assert_eq!(flags["--tls_allow_insecure"], "false");
    assert_eq!(flags["--hostname_verification_enabled"], "true");
    assert_eq!(
        flags["--tls_trust_cert_path"],
        "/etc/tls/pulsar-functions/ca.crt"
    );
    assert_eq!(
        flags["--secrets_provider"],
        "org.apache.pulsar.functions.secretsprovider.EnvironmentBasedSecretsProvider"
    );
    assert_eq!(flags["--state_storage_serviceurl"], "bk://bookie:4181");
    assert_eq!(flags["--state_storage_impl_class"], "org.example.State");
    assert_eq!(flags["--pending_async_requests"], "500");

    let details: serde_json::Value =
        serde_json::from_str(&flags["--function_details"]).expect("details JSON");
    assert_eq!(details["tenant"], "t1");
    assert_eq!(details["namespace"], "n1");
    assert_eq!(details["name"], "ex");
    assert_eq!(details["className"], "org.example.Ex");
    assert_eq!(details["componentType"], "FUNCTION");
    assert!(
        details.get("runtime").is_none(),
        "JAVA is the enum's zero value and is omitted"
    );
    assert!(
        details.get("processingGuarantees").is_none(),
        "ATLEAST_ONCE is omitted"
    );
    assert_eq!(details["retainOrdering"], true);
    assert_eq!(details["source"]["subscriptionType"], "FAILOVER");
    assert_eq!(details["source"]["timeoutMs"], "30000");
    assert_eq!(details["source"]["typeClassName"], "java.lang.String");
    assert_eq!(
        details["source"]["inputSpecs"]["persistent://t1/n1/in"],
        serde_json::json!({})
    );
    assert_eq!(details["retryDetails"]["maxMessageRetries"], 3);
    assert_eq!(details["retryDetails"]["deadLetterTopic"], "t1-n1-ex-DLQ");
    assert_eq!(details["resources"]["cpu"], 0.5);
    assert_eq!(details["resources"]["ram"], "1073741824");
    assert_eq!(
        details["secretsMap"],
        r#"{"PASSWORD":{"path":"db","key":"password"}}"#
    );
}

const PY_FN: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: py, namespace: ns1 }
spec:
  className: wordcount.WordCount
  processingGuarantee: effectively_once
  input: { topicPattern: "persistent://public/default/in-.*" }
  pulsar:
    pulsarConfig: cluster
    authSecret: auth
    tlsConfig: { enabled: true, allowInsecure: true, hostnameVerification: false }
  statefulConfig: { pulsar: { serviceUrl: "bk://bookie:4181" } }
  python: { py: /pulsar/wordcount.py, log: { level: warn, rotatePolicy: SizedPolicyWith10MB } }
"#;

#[test]
fn python_command_line() {
    let objects = desired_for(&function(PY_FN), None, &Options::default()).expect("valid");
    let (_, script) = script_of(&objects);
    let steps = shell::steps(&script);
    assert!(
        steps.iter().any(|s| s.starts_with("sed -i.bak")),
        "log level forcing"
    );
    let ini_step = steps
        .iter()
        .find(|s| s.starts_with("printf"))
        .expect("ini step");
    let ini_words = shell::words(ini_step);
    assert_eq!(ini_words[..2], ["printf", "%s"]);
    assert!(
        ini_words[2].contains("level=WARNING")
            && ini_words[2].contains("handlers.RotatingFileHandler")
    );
    assert_eq!(
        ini_words[3..],
        [">", "/pulsar/conf/python-log/python_instance_logging.ini"]
    );
    let words = shell::exec_words(&script);
    assert_eq!(
        &words[..3],
        [
            "exec",
            "python",
            "/pulsar/instances/python-instance/python_instance_main.py"
        ]
    );
    let flags = flag_map(&shell::flags(&words));
    check_flags(&flags, PYTHON_FLAGS, PYTHON_REQUIRED);
    assert_eq!(flags["--py"], "/pulsar/wordcount.py");
    assert_eq!(
        flags["--logging_config_file"],
        "/pulsar/conf/python-log/python_instance_logging.ini"
    );
    assert_eq!(
        flags["--client_auth_plugin"],
        "${clientAuthenticationPlugin}"
    );
    assert_eq!(
        flags["--client_auth_params"],
        "${clientAuthenticationParameters}"
    );
    assert_eq!(flags["--use_tls"], "true");
    // The Python runner's own name for the flag (the Java one is --tls_allow_insecure).
    assert_eq!(flags["--tls_allow_insecure_connection"], "true");
    assert_eq!(flags["--hostname_verification_enabled"], "false");
    assert!(!flags.contains_key("--tls_trust_cert_path"));
    assert_eq!(flags["--state_storage_serviceurl"], "bk://bookie:4181");
    let details: serde_json::Value =
        serde_json::from_str(&flags["--function_details"]).expect("details JSON");
    assert_eq!(details["runtime"], "PYTHON");
    assert_eq!(details["processingGuarantees"], "EFFECTIVELY_ONCE");
    assert_eq!(details["source"]["subscriptionType"], "FAILOVER");
    assert_eq!(
        details["source"]["inputSpecs"]["persistent://public/default/in-.*"]["isRegexPattern"],
        true
    );
}

const GO_FN: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: go, namespace: ns1, uid: u-1 }
spec:
  retainKeyOrdering: true
  input: { topics: [persistent://public/default/a, persistent://public/default/b] }
  output: { topic: persistent://public/default/out }
  funcConfig: { greeting: "it's \"quoted\" $HOME `cmd`" }
  pulsar:
    pulsarConfig: cluster
    authConfig: { genericAuth: { clientAuthenticationPlugin: org.example.Plugin, clientAuthenticationParameters: "token:a'b" } }
  golang: { go: handler, log: { level: debug } }
"#;

#[test]
fn go_command_line() {
    let objects = desired_for(&function(GO_FN), None, &Options::default()).expect("valid");
    let (_, script) = script_of(&objects);
    let steps = shell::steps(&script);
    let conf_step = steps
        .iter()
        .find(|s| s.starts_with("GO_FUNCTION_CONF="))
        .expect("conf step");
    let conf_words = shell::words(conf_step);
    assert_eq!(conf_words.len(), 1);
    let json_text = conf_words[0]
        .trim_start_matches("GO_FUNCTION_CONF=")
        .replace("${SHARD_ID}", "7")
        .replace("${brokerServiceURL}", "pulsar://broker:6650")
        .replace("${webServiceURL}", "http://broker:8080");
    let conf: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&json_text).expect("Go conf JSON");
    for k in conf.keys() {
        assert!(
            GO_CONF_KEYS.contains(&k.as_str()),
            "Go instance has no key {k}"
        );
    }
    assert_eq!(conf["instanceID"], 7);
    assert_eq!(conf["funcID"], "7-u-1");
    assert_eq!(conf["pulsarServiceURL"], "pulsar://broker:6650");
    assert_eq!(conf["sourceSpecsTopic"], "persistent://public/default/a");
    // SHARED despite retainKeyOrdering, as upstream configures the Go instance.
    assert_eq!(conf["subscriptionType"], 0);
    assert_eq!(conf["runtime"], 3);
    assert_eq!(conf["clientAuthenticationParameters"], "token:a'b");
    let user: serde_json::Value =
        serde_json::from_str(conf["userConfig"].as_str().expect("string")).expect("user config");
    assert_eq!(user["greeting"], "it's \"quoted\" $HOME `cmd`");
    let words = shell::exec_words(&script);
    assert_eq!(
        words,
        ["exec", "./handler", "-instance-conf", "${GO_FUNCTION_CONF}"]
    );
    let main = objects
        .statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.last().cloned())
        .expect("main");
    let env = main.env.expect("env");
    assert!(env
        .iter()
        .any(|e| e.name == "LOGGING_LEVEL" && e.value.as_deref() == Some("debug")));
}

#[test]
fn sink_command_line() {
    let sink: fm_api::Sink = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Sink
metadata: { name: es, namespace: ns1 }
spec:
  className: org.example.EsSink
  input: { topics: [persistent://public/default/in], typeClassName: "[B" }
  sinkConfig: { url: "http://es:9200" }
  subscriptionName: sub
  negativeAckRedeliveryDelayMs: 100
  maxMessageRetry: 2
  pulsar: { pulsarConfig: cluster, tlsSecret: tls }
  java: { jar: connectors/es.nar }
"#,
    )
    .expect("sink parses");
    let objects = desired_for(&sink, None, &Options::default()).expect("valid");
    let (_, script) = script_of(&objects);
    let words = shell::exec_words(&script);
    let entry = words
        .iter()
        .position(|w| w.ends_with("JavaInstanceMain"))
        .expect("entry");
    let flags = flag_map(&shell::flags(&words[entry + 1..]));
    check_flags(&flags, JAVA_FLAGS, JAVA_REQUIRED);
    assert_eq!(
        flags["--tls_allow_insecure"],
        "${tlsAllowInsecureConnection:-false}"
    );
    assert_eq!(flags["--tls_trust_cert_path"], "${tlsTrustCertsFilePath}");
    let details: serde_json::Value =
        serde_json::from_str(&flags["--function_details"]).expect("details");
    assert_eq!(details["componentType"], "SINK");
    assert_eq!(
        details["className"],
        "org.apache.pulsar.functions.api.utils.IdentityFunction"
    );
    assert_eq!(details["sink"]["className"], "org.example.EsSink");
    assert_eq!(details["sink"]["configs"], r#"{"url":"http://es:9200"}"#);
    assert_eq!(details["source"]["negativeAckRedeliveryDelayMs"], "100");
    // A custom subscription name means no default DLQ topic.
    assert_eq!(
        details["retryDetails"],
        serde_json::json!({"maxMessageRetries": 2})
    );
    let image = objects
        .statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.last())
        .and_then(|c| c.image.clone());
    assert_eq!(image.as_deref(), Some("streamnative/pulsar-all:3.2.2.1"));
}

#[test]
fn connector_backed_function_gets_connectors_directory() {
    let f = function(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: fc }
spec:
  className: org.example.F
  sourceConfig: { sourceType: data-generator, configs: { sleepBetweenMessages: 100 } }
  output: { topic: persistent://public/default/out }
  pulsar: { pulsarConfig: cluster }
  java: { jar: f.jar }
"#,
    );
    let objects = desired_for(&f, None, &Options::default()).expect("valid");
    let (_, script) = script_of(&objects);
    let words = shell::exec_words(&script);
    let entry = words
        .iter()
        .position(|w| w.ends_with("JavaInstanceMain"))
        .expect("entry");
    let flags = flag_map(&shell::flags(&words[entry + 1..]));
    let all: Vec<&str> = JAVA_FLAGS
        .iter()
        .chain(JAVA_STREAMNATIVE_FLAGS)
        .copied()
        .collect();
    check_flags(&flags, &all, JAVA_REQUIRED);
    assert_eq!(flags["--connectors_directory"], "/pulsar/connectors");
    let details: serde_json::Value =
        serde_json::from_str(&flags["--function_details"]).expect("details");
    assert_eq!(details["source"]["builtin"], "data-generator");
    assert_eq!(
        details["source"]["configs"],
        r#"{"sleepBetweenMessages":100}"#
    );
}
