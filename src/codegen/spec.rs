//! One step of the model → the Function Mesh spec fields (see docs/design.md, "Step → Function
//! Mesh spec"). Runs only on a mesh the passes accepted, so values parse; anything that still
//! does not is reported rather than guessed.

use std::collections::BTreeMap;

use fm_api::common::{
    AuthConfig, GenericAuth, GenericRuntime, GoRuntime, InputConf, JavaRuntime, OAuth2Config,
    OutputConf, PodPolicy, PulsarMessaging, PulsarStateStore, PythonRuntime, RuntimeLogConfig,
    SecretRef, StatefulConfig, TlsConfig,
};
use fm_api::function::WindowConfig;
use fm_api::schema::FreeForm;
use fm_api::spec_common::CommonSpec;
use fm_api::{ConsumerSpec, FunctionSpec, SinkSpec, SourceSpec};
use k8s_openapi::api::autoscaling::v2::{MetricSpec, MetricTarget, ResourceMetricSource};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, EmptyDirVolumeSource, EnvVar, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, ResourceRequirements, SecretVolumeSource, Toleration, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value as Json;

use super::hardening;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::mapping::{
    default_extension, map_to_json, scalar_text, schema_type, string_map, type_class,
};
use crate::model::statements::WindowSize;
use crate::model::words::SubscriptionType;
use crate::model::{Cluster, Mesh, Step};
use crate::syntax::ast::{EnvValue, ResourceName, Runtime, Value, VolumeSource};
use crate::units;

/// Requests and limits used when a step sets neither, so every pod is scheduled with both.
pub const DEFAULT_CPU: &str = "250m";
pub const DEFAULT_MEMORY: &str = "512Mi";

/// The name of the ConfigMap holding a cluster's URLs.
pub fn cluster_config_map(mesh: &Mesh, cluster: &Cluster) -> String {
    format!("{}-{}-pulsar", mesh.name.value, cluster.name.value)
}

pub enum StepSpec {
    Function(Box<FunctionSpec>),
    Source(Box<SourceSpec>),
    Sink(Box<SinkSpec>),
}

impl StepSpec {
    pub fn spec_ref(&self) -> fm_api::SpecRef<'_> {
        match self {
            StepSpec::Function(f) => fm_api::SpecRef::Function(f),
            StepSpec::Source(s) => fm_api::SpecRef::Source(s),
            StepSpec::Sink(s) => fm_api::SpecRef::Sink(s),
        }
    }
}

pub fn step_spec(mesh: &Mesh, step: &Step, diagnostics: &mut Diagnostics) -> StepSpec {
    let s = &step.settings;
    let common = common_spec(mesh, step, diagnostics);
    let input = input_conf(mesh, step);
    let output = output_conf(mesh, step);
    let config = s.config_span.map(|_| FreeForm(map_to_json(&s.config)));
    // Upstream requires a connector's config to be present, even when it is empty.
    let connector_config = Some(config.clone().unwrap_or_default());
    let topic = |t: &Option<crate::syntax::ast::Spanned<crate::syntax::ast::TopicRef>>| {
        t.as_ref().and_then(|t| mesh.full_topic_name(&t.value))
    };
    let subscription_type = s.subscription_type.as_ref().map(|t| t.value);
    let consumer = ConsumerSpec {
        dead_letter_topic: topic(&s.dead_letter),
        auto_ack: s.auto_ack.as_ref().map(|b| b.value),
        timeout: s.timeout_ms.as_ref().map(|t| t.value),
        max_message_retry: s.max_retries.as_ref().map(|r| r.value as i32),
        retain_ordering: (subscription_type == Some(SubscriptionType::Failover)).then_some(true),
        retain_key_ordering: (subscription_type == Some(SubscriptionType::KeyShared))
            .then_some(true),
        subscription_name: s.subscription.as_ref().map(|x| x.value.clone()),
        subscription_position: s.position.as_ref().map(|p| p.value),
        cleanup_subscription: s.cleanup_subscription.as_ref().map(|b| b.value),
    };
    let generated = match step.kind.value {
        crate::syntax::ast::StepKind::Function => StepSpec::Function(Box::new(FunctionSpec {
            common,
            input,
            output,
            func_config: config,
            consumer,
            forward_source_message_property: s.forward_properties.as_ref().map(|b| b.value),
            max_pending_async_requests: s.max_pending_async.as_ref().map(|m| m.value),
            window_config: window_config(mesh, step),
            volume_claim_templates: volume_claim_templates(step),
            ..Default::default()
        })),
        crate::syntax::ast::StepKind::Source => StepSpec::Source(Box::new(SourceSpec {
            common,
            output,
            source_config: connector_config,
            forward_source_message_property: s.forward_properties.as_ref().map(|b| b.value),
            ..Default::default()
        })),
        crate::syntax::ast::StepKind::Sink => StepSpec::Sink(Box::new(SinkSpec {
            common,
            input,
            sink_config: connector_config,
            consumer,
            ..Default::default()
        })),
    };
    if s.spec.is_empty() {
        return generated;
    }
    match generated {
        StepSpec::Function(f) => StepSpec::Function(Box::new(merge_spec(*f, step, diagnostics))),
        StepSpec::Source(f) => StepSpec::Source(Box::new(merge_spec(*f, step, diagnostics))),
        StepSpec::Sink(f) => StepSpec::Sink(Box::new(merge_spec(*f, step, diagnostics))),
    }
}

/// Deep-merges the step's `spec { … }` over the generated spec. The result is read back
/// through the API types strictly, so a misspelt or ill-typed field is an error at the block
/// instead of a field the API server would silently prune.
fn merge_spec<T>(generated: T, step: &Step, diagnostics: &mut Diagnostics) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let span = step.settings.spec_span.unwrap_or(step.name.span);
    let mut value = match serde_json::to_value(&generated) {
        Ok(v) => v,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                span,
                format!("cannot serialise the generated spec: {e}"),
            ));
            return generated;
        }
    };
    deep_merge_json(&mut value, &Json::Object(map_to_json(&step.settings.spec)));
    match fm_api::load::strict::<T>(0, &value) {
        Ok(merged) => merged,
        Err(e) => {
            let problems = match e {
                fm_api::load::LoadError::Fields { problems, .. } => problems.join("; "),
                other => other.to_string(),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    span,
                    format!("`spec` does not fit the Function Mesh API: {problems}"),
                )
                .primary("merged over the generated spec")
                .help("`spec` keys are the API's camelCase field names, e.g. `spec { pod: { imagePullSecrets: [{ name: \"regcred\" }] } }`"),
            );
            generated
        }
    }
}

/// Maps meet key by key, recursively; anything else (scalars, lists) replaces what was there.
pub fn deep_merge_json(target: &mut Json, patch: &Json) {
    match (target, patch) {
        (Json::Object(old), Json::Object(new)) => {
            for (key, value) in new {
                match old.get_mut(key) {
                    Some(slot) => deep_merge_json(slot, value),
                    None => {
                        old.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (slot, value) => *slot = value.clone(),
    }
}

fn window_config(mesh: &Mesh, step: &Step) -> Option<WindowConfig> {
    let window = &step.settings.window.as_ref()?.value;
    let split = |size: Option<WindowSize>| match size {
        Some(WindowSize::Count(n)) => (i32::try_from(n).ok(), None),
        Some(WindowSize::DurationMs(ms)) => (None, Some(ms)),
        None => (None, None),
    };
    let (length_count, length_ms) = split(window.length.as_ref().map(|l| l.value));
    let (slide_count, slide_ms) = split(window.slide.as_ref().map(|l| l.value));
    Some(WindowConfig {
        // The operator puts the function's class here; the spec's value is never read.
        actual_window_function_class_name: String::new(),
        window_length_count: length_count,
        window_length_duration_ms: length_ms,
        sliding_interval_count: slide_count,
        sliding_interval_duration_ms: slide_ms,
        late_data_topic: window
            .late_data
            .as_ref()
            .and_then(|t| mesh.full_topic_name(&t.value)),
        max_lag_ms: window.max_lag_ms.as_ref().map(|m| m.value),
        watermark_emit_interval_ms: window.watermark_ms.as_ref().map(|m| m.value),
        timestamp_extractor_class_name: window
            .timestamp_extractor
            .as_ref()
            .map(|c| c.value.clone()),
        processing_guarantees: window.guarantee.as_ref().map(|g| g.value),
    })
}

fn volume_claim_templates(step: &Step) -> Option<Vec<PersistentVolumeClaim>> {
    let claims = &step.settings.volume_claims;
    (!claims.is_empty()).then(|| {
        claims
            .iter()
            .map(|claim| PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(claim.name.value.clone()),
                    ..Default::default()
                },
                spec: Some(PersistentVolumeClaimSpec {
                    access_modes: (!claim.access.is_empty())
                        .then(|| claim.access.iter().map(|a| a.value.to_owned()).collect()),
                    storage_class_name: claim.storage_class.as_ref().map(|c| c.value.clone()),
                    resources: claim.size.as_ref().map(|size| VolumeResourceRequirements {
                        requests: Some(BTreeMap::from([(
                            "storage".to_owned(),
                            size.value.clone(),
                        )])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect()
    })
}

fn common_spec(mesh: &Mesh, step: &Step, diagnostics: &mut Diagnostics) -> CommonSpec {
    let s = &step.settings;
    let cluster = mesh.step_cluster(step);
    let (min, max) = match &s.replicas {
        Some(r) => (
            r.value.0.value as i32,
            r.value.1.as_ref().map(|m| m.value as i32),
        ),
        None => (1, None),
    };
    let state_url = s.state.as_ref().and_then(|state| match &state.value {
        Some(url) => Some(url.value.clone()),
        None => cluster
            .and_then(|c| c.state.as_ref())
            .map(|u| u.value.clone()),
    });
    CommonSpec {
        name: Some(step.name.value.clone()),
        class_name: step.class.as_ref().map(|c| c.value.clone()),
        tenant: Some(mesh.tenant.clone()),
        namespace: Some(mesh.pulsar_namespace.clone()),
        cluster_name: cluster.map(|c| c.pulsar_cluster_name().to_owned()),
        replicas: Some(min),
        min_replicas: Some(min),
        max_replicas: max,
        image: s.image.as_ref().map(|i| i.value.clone()),
        image_pull_policy: s.image_pull_policy.as_ref().map(|p| p.value.to_owned()),
        log_topic: s
            .log_topic
            .as_ref()
            .and_then(|t| mesh.full_topic_name(&t.value)),
        log_topic_agent: s.log_topic_agent.as_ref().map(|a| a.value),
        resources: Some(resources(step)),
        secrets_map: secrets_map(step),
        processing_guarantee: s.guarantee.as_ref().map(|g| g.value),
        volume_mounts: volume_mounts(step),
        pod: Some(pod_policy(step, diagnostics)),
        pulsar: cluster.map(|c| messaging(mesh, c)),
        stateful_config: state_url.map(|service_url| StatefulConfig {
            pulsar: Some(PulsarStateStore {
                service_url,
                java_provider: None,
            }),
        }),
        runtime: runtime(step),
        ..Default::default()
    }
}

/// Mounts of the step's volumes, then of its volume claims that say where (`at`).
fn volume_mounts(step: &Step) -> Option<Vec<VolumeMount>> {
    let s = &step.settings;
    let volumes = s.volumes.iter().map(|v| (&v.name.value, &v.mount.value));
    let claims = s
        .volume_claims
        .iter()
        .filter_map(|c| c.mount.as_ref().map(|m| (&c.name.value, &m.value)));
    let mounts: Vec<VolumeMount> = volumes
        .chain(claims)
        .map(|(name, path)| VolumeMount {
            name: name.clone(),
            mount_path: path.clone(),
            ..Default::default()
        })
        .collect();
    (!mounts.is_empty()).then_some(mounts)
}

fn messaging(mesh: &Mesh, cluster: &Cluster) -> PulsarMessaging {
    let tls_bool = |name: &str| {
        cluster
            .tls
            .as_ref()
            .and_then(|t| t.value.get(name))
            .and_then(|v| match v.value {
                Value::Bool(b) => Some(b),
                _ => None,
            })
    };
    let tls_string = |name: &str| {
        cluster
            .tls
            .as_ref()
            .and_then(|t| t.value.get(name))
            .and_then(|v| match &v.value {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
    };
    PulsarMessaging {
        pulsar_config: Some(cluster_config_map(mesh, cluster)),
        auth_secret: cluster.auth_secret.as_ref().map(|s| s.value.clone()),
        tls_secret: cluster.tls_secret.as_ref().map(|s| s.value.clone()),
        tls_config: cluster.tls.as_ref().map(|_| TlsConfig {
            enabled: Some(tls_bool("enabled").unwrap_or(true)),
            allow_insecure: tls_bool("allow-insecure"),
            hostname_verification: tls_bool("hostname-verification"),
            cert_secret_name: tls_string("ca-secret"),
            cert_secret_key: tls_string("ca-key"),
        }),
        auth_config: auth_config(cluster),
        cleanup_auth_config: None,
    }
}

fn auth_config(cluster: &Cluster) -> Option<AuthConfig> {
    let field = |fields: &Option<
        crate::syntax::ast::Spanned<BTreeMap<String, crate::syntax::ast::Spanned<String>>>,
    >,
                 name: &str| {
        fields
            .as_ref()
            .and_then(|o| o.value.get(name))
            .map(|v| v.value.clone())
    };
    if cluster.oauth2.is_some() {
        let oauth2 = |name: &str| field(&cluster.oauth2, name);
        return Some(AuthConfig {
            oauth2_config: Some(OAuth2Config {
                audience: oauth2("audience").unwrap_or_default(),
                issuer_url: oauth2("issuer").unwrap_or_default(),
                scope: oauth2("scope"),
                key_secret_name: oauth2("key-secret").unwrap_or_default(),
                key_secret_key: oauth2("key").unwrap_or_default(),
            }),
            generic_auth: None,
        });
    }
    cluster.generic_auth.as_ref().map(|_| AuthConfig {
        oauth2_config: None,
        generic_auth: Some(GenericAuth {
            client_authentication_plugin: field(&cluster.generic_auth, "plugin")
                .unwrap_or_default(),
            client_authentication_parameters: field(&cluster.generic_auth, "params")
                .unwrap_or_default(),
        }),
    })
}

/// The local file name and the download location of a step's package.
pub fn package_file(step: &Step) -> (String, Option<String>) {
    let s = &step.settings;
    let package = s
        .package
        .as_ref()
        .map(|p| p.value.clone())
        .unwrap_or_default();
    let remote = package.contains("://");
    if !remote {
        let file = s.file.as_ref().map(|f| f.value.clone()).unwrap_or(package);
        return (file, None);
    }
    let file = match &s.file {
        Some(f) => f.value.clone(),
        None => {
            let last = package
                .rsplit('/')
                .next()
                .unwrap_or(&package)
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned();
            let has_ext = last.contains('.');
            match step.runtime.value {
                _ if has_ext => last,
                runtime => format!("{last}{}", default_extension(runtime)),
            }
        }
    };
    (file, Some(package))
}

/// The runtime block's `log`: level, rotation, format, configuration file.
fn log_config(step: &Step) -> Option<RuntimeLogConfig> {
    let s = &step.settings;
    let log = RuntimeLogConfig {
        level: s.log_level.as_ref().map(|l| l.value),
        rotate_policy: s.log_rotation.as_ref().map(|r| r.value),
        format: s.log_format.as_ref().map(|f| f.value),
        log_config: s.log_config.as_ref().map(|c| c.value.clone()),
        java_log4j_config_file_type: s.log_config_format.as_ref().map(|f| f.value),
    };
    (log != RuntimeLogConfig::default()).then_some(log)
}

fn runtime(step: &Step) -> fm_api::common::Runtime {
    let (file, location) = package_file(step);
    let log = log_config(step);
    let mut rt = fm_api::common::Runtime::default();
    match step.runtime.value {
        Runtime::Java | Runtime::Connector => {
            rt.java = Some(JavaRuntime {
                jar: file,
                jar_location: location,
                log,
                java_opts: step
                    .settings
                    .java_opts
                    .as_ref()
                    .map(|o| o.iter().map(|x| x.value.clone()).collect()),
                ..Default::default()
            })
        }
        Runtime::Python => {
            rt.python = Some(PythonRuntime {
                py: file,
                py_location: location,
                log,
            })
        }
        Runtime::Go => {
            rt.golang = Some(GoRuntime {
                go: file,
                go_location: location,
                log,
            })
        }
        Runtime::NodeJs | Runtime::Wasm | Runtime::Executable | Runtime::GenericPython => {
            rt.generic_runtime = Some(GenericRuntime {
                function_file: file,
                function_file_location: location,
                language: step
                    .runtime
                    .value
                    .generic_language()
                    .unwrap_or_default()
                    .to_owned(),
            })
        }
    }
    rt
}

fn resources(step: &Step) -> ResourceRequirements {
    let s = &step.settings;
    let pick = |resource: ResourceName, default: &str| {
        let request = s.requests.get(&resource).map(|q| q.value.clone());
        let limit = s.limits.get(&resource).map(|q| q.value.clone());
        let request_or = request.clone().or(limit.clone()).unwrap_or(default.into());
        let limit_or = limit.or(request).unwrap_or(default.into());
        (request_or, limit_or)
    };
    let (cpu_req, cpu_lim) = pick(ResourceName::Cpu, DEFAULT_CPU);
    let (mem_req, mem_lim) = pick(ResourceName::Memory, DEFAULT_MEMORY);
    let quantities = |cpu: String, memory: String| {
        BTreeMap::from([
            ("cpu".to_owned(), Quantity(cpu)),
            ("memory".to_owned(), Quantity(memory)),
        ])
    };
    let mut limits = quantities(cpu_lim, mem_lim);
    if !hardening::limited(step, ResourceName::Cpu) {
        limits.remove("cpu");
    }
    if !hardening::limited(step, ResourceName::Memory) {
        limits.remove("memory");
    }
    ResourceRequirements {
        requests: Some(quantities(cpu_req, mem_req)),
        limits: (!limits.is_empty()).then_some(limits),
        ..Default::default()
    }
}

fn secrets_map(step: &Step) -> Option<BTreeMap<String, SecretRef>> {
    let map: BTreeMap<_, _> = step
        .settings
        .env
        .iter()
        .filter_map(|(key, value)| match value {
            EnvValue::Secret { secret, key: k } => Some((
                key.value.clone(),
                SecretRef {
                    path: Some(secret.value.clone()),
                    key: Some(k.value.clone()),
                },
            )),
            EnvValue::Literal(_) => None,
        })
        .collect();
    (!map.is_empty()).then_some(map)
}

/// The step's pod annotations and, over them, those carrying its security relaxations.
fn pod_annotations(step: &Step) -> Option<BTreeMap<String, String>> {
    let mut annotations = string_map(&step.settings.annotations).unwrap_or_default();
    annotations.extend(hardening::relaxation_annotations(step));
    (!annotations.is_empty()).then_some(annotations)
}

fn pod_policy(step: &Step, diagnostics: &mut Diagnostics) -> PodPolicy {
    let s = &step.settings;
    let env: Vec<EnvVar> = s
        .env
        .iter()
        .filter_map(|(key, value)| match value {
            EnvValue::Literal(v) => Some(EnvVar {
                name: key.value.clone(),
                value: Some(scalar_text(&v.value)),
                value_from: None,
            }),
            EnvValue::Secret { .. } => None,
        })
        .collect();
    let volumes: Vec<Volume> = s
        .volumes
        .iter()
        .map(|v| {
            let mut volume = Volume {
                name: v.name.value.clone(),
                ..Default::default()
            };
            match &v.source {
                VolumeSource::Secret(name) => {
                    volume.secret = Some(SecretVolumeSource {
                        secret_name: Some(name.value.clone()),
                        ..Default::default()
                    })
                }
                VolumeSource::ConfigMap(name) => {
                    volume.config_map = Some(ConfigMapVolumeSource {
                        name: name.value.clone(),
                        ..Default::default()
                    })
                }
                VolumeSource::EmptyDir => volume.empty_dir = Some(EmptyDirVolumeSource::default()),
            }
            volume
        })
        .collect();
    let tolerations: Option<Vec<Toleration>> = s.tolerations.as_ref().map(|list| {
        list.iter()
            .filter_map(|m| {
                match serde_json::from_value::<Toleration>(Json::Object(map_to_json(&m.value))) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                m.span,
                                format!("not a valid toleration: {e}"),
                            )
                            .help("a toleration has `key`, `operator`, `value`, `effect` and `tolerationSeconds`"),
                        );
                        None
                    }
                }
            })
            .collect()
    });
    let metrics: Vec<MetricSpec> = s
        .autoscale
        .iter()
        .map(|(resource, percent)| MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: match resource {
                    ResourceName::Cpu => "cpu",
                    ResourceName::Memory => "memory",
                }
                .into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(percent.value as i32),
                    ..Default::default()
                },
            }),
            ..Default::default()
        })
        .collect();
    PodPolicy {
        labels: string_map(&s.labels),
        annotations: pod_annotations(step),
        node_selector: string_map(&s.node_selector),
        tolerations,
        service_account_name: s.service_account.as_ref().map(|a| a.value.clone()),
        termination_grace_period_seconds: s
            .termination_grace
            .as_ref()
            .and_then(|t| units::duration_ms(&t.value))
            .map(|ms| ms / 1000),
        volumes: (!volumes.is_empty()).then_some(volumes),
        env: (!env.is_empty()).then_some(env),
        auto_scaling_metrics: (!metrics.is_empty()).then_some(metrics),
        builtin_autoscaler: (!s.builtin_autoscale.is_empty()).then(|| {
            s.builtin_autoscale
                .values()
                .map(|rule| rule.value.api_name())
                .collect()
        }),
        vpa: s.vpa.as_ref().map(|v| v.value.clone()),
        // Hardened by default, so pods are restricted under either operator.
        security_context: Some(hardening::pod_security_context(step)),
        ..Default::default()
    }
}

fn input_conf(mesh: &Mesh, step: &Step) -> Option<InputConf> {
    let s = &step.settings;
    let inputs = s.inputs.as_ref();
    if inputs.is_none() && s.input_pattern.is_none() {
        return None;
    }
    let declared: Vec<_> = inputs
        .into_iter()
        .flatten()
        .filter_map(|t| match &t.value {
            crate::syntax::ast::TopicRef::Name(n) => mesh.topic(n),
            crate::syntax::ast::TopicRef::Full(f) => mesh.topic_by_full_name(f),
        })
        .collect();
    let schemas: BTreeMap<String, String> = declared
        .iter()
        .filter_map(|t| schema_type(&t.schema.value).map(|st| (t.full_name.clone(), st)))
        .collect();
    Some(InputConf {
        type_class_name: declared.first().and_then(|t| type_class(&t.schema.value)),
        topics: inputs.map(|list| {
            list.iter()
                .filter_map(|t| mesh.full_topic_name(&t.value))
                .collect()
        }),
        topic_pattern: s.input_pattern.as_ref().map(|p| p.value.clone()),
        custom_schema_sources: (!schemas.is_empty()).then_some(schemas),
        ..Default::default()
    })
}

fn output_conf(mesh: &Mesh, step: &Step) -> Option<OutputConf> {
    let out = step.settings.output.as_ref()?;
    let full = mesh.full_topic_name(&out.value)?;
    let topic = mesh.topic_by_full_name(&full);
    Some(OutputConf {
        topic: Some(full),
        type_class_name: topic.and_then(|t| type_class(&t.schema.value)),
        sink_schema_type: topic.and_then(|t| schema_type(&t.schema.value)),
        producer_conf: step.settings.producer.as_ref().map(|p| p.value.clone()),
        ..Default::default()
    })
}
