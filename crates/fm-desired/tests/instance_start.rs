//! The generated container commands, run under a real bash with stand-ins for the programs
//! they start (see `common/run_script.rs`): what the java / python / Go instance and the
//! downloader receive once the shell has expanded the script, compared with what upstream's
//! operator makes them receive.

mod common;

use common::run_script::{real_program, Harness, Run, Stub};
use fm_api::{Function, Sink, Source};
use fm_desired::{desired_for_function, desired_for_sink, desired_for_source, Options};
use k8s_openapi::api::apps::v1::StatefulSet;

fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    serde_yaml_ng::from_str(yaml).expect("test resource parses")
}

fn command(sts: &StatefulSet) -> Vec<String> {
    sts.spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.last())
        .and_then(|c| c.command.clone())
        .expect("main container command")
}

fn function_command(yaml: &str) -> Vec<String> {
    let f: Function = parse(yaml);
    command(
        &desired_for_function(&f, None, &Options::default())
            .expect("valid")
            .statefulset,
    )
}

fn source_command(yaml: &str) -> Vec<String> {
    let s: Source = parse(yaml);
    command(
        &desired_for_source(&s, None, &Options::default())
            .expect("valid")
            .statefulset,
    )
}

fn sink_command(yaml: &str) -> Vec<String> {
    let s: Sink = parse(yaml);
    command(
        &desired_for_sink(&s, None, &Options::default())
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
        let err = desired_for_function(&f, None, &Options::default())
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
