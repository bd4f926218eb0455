//! The step statements whose values are words, durations or quantities (delivery settings,
//! logging, windows, VPA, volume claims, producer) read into typed values during lowering: each word through its table in [`super::words`], each duration into
//! milliseconds, each quantity checked, all once and with the span it was written at. What is
//! wrong is a diagnostic here and the statement (or its line) is left out, so later passes
//! and code generation never read text again.

use std::collections::BTreeMap;

use fm_api::common::{
    LogConfigRef, ProducerConfig, VpaContainerPolicy, VpaResourcePolicy, VpaSpec, VpaUpdatePolicy,
};
use fm_api::function::WindowProcessingGuarantee;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::settings::StepSettings;
use super::words;
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::syntax::ast::{
    ClaimField, Name, ProducerField, ResourceName, Spanned, TopicRef, VpaContainerField, VpaField,
    WindowField,
};
use crate::units;

/// How long a window is, or how often it slides: a number of messages or a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowSize {
    Count(i64),
    DurationMs(i64),
}

impl WindowSize {
    pub fn describe(self) -> String {
        match self {
            WindowSize::Count(n) => format!("{n} messages"),
            WindowSize::DurationMs(ms) => units::duration_text(ms),
        }
    }
}

/// `window { … }`, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Window {
    pub length: Option<Spanned<WindowSize>>,
    pub slide: Option<Spanned<WindowSize>>,
    pub late_data: Option<Spanned<TopicRef>>,
    pub max_lag_ms: Option<Spanned<i64>>,
    pub watermark_ms: Option<Spanned<i64>>,
    pub timestamp_extractor: Option<Spanned<String>>,
    pub guarantee: Option<Spanned<WindowProcessingGuarantee>>,
}

/// `volume-claim NAME { … }`, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub name: Name,
    pub size: Option<Spanned<Quantity>>,
    pub access: Vec<Spanned<&'static str>>,
    pub storage_class: Option<Spanned<String>>,
    pub mount: Option<Spanned<String>>,
    /// The whole statement, for findings about the claim as a whole.
    pub span: Span,
}

/// One of upstream's builtin autoscaler rules: a resource and a utilisation percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinRule {
    pub resource: ResourceName,
    pub percent: u8,
}

impl BuiltinRule {
    /// The rule's name in `pod.builtinAutoscaler`.
    pub fn api_name(self) -> String {
        let resource = match self.resource {
            ResourceName::Cpu => "CPU",
            ResourceName::Memory => "Memory",
        };
        format!("AverageUtilization{resource}Percent{}", self.percent)
    }

    /// The rule a `pod.builtinAutoscaler` entry names, if it is one of upstream's.
    pub fn from_api_name(name: &str) -> Option<BuiltinRule> {
        let rest = name.strip_prefix("AverageUtilization")?;
        let (resource, percent) = if let Some(p) = rest.strip_prefix("CPUPercent") {
            (ResourceName::Cpu, p)
        } else {
            (ResourceName::Memory, rest.strip_prefix("MemoryPercent")?)
        };
        let percent: u8 = percent.parse().ok()?;
        words::BUILTIN_PERCENTS
            .contains(&percent)
            .then_some(BuiltinRule { resource, percent })
    }
}

fn word<T: Copy>(
    table: &[(&str, T)],
    name: &Name,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<T>> {
    match words::value(table, &name.value) {
        Some(value) => Some(Spanned::new(value, name.span)),
        None => {
            let allowed: Vec<&str> = table.iter().map(|(w, _)| *w).collect();
            diagnostics.push(words::unknown_word(name, &allowed, what));
            None
        }
    }
}

fn duration(text: &Spanned<String>, what: &str, diagnostics: &mut Diagnostics) -> Option<i64> {
    duration_within(text, what, i64::MAX, diagnostics)
}

/// A positive duration of at most `max` milliseconds.
fn duration_within(
    text: &Spanned<String>,
    what: &str,
    max: i64,
    diagnostics: &mut Diagnostics,
) -> Option<i64> {
    match units::duration_ms(&text.value) {
        Some(ms) if ms > 0 && ms <= max => Some(ms),
        _ => {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    text.span,
                    format!("`{}` is not a valid {what}", text.value),
                )
                .primary("expected a duration")
                .help("write a whole number with a unit: `500ms`, `30s`, `5m` or `1h`"),
            );
            None
        }
    }
}

fn quantity(text: &Spanned<String>, what: &str, diagnostics: &mut Diagnostics) -> Option<Quantity> {
    match units::quantity(&text.value) {
        Some(v) if v > 0.0 => Some(Quantity(text.value.clone())),
        _ => {
            diagnostics.push(
                Diagnostic::error(
                    Code::Resources,
                    text.span,
                    format!("`{}` is not a valid {what}", text.value),
                )
                .primary("expected a Kubernetes quantity above zero")
                .help("e.g. cpu `500m`, `1`; memory or storage `512Mi`, `1Gi`"),
            );
            None
        }
    }
}

fn count(n: &Spanned<i64>, what: &str, diagnostics: &mut Diagnostics) -> Option<i32> {
    match i32::try_from(n.value) {
        Ok(v) if v > 0 => Some(v),
        _ => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                n.span,
                format!("{what} must be between 1 and 2147483647"),
            ));
            None
        }
    }
}

fn window_size(text: &Spanned<String>, diagnostics: &mut Diagnostics) -> Option<WindowSize> {
    let size = if text.value.bytes().all(|b| b.is_ascii_digit()) {
        text.value
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0 && *n <= i64::from(i32::MAX))
            .map(WindowSize::Count)
    } else {
        units::duration_ms(&text.value)
            .filter(|ms| *ms > 0)
            .map(WindowSize::DurationMs)
    };
    if size.is_none() {
        diagnostics.push(
            Diagnostic::error(
                Code::Window,
                text.span,
                format!("`{}` is not a window size", text.value),
            )
            .primary("expected a count or a duration")
            .help("a count of messages (`100`) or a duration (`500ms`, `30s`, `5m`, `1h`), above zero"),
        );
    }
    size
}

/// Applies one of the newer statements; `false` when `setting` is none of them.
pub fn apply(
    settings: &mut StepSettings,
    setting: &Spanned<crate::syntax::ast::Setting>,
    diagnostics: &mut Diagnostics,
) -> bool {
    use crate::syntax::ast::Setting;
    let span = setting.span;
    match &setting.value {
        Setting::ImagePullPolicy(n) => {
            if let Some(v) = word(words::PULL_POLICY, n, "pull policy", diagnostics) {
                settings.image_pull_policy = Some(v);
            }
        }
        Setting::SubscriptionType(n) => {
            let what = "subscription type";
            if let Some(v) = word(words::SUBSCRIPTION_TYPE, n, what, diagnostics) {
                settings.subscription_type = Some(v);
            }
        }
        Setting::Position(n) => {
            let what = "subscription position";
            if let Some(v) = word(words::POSITION, n, what, diagnostics) {
                settings.position = Some(v);
            }
        }
        Setting::Guarantee(n) => {
            let what = "processing guarantee";
            if let Some(v) = word(words::GUARANTEE, n, what, diagnostics) {
                settings.guarantee = Some(v);
            }
        }
        Setting::LogLevel(n) => {
            if let Some(v) = word(words::LOG_LEVEL, n, "log level", diagnostics) {
                settings.log_level = Some(v);
            }
        }
        Setting::Timeout(t) => {
            // The API's field is milliseconds in an int32.
            if let Some(ms) = duration_within(t, "timeout", i32::MAX as i64, diagnostics) {
                settings.timeout_ms = Some(Spanned::new(ms as i32, t.span));
            }
        }
        Setting::ForwardProperties(b) => settings.forward_properties = Some(Spanned::new(*b, span)),
        Setting::MaxPendingAsync(n) => {
            if let Some(v) = count(n, "max-pending-async", diagnostics) {
                settings.max_pending_async = Some(Spanned::new(v, n.span));
            }
        }
        Setting::LogRotation(n) => {
            if let Some(v) = word(words::LOG_ROTATION, n, "log rotation", diagnostics) {
                settings.log_rotation = Some(v);
            }
        }
        Setting::LogFormat(n) => {
            if let Some(v) = word(words::LOG_FORMAT, n, "log format", diagnostics) {
                settings.log_format = Some(v);
            }
        }
        Setting::LogConfigFormat(n) => {
            let what = "log configuration format";
            if let Some(v) = word(words::LOG_CONFIG_FORMAT, n, what, diagnostics) {
                settings.log_config_format = Some(v);
            }
        }
        Setting::LogConfig { config_map, key } => {
            settings.log_config = Some(Spanned::new(
                LogConfigRef {
                    name: config_map.value.clone(),
                    key: key.value.clone(),
                },
                span,
            ))
        }
        Setting::LogTopicAgent(n) => {
            if let Some(v) = word(words::LOG_TOPIC_AGENT, n, "log topic agent", diagnostics) {
                settings.log_topic_agent = Some(v);
            }
        }
        Setting::BuiltinAutoscale { resource, percent } => {
            let whole = percent.value.fract() == 0.0 && (0.0..=100.0).contains(&percent.value);
            match words::BUILTIN_PERCENTS
                .iter()
                .find(|p| whole && f64::from(**p) == percent.value)
            {
                Some(&p) => {
                    let rule = BuiltinRule {
                        resource: *resource,
                        percent: p,
                    };
                    settings
                        .builtin_autoscale
                        .insert(*resource, Spanned::new(rule, span));
                }
                None => diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        percent.span,
                        "upstream's builtin autoscaler has rules for 80%, 50% and 20% only",
                    )
                    .help("use one of those, or `autoscale` for any other target"),
                ),
            }
        }
        Setting::Window(fields) => {
            let window = settings
                .window
                .get_or_insert_with(|| Spanned::new(Window::default(), span));
            window.span = span;
            for field in fields {
                window_field(&mut window.value, field, diagnostics);
            }
        }
        Setting::Vpa(fields) => {
            let vpa = settings
                .vpa
                .get_or_insert_with(|| Spanned::new(VpaSpec::default(), span));
            vpa.span = span;
            for field in fields {
                vpa_field(&mut vpa.value, field, diagnostics);
            }
        }
        Setting::VolumeClaim { name, fields } => {
            let claim = claim(name, fields, span, diagnostics);
            match settings
                .volume_claims
                .iter_mut()
                .find(|c| c.name.value == name.value)
            {
                Some(slot) => *slot = claim,
                None => settings.volume_claims.push(claim),
            }
        }
        Setting::Producer(fields) => {
            let producer = settings
                .producer
                .get_or_insert_with(|| Spanned::new(ProducerConfig::default(), span));
            producer.span = span;
            for field in fields {
                producer_field(&mut producer.value, field, diagnostics);
            }
        }
        _ => return false,
    }
    true
}

fn window_field(window: &mut Window, field: &Spanned<WindowField>, diagnostics: &mut Diagnostics) {
    let sized = |text: &Spanned<String>, diagnostics: &mut Diagnostics| {
        window_size(text, diagnostics).map(|size| Spanned::new(size, text.span))
    };
    let ms = |text: &Spanned<String>, what: &str, diagnostics: &mut Diagnostics| {
        duration(text, what, diagnostics).map(|ms| Spanned::new(ms, text.span))
    };
    match &field.value {
        WindowField::Length(t) => {
            if let Some(v) = sized(t, diagnostics) {
                window.length = Some(v);
            }
        }
        WindowField::Slide(t) => {
            if let Some(v) = sized(t, diagnostics) {
                window.slide = Some(v);
            }
        }
        WindowField::MaxLag(t) => {
            if let Some(v) = ms(t, "maximum lag", diagnostics) {
                window.max_lag_ms = Some(v);
            }
        }
        WindowField::WatermarkInterval(t) => {
            if let Some(v) = ms(t, "watermark interval", diagnostics) {
                window.watermark_ms = Some(v);
            }
        }
        WindowField::TimestampExtractor(s) => window.timestamp_extractor = Some(s.clone()),
        WindowField::LateData(t) => window.late_data = Some(t.clone()),
        WindowField::Guarantee(n) => {
            let what = "window processing guarantee";
            if let Some(g) = word(words::WINDOW_GUARANTEE, n, what, diagnostics) {
                window.guarantee = Some(g);
            }
        }
    }
}

fn vpa_field(vpa: &mut VpaSpec, field: &Spanned<VpaField>, diagnostics: &mut Diagnostics) {
    match &field.value {
        VpaField::Update(n) => {
            if let Some(mode) = word(words::VPA_UPDATE, n, "VPA update mode", diagnostics) {
                vpa.update_policy
                    .get_or_insert_with(VpaUpdatePolicy::default)
                    .update_mode = Some(mode.value);
            }
        }
        VpaField::MinReplicas(n) => {
            if let Some(v) = count(n, "the VPA's min-replicas", diagnostics) {
                vpa.update_policy
                    .get_or_insert_with(VpaUpdatePolicy::default)
                    .min_replicas = Some(v);
            }
        }
        VpaField::Container { name, fields } => {
            let mut policy = VpaContainerPolicy {
                container_name: Some(name.value.clone()),
                ..Default::default()
            };
            // Per resource: the lowest and the highest recommendation, with where each was said.
            type Bound = Option<(f64, Span)>;
            let mut bounds: BTreeMap<ResourceName, (Bound, Bound)> = BTreeMap::new();
            for field in fields {
                match &field.value {
                    VpaContainerField::Mode(n) => {
                        policy.mode = word(words::VPA_MODE, n, "VPA container mode", diagnostics)
                            .map(|m| m.value)
                    }
                    VpaContainerField::Values(n) => {
                        let what = "VPA controlled values";
                        policy.controlled_values =
                            word(words::VPA_VALUE, n, what, diagnostics).map(|v| v.value)
                    }
                    VpaContainerField::Controls(resources) => {
                        policy.controlled_resources =
                            Some(resources.iter().map(|r| resource_key(*r).into()).collect())
                    }
                    VpaContainerField::Min(amounts) | VpaContainerField::Max(amounts) => {
                        let is_min = matches!(field.value, VpaContainerField::Min(_));
                        let target = if is_min {
                            &mut policy.min_allowed
                        } else {
                            &mut policy.max_allowed
                        };
                        for (resource, amount) in amounts {
                            let what = format!("{} bound", resource_key(*resource));
                            if let Some(q) = quantity(amount, &what, diagnostics) {
                                let value = units::quantity(&q.0).unwrap_or_default();
                                let slot = bounds.entry(*resource).or_default();
                                if is_min {
                                    slot.0 = Some((value, amount.span));
                                } else {
                                    slot.1 = Some((value, amount.span));
                                }
                                target
                                    .get_or_insert_with(BTreeMap::new)
                                    .insert(resource_key(*resource).into(), q);
                            }
                        }
                    }
                }
            }
            for (resource, bound) in bounds {
                if let (Some((min, min_span)), Some((max, max_span))) = bound {
                    if min > max {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::Resources,
                                min_span,
                                format!(
                                    "the VPA's {} minimum is above its maximum",
                                    resource_key(resource)
                                ),
                            )
                            .label(max_span, "maximum")
                            .help("the VPA cannot recommend a value in an empty range"),
                        );
                    }
                }
            }
            let policies = vpa
                .resource_policy
                .get_or_insert_with(VpaResourcePolicy::default)
                .container_policies
                .get_or_insert_with(Vec::new);
            match policies
                .iter_mut()
                .find(|p| p.container_name == policy.container_name)
            {
                Some(slot) => *slot = policy,
                None => policies.push(policy),
            }
        }
    }
}

fn claim(
    name: &Name,
    fields: &[Spanned<ClaimField>],
    span: Span,
    diagnostics: &mut Diagnostics,
) -> Claim {
    let mut claim = Claim {
        name: name.clone(),
        size: None,
        access: Vec::new(),
        storage_class: None,
        mount: None,
        span,
    };
    for field in fields {
        match &field.value {
            ClaimField::Size(t) => {
                if let Some(q) = quantity(t, "claim size", diagnostics) {
                    claim.size = Some(Spanned::new(q, t.span));
                }
            }
            ClaimField::Access(n) => {
                if let Some(mode) = word(words::ACCESS_MODE, n, "volume access mode", diagnostics) {
                    claim.access.push(mode);
                }
            }
            ClaimField::StorageClass(s) => claim.storage_class = Some(s.clone()),
            ClaimField::MountAt(s) => claim.mount = Some(s.clone()),
        }
    }
    if claim.size.is_none()
        && !fields
            .iter()
            .any(|f| matches!(f.value, ClaimField::Size(_)))
    {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingSetting,
                name.span,
                format!("volume claim `{}` has no `size`", name.value),
            )
            .help("add `size 1Gi` (the storage each pod's claim requests)"),
        );
    }
    claim
}

fn producer_field(
    producer: &mut ProducerConfig,
    field: &Spanned<ProducerField>,
    diagnostics: &mut Diagnostics,
) {
    match &field.value {
        ProducerField::MaxPending(n) => {
            if let Some(v) = count(n, "max-pending", diagnostics) {
                producer.max_pending_messages = Some(v);
            }
        }
        ProducerField::MaxPendingAcrossPartitions(n) => {
            if let Some(v) = count(n, "max-pending-across-partitions", diagnostics) {
                producer.max_pending_messages_across_partitions = Some(v);
            }
        }
        ProducerField::ThreadLocal(b) => producer.use_thread_local_producers = Some(*b),
        ProducerField::Batcher(n) => {
            if let Some(b) = word(words::BATCHER, n, "batch builder", diagnostics) {
                producer.batch_builder = Some(b.value.to_owned());
            }
        }
        ProducerField::Compression(n) => {
            if let Some(c) = word(words::COMPRESSION, n, "compression type", diagnostics) {
                producer.compression_type = Some(c.value);
            }
        }
    }
}

pub fn resource_key(resource: ResourceName) -> &'static str {
    match resource {
        ResourceName::Cpu => "cpu",
        ResourceName::Memory => "memory",
    }
}
