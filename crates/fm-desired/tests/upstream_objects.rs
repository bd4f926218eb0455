//! More cases of upstream's Go tests (`controllers/spec/common_test.go`, `function_test.go`)
//! that state an expected command line or object, run through fm-desired: shell quoting,
//! runner images, pod volumes and mounts, the Python logging INI, startup probes, the
//! init-container downloader and the package service. Literals are copied from those tests;
//! where fm-desired deliberately differs (README, "Deliberate differences from upstream"),
//! the test states our value next to upstream's. Needs no upstream checkout.

// The shared helpers, without `common/mod.rs` (which locates upstream's checkout).
#[allow(dead_code)]
#[path = "common/run_script.rs"]
mod run_script;
#[allow(dead_code)]
#[path = "common/shell.rs"]
mod shell;

use fm_api::{Function, Sink, Source};
use fm_desired::{desired_for, DesiredObjects, Options};
use k8s_openapi::api::core::v1::{Container, PodSpec, Probe, Volume, VolumeMount};
use run_script::{real_program, Harness, Stub};
use serde_json::{json, Value};

fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    serde_yaml_ng::from_str(yaml).expect("test resource parses")
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("literal parses")
}

fn function(yaml: &str, options: &Options) -> DesiredObjects {
    desired_for(&parse::<Function>(yaml), None, options).expect("valid")
}

fn pod(o: &DesiredObjects) -> &PodSpec {
    o.statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("pod spec")
}

fn main_container(o: &DesiredObjects) -> &Container {
    pod(o)
        .containers
        .iter()
        .find(|c| c.name.starts_with("pulsar-"))
        .expect("main container")
}

fn command(o: &DesiredObjects) -> Vec<String> {
    main_container(o).command.clone().expect("command")
}

fn volumes(o: &DesiredObjects) -> Vec<Volume> {
    pod(o).volumes.clone().unwrap_or_default()
}

fn mounts(o: &DesiredObjects) -> Vec<VolumeMount> {
    main_container(o).volume_mounts.clone().unwrap_or_default()
}

/// `makeFunctionSample` of upstream's `function_test.go` (ExclamationFunction), with its
/// `java` runtime replaced by `runtime` and `extra` appended under `spec:`.
fn function_sample(name: &str, runtime: &str, extra: &str) -> String {
    // An `input:` or `output:` in `extra` replaces the sample's.
    let keep = |line: &str| {
        let key = line.trim_start().split(':').next().unwrap_or("");
        !(key == "input" || key == "output")
            || !extra.contains(&format!("\n  {key}:")) && !extra.starts_with(&format!("  {key}:"))
    };
    let text = format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: {name}, namespace: default, uid: dead-beef }}
spec:
  name: {name}
  className: org.apache.pulsar.functions.api.examples.ExclamationFunction
  tenant: public
  namespace: default
  clusterName: test-pulsar
  input: {{ topics: [persistent://public/default/java-function-input-topic], typeClassName: java.lang.String }}
  output: {{ topic: persistent://public/default/java-function-output-topic, typeClassName: java.lang.String }}
  forwardSourceMessageProperty: true
  replicas: 1
  minReplicas: 1
  maxReplicas: 5
  autoAck: true
  maxPendingAsyncRequests: 1000
  {runtime}
"#
    );
    let mut out: String = text
        .lines()
        .filter(|l| keep(l))
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(extra);
    out
}

/// The sample's Java runtime, the jar in the image (no download).
const JAVA_IN_IMAGE: &str = "java: { jar: pulsar-functions-api-examples.jar }";
const PULSAR: &str = "  pulsar: { pulsarConfig: test-pulsar }\n";

/// Our emptyDirs for a Java runner under a read-only root (README: writable root
/// filesystem), in the order they follow upstream's volumes: generated log configuration,
/// logs, `/pulsar/tmp`, `/tmp`.
fn java_empty_dirs(with_log_conf: bool) -> (Vec<Volume>, Vec<VolumeMount>) {
    let mut dirs = vec![];
    if with_log_conf {
        dirs.push(("fm-log-conf", "/pulsar/conf/java-log"));
    }
    dirs.extend([
        ("fm-logs", "/pulsar/logs"),
        ("fm-pulsar-tmp", "/pulsar/tmp"),
        ("fm-tmp", "/tmp"),
    ]);
    (
        dirs.iter()
            .map(|(n, _)| from_json(json!({ "name": n, "emptyDir": {} })))
            .collect(),
        dirs.iter()
            .map(|(n, p)| from_json(json!({ "name": n, "mountPath": p })))
            .collect(),
    )
}

// ---------------------------------------------------------------- common_test.go: quoting

/// `TestShellQuoteLiteral`: upstream's literals, except that a word of safe characters stays
/// bare (README); bash reads each pair as the same word.
#[test]
fn shell_quote_literal() {
    use fm_desired::quoting::quote;
    let cases = [
        ("", "''", "''"),
        ("auth-params", "'auth-params'", "auth-params"),
        ("a'b", r#"'a'"'"'b'"#, r#"'a'"'"'b'"#),
        (
            "yyyy-MM-dd/HH'h'-mm'm'",
            r#"'yyyy-MM-dd/HH'"'"'h'"'"'-mm'"'"'m'"'"''"#,
            r#"'yyyy-MM-dd/HH'"'"'h'"'"'-mm'"'"'m'"'"''"#,
        ),
    ];
    for (input, upstream, ours) in cases {
        assert_eq!(quote(input), ours, "{input:?}");
        for text in [upstream, ours] {
            let out = std::process::Command::new("bash")
                .args(["-c", &format!("printf '%s' {text}")])
                .output()
                .expect("bash");
            assert_eq!(String::from_utf8_lossy(&out.stdout), input, "{text}");
        }
    }
}

/// A Function whose package comes from the package service, with `genericAuth` whose
/// parameters hold a single quote.
fn quoted_auth_function(image: &str) -> Vec<String> {
    command(&function(
        &function_sample(
            "quoted-auth",
            "java: { jar: /tmp/java-function.jar, jarLocation: \"function://public/default/java-function\" }",
            &format!(
                r#"  image: {image}
  pulsar:
    pulsarConfig: test-pulsar
    authConfig:
      genericAuth: {{ clientAuthenticationPlugin: auth-plugin, clientAuthenticationParameters: "{{\"token\":\"a'b\"}}" }}
"#
            ),
        ),
        &Options::default(),
    ))
}

/// `TestGetPulsarAdminCommandWithQuotedAuthParams`: pulsar-admin gets the plugin and the
/// parameters, quote included.
#[test]
fn pulsar_admin_command_with_quoted_auth_params() {
    let Some(h) = Harness::new() else { return };
    let run = h.run_command(&quoted_auth_function(
        "streamnative/pulsar-functions-java-runner:3.2.2.1",
    ));
    run.assert_ok();
    let args = &run.call("/pulsar/bin/pulsar-admin").args;
    assert_eq!(args[..2], ["--admin-url", "http://broker:8080"]);
    assert!(
        args.windows(4).any(|w| w
            == [
                "--auth-plugin",
                "auth-plugin",
                "--auth-params",
                r#"{"token":"a'b"}"#
            ]),
        "{args:?}"
    );
}

/// `TestGetPulsarctlCommandWithQuotedAuthParams`: both pulsarctl calls (`oauth2 activate`
/// first, its failure ignored, then the download) get the parameters, quote included.
#[test]
fn pulsarctl_command_with_quoted_auth_params() {
    let Some(mut h) = Harness::new() else { return };
    h.stub("pulsarctl", Stub::Download);
    let run = h.run_command(&quoted_auth_function(
        "streamnative/pulsar-functions-pulsarctl-java-runner:3.2.2.1",
    ));
    run.assert_ok();
    let calls = run.calls_to("pulsarctl");
    assert_eq!(calls.len(), 2, "{run:#?}");
    assert_eq!(
        calls[0].args,
        ["oauth2", "activate", "--auth-params", r#"{"token":"a'b"}"#]
    );
    assert!(calls[1]
        .args
        .windows(2)
        .any(|w| w == ["--auth-params", r#"{"token":"a'b"}"#]));
    assert!(calls[1]
        .args
        .windows(2)
        .any(|w| w == ["--auth-plugin", "auth-plugin"]));
}

// ---------------------------------------------------------- common_test.go: runner images

/// `TestGetFunctionRunnerImage`: the runner of the function's runtime (our default tags
/// are newer: README, runner images).
#[test]
fn function_runner_image() {
    let images = Options::default().runner_images;
    for (runtime, want) in [
        ("java: { jar: test.jar, jarLocation: test }", &images.java),
        ("python: { py: test.py, pyLocation: test }", &images.python),
        ("golang: { go: test, goLocation: test }", &images.go),
    ] {
        let o = function(
            &function_sample("image", runtime, PULSAR),
            &Options::default(),
        );
        assert_eq!(main_container(&o).image.as_ref(), Some(want), "{runtime}");
    }
    assert_eq!(
        images.java,
        "streamnative/pulsar-functions-java-runner:3.2.2.1"
    );
    assert_eq!(
        images.python,
        "streamnative/pulsar-functions-python-runner:3.2.2.1"
    );
    assert_eq!(images.go, "streamnative/pulsar-functions-go-runner:3.2.2.1");
}

fn connector_yaml(kind: &str, jar_location: &str, image: Option<&str>) -> String {
    let io = if kind == "Sink" {
        "input: { topics: [persistent://public/default/input], typeClassName: java.lang.String }\n  sinkConfig: { elasticSearchUrl: \"http://localhost:9200\" }"
    } else {
        "output: { topic: persistent://public/default/output, typeClassName: java.lang.String }\n  sourceConfig: { rows: 10 }"
    };
    format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: {kind}
metadata: {{ name: test, namespace: default, uid: dead-beef }}
spec:
  className: org.apache.pulsar.io.Test
  {io}
  replicas: 1
  pulsar: {{ pulsarConfig: test-pulsar }}
  java: {{ jar: test.jar, jarLocation: "{jar_location}" }}
{}"#,
        image.map(|i| format!("  image: {i}\n")).unwrap_or_default()
    )
}

/// `TestGetSinkRunnerImage` / `TestGetSourceRunnerImage`: a connector in the image or
/// fetched by the legacy path runs on the image with the built-in connectors
/// (`DefaultRunnerImage`, pulsar-all), one from the package service on the Java runner,
/// and the spec's image wins.
#[test]
fn connector_runner_images() {
    let images = Options::default().runner_images;
    let cases = [
        ("", None, images.connectors.as_str()),
        ("test", None, images.connectors.as_str()),
        ("sink://public/default/test", None, images.java.as_str()),
        (
            "",
            Some("streamnative/pulsar-io-test:2.7.1"),
            "streamnative/pulsar-io-test:2.7.1",
        ),
    ];
    for (location, image, want) in cases {
        let sink: Sink = parse(&connector_yaml("Sink", location, image));
        let o = desired_for(&sink, None, &Options::default()).expect("valid sink");
        assert_eq!(
            main_container(&o).image.as_deref(),
            Some(want),
            "sink {location}"
        );
        let source: Source = parse(&connector_yaml("Source", location, image));
        let o = desired_for(&source, None, &Options::default()).expect("valid source");
        assert_eq!(
            main_container(&o).image.as_deref(),
            Some(want),
            "source {location}"
        );
    }
    assert_eq!(images.connectors, "streamnative/pulsar-all:3.2.2.1");
}

// ------------------------------------------------ common_test.go: pod volumes and mounts

fn secret_volume(secret: &str, key: &str) -> Value {
    json!({
        "name": format!("{secret}-{key}"),
        "secret": { "secretName": secret, "items": [{ "key": key, "path": key }] }
    })
}

fn mount(name: &str, path: &str) -> Value {
    json!({ "name": name, "mountPath": path })
}

const PRODUCER_CRYPTO: &str = r#"{ topic: persistent://public/default/java-function-output-topic, typeClassName: java.lang.String, producerConf: { cryptoConfig: { cryptoKeyReaderClassName: Reader, cryptoSecrets: [{ secretName: test-producer-secret, secretKey: test-producer-key, asVolume: /test-producer }] } } }"#;
const CONSUMER_CRYPTO: &str = r#"{ topics: [persistent://public/default/java-function-input-topic], typeClassName: java.lang.String, sourceSpecs: { test-consumer: { cryptoConfig: { cryptoKeyReaderClassName: Reader, cryptoSecrets: [{ secretName: test-consumer-secret, secretKey: test-consumer-key, asVolume: /test-consumer }] } } } }"#;
const TRUST_CERT: &str = "  pulsar: { pulsarConfig: test-pulsar, tlsConfig: { enabled: true, allowInsecure: true, hostnameVerification: true, certSecretName: test-trust-secret, certSecretKey: test-trust-key } }\n";

/// A Java function (jar in the image) with `extra` under `spec:`; its volumes and mounts.
fn java_files(extra: &str) -> (Vec<Volume>, Vec<VolumeMount>) {
    let o = function(
        &function_sample("volumes", JAVA_IN_IMAGE, extra),
        &Options::default(),
    );
    (volumes(&o), mounts(&o))
}

fn with_empty_dirs(
    want_volumes: Vec<Value>,
    want_mounts: Vec<Value>,
    with_log_conf: bool,
) -> (Vec<Volume>, Vec<VolumeMount>) {
    let (dirs, dir_mounts) = java_empty_dirs(with_log_conf);
    let mut v: Vec<Volume> = want_volumes.into_iter().map(from_json).collect();
    v.extend(dirs);
    let mut m: Vec<VolumeMount> = want_mounts.into_iter().map(from_json).collect();
    m.extend(dir_mounts);
    (v, m)
}

/// `TestGeneratePodVolumes` / `TestGenerateContainerVolumeMounts`, "keep given pod volumes".
#[test]
fn pod_volumes_keep_given() {
    let (v, m) = java_files(&format!(
        "{PULSAR}  pod: {{ volumes: [{{ name: test-volume }}] }}\n"
    ));
    assert_eq!(
        (v, m),
        with_empty_dirs(vec![json!({ "name": "test-volume" })], vec![], true)
    );
}

/// "generate pod volumes from producer conf" / "not generate volume mounts if AsVolume is
/// not set": upstream adds the Secret's volume without mounting it; fm-desired adds neither
/// (README: crypto Secret volumes).
#[test]
fn pod_volumes_producer_crypto_without_as_volume() {
    let output = PRODUCER_CRYPTO.replace(", asVolume: /test-producer", "");
    let (v, m) = java_files(&format!("  output: {output}\n{PULSAR}"));
    assert_eq!((v, m), with_empty_dirs(vec![], vec![], true));
}

/// "generate volume mounts from producerConf".
#[test]
fn pod_volumes_producer_crypto() {
    let (v, m) = java_files(&format!("  output: {PRODUCER_CRYPTO}\n{PULSAR}"));
    assert_eq!(
        (v, m),
        with_empty_dirs(
            vec![secret_volume("test-producer-secret", "test-producer-key")],
            vec![mount(
                "test-producer-secret-test-producer-key",
                "/test-producer"
            )],
            true
        )
    );
}

/// "generate pod volumes from consumer conf" / "generate volume mounts from consumerConf":
/// producer keys first, then consumer keys.
#[test]
fn pod_volumes_producer_and_consumer_crypto() {
    let (v, m) = java_files(&format!(
        "  output: {PRODUCER_CRYPTO}\n  input: {CONSUMER_CRYPTO}\n{PULSAR}"
    ));
    assert_eq!(
        (v, m),
        with_empty_dirs(
            vec![
                secret_volume("test-producer-secret", "test-producer-key"),
                secret_volume("test-consumer-secret", "test-consumer-key"),
            ],
            vec![
                mount("test-producer-secret-test-producer-key", "/test-producer"),
                mount("test-consumer-secret-test-consumer-key", "/test-consumer"),
            ],
            true
        )
    );
}

/// "generate pod volumes from trust cert" / "generate volume mounts from trustCert" (and
/// "from runtime config", the same objects): the CA certificate first, at
/// `/etc/tls/pulsar-functions`.
#[test]
fn pod_volumes_trust_cert_and_crypto() {
    let (v, m) = java_files(&format!(
        "  output: {PRODUCER_CRYPTO}\n  input: {CONSUMER_CRYPTO}\n{TRUST_CERT}"
    ));
    assert_eq!(
        (v, m),
        with_empty_dirs(
            vec![
                secret_volume("test-trust-secret", "test-trust-key"),
                secret_volume("test-producer-secret", "test-producer-key"),
                secret_volume("test-consumer-secret", "test-consumer-key"),
            ],
            vec![
                mount(
                    "test-trust-secret-test-trust-key",
                    "/etc/tls/pulsar-functions"
                ),
                mount("test-producer-secret-test-producer-key", "/test-producer"),
                mount("test-consumer-secret-test-consumer-key", "/test-consumer"),
            ],
            true
        )
    );
}

/// "generate pod volumes from authConfig" / "generate volume mounts from authSecret": the
/// OAuth2 key at `/etc/oauth2`.
#[test]
fn pod_volumes_oauth2() {
    let (v, m) = java_files(
        "  pulsar: { pulsarConfig: test-pulsar, authConfig: { oauth2Config: { audience: test-aud, issuerUrl: test-issuer, keySecretName: test-private-key-secret, keySecretKey: test-private-key } } }\n",
    );
    assert_eq!(
        (v, m),
        with_empty_dirs(
            vec![secret_volume("test-private-key-secret", "test-private-key")],
            vec![mount(
                "test-private-key-secret-test-private-key",
                "/etc/oauth2"
            )],
            true
        )
    );
}

fn log_config_volume(runtime: &str, key: &str, file: &str) -> Value {
    json!({
        "name": format!("test-log-config-{runtime}-log-conf"),
        "configMap": { "name": "test-log-config", "items": [{ "key": key, "path": file }] }
    })
}

/// "generate pod volumes from runtime log configs" (with and without the log4j type) and
/// the mounts: the ConfigMap key under the file name the runner reads. Upstream passes a
/// Java and a Python configuration at once; a resource has one runtime, so each is built
/// on its own. Upstream's mount paths end in `/` (`/pulsar/conf/java-log/`), ours do not:
/// the same directory.
#[test]
fn pod_volumes_runtime_log_configs() {
    for (file_type, key, file) in [
        ("", "java-xml", "java_instance_log4j.xml"),
        (
            ", javaLog4JConfigFileType: yaml",
            "java-yaml",
            "java_instance_log4j.yaml",
        ),
    ] {
        let runtime = format!(
            "java: {{ jar: pulsar-functions-api-examples.jar, log: {{ logConfig: {{ name: test-log-config, key: {key} }}{file_type} }} }}"
        );
        let o = function(
            &function_sample("log-conf", &runtime, PULSAR),
            &Options::default(),
        );
        assert_eq!(
            (volumes(&o), mounts(&o)),
            with_empty_dirs(
                vec![log_config_volume("java", key, file)],
                vec![mount(
                    "test-log-config-java-log-conf",
                    "/pulsar/conf/java-log"
                )],
                false
            ),
            "{file_type}"
        );
    }
    // Python keeps a writable root: no emptyDirs.
    let o = function(
        &function_sample(
            "log-conf",
            "python: { py: exclamation.py, log: { logConfig: { name: test-log-config, key: python-ini } } }",
            PULSAR,
        ),
        &Options::default(),
    );
    assert_eq!(
        volumes(&o),
        [from_json::<Volume>(log_config_volume(
            "python",
            "python-ini",
            "python_instance_logging.ini"
        ))]
    );
    assert_eq!(
        mounts(&o),
        [from_json::<VolumeMount>(mount(
            "test-log-config-python-log-conf",
            "/pulsar/conf/python-log"
        ))]
    );
}

// ------------------------------------------------------ common_test.go: Python logging INI

/// Our generated `python_instance_logging.ini` for a Python function with `log`.
fn python_ini(log: &str) -> String {
    ini_of(&function(
        &function_sample(
            "demo",
            &format!("python: {{ py: exclamation.py, log: {log} }}"),
            PULSAR,
        ),
        &Options::default(),
    ))
}

/// The INI the script writes with `printf '%s' '<ini>' > <path>`, read back as a word.
fn ini_of(o: &DesiredObjects) -> String {
    let step = shell::steps(&command(o)[2])
        .into_iter()
        .find(|s| s.starts_with("printf") && s.contains("python_instance_logging.ini"))
        .expect("INI step");
    let words = shell::words(&step);
    let at = words.iter().position(|w| w == "%s").expect("printf format");
    words[at + 1].clone()
}

/// Where ours differs from upstream's template: the file handler writes to `$LOG_FILE`, the
/// instance's own per-instance log file (upstream: `logs/functions/<name>.log`; README).
fn upstream_args(ours: &str) -> String {
    ours.replace(
        "args=(os.getenv('LOG_FILE', ''), ",
        "args=('logs/functions/demo.log', ",
    )
}

/// Loads the INI with the host's Python `logging.config.fileConfig` (when there is one)
/// and logs a line: the file is valid and the file handler writes to `$LOG_FILE`.
fn check_with_python(ini: &str) {
    let dir = std::env::temp_dir().join(format!("fm-ini-{}-{}", std::process::id(), ini.len()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("logging.ini");
    std::fs::write(&path, ini).expect("ini");
    let log = dir.join("demo-0.log");
    let out = std::process::Command::new("python3")
        .env("LOG_FILE", &log)
        .arg("-c")
        .arg(
            "import logging, logging.config, sys\n\
             logging.config.fileConfig(sys.argv[1], disable_existing_loggers=False)\n\
             logging.getLogger().warning('hello from fm')\n",
        )
        .arg(&path)
        .output();
    match out {
        Err(e) => println!("skipped: no python3 ({e})"),
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("hello from fm"));
            if ini.contains("file_handler") {
                let written = std::fs::read_to_string(&log).expect("log file written");
                assert!(written.contains("hello from fm"), "{written}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `TestRenderINI_Default_Text_NoRolling` and `TestRenderINI_NoAccidentalHandlerPrefixInKeys`.
#[test]
fn python_ini_default_text_no_rolling() {
    let got = python_ini("{ level: info, format: text }");
    assert!(got.contains("[handlers]\nkeys=stream_handler"), "{got}");
    assert!(!got.contains("[handler_rotating_file_handler]"), "{got}");
    assert!(
        !got.contains("[handler_timed_rotating_file_handler]"),
        "{got}"
    );
    assert!(got.contains("[handler_stream_handler]"), "{got}");
    assert!(got.contains("class=logging.StreamHandler"), "{got}");
    assert!(got.contains("formatter=formatter"), "{got}");
    assert!(got.contains("[formatter_formatter]"), "{got}");
    assert!(
        got.contains("format=[%(asctime)s] [%(levelname)s] %(filename)s:%(lineno)d %(message)s"),
        "{got}"
    );
    assert!(!got.contains("keys=handler_stream_handler"), "{got}");
    check_with_python(&got);
}

/// `TestRenderINI_JSON_NoRolling`: the JSON formatter, but our records carry time, level,
/// logger and file besides the message (README: Python JSON logs).
#[test]
fn python_ini_json_no_rolling() {
    let got = python_ini("{ level: debug, format: json }");
    assert!(got.contains("[handlers]\nkeys=stream_handler"), "{got}");
    assert!(got.contains("[logger_root]\nlevel=DEBUG\n"), "{got}");
    assert!(got.contains("[formatter_formatter]"), "{got}");
    assert!(
        got.contains("class=pythonjsonlogger.jsonlogger.JsonFormatter"),
        "{got}"
    );
    // Upstream: `format=%(message)s`.
    assert!(
        got.contains("format=%(asctime)s %(levelname)s %(name)s %(filename)s %(message)s"),
        "{got}"
    );
}

/// `TestRenderINI_SizeRolling_10MB` and `TestRenderINI_SizeRolling_50MB_100MB`.
#[test]
fn python_ini_size_rolling() {
    for (policy, size) in [
        ("SizedPolicyWith10MB", "10485760"),
        ("SizedPolicyWith50MB", "52428800"),
        ("SizedPolicyWith100MB", "104857600"),
    ] {
        let got = python_ini(&format!(
            "{{ level: info, format: text, rotatePolicy: {policy} }}"
        ));
        assert!(
            got.contains("[handlers]\nkeys=stream_handler,rotating_file_handler"),
            "{got}"
        );
        assert!(got.contains("[handler_rotating_file_handler]"), "{got}");
        assert!(
            got.contains("class=logging.handlers.RotatingFileHandler"),
            "{got}"
        );
        assert!(got.contains("formatter=formatter"), "{got}");
        assert!(
            got.contains(&format!("args=(os.getenv('LOG_FILE', ''), 'a', {size}, 5)")),
            "{got}"
        );
        assert!(
            upstream_args(&got)
                .contains(&format!("args=('logs/functions/demo.log', 'a', {size}, 5)")),
            "{got}"
        );
        check_with_python(&got);
    }
}

/// `TestRenderINI_TimedRolling_Daily_Weekly_Monthly` (with the JSON formatter).
#[test]
fn python_ini_timed_rolling() {
    for (policy, when, interval) in [
        ("TimedPolicyWithDaily", "D", "1"),
        ("TimedPolicyWithWeekly", "W0", "1"),
        ("TimedPolicyWithMonthly", "D", "30"),
    ] {
        let got = python_ini(&format!(
            "{{ level: info, format: json, rotatePolicy: {policy} }}"
        ));
        assert!(
            got.contains("[handlers]\nkeys=stream_handler,timed_rotating_file_handler"),
            "{got}"
        );
        assert!(
            got.contains("[handler_timed_rotating_file_handler]"),
            "{got}"
        );
        assert!(
            got.contains("class=logging.handlers.TimedRotatingFileHandler"),
            "{got}"
        );
        assert!(got.contains("formatter=formatter"), "{got}");
        assert!(
            upstream_args(&got).contains(&format!(
                "args=('logs/functions/demo.log', '{when}', {interval}, 5)"
            )),
            "{got}"
        );
        assert!(
            got.contains("class=pythonjsonlogger.jsonlogger.JsonFormatter"),
            "{got}"
        );
        // Text variant through Python's own parser (pythonjsonlogger may be absent here).
        check_with_python(&python_ini(&format!(
            "{{ level: info, format: text, rotatePolicy: {policy} }}"
        )));
    }
}

/// `TestRenderINI_Sidecar_DefaultSizeRolling`: with the filebeat sidecar, the Python
/// instance writes 10 MB rolling files for it to read (the file as `upstream_args` says).
#[test]
fn python_ini_sidecar_default_size_rolling() {
    let o = function(
        &function_sample(
            "demo",
            "python: { py: exclamation.py, log: { level: info, format: text } }",
            &format!(
                "{PULSAR}  logTopic: persistent://public/default/logs\n  logTopicAgent: sidecar\n"
            ),
        ),
        &Options::default(),
    );
    let got = ini_of(&o);
    assert!(
        got.contains("[handlers]\nkeys=stream_handler,rotating_file_handler"),
        "{got}"
    );
    assert!(
        upstream_args(&got).contains("args=('logs/functions/demo.log', 'a', 10485760, 5)"),
        "{got}"
    );
    let names: Vec<&str> = pod(&o).containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["pulsar-function", "filebeat"]);
}

// -------------------------------------------------------------------- function_test.go

const STARTUP_PROBE: &str =
    "startupProbe: { httpGet: { path: /healthz, port: 9094 }, periodSeconds: 10, failureThreshold: 30 }";

/// `TestStartupProbeOnFunctionSinkSourceContainers`: the pod's startup probe on the main
/// container of a Function, a Sink and a Source (the clean-up Job is not generated).
#[test]
fn startup_probe_on_function_sink_source() {
    let probe: Probe = from_json(json!({
        "httpGet": { "path": "/healthz", "port": 9094 },
        "periodSeconds": 10,
        "failureThreshold": 30
    }));
    let pod_yaml = format!("  pod: {{ {STARTUP_PROBE} }}\n");
    let f = function(
        &function_sample(
            "startup-function",
            JAVA_IN_IMAGE,
            &format!("{PULSAR}{pod_yaml}"),
        ),
        &Options::default(),
    );
    assert_eq!(main_container(&f).startup_probe.as_ref(), Some(&probe));
    let sink: Sink = parse(&format!(
        "{}{pod_yaml}",
        connector_yaml("Sink", "", None).replace("name: test,", "name: startup-sink,")
    ));
    let o = desired_for(&sink, None, &Options::default()).expect("valid");
    assert_eq!(main_container(&o).startup_probe.as_ref(), Some(&probe));
    let source: Source = parse(&format!(
        "{}{pod_yaml}",
        connector_yaml("Source", "", None).replace("name: test,", "name: startup-source,")
    ));
    let o = desired_for(&source, None, &Options::default()).expect("valid");
    assert_eq!(main_container(&o).startup_probe.as_ref(), Some(&probe));
    assert_eq!(pod(&o).containers.len(), 1);
}

/// `makeFunctionSamplePackageURL`: the jar from the package service.
const PACKAGE_URL_JAVA: &str =
    "java: { jar: /tmp/java-function.jar, jarLocation: \"function://public/default/java-function\" }";

/// `TestInitContainerDownloader`: one init container `downloader` (`sh -c <script>`)
/// fetching into `/pulsar/download/java-function.jar`. Upstream mounts the shared volume
/// `downloader-volume` at `/pulsar/tmp` in the main container and starts the runner on
/// `/pulsar/tmp/java-function.jar`; ours is `fm-download`, at `/pulsar/download` in both
/// containers (README: downloads). The downloader also gets a scratch `HOME`.
#[test]
fn init_container_downloader() {
    let options = Options {
        download_in_init_container: true,
        ..Options::default()
    };
    let o = function(&function_sample("test", PACKAGE_URL_JAVA, PULSAR), &options);
    let init = pod(&o).init_containers.clone().expect("init containers");
    assert_eq!(init.len(), 1);
    let downloader = &init[0];
    assert_eq!(downloader.name, "downloader");
    let download = downloader.command.clone().expect("downloader command");
    assert_eq!(download.len(), 3);
    assert!(
        download[2].contains("/pulsar/download/java-function.jar"),
        "{download:?}"
    );
    assert_eq!(
        downloader.volume_mounts.clone().unwrap_or_default(),
        [
            from_json::<VolumeMount>(mount("fm-download", "/pulsar/download")),
            from_json(mount("fm-downloader-home", "/tmp")),
        ]
    );
    let main = command(&o);
    assert_eq!(main.len(), 3);
    assert!(
        main[2].contains("/pulsar/download/java-function.jar"),
        "{main:?}"
    );
    assert!(!main[2].contains("/pulsar/tmp/java-function.jar"));
    assert!(
        !main[2].contains("packages download"),
        "download only in the init container"
    );
    assert!(mounts(&o)
        .iter()
        .any(|m| m.name == "fm-download" && m.mount_path == "/pulsar/download"));

    // Run both: the downloader's file is the one the runner starts on.
    let Some(mut h) = Harness::new() else { return };
    h.env("HOME", "/tmp");
    let run = h.run_command(&download);
    run.assert_ok();
    let call = run.call("pulsarctl");
    assert!(call.args.windows(4).any(|w| w
        == [
            "download",
            "function://public/default/java-function",
            "--path",
            "/pulsar/download/java-function.jar"
        ]));
    assert!(run.file("/pulsar/download/java-function.jar").is_some());
    let mut h = Harness::new().expect("harness");
    h.file("/pulsar/download/java-function.jar", "jar");
    let run = h.run_command(&main);
    run.assert_ok();
    let args = &run.call("java").args;
    assert!(args
        .windows(2)
        .any(|w| w == ["--jar", "/pulsar/download/java-function.jar"]));
}

/// `TestFunctionPulsarPackageServiceDownloadCommandAndPodWiring`: with a separate package
/// service the download uses its `PACKAGE_`-prefixed env and credentials mounted at their
/// own paths.
#[test]
fn package_service_download_command_and_pod_wiring() {
    let yaml = function_sample(
        "package-service-test",
        PACKAGE_URL_JAVA,
        r#"  pulsar: { pulsarConfig: runtime-pulsar, authSecret: runtime-auth, tlsSecret: runtime-tls }
  pulsarPackageService:
    pulsarConfig: package-pulsar
    authSecret: package-auth
    tlsSecret: package-tls
    authConfig:
      oauth2Config: { audience: package-audience, issuerUrl: "https://issuer.example", keySecretName: package-oauth, keySecretKey: auth.json }
    tlsConfig: { enabled: true, allowInsecure: true, hostnameVerification: false, certSecretName: package-certs, certSecretKey: ca.crt }
"#,
    );
    let o = function(&yaml, &Options::default());
    let script = &command(&o)[2];
    assert!(script.contains("${PACKAGE_webServiceURL}"), "{script}");
    assert!(!script.contains("${webServiceURL}"), "{script}");
    let env_from = main_container(&o).env_from.clone().unwrap_or_default();
    assert!(env_from
        .iter()
        .any(|e| e.prefix.as_deref() == Some("PACKAGE_")));
    let paths: Vec<String> = mounts(&o).into_iter().map(|m| m.mount_path).collect();
    assert!(paths.contains(&"/etc/tls/pulsar-functions-package-service".to_owned()));
    assert!(paths.contains(&"/etc/oauth2-package-service".to_owned()));

    // Under bash: pulsar-admin reaches the package service's URL, not the runtime's.
    let Some(mut h) = Harness::new() else { return };
    h.env("PACKAGE_webServiceURL", "http://package-broker:8080");
    let run = h.run_command(&command(&o));
    run.assert_ok();
    let args = &run.call("/pulsar/bin/pulsar-admin").args;
    assert_eq!(args[..2], ["--admin-url", "http://package-broker:8080"]);
    assert!(args.windows(2).any(|w| w
        == [
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions-package-service/ca.crt"
        ]));
}

/// `TestFunctionPulsarPackageServiceDownloadFallbackToMessaging`.
#[test]
fn package_service_download_falls_back_to_messaging() {
    let o = function(
        &function_sample("package-service-fallback-test", PACKAGE_URL_JAVA, PULSAR),
        &Options::default(),
    );
    let script = &command(&o)[2];
    assert!(script.contains("${webServiceURL}"), "{script}");
    assert!(!script.contains("PACKAGE_"), "{script}");
}

// ------------------------------------------------------- Go binary: chmod +x (upstream)

/// Upstream runs `chmod +x <binary>` before every Go start. For a binary in the image that
/// fails under a read-only root filesystem (chmod(2) returns EROFS even when the mode does
/// not change) and, for a root-owned file, for our non-root user (EPERM). So fm-desired
/// makes only a downloaded binary executable — it is ours, in the download emptyDir — and
/// starts a binary from the image as it is (README).
#[test]
fn go_binary_chmod_only_after_download() {
    let go_function = |go: &str| {
        let yaml = function_sample("go-func", go, PULSAR);
        let f: Function = parse(&yaml.replace(
            "  className: org.apache.pulsar.functions.api.examples.ExclamationFunction\n",
            "",
        ));
        command(&desired_for(&f, None, &Options::default()).expect("valid"))
    };
    let in_image = go_function("golang: { go: /pulsar/go-func }");
    assert!(!in_image[2].contains("chmod"), "{}", in_image[2]);
    let downloaded =
        go_function("golang: { go: go-func, goLocation: \"function://public/default/go-func\" }");
    assert!(
        shell::steps(&downloaded[2])
            .iter()
            .any(|s| s == "chmod +x /pulsar/download/go-func"),
        "{}",
        downloaded[2]
    );

    // The downloaded binary becomes executable and is started.
    if let Some(mut h) = Harness::new() {
        h.stub("chmod", Stub::Real(real_program("chmod")));
        let run = h.run_command(&downloaded);
        // The stand-in download writes a text file, so the exec itself cannot succeed: what
        // matters is that chmod ran on the downloaded file (and did not stop the chain).
        let chmod = run.call("chmod");
        assert_eq!(chmod.args, ["+x", "/pulsar/download/go-func"]);
        assert!(run.file("/pulsar/download/go-func").is_some(), "{run:#?}");
    }

    // Why not upstream's chmod: on a read-only mount it fails although the mode is already
    // right, and the `&&` chain stops before the exec.
    let dir = std::env::temp_dir().join(format!("fm-ro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("go-func");
    std::fs::write(&file, "#!/bin/sh\n").expect("file");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("mode");
    }
    let d = dir.display();
    let out = std::process::Command::new("unshare")
        .args(["-r", "-m", "sh", "-c"])
        .arg(format!(
            "mount --bind {d} {d} && mount -o remount,bind,ro {d} || exit 77; \
             chmod +x {d}/go-func && echo started"
        ))
        .output();
    std::fs::remove_dir_all(&dir).ok();
    match out {
        Ok(out) if out.status.code() != Some(77) && !out.stderr.starts_with(b"unshare") => {
            assert!(
                !out.status.success(),
                "chmod on a read-only mount succeeded"
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("Read-only file system"),
                "{out:?}"
            );
            assert!(!String::from_utf8_lossy(&out.stdout).contains("started"));
        }
        other => println!("skipped: cannot make a read-only mount here: {other:?}"),
    }
}
