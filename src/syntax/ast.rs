//! The typed syntax tree. Every name and value keeps the span it was written at, so later
//! passes can point at the exact place (including inside a defaults or env block).

use crate::diag::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

pub type Name = Spanned<String>;

#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    pub name: Name,
    pub items: Vec<MeshItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MeshItem {
    Namespace(Spanned<String>),
    Tenant(Spanned<String>),
    PulsarNamespace(Spanned<String>),
    Labels(Spanned<Map>),
    Annotations(Spanned<Map>),
    DefaultCluster(Name),
    Cluster(Cluster),
    Topic(Topic),
    Defaults(Defaults),
    Step(Step),
    Env(Env),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    pub name: Name,
    pub settings: Vec<Spanned<ClusterSetting>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClusterSetting {
    Broker(Spanned<String>),
    Admin(Spanned<String>),
    PulsarName(Spanned<String>),
    AuthSecret(Spanned<String>),
    AuthOAuth2(Vec<(Name, Spanned<String>)>),
    /// `auth generic { plugin "…" params "…" }`: upstream's `genericAuth`.
    AuthGeneric(Vec<(Name, Spanned<String>)>),
    TlsSecret(Spanned<String>),
    Tls(Vec<(Name, Spanned<Value>)>),
    State(Spanned<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopicKind {
    Internal,
    External,
    Feedback,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub kind: TopicKind,
    pub name: Name,
    pub full_name: Option<Spanned<String>>,
    pub schema: Spanned<Schema>,
    pub cluster: Option<Name>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Schema {
    /// `bytes`, `string`, `json`, … or `None` for a bare Java class name.
    pub kind: Option<String>,
    pub class: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub name: Name,
    pub body: Vec<Spanned<Setting>>,
}

/// A step is a Function, Source or Sink: the API's own notion of the three kinds.
pub use fm_api::Kind as StepKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runtime {
    Java,
    Python,
    Go,
    Connector,
    /// The generic runtime (upstream's `genericRuntime`), language `nodejs`.
    NodeJs,
    /// The generic runtime, language `wasm`.
    Wasm,
    /// The generic runtime, language `executable`.
    Executable,
    /// The generic runtime, language `python` (not the Python runtime's `python.py`).
    GenericPython,
}

impl Runtime {
    pub fn word(self) -> &'static str {
        match self {
            Runtime::Java => "java",
            Runtime::Python => "python",
            Runtime::Go => "go",
            Runtime::Connector => "connector",
            Runtime::NodeJs => "nodejs",
            Runtime::Wasm => "wasm",
            Runtime::Executable => "executable",
            Runtime::GenericPython => "generic-python",
        }
    }

    /// Every runtime, in the order the grammar lists them.
    pub const ALL: &'static [Runtime] = &[
        Runtime::Java,
        Runtime::Python,
        Runtime::Go,
        Runtime::Connector,
        Runtime::NodeJs,
        Runtime::Wasm,
        Runtime::Executable,
        Runtime::GenericPython,
    ];

    /// The runtime a word names.
    pub fn from_word(word: &str) -> Option<Runtime> {
        Runtime::ALL.iter().copied().find(|r| r.word() == word)
    }

    /// `genericRuntime.language` for the runtimes upstream runs on its generic runner
    /// (`controllers/spec/controller_configs.go` lists them); `None` for the others.
    pub fn generic_language(self) -> Option<&'static str> {
        match self {
            Runtime::NodeJs => Some("nodejs"),
            Runtime::Wasm => Some("wasm"),
            Runtime::Executable => Some("executable"),
            Runtime::GenericPython => Some("python"),
            Runtime::Java | Runtime::Python | Runtime::Go | Runtime::Connector => None,
        }
    }

    /// Whether the step names a class after the runtime word (the runtime needs one).
    pub fn needs_class(self) -> bool {
        matches!(self, Runtime::Java | Runtime::Python | Runtime::Connector)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: Spanned<StepKind>,
    pub name: Name,
    pub runtime: Spanned<Runtime>,
    pub class: Option<Spanned<String>>,
    pub body: Vec<Spanned<Setting>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Env {
    pub name: Name,
    pub namespace: Option<Spanned<String>>,
    pub clusters: Vec<Cluster>,
    pub steps: Vec<(Name, Vec<Spanned<Setting>>)>,
}

/// A topic as written in a step: a declared short name, or a full `persistent://` name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TopicRef {
    Name(String),
    Full(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceName {
    Cpu,
    Memory,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceSide {
    Both,
    Requests,
    Limits,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EnvValue {
    Literal(Spanned<Value>),
    Secret {
        secret: Spanned<String>,
        key: Spanned<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum VolumeSource {
    Secret(Spanned<String>),
    ConfigMap(Spanned<String>),
    EmptyDir,
}

/// One statement of a step body, defaults block or env override.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    Use(Vec<Name>),
    Cluster(Name),
    Image(Spanned<String>),
    ImagePullPolicy(Name),
    Package(Spanned<String>),
    File(Spanned<String>),
    In(Vec<Spanned<TopicRef>>),
    InPattern(Spanned<String>),
    Out(Spanned<TopicRef>),
    LogTopic(Spanned<TopicRef>),
    DeadLetter(Spanned<TopicRef>),
    Subscription(Spanned<String>),
    SubscriptionType(Name),
    Position(Name),
    Guarantee(Name),
    AutoAck(bool),
    MaxRetries(Spanned<i64>),
    /// A number with its unit as written (`30s`); interpreted during lowering.
    Timeout(Spanned<String>),
    CleanupSubscription(bool),
    Replicas {
        min: Spanned<i64>,
        max: Option<Spanned<i64>>,
    },
    Autoscale {
        resource: ResourceName,
        percent: Spanned<f64>,
    },
    Resources {
        side: ResourceSide,
        amounts: Vec<(ResourceName, Spanned<String>)>,
    },
    Env(Vec<(Spanned<String>, EnvValue)>),
    Volume {
        name: Name,
        source: VolumeSource,
        mount: Spanned<String>,
    },
    Labels(Spanned<Map>),
    Annotations(Spanned<Map>),
    NodeSelector(Spanned<Map>),
    Toleration(Spanned<Map>),
    ServiceAccount(Spanned<String>),
    TerminationGrace(Spanned<String>),
    State(Option<Spanned<String>>),
    Config(Spanned<Map>),
    LogLevel(Name),
    JavaOpts(Vec<Spanned<String>>),
    /// `security { … }`: relaxations of the hardened pod defaults, in the order written.
    Security(Vec<Spanned<Relaxation>>),
    /// `forward-properties true`: pass the input message's properties on to the output.
    ForwardProperties(bool),
    /// `max-pending-async N`: most asynchronous requests in flight per instance.
    MaxPendingAsync(Spanned<i64>),
    /// `log-rotation daily`: when the log file rolls over.
    LogRotation(Name),
    /// `log-format json`: the layout of log lines.
    LogFormat(Name),
    /// `log-config-format yaml`: the format of the Java runtime's log4j configuration.
    LogConfigFormat(Name),
    /// `log-config "config-map" key "file"`: a complete logging configuration from a ConfigMap.
    LogConfig {
        config_map: Spanned<String>,
        key: Spanned<String>,
    },
    /// `log-topic-agent runtime|sidecar`: who publishes logs to the log topic.
    LogTopicAgent(Name),
    /// `builtin-autoscale cpu 80%`: one of upstream's builtin autoscaler rules.
    BuiltinAutoscale {
        resource: ResourceName,
        percent: Spanned<f64>,
    },
    /// `window { … }`: makes the function a window function.
    Window(Vec<Spanned<WindowField>>),
    /// `vpa { … }`: a VerticalPodAutoscaler for the step's pods.
    Vpa(Vec<Spanned<VpaField>>),
    /// `volume-claim NAME { … }`: a PersistentVolumeClaim template of the StatefulSet.
    VolumeClaim {
        name: Name,
        fields: Vec<Spanned<ClaimField>>,
    },
    /// `producer { … }`: settings of the output's producer.
    Producer(Vec<Spanned<ProducerField>>),
    /// `spec { … }`: deep-merged over the generated resource spec.
    Spec(Spanned<Map>),
}

/// One line of a `window { … }` block; measures are read during lowering.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowField {
    Length(Spanned<String>),
    Slide(Spanned<String>),
    MaxLag(Spanned<String>),
    WatermarkInterval(Spanned<String>),
    TimestampExtractor(Spanned<String>),
    LateData(Spanned<TopicRef>),
    Guarantee(Name),
}

/// One line of a `vpa { … }` block.
#[derive(Clone, Debug, PartialEq)]
pub enum VpaField {
    Update(Name),
    MinReplicas(Spanned<i64>),
    Container {
        name: Spanned<String>,
        fields: Vec<Spanned<VpaContainerField>>,
    },
}

/// One line of a `container "name" { … }` block inside `vpa`.
#[derive(Clone, Debug, PartialEq)]
pub enum VpaContainerField {
    Mode(Name),
    Min(Vec<(ResourceName, Spanned<String>)>),
    Max(Vec<(ResourceName, Spanned<String>)>),
    Controls(Vec<ResourceName>),
    Values(Name),
}

/// One line of a `volume-claim NAME { … }` block.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimField {
    Size(Spanned<String>),
    Access(Name),
    StorageClass(Spanned<String>),
    MountAt(Spanned<String>),
}

/// One line of a `producer { … }` block.
#[derive(Clone, Debug, PartialEq)]
pub enum ProducerField {
    MaxPending(Spanned<i64>),
    MaxPendingAcrossPartitions(Spanned<i64>),
    ThreadLocal(bool),
    Batcher(Name),
    Compression(Name),
}

/// One explicit relaxation of the hardened defaults every generated pod gets.
#[derive(Clone, Debug, PartialEq)]
pub enum Relaxation {
    /// Run as uid 0 instead of the runner's non-root user.
    RunAsRoot,
    /// Let the main container gain privileges (setuid binaries).
    PrivilegeEscalation,
    /// A writable root filesystem for the main container.
    WritableRootFilesystem,
    /// No seccomp profile instead of the runtime's default one.
    SeccompUnconfined,
    /// Mount the service account token into the pod.
    ServiceAccountToken,
    /// Capabilities added back after dropping all of them.
    Capabilities(Vec<Spanned<String>>),
    /// Resources left without a limit (CPU throttling is a common reason).
    NoLimits(Vec<ResourceName>),
}

impl Relaxation {
    /// The words that name the relaxations, as written in a `security` block: each is
    /// [`Relaxation::word`] of one variant.
    pub const WORDS: &'static [&'static str] = &[
        Relaxation::RunAsRoot.word(),
        Relaxation::PrivilegeEscalation.word(),
        Relaxation::WritableRootFilesystem.word(),
        Relaxation::SeccompUnconfined.word(),
        Relaxation::ServiceAccountToken.word(),
        Relaxation::CAPABILITIES,
        Relaxation::NO_LIMITS,
    ];
    /// The words of the relaxations that take arguments.
    pub const CAPABILITIES: &'static str = "capabilities";
    pub const NO_LIMITS: &'static str = "no-limits";

    pub const fn word(&self) -> &'static str {
        match self {
            Relaxation::RunAsRoot => "run-as-root",
            Relaxation::PrivilegeEscalation => "privilege-escalation",
            Relaxation::WritableRootFilesystem => "writable-root-filesystem",
            Relaxation::SeccompUnconfined => "seccomp-unconfined",
            Relaxation::ServiceAccountToken => "service-account-token",
            Relaxation::Capabilities(_) => Relaxation::CAPABILITIES,
            Relaxation::NoLimits(_) => Relaxation::NO_LIMITS,
        }
    }

    /// The relaxation a word names when it takes no argument.
    pub fn without_argument(word: &str) -> Option<Relaxation> {
        [
            Relaxation::RunAsRoot,
            Relaxation::PrivilegeEscalation,
            Relaxation::WritableRootFilesystem,
            Relaxation::SeccompUnconfined,
            Relaxation::ServiceAccountToken,
        ]
        .into_iter()
        .find(|r| r.word() == word)
    }
}

/// A literal value inside a map or list.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Bool(bool),
    Null,
    /// A number, possibly with a unit or `%`, kept as written.
    Measure(String),
    List(Vec<Spanned<Value>>),
    Map(Map),
}

/// Entries in the order written.
pub type Map = Vec<(Spanned<String>, Spanned<Value>)>;
