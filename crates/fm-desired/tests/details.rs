//! Function details of less common specs: windows, batch sources, connectors, generic runtime.

mod common;

use common::shell;
use fm_desired::{desired_for, Options};

fn details_of(script: &str) -> serde_json::Value {
    let words = shell::exec_words(script);
    let at = words
        .iter()
        .position(|w| w == "--function_details")
        .expect("details flag");
    serde_json::from_str(&words[at + 1]).expect("details JSON")
}

fn script(o: &fm_desired::DesiredObjects) -> (String, String) {
    let pod = o
        .statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("pod");
    let c = pod.containers.last().expect("main");
    (
        c.command.clone().expect("command")[2].clone(),
        c.image.clone().expect("image"),
    )
}

#[test]
fn window_function() {
    let f: fm_api::Function = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: w }
spec:
  className: org.example.Window
  processingGuarantee: manual
  subscriptionPosition: latest
  funcConfig: { k: v }
  windowConfig: { windowLengthCount: 10, slidingIntervalCount: 5, actualWindowFunctionClassName: "" }
  input: { topics: [persistent://public/default/in] }
  pulsar: { pulsarConfig: c }
  java: { jar: w.jar }
"#,
    )
    .expect("parses");
    let o = desired_for(&f, None, &Options::default()).expect("valid");
    let d = details_of(&script(&o).0);
    assert_eq!(
        d["className"],
        "org.apache.pulsar.functions.windowing.WindowFunctionExecutor"
    );
    assert_eq!(d["processingGuarantees"], "MANUAL");
    assert!(
        d["source"].get("subscriptionPosition").is_none(),
        "LATEST is the zero value"
    );
    let user: serde_json::Value =
        serde_json::from_str(d["userConfig"].as_str().expect("string")).expect("json");
    assert_eq!(user["k"], "v");
    assert_eq!(
        user["__WINDOWCONFIGS__"]["actualWindowFunctionClassName"],
        "org.example.Window"
    );
    assert_eq!(user["__WINDOWCONFIGS__"]["windowLengthCount"], 10);
    assert_eq!(
        script(&o).1,
        "streamnative/pulsar-functions-java-runner:3.2.2.1"
    );
}

#[test]
fn batch_source_from_package() {
    let s: fm_api::Source = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: { name: b }
spec:
  className: org.example.Batch
  batchSourceConfig: { discoveryTriggererClassName: org.example.Trigger, discoveryTriggererConfig: { every: 5 } }
  sourceConfig: { a: 1 }
  output: { topic: persistent://public/default/out }
  pulsar: { pulsarConfig: c }
  java: { jar: b.nar, jarLocation: "source://public/default/b@1" }
"#,
    )
    .expect("parses");
    let o = desired_for(&s, None, &Options::default()).expect("valid");
    let (script, image) = script(&o);
    assert_eq!(
        image, "streamnative/pulsar-functions-java-runner:3.2.2.1",
        "packaged connectors run on the java runner"
    );
    let d = details_of(&script);
    assert_eq!(d["componentType"], "SOURCE");
    assert_eq!(
        d["source"]["className"],
        "org.apache.pulsar.functions.source.batch.BatchSourceExecutor"
    );
    let configs: serde_json::Value =
        serde_json::from_str(d["source"]["configs"].as_str().expect("string")).expect("json");
    assert_eq!(configs["a"], 1);
    assert_eq!(configs["__BATCHSOURCECLASSNAME__"], "org.example.Batch");
    let batch: serde_json::Value =
        serde_json::from_str(configs["__BATCHSOURCECONFIGS__"].as_str().expect("string"))
            .expect("json");
    assert_eq!(batch["discoveryTriggererClassName"], "org.example.Trigger");
    // Producer settings are always explicit for sources.
    assert_eq!(d["sink"]["producerSpec"]["maxPendingMessages"], 1000);
    assert_eq!(d["sink"]["producerSpec"]["useThreadLocalProducers"], true);
}

#[test]
fn generic_runtime_uses_sh_and_language_image() {
    let f: fm_api::Function = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: g }
spec:
  input: { topics: [persistent://public/default/in] }
  pulsar: { pulsarConfig: c }
  genericRuntime: { functionFile: /app/index.js, language: nodejs }
"#,
    )
    .expect("parses");
    let o = desired_for(&f, None, &Options::default()).expect("valid");
    let pod = o
        .statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("pod");
    let c = pod.containers.last().expect("main");
    assert_eq!(c.command.as_ref().expect("command")[0], "sh");
    assert_eq!(
        c.image.as_deref(),
        Some("streamnative/pulsar-functions-generic-nodejs-runner:0.1.0")
    );
    let words = shell::exec_words(&c.command.as_ref().expect("command")[2]);
    assert_eq!(
        &words[..6],
        [
            "exec",
            "pulsar_rust_instance",
            "--function_file",
            "/app/index.js",
            "--language",
            "nodejs"
        ]
    );
}

/// The function details of a Java Function `f`, with `spec` (indented YAML) in its spec.
fn java_function_details(spec: &str) -> serde_json::Value {
    let f: fm_api::Function = serde_yaml_ng::from_str(&format!(
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {{ name: f }}\n\
         spec:\n  className: org.example.F\n  pulsar: {{ pulsarConfig: c }}\n  java: {{ jar: f.jar }}\n{spec}"
    ))
    .expect("parses");
    let o = desired_for(&f, None, &Options::default()).expect("valid");
    details_of(&script(&o).0)
}

/// Upstream's webhook gives an unset or empty `typeClassName` the byte-array class; Pulsar's
/// Java instance cannot start with an empty one. Given ones pass through.
#[test]
fn unset_type_class_names_are_byte_arrays_as_upstream_defaults_them() {
    let function = |input: &str, output: &str| {
        java_function_details(&format!(
            "  input: {{ topics: [persistent://public/default/in]{input} }}\n  \
             output: {{ topic: persistent://public/default/out{output} }}\n"
        ))
    };
    let unset = function("", "");
    assert_eq!(unset["source"]["typeClassName"], "[B");
    assert_eq!(unset["sink"]["typeClassName"], "[B");
    let empty = function(", typeClassName: ''", ", typeClassName: ''");
    assert_eq!(empty["source"]["typeClassName"], "[B");
    assert_eq!(empty["sink"]["typeClassName"], "[B");
    let given = function(
        ", typeClassName: java.lang.String",
        ", typeClassName: java.lang.Integer",
    );
    assert_eq!(given["source"]["typeClassName"], "java.lang.String");
    assert_eq!(given["sink"]["typeClassName"], "java.lang.Integer");

    let source: fm_api::Source = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: { name: s }
spec:
  className: org.example.Generator
  sourceConfig: { rate: 1 }
  output: { topic: persistent://public/default/out }
  pulsar: { pulsarConfig: c }
  java: { jar: s.jar }
"#,
    )
    .expect("parses");
    let o = desired_for(&source, None, &Options::default()).expect("valid");
    let d = details_of(&script(&o).0);
    assert_eq!(d["source"]["typeClassName"], "[B");
    assert_eq!(d["sink"]["typeClassName"], "[B");
}

/// A window without a sliding interval tumbles, and an event-time window gets Pulsar's lag and
/// watermark defaults, as Pulsar's worker infers them; given values are kept.
#[test]
fn missing_window_settings_are_inferred_as_pulsar_does() {
    let window_of = |window: &str| {
        let d = java_function_details(&format!(
            "  windowConfig: {{ actualWindowFunctionClassName: \"\", {window} }}\n  \
             input: {{ topics: [persistent://public/default/in] }}\n"
        ));
        let user: serde_json::Value =
            serde_json::from_str(d["userConfig"].as_str().expect("string")).expect("json");
        user["__WINDOWCONFIGS__"].clone()
    };
    let count = window_of("windowLengthCount: 10");
    assert_eq!(count["slidingIntervalCount"], 10);
    assert!(count.get("maxLagMs").is_none(), "processing time: no lag");

    let time = window_of(
        "windowLengthDurationMs: 60000, timestampExtractorClassName: org.example.EventTime",
    );
    assert_eq!(time["slidingIntervalDurationMs"], 60000);
    assert_eq!(time["maxLagMs"], 0);
    assert_eq!(time["watermarkEmitIntervalMs"], 1000);

    let given = window_of(
        "windowLengthDurationMs: 60000, slidingIntervalDurationMs: 10000, \
         timestampExtractorClassName: org.example.EventTime, maxLagMs: 5000, watermarkEmitIntervalMs: 200",
    );
    assert_eq!(given["slidingIntervalDurationMs"], 10000);
    assert_eq!(given["maxLagMs"], 5000);
    assert_eq!(given["watermarkEmitIntervalMs"], 200);
}

/// Crypto failure actions are matched by their exact protobuf name, anything else is FAIL
/// (`getConsumerProtoFailureAction` / `getProducerProtoFailureAction` in upstream's
/// `controllers/spec/utils.go`). FAIL is the enum's zero value and so is left out.
#[test]
fn crypto_failure_actions_match_upstreams_exact_names() {
    let d = java_function_details(
        "  input:\n    sourceSpecs:\n      persistent://public/default/in:\n        \
         cryptoConfig: { cryptoKeyReaderClassName: K, consumerCryptoFailureAction: CONSUME }\n      \
         persistent://public/default/in2:\n        \
         cryptoConfig: { cryptoKeyReaderClassName: K, consumerCryptoFailureAction: consume }\n  \
         output:\n    topic: persistent://public/default/out\n    producerConf:\n      \
         cryptoConfig: { cryptoKeyReaderClassName: K, producerCryptoFailureAction: discard }\n",
    );
    let specs = &d["source"]["inputSpecs"];
    assert_eq!(
        specs["persistent://public/default/in"]["cryptoSpec"]["consumerCryptoFailureAction"],
        "CONSUME"
    );
    let lower = &specs["persistent://public/default/in2"]["cryptoSpec"];
    assert_eq!(lower["cryptoKeyReaderClassName"], "K");
    assert!(
        lower.get("consumerCryptoFailureAction").is_none(),
        "{lower}"
    );
    let producer = &d["sink"]["producerSpec"]["cryptoSpec"];
    assert_eq!(producer["cryptoKeyReaderClassName"], "K");
    assert!(
        producer.get("producerCryptoFailureAction").is_none(),
        "{producer}"
    );
}

/// A Function's `timeout` is also its negative-ack redelivery delay, as upstream
/// (`generateFunctionInputSpec` in `controllers/spec/utils.go`) and Pulsar's own function
/// worker (`FunctionConfigUtils`) set it: failed messages come back as soon as they time out.
#[test]
fn function_timeout_is_also_the_negative_ack_delay() {
    let d = java_function_details(
        "  timeout: 30000\n  input: { topics: [persistent://public/default/in] }\n",
    );
    assert_eq!(d["source"]["timeoutMs"], "30000");
    assert_eq!(d["source"]["negativeAckRedeliveryDelayMs"], "30000");
    let d = java_function_details("  input: { topics: [persistent://public/default/in] }\n");
    assert!(d["source"].get("negativeAckRedeliveryDelayMs").is_none());
}
