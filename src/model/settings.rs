//! A step's settings after `use`, the step body and (for an environment) the env override
//! have been folded together. Each value keeps the span of the statement that set it.
//!
//! Folding rule: statements inside one block accumulate (two `in` lines read both lists);
//! a later block (the step over its defaults, an env over the step) replaces each scalar or
//! list it mentions and merges each map key by key.

use std::collections::BTreeMap;

use fm_api::common::{
    JavaLog4jConfigFileType, LogConfigRef, LogFormat, LogLevel, LogTopicAgent, ProcessingGuarantee,
    ProducerConfig, RotatePolicy, SubscriptionPosition, VpaSpec,
};

use super::statements::{BuiltinRule, Claim, Window};
use super::words::SubscriptionType;
use crate::diag::Diagnostics;
use crate::syntax::ast::{
    EnvValue, Map, Name, Relaxation, ResourceName, ResourceSide, Setting, Spanned, TopicRef, Value,
    VolumeSource,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    pub name: Name,
    pub source: VolumeSource,
    pub mount: Spanned<String>,
}

/// `replicas MIN` or `replicas MIN..MAX`.
pub type ReplicaBounds = (Spanned<i64>, Option<Spanned<i64>>);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepSettings {
    pub cluster: Option<Name>,
    pub image: Option<Spanned<String>>,
    /// The Kubernetes word (`IfNotPresent`, …).
    pub image_pull_policy: Option<Spanned<&'static str>>,
    pub package: Option<Spanned<String>>,
    pub file: Option<Spanned<String>>,
    pub inputs: Option<Vec<Spanned<TopicRef>>>,
    pub input_pattern: Option<Spanned<String>>,
    pub output: Option<Spanned<TopicRef>>,
    pub log_topic: Option<Spanned<TopicRef>>,
    pub dead_letter: Option<Spanned<TopicRef>>,
    pub subscription: Option<Spanned<String>>,
    pub subscription_type: Option<Spanned<SubscriptionType>>,
    pub position: Option<Spanned<SubscriptionPosition>>,
    pub guarantee: Option<Spanned<ProcessingGuarantee>>,
    pub auto_ack: Option<Spanned<bool>>,
    pub max_retries: Option<Spanned<i64>>,
    pub timeout_ms: Option<Spanned<i32>>,
    pub cleanup_subscription: Option<Spanned<bool>>,
    /// min and optional max, with the span of the whole statement.
    pub replicas: Option<Spanned<ReplicaBounds>>,
    pub autoscale: BTreeMap<ResourceName, Spanned<f64>>,
    pub requests: BTreeMap<ResourceName, Spanned<String>>,
    pub limits: BTreeMap<ResourceName, Spanned<String>>,
    pub env: Vec<(Spanned<String>, EnvValue)>,
    pub volumes: Vec<Volume>,
    pub labels: Map,
    pub annotations: Map,
    pub node_selector: Map,
    pub tolerations: Option<Vec<Spanned<Map>>>,
    pub service_account: Option<Spanned<String>>,
    pub termination_grace: Option<Spanned<String>>,
    /// `state` alone (`Some(None)`: use the cluster's URL) or `state "bk://…"`.
    pub state: Option<Spanned<Option<Spanned<String>>>>,
    pub config: Map,
    pub config_span: Option<crate::diag::Span>,
    pub log_level: Option<Spanned<LogLevel>>,
    pub java_opts: Option<Vec<Spanned<String>>>,
    /// Relaxations of the hardened pod defaults; a later block's `security` replaces them
    /// all, so an environment can write `security {}` to harden again.
    pub security: Option<Vec<Spanned<Relaxation>>>,
    pub forward_properties: Option<Spanned<bool>>,
    pub max_pending_async: Option<Spanned<i32>>,
    pub log_rotation: Option<Spanned<RotatePolicy>>,
    pub log_format: Option<Spanned<LogFormat>>,
    pub log_config_format: Option<Spanned<JavaLog4jConfigFileType>>,
    pub log_config: Option<Spanned<LogConfigRef>>,
    pub log_topic_agent: Option<Spanned<LogTopicAgent>>,
    /// Upstream's builtin autoscaler rules, one per resource.
    pub builtin_autoscale: BTreeMap<ResourceName, Spanned<BuiltinRule>>,
    /// A later block's `window`, `vpa` or `producer` replaces the whole block.
    pub window: Option<Spanned<Window>>,
    pub vpa: Option<Spanned<VpaSpec>>,
    pub volume_claims: Vec<Claim>,
    pub producer: Option<Spanned<ProducerConfig>>,
    /// `spec { … }`, deep-merged over the generated spec; later blocks merge into it too.
    pub spec: Map,
    pub spec_span: Option<crate::diag::Span>,
}

/// Merges `entries` into `map` recursively: a map meets a map key by key, anything else
/// replaces what was there (the `spec { … }` rule).
pub fn deep_merge_map(map: &mut Map, entries: &Map) {
    for (key, value) in entries {
        match map.iter_mut().find(|(k, _)| k.value == key.value) {
            Some(slot) => match (&mut slot.1.value, &value.value) {
                (Value::Map(old), Value::Map(new)) => deep_merge_map(old, new),
                _ => slot.1 = value.clone(),
            },
            None => map.push((key.clone(), value.clone())),
        }
    }
}

/// Sets or replaces `key` in `map`, keeping the first position it was written at.
pub fn merge_map(map: &mut Map, entries: &Map) {
    for (key, value) in entries {
        match map.iter_mut().find(|(k, _)| k.value == key.value) {
            Some(slot) => slot.1 = value.clone(),
            None => map.push((key.clone(), value.clone())),
        }
    }
}

impl StepSettings {
    /// Applies one statement within a block (accumulating lists).
    pub fn apply(&mut self, setting: &Spanned<Setting>, diagnostics: &mut Diagnostics) {
        if super::statements::apply(self, setting, diagnostics) {
            return;
        }
        let span = setting.span;
        match &setting.value {
            Setting::Use(_) => {} // resolved by the caller, which knows the defaults blocks
            Setting::Cluster(n) => self.cluster = Some(n.clone()),
            Setting::Image(s) => self.image = Some(s.clone()),
            Setting::Package(s) => self.package = Some(s.clone()),
            Setting::File(s) => self.file = Some(s.clone()),
            Setting::In(topics) => self
                .inputs
                .get_or_insert_with(Vec::new)
                .extend(topics.iter().cloned()),
            Setting::InPattern(s) => self.input_pattern = Some(s.clone()),
            Setting::Out(t) => self.output = Some(t.clone()),
            Setting::LogTopic(t) => self.log_topic = Some(t.clone()),
            Setting::DeadLetter(t) => self.dead_letter = Some(t.clone()),
            Setting::Subscription(s) => self.subscription = Some(s.clone()),
            Setting::AutoAck(b) => self.auto_ack = Some(Spanned::new(*b, span)),
            Setting::MaxRetries(n) => self.max_retries = Some(n.clone()),
            Setting::CleanupSubscription(b) => {
                self.cleanup_subscription = Some(Spanned::new(*b, span))
            }
            Setting::Replicas { min, max } => {
                self.replicas = Some(Spanned::new((min.clone(), max.clone()), span))
            }
            Setting::Autoscale { resource, percent } => {
                self.autoscale.insert(*resource, percent.clone());
            }
            Setting::Resources { side, amounts } => {
                for (resource, amount) in amounts {
                    if matches!(side, ResourceSide::Both | ResourceSide::Requests) {
                        self.requests.insert(*resource, amount.clone());
                    }
                    if matches!(side, ResourceSide::Both | ResourceSide::Limits) {
                        self.limits.insert(*resource, amount.clone());
                    }
                }
            }
            Setting::Env(vars) => {
                for (key, value) in vars {
                    match self.env.iter_mut().find(|(k, _)| k.value == key.value) {
                        Some(slot) => slot.1 = value.clone(),
                        None => self.env.push((key.clone(), value.clone())),
                    }
                }
            }
            Setting::Volume {
                name,
                source,
                mount,
            } => {
                let volume = Volume {
                    name: name.clone(),
                    source: source.clone(),
                    mount: mount.clone(),
                };
                match self.volumes.iter_mut().find(|v| v.name.value == name.value) {
                    Some(slot) => *slot = volume,
                    None => self.volumes.push(volume),
                }
            }
            Setting::Labels(m) => merge_map(&mut self.labels, &m.value),
            Setting::Annotations(m) => merge_map(&mut self.annotations, &m.value),
            Setting::NodeSelector(m) => merge_map(&mut self.node_selector, &m.value),
            Setting::Toleration(m) => self
                .tolerations
                .get_or_insert_with(Vec::new)
                .push(m.clone()),
            Setting::ServiceAccount(s) => self.service_account = Some(s.clone()),
            Setting::TerminationGrace(s) => self.termination_grace = Some(s.clone()),
            Setting::State(url) => self.state = Some(Spanned::new(url.clone(), span)),
            Setting::Config(m) => {
                merge_map(&mut self.config, &m.value);
                self.config_span = Some(m.span);
            }
            Setting::JavaOpts(opts) => self
                .java_opts
                .get_or_insert_with(Vec::new)
                .extend(opts.iter().cloned()),
            Setting::Security(relaxations) => self
                .security
                .get_or_insert_with(Vec::new)
                .extend(relaxations.iter().cloned()),
            Setting::Spec(m) => {
                deep_merge_map(&mut self.spec, &m.value);
                self.spec_span = Some(m.span);
            }
            // Read by `statements::apply` above.
            Setting::ImagePullPolicy(_)
            | Setting::SubscriptionType(_)
            | Setting::Position(_)
            | Setting::Guarantee(_)
            | Setting::Timeout(_)
            | Setting::LogLevel(_)
            | Setting::ForwardProperties(_)
            | Setting::MaxPendingAsync(_)
            | Setting::LogRotation(_)
            | Setting::LogFormat(_)
            | Setting::LogConfigFormat(_)
            | Setting::LogConfig { .. }
            | Setting::LogTopicAgent(_)
            | Setting::BuiltinAutoscale { .. }
            | Setting::Window(_)
            | Setting::Vpa(_)
            | Setting::VolumeClaim { .. }
            | Setting::Producer(_) => {}
        }
    }

    /// Lays a later block's settings over these: scalars and lists replaced, maps merged.
    pub fn overlay(&mut self, later: &StepSettings) {
        macro_rules! replace {
            ($($field:ident),*) => {$(
                if later.$field.is_some() {
                    self.$field = later.$field.clone();
                }
            )*};
        }
        replace!(
            cluster,
            image,
            image_pull_policy,
            package,
            file,
            inputs,
            input_pattern,
            output,
            log_topic,
            dead_letter,
            subscription,
            subscription_type,
            position,
            guarantee,
            auto_ack,
            max_retries,
            timeout_ms,
            cleanup_subscription,
            replicas,
            tolerations,
            service_account,
            termination_grace,
            state,
            log_level,
            java_opts,
            security,
            config_span,
            spec_span,
            forward_properties,
            max_pending_async,
            log_rotation,
            log_format,
            log_config_format,
            log_config,
            log_topic_agent,
            window,
            vpa,
            producer
        );
        self.builtin_autoscale
            .extend(later.builtin_autoscale.clone());
        for claim in &later.volume_claims {
            match self
                .volume_claims
                .iter_mut()
                .find(|c| c.name.value == claim.name.value)
            {
                Some(slot) => *slot = claim.clone(),
                None => self.volume_claims.push(claim.clone()),
            }
        }
        self.autoscale.extend(later.autoscale.clone());
        self.requests.extend(later.requests.clone());
        self.limits.extend(later.limits.clone());
        for (key, value) in &later.env {
            match self.env.iter_mut().find(|(k, _)| k.value == key.value) {
                Some(slot) => slot.1 = value.clone(),
                None => self.env.push((key.clone(), value.clone())),
            }
        }
        for volume in &later.volumes {
            match self
                .volumes
                .iter_mut()
                .find(|v| v.name.value == volume.name.value)
            {
                Some(slot) => *slot = volume.clone(),
                None => self.volumes.push(volume.clone()),
            }
        }
        merge_map(&mut self.labels, &later.labels);
        merge_map(&mut self.annotations, &later.annotations);
        merge_map(&mut self.node_selector, &later.node_selector);
        merge_map(&mut self.config, &later.config);
        deep_merge_map(&mut self.spec, &later.spec);
    }
}
