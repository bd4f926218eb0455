//! One normalised view of a Function, Source or Sink: the fields every builder needs, with
//! upstream's defaults applied where the spec leaves them out, so the builders work the same
//! whether or not the resource went through defaulting first.

use fm_api::common::{
    AuthConfig, GenericRuntime, GoRuntime, JavaRuntime, LogTopicAgent, ProcessingGuarantee,
    PulsarMessaging, PythonRuntime, TlsConfig,
};
pub use fm_api::component::SpecRef;
use fm_api::spec_common::CommonSpec;

use crate::naming::Kind;
use crate::violation::Violation;

/// The runtime block of a resource (exactly one is allowed).
#[derive(Clone, Copy, Debug)]
pub enum RuntimeRef<'a> {
    Java(&'a JavaRuntime),
    Python(&'a PythonRuntime),
    Go(&'a GoRuntime),
    Generic(&'a GenericRuntime),
}

impl RuntimeRef<'_> {
    /// `(file, location)` of the code package.
    pub fn package(&self) -> (&str, Option<&str>) {
        match self {
            RuntimeRef::Java(j) => (&j.jar, j.jar_location.as_deref()),
            RuntimeRef::Python(p) => (&p.py, p.py_location.as_deref()),
            RuntimeRef::Go(g) => (&g.go, g.go_location.as_deref()),
            RuntimeRef::Generic(g) => (&g.function_file, g.function_file_location.as_deref()),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Component<'a> {
    pub kind: Kind,
    /// `metadata.name`.
    pub name: &'a str,
    /// Kubernetes namespace (`default` when the object has none).
    pub namespace: &'a str,
    /// `metadata.uid`, absent when rendering offline.
    pub uid: Option<&'a str>,
    pub common: &'a CommonSpec,
    pub specific: SpecRef<'a>,
    pub runtime: RuntimeRef<'a>,
}

/// Finds the single runtime block, or describes what is wrong with them.
pub fn runtime_of(kind: Kind, common: &CommonSpec) -> Result<RuntimeRef<'_>, Violation> {
    let r = &common.runtime;
    let mut found = Vec::new();
    if let Some(j) = &r.java {
        found.push(RuntimeRef::Java(j));
    }
    if let Some(p) = &r.python {
        found.push(RuntimeRef::Python(p));
    }
    if let Some(g) = &r.golang {
        found.push(RuntimeRef::Go(g));
    }
    if let Some(g) = &r.generic_runtime {
        found.push(RuntimeRef::Generic(g));
    }
    match (kind, found.as_slice()) {
        (_, []) => Err(Violation::new(
            "spec",
            "one runtime block (java, python, golang or genericRuntime) is required",
        )),
        (Kind::Function, [one]) => Ok(*one),
        (_, [RuntimeRef::Java(j)]) => Ok(RuntimeRef::Java(j)),
        (_, [_]) => Err(Violation::new(
            "spec",
            format!("a {} runs on the java runtime only", kind.word()),
        )),
        (_, _) => Err(Violation::new(
            "spec",
            "java, python, golang and genericRuntime are mutually exclusive; set exactly one",
        )),
    }
}

impl<'a> Component<'a> {
    /// The Pulsar-side name (`spec.name`, default `metadata.name`).
    pub fn pulsar_name(&self) -> &'a str {
        self.common
            .name
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(self.name)
    }

    pub fn tenant(&self) -> &'a str {
        self.common
            .tenant
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(crate::defaults::TENANT)
    }

    pub fn pulsar_namespace(&self) -> &'a str {
        self.common
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(crate::defaults::PULSAR_NAMESPACE)
    }

    pub fn cluster_name(&self) -> &'a str {
        self.common
            .cluster_name
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(crate::defaults::CLUSTER_NAME)
    }

    pub fn class_name(&self) -> &'a str {
        self.common.class_name.as_deref().unwrap_or("")
    }

    /// Replicas: explicit, else minReplicas, else 1 (upstream's defaulting).
    pub fn replicas(&self) -> i32 {
        self.common
            .replicas
            .or(self.common.min_replicas)
            .unwrap_or(1)
    }

    pub fn min_replicas(&self) -> i32 {
        self.common
            .min_replicas
            .or(self.common.replicas)
            .unwrap_or(1)
    }

    pub fn guarantee(&self) -> ProcessingGuarantee {
        self.common
            .processing_guarantee
            .unwrap_or(ProcessingGuarantee::AtleastOnce)
    }

    pub fn pulsar(&self) -> Option<&'a PulsarMessaging> {
        self.common.pulsar.as_ref()
    }

    pub fn auth_config(&self) -> Option<&'a AuthConfig> {
        self.pulsar().and_then(|p| p.auth_config.as_ref())
    }

    pub fn tls_config(&self) -> Option<&'a TlsConfig> {
        self.pulsar().and_then(|p| p.tls_config.as_ref())
    }

    pub fn has_secrets(&self) -> bool {
        self.common
            .secrets_map
            .as_ref()
            .is_some_and(|m| !m.is_empty())
    }

    /// `<uid>`, or (offline) `<namespace>-<name>` so the id is still stable and unique.
    pub fn function_id_suffix(&self) -> String {
        match self.uid {
            Some(uid) if !uid.is_empty() => uid.to_owned(),
            _ => format!("{}-{}", self.namespace, self.name),
        }
    }

    pub fn state_storage(&self) -> Option<&'a fm_api::common::PulsarStateStore> {
        self.common
            .stateful_config
            .as_ref()
            .and_then(|s| s.pulsar.as_ref())
    }

    /// The log topic the instance itself publishes its logs to, as upstream hands it over
    /// (`convertFunctionDetails`, `convertSourceDetails`, `convertSinkDetails` in
    /// `controllers/spec/utils.go`): only a Function's, and not when its `logTopicAgent` is
    /// `sidecar` (a filebeat container ships the log files instead). Sources and Sinks never
    /// get one; upstream's webhook makes `sidecar` their default agent.
    pub fn instance_log_topic(&self) -> String {
        match self.specific {
            SpecRef::Function(_) if self.common.log_topic_agent != Some(LogTopicAgent::Sidecar) => {
                self.common.log_topic.clone().unwrap_or_default()
            }
            _ => String::new(),
        }
    }
}

impl<'a> Component<'a> {
    /// `(topics, topicPattern)` of a Function or Sink input.
    pub fn specific_input(&self) -> Option<(Vec<String>, Option<&'a str>)> {
        let input = self.specific.input()?;
        Some((
            input.topics.clone().unwrap_or_default(),
            input.topic_pattern.as_deref(),
        ))
    }
}
