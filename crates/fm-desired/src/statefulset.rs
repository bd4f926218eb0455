//! The StatefulSet running the instances (upstream: `controllers/spec/common.go`,
//! `MakeStatefulSet` and `makePodTemplate`; the main container: `controllers/spec/function.go`,
//! `makeFunctionContainer`, and its twins in `source.go` and `sink.go`).

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec, StatefulSetUpdateStrategy};
use k8s_openapi::api::core::v1::{
    Affinity, ConfigMapEnvSource, Container, ContainerPort, EnvFromSource, EnvVar, EnvVarSource,
    HTTPGetAction, LocalObjectReference, ObjectFieldSelector, PodAffinityTerm, PodAntiAffinity,
    PodSpec, PodTemplateSpec, Probe, SecretEnvSource, SecretKeySelector, WeightedPodAffinityTerm,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::command::auth::Mounts;
use crate::command::{self, Plan};
use crate::component::{Component, RuntimeRef, SpecRef};
use crate::download::{self, Location};
use crate::filebeat;
use crate::labels::{self, Labels, METRICS_PORT};
use crate::options::{ClusterConfig, Options};
use crate::security;
use crate::service::PORTS;
use crate::violation::Violation;
use crate::volumes;

/// The image of the main container: the spec's, else the runner for its runtime.
pub fn image(c: &Component<'_>, options: &Options) -> Result<String, Violation> {
    if let Some(image) = c.common.image.as_deref().filter(|i| !i.is_empty()) {
        return Ok(image.to_owned());
    }
    let images = &options.runner_images;
    match (c.specific, c.runtime) {
        (SpecRef::Function(_), RuntimeRef::Java(_)) => Ok(images.java.clone()),
        (SpecRef::Function(_), RuntimeRef::Python(_)) => Ok(images.python.clone()),
        (SpecRef::Function(_), RuntimeRef::Go(_)) => Ok(images.go.clone()),
        (SpecRef::Function(_), RuntimeRef::Generic(g)) => {
            images.generic.get(&g.language).cloned().ok_or_else(|| {
                Violation::new(
                    "genericRuntime.language",
                    format!(
                        "no runner image is configured for `{}`; set spec.image",
                        g.language
                    ),
                )
            })
        }
        // A connector fetched from the package service runs on the plain Java runner; a
        // built-in one needs the image that ships the connectors.
        (_, runtime) => match download::classify(runtime.package().1) {
            Location::Package(_) => Ok(images.java.clone()),
            _ => Ok(images.connectors.clone()),
        },
    }
}

fn env_from(prefix: Option<&str>, m: &fm_api::common::PulsarMessaging) -> Vec<EnvFromSource> {
    let mut out = Vec::new();
    let prefix = prefix.map(str::to_owned);
    if let Some(cm) = m.pulsar_config.as_deref().filter(|s| !s.is_empty()) {
        out.push(EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: cm.to_owned(),
                optional: None,
            }),
            prefix: prefix.clone(),
            secret_ref: None,
        });
    }
    for secret in [&m.auth_secret, &m.tls_secret]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
    {
        out.push(EnvFromSource {
            config_map_ref: None,
            prefix: prefix.clone(),
            secret_ref: Some(SecretEnvSource {
                name: secret.clone(),
                optional: None,
            }),
        });
    }
    out
}

/// `POD_NAME`, the pod's own name (the downward API): the instance id, and the filebeat
/// sidecar's producer name, are derived from it.
pub fn pod_name_env() -> EnvVar {
    EnvVar {
        name: "POD_NAME".into(),
        value: None,
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                api_version: Some("v1".into()),
                field_path: "metadata.name".into(),
            }),
            ..Default::default()
        }),
    }
}

/// The main container's env: `POD_NAME` (the script derives the instance id from it), one
/// var per `secretsMap` entry, `pod.env`, then runtime extras. Names are unique — server-side
/// apply rejects a list with a repeated merge key — the later definition winning in the
/// earlier one's place; redefining `POD_NAME` is an error.
fn env(c: &Component<'_>, plan: &Plan, problems: &mut Vec<Violation>) -> Vec<EnvVar> {
    let mut env = vec![pod_name_env()];
    for (name, secret) in c.common.secrets_map.iter().flatten() {
        env.push(EnvVar {
            name: name.clone(),
            value: None,
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secret.path.clone().unwrap_or_default(),
                    key: secret.key.clone().unwrap_or_default(),
                    optional: None,
                }),
                ..Default::default()
            }),
        });
    }
    env.extend(
        c.common
            .pod
            .as_ref()
            .and_then(|p| p.env.clone())
            .unwrap_or_default(),
    );
    env.extend(plan.env.iter().map(|(k, v)| EnvVar {
        name: k.clone(),
        value: Some(v.clone()),
        value_from: None,
    }));
    let mut unique: Vec<EnvVar> = Vec::with_capacity(env.len());
    for var in env {
        match unique.iter_mut().find(|u| u.name == var.name) {
            Some(_) if var.name == "POD_NAME" => problems.push(Violation::new(
                "pod.env",
                "`POD_NAME` is reserved (the instance id is derived from it); set it neither in pod.env nor in secretsMap",
            )),
            Some(existing) => *existing = var,
            None => unique.push(var),
        }
    }
    unique
}

/// HTTP liveness probe on the metrics port, when `pod.liveness.periodSeconds` > 0.
fn liveness(c: &Component<'_>) -> Option<Probe> {
    let l = c.common.pod.as_ref()?.liveness.as_ref()?;
    let period = l.period_seconds.filter(|p| *p > 0)?;
    Some(Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/".into()),
            port: IntOrString::Int(METRICS_PORT),
            ..Default::default()
        }),
        initial_delay_seconds: l.initial_delay_seconds,
        period_seconds: Some(period),
        timeout_seconds: Some(period),
        success_threshold: l.success_threshold,
        failure_threshold: l.failure_threshold,
        ..Default::default()
    })
}

/// The user's affinity plus, unless disabled, a preferred anti-affinity spreading this
/// resource's pods over nodes.
fn affinity(c: &Component<'_>, options: &Options, selector: &Labels) -> Option<Affinity> {
    let pod = c.common.pod.as_ref();
    let mut affinity = pod.and_then(|p| p.affinity.clone());
    let disabled = pod
        .and_then(|p| p.disable_default_affinity)
        .unwrap_or(false);
    if options.default_affinity && !disabled {
        let term = WeightedPodAffinityTerm {
            weight: 100,
            pod_affinity_term: PodAffinityTerm {
                label_selector: Some(LabelSelector {
                    match_labels: Some(selector.clone()),
                    match_expressions: None,
                }),
                topology_key: "kubernetes.io/hostname".into(),
                ..Default::default()
            },
        };
        let a = affinity.get_or_insert_with(Affinity::default);
        let anti = a
            .pod_anti_affinity
            .get_or_insert_with(PodAntiAffinity::default);
        anti.preferred_during_scheduling_ignored_during_execution
            .get_or_insert_with(Vec::new)
            .push(term);
    }
    affinity
}

/// The init container fetching the package into the shared download emptyDir: the
/// download messaging's env and credential mounts, `HOME` on a scratch dir for pulsarctl's
/// config, hardened like the main container.
fn downloader(c: &Component<'_>, options: &Options, script: &str, main: &Container) -> Container {
    let (messaging, mounts) = download::download_messaging(c);
    let prefix = (!mounts.env_prefix.is_empty()).then_some(mounts.env_prefix);
    let wanted = [mounts.oauth2_dir, mounts.tls_dir, download::DOWNLOAD_DIR];
    let mut volume_mounts: Vec<_> = main
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| wanted.contains(&m.mount_path.as_str()))
        .cloned()
        .collect();
    volume_mounts.push(k8s_openapi::api::core::v1::VolumeMount {
        name: volumes::DOWNLOADER_HOME_VOLUME.into(),
        mount_path: volumes::DOWNLOADER_HOME.into(),
        ..Default::default()
    });
    Container {
        name: download::DOWNLOADER_CONTAINER.into(),
        image: Some(command::downloader_image(c, options)),
        image_pull_policy: options.image_pull_policy.clone(),
        command: Some(vec!["sh".into(), "-c".into(), script.to_owned()]),
        env: Some(vec![EnvVar {
            name: "HOME".into(),
            value: Some(volumes::DOWNLOADER_HOME.into()),
            value_from: None,
        }]),
        env_from: messaging
            .map(|m| env_from(prefix, m))
            .filter(|v| !v.is_empty()),
        volume_mounts: Some(volume_mounts),
        security_context: Some(security::container_context(true)),
        ..Default::default()
    }
}

fn some_if_nonempty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// Builds the StatefulSet; problems (invalid combinations) are returned as messages.
pub fn build(
    c: &Component<'_>,
    options: &Options,
    cluster: Option<&ClusterConfig>,
    metadata: ObjectMeta,
    selector: &Labels,
    service_name: &str,
) -> Result<StatefulSet, Vec<Violation>> {
    let mut problems = Vec::new();
    let image = image(c, options).map_err(|e| vec![e])?;
    let plan = command::plan(c, &image, options);
    let relaxations = fm_api::relaxations::Relaxations::from_annotations(
        c.common.pod.as_ref().and_then(|p| p.annotations.as_ref()),
    );
    let read_only_root = options.read_only_root_filesystem
        && plan.read_only_root_ok
        && !relaxations.writable_root_filesystem;
    let files = volumes::pod_files(c, &plan, read_only_root);
    problems.extend(files.problems);

    let pulsar = c.pulsar();
    let env_vars = env(c, &plan, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut env_from_sources = pulsar.map(|p| env_from(None, p)).unwrap_or_default();
    if let Some(package) = &c.common.pulsar_package_service {
        env_from_sources.extend(env_from(Some("PACKAGE_"), package));
    }

    let pod = c.common.pod.as_ref();
    let main = Container {
        name: c.kind.container_name().to_owned(),
        image: Some(image),
        image_pull_policy: c
            .common
            .image_pull_policy
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| options.image_pull_policy.clone()),
        command: Some(plan.command()),
        ports: Some(
            PORTS
                .iter()
                .map(|(name, port)| ContainerPort {
                    name: Some((*name).to_owned()),
                    container_port: *port,
                    protocol: Some("TCP".into()),
                    ..Default::default()
                })
                .collect(),
        ),
        env: Some(env_vars),
        env_from: some_if_nonempty(env_from_sources),
        resources: c.common.resources.clone(),
        volume_mounts: some_if_nonempty(files.mounts),
        liveness_probe: liveness(c),
        startup_probe: pod.and_then(|p| p.startup_probe.clone()),
        security_context: Some(security::main_container_context(
            read_only_root,
            &relaxations,
        )),
        ..Default::default()
    };
    let filebeat = filebeat::wanted(c)
        .then(|| {
            let credentials = [Mounts::MAIN.tls_dir, Mounts::MAIN.oauth2_dir];
            filebeat::container(
                c,
                main.env_from.clone(),
                c.common.volume_mounts.as_deref().unwrap_or_default(),
                main.volume_mounts
                    .iter()
                    .flatten()
                    .filter(|m| credentials.contains(&m.mount_path.as_str()))
                    .cloned()
                    .collect(),
            )
        })
        .transpose()
        .map_err(|e| vec![e])?;
    let mut containers = pod.and_then(|p| p.sidecars.clone()).unwrap_or_default();
    let downloader = plan
        .init_download
        .as_ref()
        .map(|script| downloader(c, options, script, &main));
    containers.push(main);
    containers.extend(filebeat);
    let mut init_containers = pod
        .and_then(|p| p.init_containers.clone())
        .unwrap_or_default();
    init_containers.extend(downloader);
    let mut names = std::collections::BTreeSet::new();
    for name in containers
        .iter()
        .chain(&init_containers)
        .map(|c| c.name.as_str())
    {
        if !names.insert(name) {
            return Err(vec![Violation::new(
                "pod.sidecars",
                format!(
                    "the container name `{name}` is used twice among pod.sidecars and pod.initContainers (`{}`, `{}` and `{}` are taken)",
                    c.kind.container_name(),
                    download::DOWNLOADER_CONTAINER,
                    filebeat::CONTAINER
                ),
            )]);
        }
    }

    let mut pull_secrets = pod
        .and_then(|p| p.image_pull_secrets.clone())
        .unwrap_or_default();
    for name in &options.image_pull_secrets {
        if !pull_secrets.iter().any(|s| s.name == *name) {
            pull_secrets.push(LocalObjectReference { name: name.clone() });
        }
    }
    let service_account = pod
        .and_then(|p| p.service_account_name.clone())
        .filter(|s| !s.is_empty());

    let pod_labels = labels::pod_labels(
        selector,
        &options.resource_labels,
        pod.and_then(|p| p.labels.as_ref()),
    );
    let annotations = labels::pod_annotations(
        &options.resource_annotations,
        pod.and_then(|p| p.annotations.as_ref()),
        cluster.map(ClusterConfig::digest),
    );

    let (claims, retention) = match c.specific {
        SpecRef::Function(f) => (
            f.volume_claim_templates.clone().filter(|v| !v.is_empty()),
            f.persistent_volume_claim_retention_policy.clone(),
        ),
        _ => (None, None),
    };

    Ok(StatefulSet {
        metadata,
        spec: Some(StatefulSetSpec {
            replicas: Some(c.replicas()),
            pod_management_policy: Some("Parallel".into()),
            selector: LabelSelector {
                match_labels: Some(selector.clone()),
                match_expressions: None,
            },
            service_name: Some(service_name.to_owned()),
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: None,
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(annotations),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    affinity: affinity(c, options, selector),
                    // Pods talk to Pulsar, not to the Kubernetes API: no token unless the
                    // user names a service account (then they presumably want it) or asks.
                    automount_service_account_token: Some(
                        service_account.is_some() || relaxations.service_account_token,
                    ),
                    containers,
                    image_pull_secrets: some_if_nonempty(pull_secrets),
                    init_containers: some_if_nonempty(init_containers),
                    node_selector: pod
                        .and_then(|p| p.node_selector.clone())
                        .filter(|m| !m.is_empty()),
                    security_context: Some(security::pod_context(
                        pod.and_then(|p| p.security_context.as_ref()),
                    )),
                    service_account_name: service_account,
                    termination_grace_period_seconds: pod
                        .and_then(|p| p.termination_grace_period_seconds),
                    tolerations: pod
                        .and_then(|p| p.tolerations.clone())
                        .filter(|v| !v.is_empty()),
                    volumes: some_if_nonempty(files.volumes),
                    ..Default::default()
                }),
            },
            volume_claim_templates: claims,
            persistent_volume_claim_retention_policy: retention,
            ..Default::default()
        }),
        status: None,
    })
}
