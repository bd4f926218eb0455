//! BackendConfig: defaults merged into every Function, Source and Sink (upstream:
//! `controllers/spec/common.go`, `PatchStatefulSet` and `mergePodPolicy`).
//!
//! Two BackendConfigs can apply to a resource: the global one and the one of its namespace.
//! The namespace's wins over the global one, and the resource's own settings win over both:
//! - `env`: one variable per entry in every container of the pod (not the init containers);
//!   a name the container defines itself keeps the container's value;
//! - `pod.labels`, `pod.annotations`, `pod.nodeSelector`: merged key by key into the pod
//!   template's (everything the operator and the resource put there wins);
//! - `pod.affinity`, `pod.securityContext`, `pod.terminationGracePeriodSeconds`,
//!   `pod.serviceAccountName`, `pod.liveness`, `pod.startupProbe`: used when the resource's
//!   `pod` leaves them unset;
//! - `pod.tolerations`, `pod.imagePullSecrets`: listed before the resource's own;
//! - every other `pod` field is not applied, as upstream.
//!
//! The BackendConfigs applied are recorded on the StatefulSet ([`APPLIED_ANNOTATION`]), so
//! the operator knows what a StatefulSet was built from when a BackendConfig changes.

use std::collections::BTreeMap;

use fm_api::common::PodPolicy;
use fm_api::spec_common::CommonSpec;
use fm_api::BackendConfig;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{EnvVar, LocalObjectReference};
use serde::{Deserialize, Serialize};

/// StatefulSet annotation naming the BackendConfigs (and their `resourceVersion`s) it was
/// built from, as JSON: `{"global": {...}, "namespaced": {...}}` (see [`Applied`]). Absent
/// when none applied.
pub const APPLIED_ANNOTATION: &str = "compute.functionmesh.io/backend-configs";

/// Which BackendConfigs apply: fm-operator's `--global-backend-config`,
/// `--global-backend-config-namespace` and `--namespaced-backend-config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// The global BackendConfig's name and namespace; `None`: no global one.
    pub global: Option<(String, String)>,
    /// The name of each namespace's BackendConfig; `None`: none.
    pub namespaced: Option<String>,
}

impl Default for Names {
    /// The defaults of `fm-operator run` installed by `deploy/`: upstream chart's names, the
    /// global one in the operator's namespace `function-mesh-system`.
    fn default() -> Self {
        Names {
            global: Some((
                "global-backend-config".to_owned(),
                "function-mesh-system".to_owned(),
            )),
            namespaced: Some("backend-config".to_owned()),
        }
    }
}

impl Names {
    /// Whether `namespace`/`name` is the global BackendConfig.
    pub fn is_global(&self, namespace: &str, name: &str) -> bool {
        self.global
            .as_ref()
            .is_some_and(|(n, ns)| n == name && ns == namespace)
    }

    /// Whether `name` is the name of a namespace's BackendConfig.
    pub fn is_namespaced(&self, name: &str) -> bool {
        self.namespaced.as_deref() == Some(name)
    }
}

/// The BackendConfigs that apply to one resource, as found in the cluster (or a stream).
#[derive(Clone, Copy, Debug, Default)]
pub struct BackendConfigs<'a> {
    /// The cluster-wide one.
    pub global: Option<&'a BackendConfig>,
    /// The one of the resource's namespace.
    pub namespaced: Option<&'a BackendConfig>,
}

/// One applied BackendConfig, as recorded on the StatefulSet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedConfig {
    pub namespace: String,
    pub name: String,
    /// Its `metadata.resourceVersion` (upstream's "revision" in the resource's status); empty
    /// when it has none (rendered offline).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
    /// Its `spec.autoUpdate`.
    #[serde(default)]
    pub auto_update: bool,
}

/// The BackendConfigs a StatefulSet was built from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<AppliedConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaced: Option<AppliedConfig>,
}

impl AppliedConfig {
    fn of(config: &BackendConfig) -> AppliedConfig {
        AppliedConfig {
            namespace: config.metadata.namespace.clone().unwrap_or_default(),
            name: config.metadata.name.clone().unwrap_or_default(),
            resource_version: config.metadata.resource_version.clone().unwrap_or_default(),
            auto_update: config.spec.auto_update(),
        }
    }
}

impl Applied {
    /// What `configs` records.
    pub fn of(configs: &BackendConfigs<'_>) -> Applied {
        Applied {
            global: configs.global.map(AppliedConfig::of),
            namespaced: configs.namespaced.map(AppliedConfig::of),
        }
    }

    /// What `sts` records: `Ok(Applied::default())` when it carries no annotation (built
    /// without BackendConfigs, or before they were served), `Err` when the annotation is not
    /// ours to read (edited by hand).
    pub fn of_statefulset(sts: &StatefulSet) -> Result<Applied, String> {
        match sts
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(APPLIED_ANNOTATION))
        {
            None => Ok(Applied::default()),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| format!("annotation {APPLIED_ANNOTATION}: {e}")),
        }
    }

    fn is_empty(&self) -> bool {
        self.global.is_none() && self.namespaced.is_none()
    }
}

/// The two BackendConfigs merged: the namespace's over the global one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Merged {
    pub env: BTreeMap<String, String>,
    /// Only the honoured fields (see the module documentation).
    pub pod: PodPolicy,
    pub applied: Applied,
}

/// Merges the BackendConfigs that apply to one resource (upstream's `PatchStatefulSet`, first
/// half, and `mergePodPolicy`).
pub fn merge(configs: &BackendConfigs<'_>) -> Merged {
    let mut env = BTreeMap::new();
    let mut pod = PodPolicy::default();
    for config in [configs.global, configs.namespaced].into_iter().flatten() {
        env.extend(
            config
                .spec
                .env
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        if let Some(higher) = &config.spec.pod {
            pod = overlay(&pod, &honoured(higher));
        }
    }
    Merged {
        env,
        pod,
        applied: Applied::of(configs),
    }
}

/// The `pod` fields a BackendConfig sets that are applied: upstream reads no others.
fn honoured(pod: &PodPolicy) -> PodPolicy {
    PodPolicy {
        labels: pod.labels.clone(),
        node_selector: pod.node_selector.clone(),
        affinity: pod.affinity.clone(),
        tolerations: pod.tolerations.clone(),
        annotations: pod.annotations.clone(),
        security_context: pod.security_context.clone(),
        termination_grace_period_seconds: pod.termination_grace_period_seconds,
        image_pull_secrets: pod.image_pull_secrets.clone(),
        service_account_name: pod.service_account_name.clone(),
        liveness: pod.liveness.clone(),
        startup_probe: pod.startup_probe.clone(),
        ..PodPolicy::default()
    }
}

/// `higher` with the honoured fields it leaves unset taken from `lower`: maps merged with
/// `higher`'s keys winning, lists `lower`'s first, single values `higher`'s when set. Every
/// other field is `higher`'s.
fn overlay(lower: &PodPolicy, higher: &PodPolicy) -> PodPolicy {
    fn map(
        lower: &Option<BTreeMap<String, String>>,
        higher: &Option<BTreeMap<String, String>>,
    ) -> Option<BTreeMap<String, String>> {
        let mut out = lower.clone().unwrap_or_default();
        out.extend(higher.iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
        (!out.is_empty()).then_some(out)
    }
    fn list<T: Clone>(lower: &Option<Vec<T>>, higher: &Option<Vec<T>>) -> Option<Vec<T>> {
        let out: Vec<T> = lower.iter().chain(higher).flatten().cloned().collect();
        (!out.is_empty()).then_some(out)
    }
    let mut pull_secrets: Vec<LocalObjectReference> = Vec::new();
    for secret in list(&lower.image_pull_secrets, &higher.image_pull_secrets)
        .into_iter()
        .flatten()
    {
        // One secret named twice is one secret (and a repeated merge key to the API server).
        if !pull_secrets.iter().any(|s| s.name == secret.name) {
            pull_secrets.push(secret);
        }
    }
    PodPolicy {
        labels: map(&lower.labels, &higher.labels),
        node_selector: map(&lower.node_selector, &higher.node_selector),
        annotations: map(&lower.annotations, &higher.annotations),
        affinity: higher.affinity.clone().or_else(|| lower.affinity.clone()),
        tolerations: list(&lower.tolerations, &higher.tolerations),
        security_context: higher
            .security_context
            .clone()
            .or_else(|| lower.security_context.clone()),
        termination_grace_period_seconds: higher
            .termination_grace_period_seconds
            .or(lower.termination_grace_period_seconds),
        image_pull_secrets: (!pull_secrets.is_empty()).then_some(pull_secrets),
        service_account_name: higher
            .service_account_name
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| lower.service_account_name.clone()),
        // A liveness block that makes no probe (no positive period) is no probe: upstream then
        // takes the BackendConfig's, as it does for a container without a probe.
        liveness: higher
            .liveness
            .clone()
            .filter(|l| l.period_seconds.is_some_and(|p| p > 0))
            .or_else(|| lower.liveness.clone()),
        startup_probe: higher
            .startup_probe
            .clone()
            .or_else(|| lower.startup_probe.clone()),
        ..higher.clone()
    }
}

impl Merged {
    /// Whether nothing applies: the resource renders as if no BackendConfig existed.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty()
    }

    /// The resource's spec with the BackendConfigs' single-valued and list settings filled in
    /// (those the StatefulSet builder reads from `pod`). Maps (labels, annotations,
    /// nodeSelector) and env are merged into the built StatefulSet by [`Merged::finish`], under
    /// everything the operator and the resource put there.
    pub fn apply_to_spec(&self, common: &mut CommonSpec) {
        if self.is_empty() {
            return;
        }
        let lower = PodPolicy {
            labels: None,
            annotations: None,
            node_selector: None,
            ..self.pod.clone()
        };
        let own = common.pod.clone().unwrap_or_default();
        let merged = overlay(&lower, &own);
        common.pod = (merged != PodPolicy::default()).then_some(merged);
    }

    /// Merges env, labels, annotations and nodeSelector into the built StatefulSet and records
    /// which BackendConfigs were applied.
    pub fn finish(&self, sts: &mut StatefulSet) {
        if self.is_empty() {
            return;
        }
        if let Ok(record) = serde_json::to_string(&self.applied) {
            sts.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(APPLIED_ANNOTATION.to_owned(), record);
        }
        let Some(template) = sts.spec.as_mut().map(|s| &mut s.template) else {
            return;
        };
        if let Some(meta) = template.metadata.as_mut() {
            under(&mut meta.labels, self.pod.labels.as_ref());
            under(&mut meta.annotations, self.pod.annotations.as_ref());
        }
        let Some(pod) = template.spec.as_mut() else {
            return;
        };
        under(&mut pod.node_selector, self.pod.node_selector.as_ref());
        for container in &mut pod.containers {
            let own = container.env.take().unwrap_or_default();
            // Upstream prepends the variables whatever the container defines, so a name comes
            // twice (Kubernetes takes the later, the container's); server-side apply refuses a
            // repeated name, so the container's own definition is the only one kept.
            let mut env: Vec<EnvVar> = self
                .env
                .iter()
                .filter(|(name, _)| !own.iter().any(|v| v.name == **name))
                .map(|(name, value)| EnvVar {
                    name: name.clone(),
                    value: Some(value.clone()),
                    value_from: None,
                })
                .collect();
            env.extend(own);
            container.env = (!env.is_empty()).then_some(env);
        }
    }
}

/// `target` with the keys of `defaults` it lacks added.
fn under(
    target: &mut Option<BTreeMap<String, String>>,
    defaults: Option<&BTreeMap<String, String>>,
) {
    let Some(defaults) = defaults.filter(|d| !d.is_empty()) else {
        return;
    };
    let map = target.get_or_insert_with(BTreeMap::new);
    for (k, v) in defaults {
        map.entry(k.clone()).or_insert_with(|| v.clone());
    }
}
