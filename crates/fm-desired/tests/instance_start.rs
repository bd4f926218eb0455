//! The generated container commands, run under a real bash with stand-ins for the programs
//! they start (see `common/run_script.rs`): what the java / python / Go instance and the
//! downloader receive once the shell has expanded the script, compared with what upstream's
//! operator makes them receive.

mod common;

use common::run_script::{real_program, Harness, Run, Stub};
use fm_api::{Function, Sink, Source};
use fm_desired::{desired_for, Options};
use k8s_openapi::api::apps::v1::StatefulSet;

fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    serde_yaml_ng::from_str(yaml).expect("test resource parses")
}

fn command(sts: &StatefulSet) -> Vec<String> {
    sts.spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.iter().find(|c| c.name.starts_with("pulsar-")))
        .and_then(|c| c.command.clone())
        .expect("main container command")
}

fn function_command(yaml: &str) -> Vec<String> {
    let f: Function = parse(yaml);
    command(
        &desired_for(&f, None, &Options::default())
            .expect("valid")
            .statefulset,
    )
}

fn source_command(yaml: &str) -> Vec<String> {
    let s: Source = parse(yaml);
    command(
        &desired_for(&s, None, &Options::default())
            .expect("valid")
            .statefulset,
    )
}

fn sink_command(yaml: &str) -> Vec<String> {
    let s: Sink = parse(yaml);
    command(
        &desired_for(&s, None, &Options::default())
            .expect("valid")
            .statefulset,
    )
}

/// The value after `flag` in a call's arguments.
fn flag<'a>(args: &'a [String], flag: &str) -> &'a str {
    let at = args
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    &args[at + 1]
}

/// The `--function_details` the instance received.
fn details(run: &Run, program: &str) -> serde_json::Value {
    let call = run.call(program);
    serde_json::from_str(flag(&call.args, "--function_details")).expect("details JSON")
}

/// The JVM options between the fixed flags and the entry class.
fn jvm_opts(args: &[String]) -> Vec<String> {
    let from = args
        .iter()
        .position(|a| a.starts_with("-Xlog:gc"))
        .expect("gc flag")
        + 1;
    let to = args
        .iter()
        .position(|a| a == "org.apache.pulsar.functions.instance.JavaInstanceMain")
        .expect("entry class");
    args[from..to].to_vec()
}

fn java_function(java_opts: &[&str]) -> String {
    let opts: Vec<String> = java_opts
        .iter()
        .map(|o| serde_json::to_string(o).expect("string"))
        .collect();
    format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: fn, namespace: ns }}
spec:
  className: org.example.Fn
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ pulsarConfig: cluster }}
  java: {{ jar: /pulsar/fn.jar, javaOpts: [{}] }}
"#,
        opts.join(", ")
    )
}

/// JVM options as upstream's script hands them over: joined with spaces and pasted into the
/// `bash -c` line (`controllers/spec/common.go`, `getProcessJavaRuntimeArgs`), here run
/// under the same bash and environment.
fn upstream_jvm_opts(h: &Harness, java_opts: &[&str]) -> Vec<String> {
    let run = h.run("bash", &format!("exec java {} --end", java_opts.join(" ")));
    run.assert_ok();
    let mut args = run.call("java").args.clone();
    assert_eq!(args.pop().as_deref(), Some("--end"));
    args
}

#[test]
fn java_options_are_shell_words_as_upstream_passes_them() {
    let Some(mut h) = Harness::new() else { return };
    h.env("HOME", "/home/fn");
    let cases: &[(&[&str], &[&str])] = &[
        // Quoted: one argument with its spaces (the JVM does not start otherwise).
        (
            &[r#"-XX:OnOutOfMemoryError="kill -9 %p""#],
            &["-XX:OnOutOfMemoryError=kill -9 %p"],
        ),
        (&["-Dgreeting='hello world'"], &["-Dgreeting=hello world"]),
        (&[r"-Dpath=a\ b"], &["-Dpath=a b"]),
        // Unquoted: several options in one entry are split.
        (
            &["-Xms256m -Xmx1g", "-XX:+UseStringDeduplication"],
            &["-Xms256m", "-Xmx1g", "-XX:+UseStringDeduplication"],
        ),
        // Parameter expansion happens in the pod, as upstream's shell did it.
        (
            &["-Dhome=$HOME", r#"-Dpod="${POD_NAME}""#],
            &["-Dhome=/home/fn", "-Dpod=fn-3"],
        ),
        (&[r#"-Dempty="""#], &["-Dempty="]),
    ];
    for (java_opts, expected) in cases {
        let run = h.run_command(&function_command(&java_function(java_opts)));
        run.assert_ok();
        let got = jvm_opts(&run.call("java").args);
        assert_eq!(&got, expected, "javaOpts {java_opts:?}");
        assert_eq!(
            got,
            upstream_jvm_opts(&h, java_opts),
            "javaOpts {java_opts:?} as upstream"
        );
    }
}

#[test]
fn java_options_a_shell_cannot_parse_are_refused() {
    for bad in [r#"-Dx="open"#, "-Dx='open", r"-Dx=\"] {
        let f: Function = parse(&java_function(&[bad]));
        let err = desired_for(&f, None, &Options::default())
            .expect_err("refused")
            .to_string();
        assert!(err.contains("java.javaOpts[0]"), "{bad}: {err}");
    }
}

/// Deliberate difference (README): what a shell would run or match rather than expand a
/// variable reaches the JVM literally; upstream's shell ran `$(…)` and matched globs.
#[test]
fn java_options_never_run_commands() {
    let Some(h) = Harness::new() else { return };
    let opts = ["-Dhost=$(hostname)", "-Dlist=/pulsar/*", "-Da=1;-Db=2"];
    let run = h.run_command(&function_command(&java_function(&opts)));
    run.assert_ok();
    assert_eq!(jvm_opts(&run.call("java").args), opts);
}

/// The lines of Pulsar's `python-instance/log.py` that matter here.
const LOG_PY: &str = "def init_logger(level, logfile, logging_config_file):\n  global Log\n  logging.config.fileConfig(logging_config_file)\n  Log = logging.getLogger()\n  Log.setLevel(level)\n";
const LOG_PY_PATH: &str = "/pulsar/instances/python-instance/log.py";

fn python_function(log: &str) -> String {
    format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: py, namespace: ns }}
spec:
  className: exclamation_function.ExclamationFunction
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ pulsarConfig: cluster }}
  python: {{ py: /pulsar/examples/exclamation_function.py{log} }}
"#
    )
}

/// Upstream always comments out the instance's `Log.setLevel` (`GeneratePythonLogConfigCommand`
/// in `controllers/spec/common.go`); otherwise Pulsar forces INFO after loading a user's log
/// configuration, and its `python-log-config` end-to-end case (DEBUG from a ConfigMap) fails.
#[test]
fn python_log_level_is_never_forced_by_the_instance() {
    let Some(mut h) = Harness::new() else { return };
    h.stub("sed", Stub::Real(real_program("sed")))
        .file(LOG_PY_PATH, LOG_PY);
    for log in [
        ", log: { logConfig: { name: python-log-config-cm, key: python-log-ini } }",
        "",
        ", log: { level: debug }",
    ] {
        let run = h.run_command(&function_command(&python_function(log)));
        run.assert_ok();
        assert_eq!(
            run.call("sed").args,
            ["-i.bak", "s/^  Log.setLevel/#&/", LOG_PY_PATH],
            "log {log:?}"
        );
        let patched = run.file(LOG_PY_PATH).expect("log.py");
        assert!(patched.contains("\n#  Log.setLevel(level)\n"), "{patched}");
        run.call("python");
    }
}

const LOG_TOPIC: &str = "persistent://public/default/logs";

/// Upstream passes a log topic only to Functions whose agent is not `sidecar`
/// (`convertFunctionDetails`, `convertGoFunctionConfs` in `controllers/spec/utils.go`), never
/// to Sources and Sinks (`convertSourceDetails`, `convertSinkDetails`); its webhook makes
/// `sidecar` the agent of Sources and Sinks that set a log topic.
#[test]
fn log_topics_reach_the_instance_only_as_upstream_passes_them() {
    let Some(mut h) = Harness::new() else { return };
    h.stub("/pulsar/go-func", Stub::Record);
    let function = |agent: &str, runtime: &str| {
        format!(
            r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: fn, namespace: ns }}
spec:
  className: org.example.Fn
  logTopic: {LOG_TOPIC}
  {agent}
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ pulsarConfig: cluster }}
  {runtime}
"#
        )
    };
    let java = "java: { jar: /pulsar/fn.jar }";
    let go = "golang: { go: /pulsar/go-func }";

    for (agent, expected) in [
        ("", Some(LOG_TOPIC)),
        ("logTopicAgent: runtime", Some(LOG_TOPIC)),
        ("logTopicAgent: sidecar", None),
    ] {
        let run = h.run_command(&function_command(&function(agent, java)));
        run.assert_ok();
        let d = details(&run, "java");
        assert_eq!(d["logTopic"].as_str(), expected, "java, {agent:?}");

        let run = h.run_command(&function_command(&function(agent, go)));
        run.assert_ok();
        let call = run.call("/pulsar/go-func");
        let conf: serde_json::Value =
            serde_json::from_str(flag(&call.args, "-instance-conf")).expect("Go conf");
        assert_eq!(
            conf["logTopic"].as_str(),
            Some(expected.unwrap_or("")),
            "go, {agent:?}"
        );
    }

    for agent in ["", "logTopicAgent: runtime", "logTopicAgent: sidecar"] {
        let run = h.run_command(&source_command(&format!(
            r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: {{ name: src, namespace: ns }}
spec:
  className: org.example.Src
  logTopic: {LOG_TOPIC}
  {agent}
  sourceConfig: {{ a: b }}
  output: {{ topic: persistent://public/default/out }}
  pulsar: {{ pulsarConfig: cluster }}
  java: {{ jar: connectors/src.nar }}
"#
        )));
        run.assert_ok();
        assert!(
            details(&run, "java").get("logTopic").is_none(),
            "source, {agent:?}"
        );

        let run = h.run_command(&sink_command(&format!(
            r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Sink
metadata: {{ name: snk, namespace: ns }}
spec:
  className: org.example.Snk
  logTopic: {LOG_TOPIC}
  {agent}
  sinkConfig: {{ a: b }}
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ pulsarConfig: cluster }}
  java: {{ jar: connectors/snk.nar }}
"#
        )));
        run.assert_ok();
        assert!(
            details(&run, "java").get("logTopic").is_none(),
            "sink, {agent:?}"
        );
    }
}

/// Upstream's Go configuration (`convertGoFunctionConfs` in `controllers/spec/utils.go`)
/// leaves the subscription type at 0 (SHARED) and has no subscription position, so the Go
/// instance subscribes SHARED from LATEST whatever the spec says. The Go instance also refuses
/// to start a non-shared subscription with parallelism above 1.
#[test]
fn go_instance_subscribes_as_under_upstream() {
    let Some(mut h) = Harness::new() else { return };
    h.stub("/pulsar/go-func", Stub::Record);
    for extra in [
        "",
        "retainOrdering: true",
        "retainKeyOrdering: true",
        "processingGuarantee: effectively_once",
        "subscriptionPosition: earliest",
    ] {
        let run = h.run_command(&function_command(&format!(
            r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: go, namespace: ns }}
spec:
  {extra}
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ pulsarConfig: cluster }}
  golang: {{ go: /pulsar/go-func }}
"#
        )));
        run.assert_ok();
        let call = run.call("/pulsar/go-func");
        let conf: serde_json::Value =
            serde_json::from_str(flag(&call.args, "-instance-conf")).expect("Go conf");
        assert_eq!(conf["subscriptionType"], 0, "{extra:?}");
        assert!(conf.get("subscriptionPosition").is_none(), "{extra:?}");
    }
}

/// One case of upstream's `TestGetDownloadCommand` (`controllers/spec/common_test.go`).
struct DownloadCase {
    location: &'static str,
    package: &'static str,
    /// YAML of `pulsar.tlsConfig`, `pulsar.authConfig` (empty: none).
    tls: &'static str,
    auth: &'static str,
    pulsarctl: bool,
    /// Upstream's expected command, its elements joined with spaces as upstream joins them.
    expected: &'static [&'static str],
}

const OAUTH2: &str = "{ oauth2Config: { audience: test-audience, issuerUrl: test-issuer-url, keySecretName: test-private-key, keySecretKey: auth.json } }";
const GENERIC: &str =
    "{ genericAuth: { clientAuthenticationParameters: auth-params, clientAuthenticationPlugin: auth-plugin } }";
const TLS_STRICT: &str = "{ enabled: true, allowInsecure: false, hostnameVerification: true, certSecretName: test-secret, certSecretKey: test-key }";
const TLS_OFF: &str = "{ enabled: false, allowInsecure: false, hostnameVerification: true, certSecretName: test-secret, certSecretKey: test-key }";
const TLS_LAX: &str = "{ enabled: true, allowInsecure: true, hostnameVerification: false, certSecretName: test-secret, certSecretKey: test-key }";
const TLS_INSECURE_VERIFY: &str = "{ enabled: true, allowInsecure: true, hostnameVerification: true, certSecretName: test-secret, certSecretKey: test-key }";
const TLS_LAX_OFF: &str = "{ enabled: false, allowInsecure: true, hostnameVerification: false, certSecretName: test-secret, certSecretKey: test-key }";
const OAUTH2_PARAMS: &str = r#"'{"credentials_url":"file:///etc/oauth2/auth.json","privateKey":"/etc/oauth2/auth.json","private_key":"/etc/oauth2/auth.json","issuerUrl":"test-issuer-url","issuer_url":"test-issuer-url","audience":"test-audience","scope":""}'"#;

/// fm-desired's OAuth2 parameters for the same key (README: the Java client opens
/// `privateKey` as a URL, so every key file is a `file://` URL).
const OUR_OAUTH2_PARAMS: &str = r#"'{"type":"client_credentials","privateKey":"file:///etc/oauth2/auth.json","private_key":"file:///etc/oauth2/auth.json","credentials_url":"file:///etc/oauth2/auth.json","issuerUrl":"test-issuer-url","issuer_url":"test-issuer-url","audience":"test-audience"}'"#;

const DOWNLOAD_CASES: &[DownloadCase] = &[
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: "",
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "sink://public/default/test@v1",
        package: "sink-package.jar",
        tls: "",
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "packages",
            "download",
            "sink://public/default/test@v1",
            "--path",
            "sink-package.jar",
        ],
    },
    DownloadCase {
        location: "source://public/default/test@v1",
        package: "source-package.jar",
        tls: "",
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "packages",
            "download",
            "source://public/default/test@v1",
            "--path",
            "source-package.jar",
        ],
    },
    DownloadCase {
        location: "/test",
        package: "test.jar",
        tls: "",
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "functions",
            "download",
            "--path",
            "/test",
            "--destination-file",
            "test.jar",
        ],
    },
    DownloadCase {
        location: "source/public/default/test@v1",
        package: "source-package.jar",
        tls: "",
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "functions",
            "download",
            "--path",
            "source/public/default/test@v1",
            "--destination-file",
            "source-package.jar",
        ],
    },
    DownloadCase {
        location: "source:/public/default/test@v1",
        package: "source-package.jar",
        tls: "",
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "functions",
            "download",
            "--path",
            "source:/public/default/test@v1",
            "--destination-file",
            "source-package.jar",
        ],
    },
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: "",
        auth: OAUTH2,
        pulsarctl: true,
        expected: &[
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
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: TLS_STRICT,
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "--tls-allow-insecure=false",
            "--tls-enable-hostname-verification=true",
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions/test-key",
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: TLS_OFF,
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: TLS_LAX,
        auth: "",
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "pulsarctl",
            "--admin-service-url",
            "$webServiceURL",
            "--tls-allow-insecure=true",
            "--tls-enable-hostname-verification=false",
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions/test-key",
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: TLS_LAX,
        auth: GENERIC,
        pulsarctl: true,
        expected: &[
            "export PATH=$PATH:/pulsar/bin && ",
            "( pulsarctl",
            "oauth2",
            "activate",
            "--auth-params",
            "'auth-params'",
            "|| true ) &&",
            "pulsarctl",
            "--auth-plugin",
            "auth-plugin",
            "--auth-params",
            "'auth-params'",
            "--admin-service-url",
            "$webServiceURL",
            "--tls-allow-insecure=true",
            "--tls-enable-hostname-verification=false",
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions/test-key",
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "http://aaa.bbb.ccc/test.jar",
        package: "function-package.jar",
        tls: TLS_LAX,
        auth: "",
        pulsarctl: true,
        expected: &[
            "wget",
            "http://aaa.bbb.ccc/test.jar",
            "-O",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "function://public/default/test@v1",
        package: "function-package.jar",
        tls: "",
        auth: OAUTH2,
        pulsarctl: false,
        expected: &[
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "$webServiceURL",
            "--auth-plugin",
            "org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2",
            "--auth-params",
            OAUTH2_PARAMS,
            "packages",
            "download",
            "function://public/default/test@v1",
            "--path",
            "function-package.jar",
        ],
    },
    DownloadCase {
        location: "sink://public/default/test@v1",
        package: "sink-package.jar",
        tls: "",
        auth: GENERIC,
        pulsarctl: false,
        expected: &[
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "$webServiceURL",
            "--auth-plugin",
            "auth-plugin",
            "--auth-params",
            "'auth-params'",
            "packages",
            "download",
            "sink://public/default/test@v1",
            "--path",
            "sink-package.jar",
        ],
    },
    DownloadCase {
        location: "source://public/default/test@v1",
        package: "source-package.jar",
        tls: TLS_STRICT,
        auth: "",
        pulsarctl: false,
        expected: &[
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "$webServiceURL",
            "--tls-enable-hostname-verification",
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions/test-key",
            "packages",
            "download",
            "source://public/default/test@v1",
            "--path",
            "source-package.jar",
        ],
    },
    DownloadCase {
        location: "/test",
        package: "test.jar",
        tls: TLS_INSECURE_VERIFY,
        auth: "",
        pulsarctl: false,
        expected: &[
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "$webServiceURL",
            "--tls-allow-insecure",
            "--tls-enable-hostname-verification",
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions/test-key",
            "functions",
            "download",
            "--path",
            "/test",
            "--destination-file",
            "test.jar",
        ],
    },
    DownloadCase {
        location: "source/public/default/test@v1",
        package: "source-package.jar",
        tls: TLS_LAX,
        auth: "",
        pulsarctl: false,
        expected: &[
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "$webServiceURL",
            "--tls-allow-insecure",
            "--tls-trust-cert-path",
            "/etc/tls/pulsar-functions/test-key",
            "functions",
            "download",
            "--path",
            "source/public/default/test@v1",
            "--destination-file",
            "source-package.jar",
        ],
    },
    DownloadCase {
        location: "source:/public/default/test@v1",
        package: "source-package.jar",
        tls: TLS_LAX_OFF,
        auth: "",
        pulsarctl: false,
        expected: &[
            "/pulsar/bin/pulsar-admin",
            "--admin-url",
            "$webServiceURL",
            "functions",
            "download",
            "--path",
            "source:/public/default/test@v1",
            "--destination-file",
            "source-package.jar",
        ],
    },
];

const DOWNLOADERS: [&str; 3] = ["pulsarctl", "/pulsar/bin/pulsar-admin", "wget"];

/// `(program, args)` of every call to a download tool.
fn download_calls(run: &Run) -> Vec<(String, Vec<String>)> {
    run.calls
        .iter()
        .filter(|c| DOWNLOADERS.contains(&c.program.as_str()))
        .map(|c| (c.program.clone(), c.args.clone()))
        .collect()
}

/// Each case of upstream's `TestGetDownloadCommand`: the download tools receive what they
/// receive from upstream's expected command run under the same bash, except that the file
/// lands in `/pulsar/download/` and OAuth2 key files are URLs (both deliberate, see README).
#[test]
fn download_commands_match_upstreams_test_cases() {
    let Some(h) = Harness::new() else { return };
    for case in DOWNLOAD_CASES {
        let mut pulsar = String::from("pulsarConfig: cluster");
        if !case.tls.is_empty() {
            pulsar.push_str(&format!(", tlsConfig: {}", case.tls));
        }
        if !case.auth.is_empty() {
            pulsar.push_str(&format!(", authConfig: {}", case.auth));
        }
        let f = format!(
            r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: fn, namespace: ns }}
spec:
  className: org.example.Fn
  imageHasPulsarctl: {}
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ {pulsar} }}
  java: {{ jar: {}, jarLocation: "{}" }}
"#,
            case.pulsarctl, case.package, case.location
        );
        let ours = h.run_command(&function_command(&f));
        ours.assert_ok();
        let dest = format!("/pulsar/download/{}", case.package);
        let expected: Vec<String> = case
            .expected
            .iter()
            .map(|w| match *w {
                w if w == case.package => dest.clone(),
                OAUTH2_PARAMS => OUR_OAUTH2_PARAMS.to_owned(),
                w => w.to_owned(),
            })
            .collect();
        let upstream = h.run("bash", &expected.join(" "));
        upstream.assert_ok();
        assert_eq!(
            download_calls(&ours),
            download_calls(&upstream),
            "case {} {} tls {:?} auth {:?}",
            case.location,
            if case.pulsarctl {
                "pulsarctl"
            } else {
                "pulsar-admin"
            },
            case.tls,
            case.auth
        );
        assert!(ours.files.contains_key(&dest), "{dest} downloaded");
    }
}

/// Deliberate differences (README): with the legacy `tlsSecret`, pulsar-admin gets the
/// switches its values ask for (upstream always passed `--tls-allow-insecure
/// --tls-enable-hostname-verification`); an unset `tlsConfig.hostnameVerification` verifies
/// (upstream's Go zero value turned it off).
#[test]
fn tls_choices_follow_the_settings() {
    let Some(mut h) = Harness::new() else { return };
    h.env("tlsAllowInsecureConnection", "false")
        .env("tlsTrustCertsFilePath", "/etc/tls/ca.crt");
    let function = |pulsar: &str| {
        format!(
            r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: {{ name: fn, namespace: ns }}
spec:
  className: org.example.Fn
  input: {{ topics: [persistent://public/default/in] }}
  pulsar: {{ pulsarConfig: cluster, {pulsar} }}
  java: {{ jar: fn.jar, jarLocation: "function://public/default/fn@1" }}
"#
        )
    };
    let run = h.run_command(&function_command(&function("tlsSecret: tls")));
    run.assert_ok();
    let admin = run.call("/pulsar/bin/pulsar-admin");
    assert!(!admin.args.contains(&"--tls-allow-insecure".to_owned()));
    assert!(admin
        .args
        .contains(&"--tls-enable-hostname-verification".to_owned()));
    assert_eq!(
        flag(&admin.args, "--tls-trust-cert-path"),
        "/etc/tls/ca.crt"
    );

    let run = h.run_command(&function_command(&function(
        "tlsConfig: { enabled: true, certSecretName: ca, certSecretKey: ca.crt }",
    )));
    run.assert_ok();
    assert_eq!(
        flag(&run.call("java").args, "--hostname_verification_enabled"),
        "true"
    );
    assert!(run
        .call("/pulsar/bin/pulsar-admin")
        .args
        .contains(&"--tls-enable-hostname-verification".to_owned()));
}
