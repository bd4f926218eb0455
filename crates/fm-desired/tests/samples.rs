//! Desired objects of every upstream sample, snapshotted as YAML.

mod common;

use fm_desired::{render_stream, Options};

#[test]
fn samples_render_to_snapshots() {
    let Some(samples) = common::upstream::upstream_files("samples") else {
        return common::upstream::skip("samples_render_to_snapshots");
    };
    for path in samples {
        let docs = common::load(&path);
        let rendered = render_stream(&docs, &Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!rendered.is_empty(), "{}: nothing rendered", path.display());
        // Determinism: a second run gives the same bytes.
        assert_eq!(
            rendered,
            render_stream(&docs, &Options::default()).expect("second render")
        );
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_owned();
        insta::with_settings!({ snapshot_path => common::SNAPSHOTS, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
}

/// A resource using most features at once, with a uid as in a cluster (owner references), and
/// the v2beta2 form of its HPA.
#[test]
fn feature_rich_function_snapshot() {
    let f: fm_api::Function = serde_yaml_ng::from_str(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: rich, namespace: streaming, uid: 6f1c8a6e-0000-4000-8000-000000000001 }
spec:
  className: org.example.Rich
  tenant: shop
  namespace: orders
  replicas: 2
  maxReplicas: 6
  input: { topics: [persistent://shop/orders/in], customSchemaSources: { persistent://shop/orders/in: AVRO } }
  output: { topic: persistent://shop/orders/out, sinkSchemaType: JSON, producerConf: { compressionType: ZSTD } }
  funcConfig: { greeting: "it's $HOME" }
  resources: { requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: "1", memory: 1Gi } }
  pulsar:
    pulsarConfig: shop-pulsar
    authConfig:
      oauth2Config: { audience: "urn:sn:pulsar:shop", issuerUrl: "https://auth.example/", keySecretName: oauth2-key, keySecretKey: auth.json, scope: "api://x/.default" }
    tlsConfig: { enabled: true, certSecretName: pulsar-ca, certSecretKey: ca.crt }
  pod:
    labels: { team: data }
    tolerations: [{ key: dedicated, operator: Equal, value: streaming, effect: NoSchedule }]
    autoScalingMetrics:
      - type: Resource
        resource: { name: memory, target: { type: Utilization, averageUtilization: 70 } }
    autoScalingBehavior:
      scaleDown: { stabilizationWindowSeconds: 300 }
  java:
    jar: rich.jar
    jarLocation: "https://artifacts.example/rich-1.0.jar"
    log: { level: info, rotatePolicy: TimedPolicyWithDaily, format: json, javaLog4JConfigFileType: yaml }
"#,
    )
    .expect("parses");
    let mut cm = fm_desired::ClusterConfig::default();
    cm.data
        .insert("brokerServiceURL".into(), "pulsar+ssl://broker:6651".into());
    cm.data
        .insert("webServiceURL".into(), "https://broker:8443".into());
    let o = fm_desired::desired_for(&f, Some(&cm), &Options::default()).expect("valid");
    let mut out = String::new();
    for yaml in [
        serde_yaml_ng::to_string(&o.statefulset),
        serde_yaml_ng::to_string(&o.service),
        serde_yaml_ng::to_string(&o.hpa),
        serde_yaml_ng::to_string(&o.hpa_v2beta2().expect("converts")),
    ] {
        out.push_str("---\n");
        out.push_str(&yaml.expect("serialises"));
    }
    insta::with_settings!({ snapshot_path => common::SNAPSHOTS, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("feature_rich_function", out);
    });
}
