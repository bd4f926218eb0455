//! The words of the newer statements and the API values they stand for, one table each. The
//! lowering reads a word through its table once (an unknown word is a diagnostic there); the
//! import writes a value back through the same table; the editor offers the table's words.

use fm_api::common::{
    CompressionType, JavaLog4jConfigFileType, LogFormat, LogLevel, LogTopicAgent,
    ProcessingGuarantee, RotatePolicy, SubscriptionPosition, VpaContainerMode, VpaControlledValues,
    VpaUpdateMode,
};
use fm_api::function::WindowProcessingGuarantee;

use crate::diag::{Code, Diagnostic};

macro_rules! words {
    ($($(#[$doc:meta])* $words:ident, $table:ident: $ty:ty { $($word:literal => $value:expr,)* })*) => {$(
        $(#[$doc])*
        pub const $words: &[&str] = &[$($word,)*];
        $(#[$doc])*
        pub const $table: &[(&str, $ty)] = &[$(($word, $value),)*];
    )*};
}

/// How a step's input is subscribed to. The API has no such field: `failover` is
/// `retainOrdering`, `key-shared` is `retainKeyOrdering`, `shared` is neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionType {
    Shared,
    Failover,
    KeyShared,
}

words! {
    /// `subscription-type`.
    SUBSCRIPTION_TYPES, SUBSCRIPTION_TYPE: SubscriptionType {
        "shared" => SubscriptionType::Shared,
        "failover" => SubscriptionType::Failover,
        "key-shared" => SubscriptionType::KeyShared,
    }
    /// `position`: where a new subscription starts.
    POSITIONS, POSITION: SubscriptionPosition {
        "earliest" => SubscriptionPosition::Earliest,
        "latest" => SubscriptionPosition::Latest,
    }
    /// `guarantee`: the processing guarantee.
    GUARANTEES, GUARANTEE: ProcessingGuarantee {
        "atleast-once" => ProcessingGuarantee::AtleastOnce,
        "atmost-once" => ProcessingGuarantee::AtmostOnce,
        "effectively-once" => ProcessingGuarantee::EffectivelyOnce,
        "manual" => ProcessingGuarantee::Manual,
    }
    /// `image-pull-policy`: the Kubernetes pull policies.
    PULL_POLICIES, PULL_POLICY: &'static str {
        "always" => "Always",
        "if-not-present" => "IfNotPresent",
        "never" => "Never",
    }
    /// `log-level`: the instance's log levels (`off` and `all` are Java only, `panic` Go only).
    LOG_LEVELS, LOG_LEVEL: LogLevel {
        "off" => LogLevel::Off,
        "trace" => LogLevel::Trace,
        "debug" => LogLevel::Debug,
        "info" => LogLevel::Info,
        "warn" => LogLevel::Warn,
        "error" => LogLevel::Error,
        "fatal" => LogLevel::Fatal,
        "all" => LogLevel::All,
        "panic" => LogLevel::Panic,
    }
    /// `log-rotation`: upstream's rotate policies.
    LOG_ROTATIONS, LOG_ROTATION: RotatePolicy {
        "daily" => RotatePolicy::TimedPolicyWithDaily,
        "weekly" => RotatePolicy::TimedPolicyWithWeekly,
        "monthly" => RotatePolicy::TimedPolicyWithMonthly,
        "size-10mb" => RotatePolicy::SizedPolicyWith10Mb,
        "size-50mb" => RotatePolicy::SizedPolicyWith50Mb,
        "size-100mb" => RotatePolicy::SizedPolicyWith100Mb,
    }
    /// `log-format`.
    LOG_FORMATS, LOG_FORMAT: LogFormat {
        "json" => LogFormat::Json,
        "text" => LogFormat::Text,
    }
    /// `log-config-format` (Java's log4j configuration file).
    LOG_CONFIG_FORMATS, LOG_CONFIG_FORMAT: JavaLog4jConfigFileType {
        "xml" => JavaLog4jConfigFileType::Xml,
        "yaml" => JavaLog4jConfigFileType::Yaml,
        "ini" => JavaLog4jConfigFileType::Ini,
    }
    /// `log-topic-agent`.
    LOG_TOPIC_AGENTS, LOG_TOPIC_AGENT: LogTopicAgent {
        "runtime" => LogTopicAgent::Runtime,
        "sidecar" => LogTopicAgent::Sidecar,
    }
    /// `guarantee` inside `window { … }`.
    WINDOW_GUARANTEES, WINDOW_GUARANTEE: WindowProcessingGuarantee {
        "atleast-once" => WindowProcessingGuarantee::AtleastOnce,
        "atmost-once" => WindowProcessingGuarantee::AtmostOnce,
    }
    /// `update` inside `vpa { … }`.
    VPA_UPDATES, VPA_UPDATE: VpaUpdateMode {
        "off" => VpaUpdateMode::Off,
        "initial" => VpaUpdateMode::Initial,
        "recreate" => VpaUpdateMode::Recreate,
        "auto" => VpaUpdateMode::Auto,
    }
    /// `mode` inside a `vpa` container block.
    VPA_MODES, VPA_MODE: VpaContainerMode {
        "auto" => VpaContainerMode::Auto,
        "off" => VpaContainerMode::Off,
    }
    /// `values` inside a `vpa` container block.
    VPA_VALUES, VPA_VALUE: VpaControlledValues {
        "requests-and-limits" => VpaControlledValues::RequestsAndLimits,
        "requests-only" => VpaControlledValues::RequestsOnly,
    }
    /// `access` inside `volume-claim`: the Kubernetes access modes.
    ACCESS_MODES, ACCESS_MODE: &'static str {
        "read-write-once" => "ReadWriteOnce",
        "read-only-many" => "ReadOnlyMany",
        "read-write-many" => "ReadWriteMany",
        "read-write-once-pod" => "ReadWriteOncePod",
    }
    /// `batcher` inside `producer { … }`: Pulsar's batch builders.
    BATCHERS, BATCHER: &'static str {
        "default" => "DEFAULT",
        "key-based" => "KEY_BASED",
    }
    /// `compression` inside `producer { … }`.
    COMPRESSIONS, COMPRESSION: CompressionType {
        "none" => CompressionType::None,
        "lz4" => CompressionType::Lz4,
        "zlib" => CompressionType::Zlib,
        "zstd" => CompressionType::Zstd,
        "snappy" => CompressionType::Snappy,
    }
}

/// The percentages upstream's builtin autoscaler rules exist for
/// (`AverageUtilizationCPUPercent80`, … in `api/compute/v1alpha1/common.go`).
pub const BUILTIN_PERCENTS: &[u8] = &[80, 50, 20];

/// The value a word stands for in `table`.
pub fn value<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

/// The word that stands for `value` in `table`.
pub fn word<T: PartialEq>(table: &[(&'static str, T)], value: &T) -> Option<&'static str> {
    table.iter().find(|(_, v)| v == value).map(|(w, _)| *w)
}

/// `` `x` is not a <what> ``, listing the accepted words and the closest one: what a word
/// outside its set gets, wherever it is read.
pub fn unknown_word(name: &crate::syntax::ast::Name, allowed: &[&str], what: &str) -> Diagnostic {
    let d = Diagnostic::error(
        Code::InvalidValue,
        name.span,
        format!("`{}` is not a {what}", name.value),
    )
    .primary(format!("expected one of: {}", allowed.join(", ")));
    match crate::suggest::help_for(&name.value, allowed.iter().copied()) {
        Some(help) => d.help(help),
        None => d,
    }
}
