//! Focused checks of the generated objects: hardening, pod policy, volumes, mesh children,
//! validation errors.

mod common;

use fm_api::load::Document;
use fm_api::{AnyComponent, Function, FunctionMesh};
use fm_desired::{children_for_mesh, desired_for, DesiredError, Options};
use k8s_openapi::api::core::v1::{Container, PodSpec};

fn function(yaml: &str) -> Function {
    serde_yaml_ng::from_str(yaml).expect("test Function parses")
}

fn pod(f: &Function, options: &Options) -> PodSpec {
    let o = desired_for(f, None, options).expect("valid");
    o.statefulset
        .spec
        .and_then(|s| s.template.spec)
        .expect("pod spec")
}

fn main_container(p: &PodSpec) -> &Container {
    p.containers.last().expect("main container")
}

const BASE: &str = r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: f, namespace: ns, uid: u-1 }
spec:
  className: C
  input: { topics: [persistent://public/default/in] }
  pulsar: { pulsarConfig: cluster }
  java: { jar: /pulsar/f.jar }
"#;

#[test]
fn hardened_by_default() {
    let p = pod(&function(BASE), &Options::default());
    let sc = p.security_context.clone().expect("pod security context");
    assert_eq!(sc.run_as_non_root, Some(true));
    assert_eq!(sc.run_as_user, Some(10000));
    assert_eq!(sc.run_as_group, Some(10001));
    assert_eq!(sc.fs_group, Some(10001));
    assert_eq!(
        sc.seccomp_profile.map(|s| s.type_).as_deref(),
        Some("RuntimeDefault")
    );
    assert_eq!(p.automount_service_account_token, Some(false));
    let c = main_container(&p);
    let csc = c
        .security_context
        .clone()
        .expect("container security context");
    assert_eq!(csc.allow_privilege_escalation, Some(false));
    assert_eq!(
        csc.capabilities.and_then(|c| c.drop),
        Some(vec!["ALL".to_owned()])
    );
    assert_eq!(csc.read_only_root_filesystem, Some(true));
    // The writable paths of the Java runner are emptyDirs.
    let mounts: Vec<&str> = c
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| m.mount_path.as_str())
        .collect();
    for dir in [
        "/pulsar/logs",
        "/pulsar/tmp",
        "/tmp",
        "/pulsar/conf/java-log",
    ] {
        assert!(mounts.contains(&dir), "{dir} not mounted: {mounts:?}");
    }
    let anti = p
        .affinity
        .and_then(|a| a.pod_anti_affinity)
        .and_then(|a| a.preferred_during_scheduling_ignored_during_execution);
    assert_eq!(
        anti.map(|t| (
            t.len(),
            t[0].weight,
            t[0].pod_affinity_term.topology_key.clone()
        )),
        Some((1, 100, "kubernetes.io/hostname".into()))
    );
}

#[test]
fn explicit_relaxation_and_pod_policy() {
    let mut f = function(BASE);
    let pod_policy: fm_api::common::PodPolicy = serde_yaml_ng::from_str(
        r#"
securityContext: { runAsUser: 0 }
serviceAccountName: sa
disableDefaultAffinity: true
liveness: { periodSeconds: 10, initialDelaySeconds: 5, failureThreshold: 3 }
nodeSelector: { disk: ssd }
terminationGracePeriodSeconds: 20
"#,
    )
    .expect("pod policy");
    f.spec.common.pod = Some(pod_policy);
    f.spec.common.image_pull_policy = Some("Always".into());
    let p = pod(&f, &Options::default());
    assert_eq!(
        p.security_context.as_ref().and_then(|s| s.run_as_user),
        Some(0)
    );
    assert_eq!(p.automount_service_account_token, Some(true));
    assert_eq!(p.service_account_name.as_deref(), Some("sa"));
    assert!(p.affinity.is_none());
    assert_eq!(p.termination_grace_period_seconds, Some(20));
    let c = main_container(&p);
    assert_eq!(
        c.image_pull_policy.as_deref(),
        Some("Always"),
        "per-resource pull policy is honoured"
    );
    let probe = c.liveness_probe.clone().expect("liveness");
    assert_eq!(probe.period_seconds, Some(10));
    assert_eq!(probe.timeout_seconds, Some(10));
    assert_eq!(
        probe.http_get.map(|h| h.port),
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(9094))
    );

    let options = Options {
        read_only_root_filesystem: false,
        default_affinity: false,
        ..Options::default()
    };
    let p = pod(&function(BASE), &options);
    assert!(p.affinity.is_none());
    let c = main_container(&p);
    assert_eq!(
        c.security_context
            .clone()
            .and_then(|s| s.read_only_root_filesystem),
        Some(false)
    );
    assert!(!c
        .volume_mounts
        .iter()
        .flatten()
        .any(|m| m.mount_path == "/tmp"));
}

#[test]
fn container_relaxations_come_from_pod_annotations() {
    let mut f = function(BASE);
    let pod_policy: fm_api::common::PodPolicy = serde_yaml_ng::from_str(
        r#"
annotations:
  fmc.functionmesh.io/allow-privilege-escalation: "true"
  fmc.functionmesh.io/writable-root-filesystem: "true"
  fmc.functionmesh.io/add-capabilities: NET_ADMIN,NET_RAW
  fmc.functionmesh.io/mount-service-account-token: "true"
"#,
    )
    .expect("pod policy");
    f.spec.common.pod = Some(pod_policy);
    let p = pod(&f, &Options::default());
    assert_eq!(p.automount_service_account_token, Some(true));
    let csc = main_container(&p)
        .security_context
        .clone()
        .expect("container security context");
    assert_eq!(csc.allow_privilege_escalation, Some(true));
    assert_eq!(csc.read_only_root_filesystem, Some(false));
    let capabilities = csc.capabilities.expect("capabilities");
    assert_eq!(capabilities.drop, Some(vec!["ALL".to_owned()]));
    assert_eq!(
        capabilities.add,
        Some(vec!["NET_ADMIN".to_owned(), "NET_RAW".to_owned()])
    );
    // A writable root needs no emptyDirs for the runner's scratch paths.
    assert!(!main_container(&p)
        .volume_mounts
        .iter()
        .flatten()
        .any(|m| m.mount_path == "/tmp"));
}

#[test]
fn credential_and_crypto_volumes() {
    let Some(path) =
        common::upstream::upstream_file("samples/compute_v1alpha1_function_crypto.yaml")
    else {
        return common::upstream::skip("credential_and_crypto_volumes");
    };
    let docs = common::load(&path);
    let Document::Function(mut f) = docs[0].document.clone() else {
        panic!("first document is the Function")
    };
    let pulsar = f.spec.common.pulsar.get_or_insert_with(Default::default);
    pulsar.tls_config = Some(fm_api::common::TlsConfig {
        enabled: Some(true),
        cert_secret_name: Some("Pulsar_CA".into()),
        cert_secret_key: Some("ca.crt".into()),
        ..Default::default()
    });
    let p = pod(&f, &Options::default());
    let volumes: Vec<String> = p.volumes.iter().flatten().map(|v| v.name.clone()).collect();
    let mounts: Vec<(String, String)> = main_container(&p)
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| (m.name.clone(), m.mount_path.clone()))
        .collect();
    assert!(
        volumes.contains(&"pulsar-ca-ca-crt".to_owned()),
        "{volumes:?}"
    );
    assert!(mounts.contains(&(
        "pulsar-ca-ca-crt".into(),
        "/etc/tls/pulsar-functions".into()
    )));
    let at = |dir: &str| {
        mounts
            .iter()
            .find(|(_, path)| path == dir)
            .map(|(name, _)| name.clone())
    };
    let (private, public) = (
        at("/keys/privkey").expect("private key"),
        at("/keys/pubkey").expect("public key"),
    );
    assert_ne!(private, public);
    for name in [&private, &public] {
        assert!(
            name.len() <= 63
                && name.starts_with("java-function-crypto-sample-crypto-secret-test-ecdsa-"),
            "{name}"
        );
        assert!(volumes.contains(name));
    }
}

#[test]
fn volume_claim_templates_are_kept() {
    let mut f = function(BASE);
    f.spec.volume_claim_templates = Some(vec![serde_yaml_ng::from_str(
        "metadata: { name: data }\nspec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }",
    )
    .expect("pvc")]);
    f.spec.persistent_volume_claim_retention_policy =
        Some(serde_yaml_ng::from_str("whenDeleted: Delete").expect("policy"));
    let o = desired_for(&f, None, &Options::default()).expect("valid");
    let spec = o.statefulset.spec.expect("spec");
    assert_eq!(spec.volume_claim_templates.map(|v| v.len()), Some(1));
    assert_eq!(
        spec.persistent_volume_claim_retention_policy
            .and_then(|p| p.when_deleted)
            .as_deref(),
        Some("Delete")
    );
}

#[test]
fn every_problem_is_reported() {
    let f = function(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: a-name-that-is-much-too-long-for-a-function-resource }
spec:
  replicas: -1
  java: { jar: a.jar }
  python: { py: a.py }
"#,
    );
    let err = desired_for(&f, None, &Options::default()).expect_err("invalid");
    let DesiredError::Invalid { kind, errors, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(kind, "Function");
    let joined = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(joined.contains("metadata.name"), "{joined}");
    assert!(joined.contains("replicas"), "{joined}");
    assert!(joined.contains("pulsar.pulsarConfig"), "{joined}");
    assert!(joined.contains("mutually exclusive"), "{joined}");
    assert!(joined.contains("className: required"), "{joined}");
    assert!(
        joined.contains("input: at least one input topic"),
        "{joined}"
    );
    assert_eq!(errors.len(), 7, "{joined}");
}

#[test]
fn mesh_children() {
    let Some(path) = common::upstream::upstream_file("samples/compute_v1alpha1_functionmesh.yaml")
    else {
        return common::upstream::skip("mesh_children");
    };
    let docs = common::load(&path);
    let Document::FunctionMesh(mut mesh) = docs[0].document.clone() else {
        panic!("mesh")
    };
    mesh.metadata.namespace = Some("ns".into());
    mesh.metadata.uid = Some("mesh-uid".into());
    let children = children_for_mesh(&mesh).expect("children");
    let names: Vec<&str> = children.iter().map(AnyComponent::name).collect();
    assert_eq!(
        names,
        ["functionmesh-sample-ex1", "functionmesh-sample-ex2"]
    );
    let AnyComponent::Function(first) = &children[0] else {
        panic!("function")
    };
    assert_eq!(first.metadata.namespace.as_deref(), Some("ns"));
    let owner = &first.metadata.owner_references.as_ref().expect("owner")[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str(), owner.uid.as_str()),
        ("FunctionMesh", "functionmesh-sample", "mesh-uid")
    );
    assert_eq!(owner.controller, Some(true));
    let items = mesh.spec.functions.as_ref().expect("functions");
    assert_eq!(first.spec, items[0], "spec copied verbatim");
    // The child's own objects are named after the child.
    let o = desired_for(first.as_ref(), None, &Options::default()).expect("valid child");
    assert_eq!(
        o.statefulset.metadata.name.as_deref(),
        Some("functionmesh-sample-ex1-function")
    );

    let mut broken: FunctionMesh = (*mesh).clone();
    if let Some(functions) = broken.spec.functions.as_mut() {
        functions[1].common.name = Some("ex1".into());
        functions.push(Default::default());
    }
    let err = children_for_mesh(&broken).expect_err("invalid mesh");
    let messages = err.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("used twice")
            && messages[1].contains("spec.functions[2].name: required"),
        "{messages:?}"
    );
}

#[test]
fn init_container_download_mode() {
    let mut f = function(BASE);
    if let Some(java) = f.spec.common.runtime.java.as_mut() {
        java.jar = "f.jar".into();
        java.jar_location = Some("function://public/default/f@1".into());
    }
    f.spec.common.pulsar_package_service = Some(fm_api::common::PulsarMessaging {
        pulsar_config: Some("packages".into()),
        auth_secret: Some("package-auth".into()),
        ..Default::default()
    });
    let options = Options {
        download_in_init_container: true,
        ..Options::default()
    };
    let p = pod(&f, &options);
    let init = p.init_containers.clone().expect("init containers");
    let downloader = init
        .iter()
        .find(|c| c.name == "downloader")
        .expect("downloader");
    assert_eq!(
        downloader.image.as_deref(),
        Some("streamnative/pulsarctl:2.10.2.3")
    );
    let script = &downloader.command.as_ref().expect("command")[2];
    let words = common::shell::words(common::shell::steps(script).last().expect("step"));
    assert_eq!(words[0], "pulsarctl");
    assert!(words
        .windows(2)
        .any(|w| w == ["--admin-service-url", "${PACKAGE_webServiceURL}"]));
    assert!(words
        .windows(2)
        .any(|w| w == ["--auth-params", "${PACKAGE_clientAuthenticationParameters}"]));
    assert!(words.ends_with(&[
        "packages".into(),
        "download".into(),
        "function://public/default/f@1".into(),
        "--path".into(),
        "/pulsar/download/f.jar".into()
    ]));
    let prefixes: Vec<Option<String>> = downloader
        .env_from
        .iter()
        .flatten()
        .map(|e| e.prefix.clone())
        .collect();
    assert_eq!(
        prefixes,
        [Some("PACKAGE_".to_owned()), Some("PACKAGE_".to_owned())]
    );
    let mounts: Vec<&str> = downloader
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| m.mount_path.as_str())
        .collect();
    assert_eq!(mounts, ["/pulsar/download", "/tmp"]);
    // The main container no longer downloads, but runs the downloaded file.
    let main_script = &main_container(&p).command.as_ref().expect("command")[2];
    assert!(!main_script.contains("packages download"));
    assert!(common::shell::exec_words(main_script)
        .windows(2)
        .any(|w| w == ["--jar", "/pulsar/download/f.jar"]));
    let volumes: Vec<&str> = p
        .volumes
        .iter()
        .flatten()
        .map(|v| v.name.as_str())
        .collect();
    assert!(
        volumes.contains(&"fm-download") && volumes.contains(&"fm-downloader-home"),
        "{volumes:?}"
    );
}

#[test]
fn env_names_are_unique() {
    let mut f = function(BASE);
    f.spec.common.secrets_map = Some(
        [(
            "TOKEN".to_owned(),
            fm_api::common::SecretRef {
                path: Some("s".into()),
                key: Some("k".into()),
            },
        )]
        .into(),
    );
    f.spec.common.pod = Some(
        serde_yaml_ng::from_str("env: [{ name: TOKEN, value: literal }, { name: A, value: a }]")
            .expect("pod"),
    );
    let p = pod(&f, &Options::default());
    let env = main_container(&p).env.clone().expect("env");
    let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["POD_NAME", "TOKEN", "A"]);
    assert_eq!(
        env[1].value.as_deref(),
        Some("literal"),
        "the later definition wins"
    );

    f.spec.common.pod =
        Some(serde_yaml_ng::from_str("env: [{ name: POD_NAME, value: x }]").expect("pod"));
    let err = desired_for(&f, None, &Options::default()).expect_err("reserved");
    assert!(err.to_string().contains("POD_NAME"), "{err}");
}

#[test]
fn upstream_admission_rules() {
    let f = function(
        r#"
apiVersion: compute.functionmesh.io/v1alpha1
kind: Function
metadata: { name: rules }
spec:
  className: C
  processingGuarantee: effectively_once
  timeout: 100
  maxMessageRetry: 2
  retainOrdering: true
  retainKeyOrdering: true
  replicas: 5
  maxReplicas: 3
  input: { topics: [persistent://public/default/t] }
  output: { topic: persistent://public/default/t }
  resources: { requests: { cpu: "2", memory: 2Gi }, limits: { cpu: "1", memory: 1Gi } }
  windowConfig: { windowLengthCount: 0, windowLengthDurationMs: 10, actualWindowFunctionClassName: "" }
  secretsMap: { S: { path: only-path } }
  pod: { builtinAutoscaler: [AverageUtilizationCPUPercent80, AverageUtilizationCPUPercent20, Bogus] }
  pulsar: { pulsarConfig: c, authConfig: {} }
  java: { jar: x.jar }
"#,
    );
    let err = desired_for(&f, None, &Options::default()).expect_err("invalid");
    let messages = err.messages();
    for expected in [
        "timeout: not allowed",
        "maxMessageRetry: not allowed",
        "retainKeyOrdering: not allowed",
        "set at most one",
        "replicas: 5 is greater than maxReplicas 3",
        "output.topic: `persistent://public/default/t` is also an input topic",
        "resources.requests.cpu: greater than",
        "resources.requests.memory: greater than",
        "windowConfig: set exactly one",
        "windowConfig.windowLengthCount: must be > 0",
        "secretsMap.S:",
        "more than one cpu rule",
        "unknown rule `Bogus`",
        "pulsar.authConfig: set exactly one",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "missing `{expected}` in {messages:#?}"
        );
    }
    assert_eq!(messages.len(), 14, "{messages:#?}");
}

#[test]
fn container_names_are_unique() {
    let mut f = function(BASE);
    f.spec.common.pod = Some(
        serde_yaml_ng::from_str("sidecars: [{ name: pulsar-function, image: busybox }]")
            .expect("pod"),
    );
    let err = desired_for(&f, None, &Options::default()).expect_err("duplicate");
    assert!(
        err.to_string().contains("`pulsar-function` is used twice"),
        "{err}"
    );
}
