//! Cases of upstream's own Go tests (`controllers/spec/*_test.go`) that state an expected
//! command line, function details or object, run through fm-desired. Literals are copied from
//! those tests as test data; JSON documents are compared as values (Go writes map keys sorted,
//! fm-desired in the order written: see the README's deliberate differences).

mod common;

use common::run_script::Harness;
use common::shell;
use fm_api::{Function, Sink, Source};
use fm_desired::{desired_for, DesiredObjects, Options};
use serde_json::{json, Value};

fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    serde_yaml_ng::from_str(yaml).expect("test resource parses")
}

fn script(o: &DesiredObjects) -> String {
    o.statefulset
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers.last())
        .and_then(|c| c.command.clone())
        .expect("command")[2]
        .clone()
}

fn details(o: &DesiredObjects) -> Value {
    let words = shell::exec_words(&script(o));
    let at = words
        .iter()
        .position(|w| w == "--function_details")
        .expect("details flag");
    serde_json::from_str(&words[at + 1]).expect("details JSON")
}

fn function_details(yaml: &str) -> Value {
    let f: Function = parse(yaml);
    details(&desired_for(&f, None, &Options::default()).expect("valid"))
}

/// A JSON string field of the details, parsed.
fn inner(v: &Value) -> Value {
    serde_json::from_str(v.as_str().expect("a JSON string")).expect("inner JSON")
}

/// `makeFunctionSample` of upstream's `function_test.go`, as YAML, with `extra` appended under
/// `spec:` (later keys replace earlier ones).
fn function_sample(name: &str, input: &str, output: &str, extra: &str) -> String {
    format!(
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
  input: {input}
  output: {output}
  forwardSourceMessageProperty: true
  replicas: 1
  minReplicas: 1
  maxReplicas: 5
  autoAck: true
  maxPendingAsyncRequests: 1000
  pulsar: {{ pulsarConfig: test-pulsar }}
  java: {{ jar: pulsar-functions-api-examples.jar, jarLocation: public/default/nlu-test-java-function }}
{extra}"#
    )
}

const SAMPLE_INPUT: &str =
    "{ topics: [persistent://public/default/java-function-input-topic], typeClassName: java.lang.String }";
const SAMPLE_OUTPUT: &str =
    "{ topic: persistent://public/default/java-function-output-topic, typeClassName: java.lang.String }";

/// `TestGenerateFunctionInputSpecWithConnector` (utils_test.go).
#[test]
fn function_input_spec_with_connector() {
    let d = function_details(&function_sample(
        "connector-source",
        "{ typeClassName: java.lang.String }",
        SAMPLE_OUTPUT,
        r#"  sourceConfig:
    sourceType: kafka
    className: org.apache.pulsar.io.kafka.KafkaSource
    configs: { bootstrapServers: "kafka:9092", groupId: test-consumer }
"#,
    ));
    assert_eq!(d["source"]["builtin"], "kafka");
    assert_eq!(
        d["source"]["className"],
        "org.apache.pulsar.io.kafka.KafkaSource"
    );
    assert_eq!(
        inner(&d["source"]["configs"]),
        inner(&json!(
            r#"{"bootstrapServers":"kafka:9092","groupId":"test-consumer"}"#
        ))
    );
}

/// `TestGenerateFunctionOutputSpecWithConnector` (utils_test.go).
#[test]
fn function_output_spec_with_connector() {
    let d = function_details(&function_sample(
        "connector-sink",
        SAMPLE_INPUT,
        "{ typeClassName: java.lang.String }",
        r#"  sinkConfig:
    sinkType: kafka
    className: org.apache.pulsar.io.kafka.KafkaSink
    configs: { bootstrapServers: "kafka:9092", topic: kafka-output }
"#,
    ));
    assert_eq!(d["sink"]["builtin"], "kafka");
    assert_eq!(
        d["sink"]["className"],
        "org.apache.pulsar.io.kafka.KafkaSink"
    );
    assert_eq!(
        inner(&d["sink"]["configs"]),
        inner(&json!(
            r#"{"bootstrapServers":"kafka:9092","sinkType":"kafka","topic":"kafka-output"}"#
        ))
    );
    // Deliberate difference (README): keys stay in the order written, where Go sorts them.
    assert_eq!(
        d["sink"]["configs"],
        r#"{"bootstrapServers":"kafka:9092","topic":"kafka-output","sinkType":"kafka"}"#
    );
}

/// `TestBuildSourceConnectorDetailsFromConfig` (utils_test.go): everything in the configs.
#[test]
fn source_connector_details_from_config() {
    let d = function_details(&function_sample(
        "connector-source",
        "{}",
        SAMPLE_OUTPUT,
        r#"  sourceConfig:
    configs:
      archive: builtin://filesystem
      className: org.apache.pulsar.io.fs.FileSource
      typeClassName: java.lang.String
      configs: { inputDirectory: /var/data, recurse: true }
"#,
    ));
    assert_eq!(d["source"]["builtin"], "filesystem");
    assert_eq!(
        d["source"]["className"],
        "org.apache.pulsar.io.fs.FileSource"
    );
    assert_eq!(d["source"]["typeClassName"], "java.lang.String");
    assert_eq!(
        inner(&d["source"]["configs"]),
        inner(&json!(r#"{"inputDirectory":"/var/data","recurse":true}"#))
    );
}

/// `TestBuildSinkConnectorDetailsFromConfig` (utils_test.go).
#[test]
fn sink_connector_details_from_config() {
    let d = function_details(&function_sample(
        "connector-sink",
        SAMPLE_INPUT,
        "{}",
        r#"  sinkConfig:
    configs:
      archive: builtin://jms
      className: org.apache.pulsar.io.jms.JMSSink
      configs: { queueName: demo-queue }
"#,
    ));
    assert_eq!(d["sink"]["builtin"], "jms");
    assert_eq!(d["sink"]["className"], "org.apache.pulsar.io.jms.JMSSink");
    assert_eq!(
        inner(&d["sink"]["configs"]),
        inner(&json!(r#"{"queueName":"demo-queue","sinkType":"jms"}"#))
    );
}

/// `TestJavaFunctionCommandWithConnectorOverrides` (function_test.go): input and output
/// without a type take the connectors' `java.lang.Object`; connector configs pass through.
#[test]
fn java_function_command_with_connector_overrides() {
    let d = function_details(&function_sample(
        "connector-test",
        "{}",
        "{}",
        r#"  sourceConfig:
    sourceType: kinesis
    typeClassName: java.lang.Object
    configs:
      awsEndpoint: "http://localstack:4566"
      cloudwatchEndpoint: "http://localstack:4566"
      dynamoEndpoint: "http://localstack:4566"
      awsRegion: us-east-1
      awsKinesisStreamName: demo-stream
      awsCredentialPluginParam: '{"accessKey":"test","secretKey":"test"}'
      useEnhancedFanOut: false
      applicationName: pulsar-kinesis-demo
      initialPositionInStream: TRIM_HORIZON
  sinkConfig:
    sinkType: kafka
    typeClassName: java.lang.Object
    configs:
      bootstrapServers: "kafka:9092"
      acks: all
      topic: kinesis-demo
      producerConfigProperties: { enable.idempotence: true }
"#,
    ));
    assert_eq!(d["tenant"], "public");
    assert_eq!(d["namespace"], "default");
    assert_eq!(d["name"], "connector-test");
    assert_eq!(d["source"]["builtin"], "kinesis");
    assert_eq!(d["source"]["typeClassName"], "java.lang.Object");
    let source = inner(&d["source"]["configs"]);
    assert_eq!(source["awsEndpoint"], "http://localstack:4566");
    assert_eq!(source["awsKinesisStreamName"], "demo-stream");
    assert_eq!(source["initialPositionInStream"], "TRIM_HORIZON");
    assert_eq!(d["sink"]["typeClassName"], "java.lang.Object");
    let sink = inner(&d["sink"]["configs"]);
    assert_eq!(sink["sinkType"], "kafka");
    assert_eq!(sink["bootstrapServers"], "kafka:9092");
    assert_eq!(sink["acks"], "all");
    assert_eq!(sink["producerConfigProperties"]["enable.idempotence"], true);
}

/// A connector's `typeClassName` fills the function's input/output type only when that is
/// unset (`applyFunctionConnectorSourceSpec` / `...SinkSpec` in utils.go).
#[test]
fn connector_type_does_not_override_the_functions_own() {
    let d = function_details(&function_sample(
        "connector-typed",
        "{ typeClassName: java.lang.String }",
        "{ typeClassName: java.lang.Integer }",
        r#"  sourceConfig: { sourceType: kafka, typeClassName: java.lang.Object }
  sinkConfig: { sinkType: kafka, typeClassName: java.lang.Object }
"#,
    ));
    assert_eq!(d["source"]["typeClassName"], "java.lang.String");
    assert_eq!(d["sink"]["typeClassName"], "java.lang.Integer");
}

/// `TestBatchSource` (utils_test.go): the batch executor's keys join the source's configs.
#[test]
fn batch_source() {
    let s: Source = parse(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: { name: test-source, namespace: default, uid: dead-beef }
spec:
  name: test-suorce
  className: org.apache.pulsar.ecosystem.io.bigquery.BigQuerySource
  tenant: public
  clusterName: test-pulsar
  output:
    topic: persistent://public/default/destination
    typeClassName: org.apache.pulsar.common.schema.KeyValue
    producerConf: { maxPendingMessages: 1000, maxPendingMessagesAcrossPartitions: 50000, useThreadLocalProducers: true }
  batchSourceConfig:
    discoveryTriggererClassName: test-trigger-class
    discoveryTriggererConfig: { test-key: test-value }
  sourceConfig: { tableName: test-table }
  pulsar: { pulsarConfig: test-pulsar }
  image: test-image
  java: { jar: connectors/test.jar, jarLocation: "" }
"#,
    );
    let d = details(&desired_for(&s, None, &Options::default()).expect("valid"));
    assert_eq!(
        d["source"]["className"],
        "org.apache.pulsar.functions.source.batch.BatchSourceExecutor"
    );
    let configs = inner(&d["source"]["configs"]);
    let expected = inner(&json!(
        r#"{"__BATCHSOURCECLASSNAME__":"org.apache.pulsar.ecosystem.io.bigquery.BigQuerySource","__BATCHSOURCECONFIGS__":"{\"discoveryTriggererClassName\":\"test-trigger-class\",\"discoveryTriggererConfig\":{\"test-key\":\"test-value\"}}","tableName":"test-table"}"#
    ));
    assert_eq!(configs, expected);
}

/// `TestMarshalSecretsMap` (utils_test.go), through a Function's details. Upstream's case
/// has no `key`; fm-desired refuses such an entry (README), so the key is added here.
#[test]
fn secrets_map() {
    let d = function_details(&function_sample(
        "secrets",
        SAMPLE_INPUT,
        SAMPLE_OUTPUT,
        "  secretsMap: { foo: { path: path, key: k } }\n",
    ));
    assert_eq!(d["secretsMap"], r#"{"foo":{"path":"path","key":"k"}}"#);
    let f: Function = parse(&function_sample(
        "secrets",
        SAMPLE_INPUT,
        SAMPLE_OUTPUT,
        "  secretsMap: { foo: { path: path } }\n",
    ));
    let err = desired_for(&f, None, &Options::default()).expect_err("refused");
    assert!(err.to_string().contains("secretsMap.foo"), "{err}");
}

/// `TestCreateFunctionDetailsForStatefulFunction` (function_test.go).
#[test]
fn stateful_function() {
    let f: Function = parse(&function_sample(
        "test",
        SAMPLE_INPUT,
        SAMPLE_OUTPUT,
        "  statefulConfig: { pulsar: { serviceUrl: \"bk://localhost:4181\" } }\n",
    ));
    let o = desired_for(&f, None, &Options::default()).expect("valid");
    let words = shell::exec_words(&script(&o));
    assert!(words
        .windows(2)
        .any(|w| w == ["--state_storage_serviceurl", "bk://localhost:4181"]));
}

/// The sink of upstream's `TestSinkCommandShellQuotesFunctionDetails` / `...ClientAuthParams`.
fn quoting_sink(sink_config: &str, pulsar: &str) -> Vec<String> {
    let s: Sink = parse(&format!(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Sink
metadata: {{ name: time-pattern-sink, namespace: default, uid: dead-beef }}
spec:
  name: time-pattern-sink
  className: org.apache.pulsar.io.jcloud.sink.CloudStorageGenericRecordSink
  tenant: public
  namespace: default
  clusterName: test-pulsar
  input: {{ topics: [persistent://public/default/input], typeClassName: org.apache.pulsar.client.api.schema.GenericRecord }}
  sinkConfig: {sink_config}
  replicas: 1
  autoAck: true
  pulsar: {pulsar}
  java: {{ jar: connectors/pulsar-io-cloud-storage.nar, jarLocation: "" }}
  image: "streamnative/pulsar-io-cloud-storage:latest"
"#
    ));
    let o = desired_for(&s, None, &Options::default()).expect("valid");
    o.statefulset
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|p| p.containers.last().cloned())
        .and_then(|c| c.command)
        .expect("command")
}

/// `TestSinkCommandShellQuotesFunctionDetails` and `TestSinkCommandShellQuotesClientAuthParams`
/// (function_test.go): single quotes in configs and credentials reach the instance intact.
#[test]
fn sink_command_quotes_details_and_auth_params() {
    let Some(h) = Harness::new() else { return };
    let run = h.run_command(&quoting_sink(
        r#"{ partitionerType: time, timePartitionDuration: 1m, timePartitionPattern: "yyyy-MM-dd/HH'h'-mm'm'" }"#,
        "{ pulsarConfig: test-pulsar }",
    ));
    run.assert_ok();
    let args = &run.call("java").args;
    let at = args
        .iter()
        .position(|a| a == "--function_details")
        .expect("details");
    let d: Value = serde_json::from_str(&args[at + 1]).expect("details JSON");
    assert_eq!(
        inner(&d["sink"]["configs"])["timePartitionPattern"],
        "yyyy-MM-dd/HH'h'-mm'm'"
    );

    let run = h.run_command(&quoting_sink(
        r#"{ elasticSearchUrl: "http://localhost:9200" }"#,
        r#"{ pulsarConfig: test-pulsar, authConfig: { genericAuth: { clientAuthenticationPlugin: auth-plugin, clientAuthenticationParameters: "{\"token\":\"a'b\"}" } } }"#,
    ));
    run.assert_ok();
    let args = &run.call("java").args;
    assert!(args.windows(4).any(|w| w
        == [
            "--client_auth_plugin",
            "auth-plugin",
            "--client_auth_params",
            r#"{"token":"a'b"}"#
        ]));
}

/// `TestMakeGoFunctionCommand` (common_test.go): bash runs the binary named by `go`, with
/// `-instance-conf` and the configuration.
#[test]
fn go_function_command() {
    let Some(mut h) = Harness::new() else { return };
    h.stub("/pulsar/go-func", common::run_script::Stub::Record);
    let f: Function = parse(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: test-function, namespace: default, uid: dead-beef }
spec:
  name: test-function
  tenant: public
  clusterName: test-pulsar
  input: { topics: [persistent://public/default/go-function-input-topic] }
  output: { topic: persistent://public/default/go-function-output-topic }
  logTopic: persistent://public/default/go-function-logs
  forwardSourceMessageProperty: true
  replicas: 1
  minReplicas: 1
  maxReplicas: 5
  autoAck: true
  maxPendingAsyncRequests: 1000
  pulsar: { pulsarConfig: test-pulsar }
  golang: { go: /pulsar/go-func }
"#,
    );
    let command = desired_for(&f, None, &Options::default())
        .expect("valid")
        .statefulset
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|p| p.containers.last().cloned())
        .and_then(|c| c.command)
        .expect("command");
    assert_eq!(command[..2], ["bash", "-c"]);
    assert!(command[2].starts_with("SHARD_ID=${POD_NAME##*-} && echo shardId=${SHARD_ID}"));
    let run = h.run_command(&command);
    run.assert_ok();
    let call = run.call("/pulsar/go-func");
    assert_eq!(call.args.len(), 2);
    assert_eq!(call.args[0], "-instance-conf");
    let conf: Value = serde_json::from_str(&call.args[1]).expect("Go conf");
    assert_eq!(conf["instanceID"], 3);
    assert_eq!(conf["funcID"], "3-dead-beef");
    assert_eq!(conf["pulsarServiceURL"], "pulsar://broker:6650");
    assert_eq!(conf["clusterName"], "test-pulsar");
    assert_eq!(
        conf["logTopic"],
        "persistent://public/default/go-function-logs"
    );
    assert_eq!(
        conf["sourceSpecsTopic"],
        "persistent://public/default/go-function-input-topic"
    );
    assert_eq!(
        conf["sinkSpecsTopic"],
        "persistent://public/default/go-function-output-topic"
    );
}
