//! BackendConfig merging, with upstream's own test literals: the Function, the global and the
//! namespaced BackendConfig of its end-to-end case `global-and-namespaced-config`
//! (`.ci/tests/integration/cases/global-and-namespaced-config/manifests.yaml` and
//! `mesh-config.yaml`, `.ci/clusters/global_backend_config.yaml`), and the values its
//! `verify.sh` expects in the pod. Where fm-desired deliberately differs (README), the test
//! says so.

use fm_api::{BackendConfig, Function, Source};
use fm_desired::backend_config::{Applied, AppliedConfig, APPLIED_ANNOTATION};
use fm_desired::{desired_for, desired_with, BackendConfigs, DesiredObjects, Options};
use k8s_openapi::api::core::v1::{Container, PodSpec};
use serde_json::{json, Value};

const FUNCTION: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata:
  name: function-sample-env
  namespace: default
spec:
  image: streamnative/pulsar-functions-java-sample:3.2.2.1
  className: org.apache.pulsar.functions.api.examples.ExclamationFunction
  forwardSourceMessageProperty: true
  maxPendingAsyncRequests: 1000
  replicas: 1
  maxReplicas: 5
  logTopic: persistent://public/default/logging-function-logs
  input:
    topics:
      - persistent://public/default/input-java-topic
    typeClassName: java.lang.String
  pod:
    disableDefaultAffinity: true
    env:
      - name: "podenv"
        value: "podvalue"
  output:
    topic: persistent://public/default/output-java-topic
    typeClassName: java.lang.String
  resources:
    requests:
      cpu: 50m
      memory: 1G
    limits:
      memory: 1.1G
  secretsMap:
    "name":
      path: "test-secret"
      key: "username"
    "pwd":
      path: "test-secret"
      key: "password"
  pulsar:
    pulsarConfig: "test-pulsar"
    tlsConfig:
      enabled: false
      allowInsecure: false
      hostnameVerification: true
      certSecretName: sn-platform-tls-broker
      certSecretKey: ""
  java:
    jar: /pulsar/examples/api-examples.jar
  clusterName: test
  autoAck: true
"#;

/// `.ci/clusters/global_backend_config.yaml` (installed in the operator's namespace).
const GLOBAL: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: BackendConfig
metadata:
  name: global-backend-config
  namespace: function-mesh-system
  resourceVersion: "101"
spec:
  autoUpdate: true
  env:
    global1: globalvalue1
    shared1: fromglobal
  pod:
    liveness:
      initialDelaySeconds: 10
      periodSeconds: 30
    labels:
      from: global-backendconfig
    tolerations:
      - key: disktype
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 600
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions:
                - key: disktype
                  operator: In
                  values:
                    - hdd
"#;

/// `.ci/tests/integration/cases/global-and-namespaced-config/mesh-config.yaml`.
const NAMESPACED: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: BackendConfig
metadata:
  name: backend-config
  namespace: default
  resourceVersion: "202"
spec:
  autoUpdate: true
  env:
    namespaced1: namespacedvalue1
    shared1: fromnamespace
    podenv: backendconfigvalue
  pod:
    liveness:
      initialDelaySeconds: 30
      periodSeconds: 10
    labels:
      from: namespace-backendconfig
    tolerations:
      - key: disktype
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 300
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions:
                - key: disktype
                  operator: In
                  values:
                    - ssd
"#;

fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    serde_yaml_ng::from_str(yaml).expect("test literal parses")
}

fn render(global: Option<&BackendConfig>, namespaced: Option<&BackendConfig>) -> DesiredObjects {
    let function: Function = parse(FUNCTION);
    desired_with(
        &function,
        None,
        &Options::default(),
        &BackendConfigs { global, namespaced },
    )
    .expect("valid")
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
        .find(|c| c.name == "pulsar-function")
        .expect("main container")
}

/// `ci::verify_env`: the value a variable has in the container (the last definition wins in
/// Kubernetes), `None` when undefined.
fn env_value(o: &DesiredObjects, name: &str) -> Option<String> {
    main_container(o)
        .env
        .iter()
        .flatten()
        .rfind(|v| v.name == name)
        .map(|v| v.value.clone().unwrap_or_default())
}

fn label(o: &DesiredObjects, key: &str) -> Option<String> {
    o.statefulset
        .spec
        .as_ref()?
        .template
        .metadata
        .as_ref()?
        .labels
        .as_ref()?
        .get(key)
        .cloned()
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serialises")
}

#[test]
fn global_and_namespaced_as_upstreams_end_to_end_case_expects() {
    let global: BackendConfig = parse(GLOBAL);
    let namespaced: BackendConfig = parse(NAMESPACED);
    let o = render(Some(&global), Some(&namespaced));

    // "if the function defines the same env, it will use the value from the function"
    assert_eq!(env_value(&o, "podenv").as_deref(), Some("podvalue"));
    assert_eq!(env_value(&o, "global1").as_deref(), Some("globalvalue1"));
    assert_eq!(
        env_value(&o, "namespaced1").as_deref(),
        Some("namespacedvalue1")
    );
    // "if global and namespaced config has same key, the value from namespace should be used"
    assert_eq!(env_value(&o, "shared1").as_deref(), Some("fromnamespace"));
    assert_eq!(
        label(&o, "from").as_deref(),
        Some("namespace-backendconfig")
    );
    assert_eq!(
        to_json(&pod(&o).tolerations),
        json!([
            {"effect": "NoExecute", "key": "disktype", "operator": "Exists", "tolerationSeconds": 600},
            {"effect": "NoExecute", "key": "disktype", "operator": "Exists", "tolerationSeconds": 300}
        ])
    );
    assert_eq!(
        to_json(&pod(&o).affinity),
        json!({"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}, "weight": 100}
        ]}})
    );
    // upstream's expected probe, less the fields the API server defaults
    // (failureThreshold 3, successThreshold 1, scheme HTTP)
    assert_eq!(
        to_json(&main_container(&o).liveness_probe),
        json!({"httpGet": {"path": "/", "port": 9094}, "initialDelaySeconds": 30, "periodSeconds": 10, "timeoutSeconds": 10})
    );
}

#[test]
fn the_global_one_alone_as_after_the_namespaced_one_is_deleted() {
    let global: BackendConfig = parse(GLOBAL);
    let o = render(Some(&global), None);
    assert_eq!(env_value(&o, "global1").as_deref(), Some("globalvalue1"));
    assert_eq!(env_value(&o, "shared1").as_deref(), Some("fromglobal"));
    assert_eq!(env_value(&o, "namespaced1"), None);
    assert_eq!(label(&o, "from").as_deref(), Some("global-backendconfig"));
    assert_eq!(
        to_json(&pod(&o).affinity),
        json!({"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["hdd"]}]}, "weight": 100}
        ]}})
    );
    assert_eq!(
        to_json(&pod(&o).tolerations),
        json!([{"effect": "NoExecute", "key": "disktype", "operator": "Exists", "tolerationSeconds": 600}])
    );
    assert_eq!(
        to_json(&main_container(&o).liveness_probe),
        json!({"httpGet": {"path": "/", "port": 9094}, "initialDelaySeconds": 10, "periodSeconds": 30, "timeoutSeconds": 30})
    );
}

#[test]
fn without_backend_configs_the_objects_are_exactly_the_plain_ones() {
    let function: Function = parse(FUNCTION);
    let plain = desired_for(&function, None, &Options::default()).expect("valid");
    let o = render(None, None);
    assert_eq!(o, plain);
    assert_eq!(env_value(&o, "global1"), None);
    assert_eq!(label(&o, "from"), None);
    assert!(main_container(&o).liveness_probe.is_none());
    assert!(pod(&o).tolerations.is_none());
    assert!(o.statefulset.metadata.annotations.is_none());
}

#[test]
fn the_statefulset_records_what_it_was_built_from() {
    let global: BackendConfig = parse(GLOBAL);
    let mut namespaced: BackendConfig = parse(NAMESPACED);
    namespaced.spec.auto_update = None;
    let o = render(Some(&global), Some(&namespaced));
    let recorded = Applied::of_statefulset(&o.statefulset).expect("readable");
    assert_eq!(
        recorded,
        Applied {
            global: Some(AppliedConfig {
                namespace: "function-mesh-system".into(),
                name: "global-backend-config".into(),
                resource_version: "101".into(),
                auto_update: true,
            }),
            namespaced: Some(AppliedConfig {
                namespace: "default".into(),
                name: "backend-config".into(),
                resource_version: "202".into(),
                auto_update: false,
            }),
        }
    );
    let annotations = o
        .statefulset
        .metadata
        .annotations
        .as_ref()
        .expect("annotated");
    assert_eq!(
        annotations[APPLIED_ANNOTATION],
        r#"{"global":{"namespace":"function-mesh-system","name":"global-backend-config","resourceVersion":"101","autoUpdate":true},"namespaced":{"namespace":"default","name":"backend-config","resourceVersion":"202","autoUpdate":false}}"#
    );
    // Pods do not roll for the record: it is on the StatefulSet, not its template.
    let template = o
        .statefulset
        .spec
        .as_ref()
        .expect("spec")
        .template
        .metadata
        .as_ref();
    assert!(!template
        .and_then(|m| m.annotations.as_ref())
        .is_some_and(|a| a.contains_key(APPLIED_ANNOTATION)));
}

#[test]
fn the_resource_wins_over_both_and_its_lists_come_after_theirs() {
    let global: BackendConfig = parse(GLOBAL);
    let namespaced: BackendConfig = parse(NAMESPACED);
    let mut function: Function = parse(FUNCTION);
    let own: fm_api::common::PodPolicy = parse(
        r#"
disableDefaultAffinity: true
env: [{name: podenv, value: podvalue}]
labels: {from: the-function}
annotations: {note: mine}
tolerations: [{key: own, operator: Exists}]
imagePullSecrets: [{name: own-registry}]
liveness: {initialDelaySeconds: 5, periodSeconds: 7}
terminationGracePeriodSeconds: 12
serviceAccountName: own-account
affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}
"#,
    );
    function.spec.common.pod = Some(own);
    let mut backend = namespaced.clone();
    let extra: fm_api::common::PodPolicy = parse(
        r#"
labels: {from: namespace-backendconfig, team: data}
annotations: {note: theirs, owner: platform}
nodeSelector: {pool: functions}
imagePullSecrets: [{name: platform-registry}, {name: own-registry}]
terminationGracePeriodSeconds: 60
serviceAccountName: platform-account
"#,
    );
    let pod_policy = backend.spec.pod.get_or_insert_with(Default::default);
    pod_policy.labels = extra.labels;
    pod_policy.annotations = extra.annotations;
    pod_policy.node_selector = extra.node_selector;
    pod_policy.image_pull_secrets = extra.image_pull_secrets;
    pod_policy.termination_grace_period_seconds = extra.termination_grace_period_seconds;
    pod_policy.service_account_name = extra.service_account_name;
    let o = desired_with(
        &function,
        None,
        &Options::default(),
        &BackendConfigs {
            global: Some(&global),
            namespaced: Some(&backend),
        },
    )
    .expect("valid");
    assert_eq!(label(&o, "from").as_deref(), Some("the-function"));
    assert_eq!(label(&o, "team").as_deref(), Some("data"));
    let template = o
        .statefulset
        .spec
        .as_ref()
        .expect("spec")
        .template
        .metadata
        .as_ref()
        .expect("meta");
    let annotations = template.annotations.as_ref().expect("annotations");
    assert_eq!(annotations["note"], "mine");
    assert_eq!(annotations["owner"], "platform");
    assert_eq!(
        to_json(&pod(&o).node_selector),
        json!({"pool": "functions"})
    );
    assert_eq!(
        to_json(&pod(&o).tolerations),
        json!([
            {"effect": "NoExecute", "key": "disktype", "operator": "Exists", "tolerationSeconds": 600},
            {"effect": "NoExecute", "key": "disktype", "operator": "Exists", "tolerationSeconds": 300},
            {"key": "own", "operator": "Exists"}
        ])
    );
    assert_eq!(
        to_json(&pod(&o).image_pull_secrets),
        json!([{"name": "platform-registry"}, {"name": "own-registry"}])
    );
    assert_eq!(pod(&o).termination_grace_period_seconds, Some(12));
    assert_eq!(pod(&o).service_account_name.as_deref(), Some("own-account"));
    assert_eq!(
        to_json(&pod(&o).affinity)["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
            ["matchExpressions"][0]["key"],
        "zone"
    );
    assert_eq!(
        main_container(&o)
            .liveness_probe
            .as_ref()
            .and_then(|p| p.period_seconds),
        Some(7)
    );
    // One definition per name: server-side apply refuses a repeated env name (upstream
    // prepends `podenv` a second time).
    let names: Vec<&str> = main_container(&o)
        .env
        .iter()
        .flatten()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names.iter().filter(|n| **n == "podenv").count(), 1);
    // The BackendConfig's variables come first, sorted (upstream's order is a Go map's: random).
    assert_eq!(&names[..3], &["global1", "namespaced1", "shared1"]);
}

#[test]
fn every_container_gets_the_env_and_init_containers_do_not() {
    let namespaced: BackendConfig = parse(NAMESPACED);
    let mut function: Function = parse(FUNCTION);
    let pod_policy: fm_api::common::PodPolicy = parse(
        r#"
sidecars: [{name: proxy, image: envoy, env: [{name: shared1, value: sidecar}]}]
initContainers: [{name: setup, image: busybox}]
"#,
    );
    function.spec.common.pod = Some(pod_policy);
    let o = desired_with(
        &function,
        None,
        &Options::default(),
        &BackendConfigs {
            global: None,
            namespaced: Some(&namespaced),
        },
    )
    .expect("valid");
    let proxy = pod(&o)
        .containers
        .iter()
        .find(|c| c.name == "proxy")
        .expect("sidecar");
    let proxy_env: Vec<(String, Option<String>)> = proxy
        .env
        .iter()
        .flatten()
        .map(|v| (v.name.clone(), v.value.clone()))
        .collect();
    assert_eq!(
        proxy_env,
        vec![
            ("namespaced1".into(), Some("namespacedvalue1".into())),
            ("podenv".into(), Some("backendconfigvalue".into())),
            ("shared1".into(), Some("sidecar".into())),
        ]
    );
    let setup = pod(&o)
        .init_containers
        .iter()
        .flatten()
        .find(|c| c.name == "setup")
        .expect("init");
    assert!(setup.env.is_none());
}

/// Upstream applies a BackendConfig's `securityContext` only when the pod template has none,
/// which its builder never leaves (it always sets its default); here the resource's wins, then
/// the BackendConfig's, then the operator's hardened default.
#[test]
fn a_backend_security_context_replaces_the_default_not_the_resources() {
    let mut namespaced: BackendConfig = parse(NAMESPACED);
    namespaced
        .spec
        .pod
        .get_or_insert_with(Default::default)
        .security_context = Some(parse("{runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000}"));
    let o = render(None, Some(&namespaced));
    assert_eq!(
        to_json(&pod(&o).security_context),
        json!({"runAsUser": 2000, "runAsGroup": 2000, "fsGroup": 2000})
    );
    let plain = render(None, None);
    assert_eq!(to_json(&pod(&plain).security_context)["runAsUser"], 10000);
}

/// Upstream applies a BackendConfig's affinity only when the template has none, which its
/// default anti-affinity (on unless disabled) never leaves: here the BackendConfig's affinity
/// is used and the default anti-affinity added to it.
#[test]
fn a_backend_affinity_is_kept_with_the_default_anti_affinity() {
    let namespaced: BackendConfig = parse(NAMESPACED);
    let mut function: Function = parse(FUNCTION);
    if let Some(p) = function.spec.common.pod.as_mut() {
        p.disable_default_affinity = None;
    }
    let o = desired_with(
        &function,
        None,
        &Options::default(),
        &BackendConfigs {
            global: None,
            namespaced: Some(&namespaced),
        },
    )
    .expect("valid");
    let affinity = to_json(&pod(&o).affinity);
    assert_eq!(
        affinity["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
            ["preference"]["matchExpressions"][0]["values"],
        json!(["ssd"])
    );
    assert_eq!(
        affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
            ["podAffinityTerm"]["topologyKey"],
        "kubernetes.io/hostname"
    );
}

#[test]
fn sources_and_sinks_get_them_too() {
    let namespaced: BackendConfig = parse(NAMESPACED);
    let source: Source = parse(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Source
metadata: {name: src, namespace: default}
spec:
  className: org.example.Source
  sourceConfig: {a: b}
  output: {topic: persistent://public/default/out}
  pulsar: {pulsarConfig: test-pulsar}
  java: {jar: connectors/source.nar}
"#,
    );
    let o = desired_with(
        &source,
        None,
        &Options::default(),
        &BackendConfigs {
            global: None,
            namespaced: Some(&namespaced),
        },
    )
    .expect("valid");
    let main = pod(&o)
        .containers
        .iter()
        .find(|c| c.name == "pulsar-source")
        .expect("main");
    assert!(main.env.iter().flatten().any(|v| v.name == "namespaced1"));
    assert_eq!(
        label(&o, "from").as_deref(),
        Some("namespace-backendconfig")
    );
}

#[test]
fn pod_fields_upstream_does_not_apply_are_not_applied() {
    let mut namespaced: BackendConfig = parse(NAMESPACED);
    let ignored: fm_api::common::PodPolicy = parse(
        r#"
volumes: [{name: extra, emptyDir: {}}]
sidecars: [{name: extra, image: busybox}]
initContainers: [{name: extra-init, image: busybox}]
env: [{name: FROM_POD_ENV, value: x}]
"#,
    );
    let pod_policy = namespaced.spec.pod.get_or_insert_with(Default::default);
    pod_policy.volumes = ignored.volumes;
    pod_policy.sidecars = ignored.sidecars;
    pod_policy.init_containers = ignored.init_containers;
    pod_policy.env = ignored.env;
    let with = render(None, Some(&namespaced));
    assert!(pod(&with).containers.iter().all(|c| c.name != "extra"));
    assert!(pod(&with)
        .init_containers
        .iter()
        .flatten()
        .all(|c| c.name != "extra-init"));
    assert!(pod(&with)
        .volumes
        .iter()
        .flatten()
        .all(|v| v.name != "extra"));
    assert_eq!(env_value(&with, "FROM_POD_ENV"), None);
}

/// `fm-operator render` applies the BackendConfigs of its input stream as the operator would
/// with its default names: `global-backend-config` in `function-mesh-system`, and
/// `backend-config` in the resource's namespace.
#[test]
fn render_applies_the_backend_configs_of_the_stream() {
    let stream = format!("{FUNCTION}---{GLOBAL}---{NAMESPACED}");
    let docs = fm_api::load::load_stream(&stream).expect("loads");
    let rendered = fm_desired::render_stream(&docs, &Options::default()).expect("renders");
    let objects: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&rendered)
        .map(|d| serde::Deserialize::deserialize(d).expect("YAML"))
        .collect();
    let sts = objects
        .iter()
        .find(|o| o["kind"] == "StatefulSet")
        .expect("a StatefulSet");
    let env = &sts["spec"]["template"]["spec"]["containers"][0]["env"];
    let value = |name: &str| {
        env.as_array()
            .into_iter()
            .flatten()
            .find(|v| v["name"] == name)
            .map(|v| v["value"].clone())
    };
    assert_eq!(value("global1"), Some(json!("globalvalue1")));
    assert_eq!(value("shared1"), Some(json!("fromnamespace")));
    // A BackendConfig of another namespace does not apply.
    let elsewhere = NAMESPACED.replace("namespace: default", "namespace: other");
    let docs = fm_api::load::load_stream(&format!("{FUNCTION}---{elsewhere}")).expect("loads");
    let rendered = fm_desired::render_stream(&docs, &Options::default()).expect("renders");
    assert!(!rendered.contains("namespaced1"));
}
