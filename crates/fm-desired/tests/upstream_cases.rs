//! Cases of upstream's own Go tests (`controllers/spec/*_test.go`) that state an expected
//! command line, function details or object, run through fm-desired. Literals are copied from
//! those tests as test data; JSON documents are compared as values (Go writes map keys sorted,
//! fm-desired in the order written: see the README's deliberate differences).

mod common;

use common::shell;
use fm_api::Function;
use fm_desired::{desired_for_function, DesiredObjects, Options};
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
    details(&desired_for_function(&f, None, &Options::default()).expect("valid"))
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
