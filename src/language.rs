//! The statements of the mesh language as one table: where each may stand, what it means and
//! which Function Mesh field it sets. The editor support (`fmc lsp`: hover, completion) reads
//! it; `tests/lsp.rs` checks it against the grammar (every statement the grammar accepts in a
//! block has a row, and no row names one it does not) and against the README's tables, so the
//! three cannot drift apart. The enumerations' words are not here: they are the checks' own
//! lists (`model::words::SUBSCRIPTION_TYPES`, …), re-exported by [`enum_words`].

/// A kind of block statements stand in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Block {
    /// `mesh NAME { … }`.
    Mesh,
    /// `cluster NAME { … }`, in the mesh or in an environment.
    Cluster,
    /// A step body, a `defaults` block, or a step override in an environment.
    Step,
    /// `env NAME { … }` (an environment; not a step's `env { … }` variables).
    Env,
    /// `security { … }` in a step.
    Security,
    /// `window { … }` in a step.
    Window,
    /// `vpa { … }` in a step.
    Vpa,
    /// `container "NAME" { … }` in a `vpa` block.
    VpaContainer,
    /// `producer { … }` in a step.
    Producer,
    /// `volume-claim NAME { … }` in a step.
    VolumeClaim,
}

impl Block {
    pub fn describe(self) -> &'static str {
        match self {
            Block::Mesh => "mesh",
            Block::Cluster => "cluster",
            Block::Step => "step, defaults block or environment step override",
            Block::Env => "environment",
            Block::Security => "security block",
            Block::Window => "window block",
            Block::Vpa => "vpa block",
            Block::VpaContainer => "vpa container block",
            Block::Producer => "producer block",
            Block::VolumeClaim => "volume-claim block",
        }
    }
}

/// One statement.
#[derive(Clone, Copy, Debug)]
pub struct Statement {
    /// The words that start it, as written (`in pattern`, `auth secret`).
    pub keyword: &'static str,
    pub blocks: &'static [Block],
    /// How it is written.
    pub syntax: &'static str,
    pub meaning: &'static str,
    /// The Function Mesh field(s) it sets; empty when it sets none directly.
    pub field: &'static str,
}

const MESH: &[Block] = &[Block::Mesh];
const MESH_ENV: &[Block] = &[Block::Mesh, Block::Env];
const MESH_ENV_STEP: &[Block] = &[Block::Mesh, Block::Env, Block::Step];
const MESH_STEP: &[Block] = &[Block::Mesh, Block::Step];
const CLUSTER: &[Block] = &[Block::Cluster];
const CLUSTER_STEP: &[Block] = &[Block::Cluster, Block::Step];
const STEP: &[Block] = &[Block::Step];
const SECURITY: &[Block] = &[Block::Security];
const WINDOW: &[Block] = &[Block::Window];
const VPA: &[Block] = &[Block::Vpa];
const VPA_CONTAINER: &[Block] = &[Block::VpaContainer];
const PRODUCER: &[Block] = &[Block::Producer];
const VOLUME_CLAIM: &[Block] = &[Block::VolumeClaim];

macro_rules! statements {
    ($($keyword:literal $blocks:ident $syntax:literal => $meaning:literal, $field:literal;)*) => {
        /// Every statement, mesh level first, then clusters, steps, security relaxations.
        pub const STATEMENTS: &[Statement] = &[$(Statement {
            keyword: $keyword,
            blocks: $blocks,
            syntax: $syntax,
            meaning: $meaning,
            field: $field,
        },)*];
    };
}

statements! {
    // ---- mesh level (and environments)
    "namespace" MESH_ENV "namespace \"ns\"" =>
        "Kubernetes namespace of every generated resource (default: none, kubectl's current); in an environment, the overlay's kustomize `namespace`",
        "metadata.namespace";
    "tenant" MESH "tenant \"t\"" =>
        "Pulsar tenant that short topic names expand with (`persistent://t/…`; default `public`)",
        "tenant";
    "pulsar-namespace" MESH "pulsar-namespace \"n\"" =>
        "Pulsar namespace that short topic names expand with (`persistent://…/n/<name>`; default `default`)",
        "namespace";
    "labels" MESH_STEP "labels { key: \"value\" }" =>
        "labels: on every generated resource at mesh level, on the step's pods in a step",
        "metadata.labels / pod.labels";
    "annotations" MESH_STEP "annotations { key: \"value\" }" =>
        "annotations: on every generated resource at mesh level, on the step's pods in a step",
        "metadata.annotations / pod.annotations";
    "default-cluster" MESH "default-cluster NAME" =>
        "the cluster of steps that do not name one; needed with more than one cluster",
        "clusterName, pulsar.pulsarConfig";
    "cluster" MESH_ENV_STEP "cluster NAME { … } / cluster NAME" =>
        "declares a Pulsar cluster (mesh), overrides its settings (environment), or picks the one a step runs against (step)",
        "ConfigMap `<mesh>-<cluster>-pulsar` (webServiceURL, brokerServiceURL); clusterName, pulsar.pulsarConfig";
    "topic" MESH "topic NAME[ = \"persistent://…\"]: SCHEMA [on CLUSTER]" =>
        "a typed topic produced inside the mesh: an edge of the graph",
        "input.topics / output.topic (full name), typeClassName, customSchemaSources / sinkSchemaType";
    "external topic" MESH "external topic NAME: SCHEMA [on CLUSTER]" =>
        "a topic produced outside the mesh",
        "input.topics";
    "feedback topic" MESH "feedback topic NAME: SCHEMA" =>
        "a topic allowed to close a cycle (a deliberate feedback loop)",
        "input.topics / output.topic";
    "defaults" MESH "defaults NAME { step statements }" =>
        "settings shared by the steps that `use NAME`",
        "";
    "function" MESH "function NAME = java|python|go|nodejs|wasm|executable|generic-python [\"Class\"] { … }" =>
        "a Pulsar Function; nodejs, wasm, executable and generic-python run on the generic runtime",
        "spec.functions[] of the FunctionMesh (a Function with --split)";
    "source" MESH "source NAME = connector \"Class\" { … }" =>
        "a Pulsar IO source connector",
        "spec.sources[] of the FunctionMesh (a Source with --split)";
    "sink" MESH "sink NAME = connector \"Class\" { … }" =>
        "a Pulsar IO sink connector",
        "spec.sinks[] of the FunctionMesh (a Sink with --split)";
    "env" MESH_STEP "env NAME { … } / env { KEY: \"value\"  PASS: secret \"s\" key \"k\" }" =>
        "an environment's overrides (mesh level), or the step's environment variables (step; secret-backed ones become secretsMap)",
        "out/overlays/<env>/ patches / pod.env, secretsMap";
    // ---- clusters
    "broker" CLUSTER "broker \"pulsar://host:6650\"" =>
        "the broker URL (pulsar:// or pulsar+ssl://)",
        "ConfigMap brokerServiceURL";
    "admin" CLUSTER "admin \"http://host:8080\"" =>
        "the admin (web service) URL (http:// or https://)",
        "ConfigMap webServiceURL";
    "name" CLUSTER "name \"pulsar-cluster\"" =>
        "the Pulsar cluster name (default: the identifier)",
        "clusterName";
    "auth secret" CLUSTER "auth secret \"name\"" =>
        "a Secret with clientAuthenticationPlugin / clientAuthenticationParameters",
        "pulsar.authSecret";
    "auth oauth2" CLUSTER "auth oauth2 { issuer \"…\" audience \"…\" scope \"…\" key-secret \"s\" key \"k\" }" =>
        "OAuth2 client credentials, the key file from a Secret",
        "pulsar.authConfig.oauth2Config";
    "auth generic" CLUSTER "auth generic { plugin \"org.apache.pulsar.client.impl.auth.AuthenticationToken\" params \"token:file:///path\" }" =>
        "any Pulsar client authentication plugin and its parameter string (a credential in the parameters is refused: fmc::literal-secret)",
        "pulsar.authConfig.genericAuth";
    "tls secret" CLUSTER "tls secret \"name\"" =>
        "a Secret with the TLS settings",
        "pulsar.tlsSecret";
    "tls" CLUSTER "tls { enabled true allow-insecure false hostname-verification true ca-secret \"s\" ca-key \"k\" }" =>
        "TLS to the cluster",
        "pulsar.tlsConfig";
    "state" CLUSTER_STEP "state \"bk://host:4181\" / state" =>
        "state storage: the cluster's URL (cluster), or use state storage, the cluster's or this URL (step)",
        "statefulConfig.pulsar.serviceUrl";
    // ---- steps, defaults blocks and environment step overrides
    "use" STEP "use NAME[, NAME]" =>
        "inherit defaults blocks (later ones and the step's own statements win)",
        "";
    "image" STEP "image \"repo:tag\"" =>
        "the container image",
        "image";
    "image-pull-policy" STEP "image-pull-policy always|if-not-present|never" =>
        "when the image is pulled",
        "imagePullPolicy";
    "package" STEP "package \"function://t/ns/name@v\" / \"https://…\" / \"/path/in/image\"" =>
        "where the code comes from",
        "java.jar + jarLocation / python.py + pyLocation / golang.go + goLocation";
    "file" STEP "file \"name.jar\"" =>
        "the local file name of a downloaded package (default: derived)",
        "java.jar / python.py / golang.go";
    "in" STEP "in TOPIC[, TOPIC]" =>
        "topics the step reads (repeatable)",
        "input.topics";
    "in pattern" STEP "in pattern \"regex\"" =>
        "read every topic matching a pattern",
        "input.topicPattern";
    "out" STEP "out TOPIC" =>
        "the one output topic",
        "output.topic";
    "log-topic" STEP "log-topic TOPIC" =>
        "topic the function's logs go to",
        "logTopic";
    "dead-letter" STEP "dead-letter TOPIC" =>
        "topic for messages that failed every retry",
        "deadLetterTopic";
    "subscription" STEP "subscription \"name\"" =>
        "the subscription name",
        "subscriptionName";
    "subscription-type" STEP "subscription-type shared|failover|key-shared" =>
        "how instances share the subscription (failover keeps order, key-shared keeps order per key)",
        "retainOrdering / retainKeyOrdering";
    "position" STEP "position earliest|latest" =>
        "where a new subscription starts",
        "subscriptionPosition";
    "guarantee" STEP "guarantee atleast-once|atmost-once|effectively-once|manual" =>
        "the processing guarantee",
        "processingGuarantee";
    "auto-ack" STEP "auto-ack true|false" =>
        "acknowledge messages automatically",
        "autoAck";
    "max-retries" STEP "max-retries N" =>
        "retries before a message goes to the dead-letter topic",
        "maxMessageRetry";
    "timeout" STEP "timeout 30s" =>
        "message timeout (milliseconds in the spec)",
        "timeout";
    "cleanup-subscription" STEP "cleanup-subscription true|false" =>
        "delete the subscription when the step is deleted",
        "cleanupSubscription";
    "replicas" STEP "replicas N / replicas MIN..MAX" =>
        "fixed replicas, or autoscaled between MIN and MAX",
        "replicas, minReplicas, maxReplicas";
    "autoscale" STEP "autoscale cpu 80% / autoscale memory 60%" =>
        "HPA utilisation target (repeatable, one per resource)",
        "pod.autoScalingMetrics";
    "resources" STEP "resources cpu 500m memory 1Gi" =>
        "requests = limits (default cpu 250m, memory 512Mi)",
        "resources";
    "requests" STEP "requests cpu 500m memory 1Gi" =>
        "resource requests",
        "resources.requests";
    "limits" STEP "limits cpu 1 memory 2Gi" =>
        "resource limits",
        "resources.limits";
    "volume" STEP "volume NAME secret \"s\" at \"/path\" / config-map \"c\" / empty-dir" =>
        "a volume and its mount",
        "pod.volumes + volumeMounts";
    "node-selector" STEP "node-selector { key: \"value\" }" =>
        "nodes the pods may run on",
        "pod.nodeSelector";
    "toleration" STEP "toleration { key: … operator: … value: … effect: … }" =>
        "a pod toleration (repeatable)",
        "pod.tolerations";
    "service-account" STEP "service-account \"sa\"" =>
        "the pods' service account",
        "pod.serviceAccountName";
    "termination-grace" STEP "termination-grace 30s" =>
        "how long pods may take to stop",
        "pod.terminationGracePeriodSeconds";
    "config" STEP "config { key: value }" =>
        "user config of a function, connector config of a source or sink",
        "funcConfig / sourceConfig / sinkConfig";
    "log-level" STEP "log-level debug" =>
        "the runtime's log level",
        "<runtime>.log.level";
    "java-opts" STEP "java-opts [\"-Xss1m\"]" =>
        "JVM options",
        "java.javaOpts";
    "forward-properties" STEP "forward-properties true|false" =>
        "pass each input message's properties on to the output message (functions and sources)",
        "forwardSourceMessageProperty";
    "max-pending-async" STEP "max-pending-async 1000" =>
        "most asynchronous requests a function instance has in flight",
        "maxPendingAsyncRequests";
    "log-rotation" STEP "log-rotation daily|weekly|monthly|size-10mb|size-50mb|size-100mb" =>
        "write a log file besides the console, rolled over by time or size",
        "<runtime>.log.rotatePolicy";
    "log-format" STEP "log-format json|text" =>
        "the layout of log lines",
        "<runtime>.log.format";
    "log-config-format" STEP "log-config-format xml|yaml|ini" =>
        "the format of the Java runtime's log4j configuration",
        "java.log.javaLog4JConfigFileType";
    "log-config" STEP "log-config \"config-map\" key \"log4j2.xml\"" =>
        "a complete logging configuration file from a ConfigMap, used instead of the generated one",
        "<runtime>.log.logConfig";
    "log-topic-agent" STEP "log-topic-agent runtime|sidecar" =>
        "who publishes the logs to the log topic: the instance, or a filebeat sidecar",
        "logTopicAgent";
    "window" STEP "window { length 100 slide 10 } / window { length 1m slide 10s late-data TOPIC max-lag 5s watermark-interval 1s timestamp-extractor \"Class\" guarantee atleast-once }" =>
        "make the function a window function: counted (messages) or timed (durations) windows; the slide at most the length (checked: fmc::window)",
        "windowConfig";
    "vpa" STEP "vpa { update auto  min-replicas 1  container \"*\" { min cpu 200m memory 100Mi  max cpu 1 memory 1Gi  controls cpu memory  values requests-only  mode auto } }" =>
        "a VerticalPodAutoscaler for the step's pods",
        "pod.vpa";
    "builtin-autoscale" STEP "builtin-autoscale cpu 80% / builtin-autoscale memory 50%" =>
        "one of upstream's builtin autoscaler rules (80%, 50% or 20%, one per resource)",
        "pod.builtinAutoscaler";
    "volume-claim" STEP "volume-claim NAME { size 1Gi  access read-write-once  storage-class \"local\"  at \"/data\" }" =>
        "a PersistentVolumeClaim per pod (functions), mounted where `at` says",
        "volumeClaimTemplates, volumeMounts";
    "producer" STEP "producer { max-pending 1000  max-pending-across-partitions 50000  thread-local true  batcher key-based  compression lz4 }" =>
        "settings of the producer writing the output topic",
        "output.producerConf";
    "security" STEP "security { run-as-root; capabilities [\"NET_ADMIN\"]; no-limits cpu }" =>
        "relax the hardened pod defaults, each explicitly (warns: fmc::relaxed-security)",
        "pod.securityContext, resources.limits, fmc.functionmesh.io/* pod annotations";
    "spec" STEP "spec { pod: { … } }" =>
        "escape hatch: deep-merged over the generated spec (API field names, checked strictly)",
        "any spec field";
    // ---- security relaxations
    "run-as-root" SECURITY "run-as-root" =>
        "run as uid/gid 0",
        "pod.securityContext (runAsNonRoot: false, uid/gid 0)";
    "privilege-escalation" SECURITY "privilege-escalation" =>
        "let the main container gain privileges",
        "pod annotation fmc.functionmesh.io/allow-privilege-escalation";
    "writable-root-filesystem" SECURITY "writable-root-filesystem" =>
        "a writable root filesystem for the main container",
        "pod annotation fmc.functionmesh.io/writable-root-filesystem";
    "seccomp-unconfined" SECURITY "seccomp-unconfined" =>
        "no seccomp profile",
        "pod.securityContext.seccompProfile (Unconfined)";
    "service-account-token" SECURITY "service-account-token" =>
        "mount the service account token",
        "pod annotation fmc.functionmesh.io/mount-service-account-token";
    "capabilities" SECURITY "capabilities [\"NET_ADMIN\"]" =>
        "capabilities added back after dropping all",
        "pod annotation fmc.functionmesh.io/add-capabilities";
    "no-limits" SECURITY "no-limits [cpu] [memory]" =>
        "no limit on the named resources (both when none is named); requests stay",
        "resources.limits";

    // ---- inside a step's window { … }
    "length" WINDOW "length 100 / length 1m" =>
        "the window's length: a count of messages, or a duration (not both kinds in one window)",
        "windowConfig.windowLengthCount / windowLengthDurationMs";
    "slide" WINDOW "slide 10 / slide 10s" =>
        "how far the window moves each time, the same kind as `length` and at most it (checked: fmc::window)",
        "windowConfig.slidingIntervalCount / slidingIntervalDurationMs";
    "late-data" WINDOW "late-data TOPIC" =>
        "the topic messages arriving after their window closed go to",
        "windowConfig.lateDataTopic";
    "max-lag" WINDOW "max-lag 5s" =>
        "how late a message may be behind the watermark and still count",
        "windowConfig.maxLagMs";
    "watermark-interval" WINDOW "watermark-interval 1s" =>
        "how often the watermark advances",
        "windowConfig.watermarkEmitIntervalMs";
    "timestamp-extractor" WINDOW "timestamp-extractor \"Class\"" =>
        "the class reading each message's event time (timed windows on event time)",
        "windowConfig.timestampExtractorClassName";
    "guarantee" WINDOW "guarantee atleast-once|atmost-once" =>
        "the window function's own processing guarantee",
        "windowConfig.processingGuarantees";

    // ---- inside a step's vpa { … }
    "update" VPA "update off|initial|recreate|auto" =>
        "when the VerticalPodAutoscaler applies its recommendations",
        "pod.vpa.updatePolicy.updateMode";
    "min-replicas" VPA "min-replicas 1" =>
        "the fewest replicas alive while the VPA evicts pods to resize them",
        "pod.vpa.updatePolicy.minReplicas";
    "container" VPA "container \"NAME\" { … } (\"*\": every container)" =>
        "the resource policy of one container",
        "pod.vpa.resourcePolicy.containerPolicies[]";
    "mode" VPA_CONTAINER "mode auto|off" =>
        "whether the VPA resizes this container",
        "containerPolicies[].mode";
    "min" VPA_CONTAINER "min cpu 200m memory 100Mi" =>
        "the smallest requests the VPA may set",
        "containerPolicies[].minAllowed";
    "max" VPA_CONTAINER "max cpu 1 memory 1Gi" =>
        "the largest requests the VPA may set",
        "containerPolicies[].maxAllowed";
    "controls" VPA_CONTAINER "controls cpu memory" =>
        "the resources the VPA manages",
        "containerPolicies[].controlledResources";
    "values" VPA_CONTAINER "values requests-and-limits|requests-only" =>
        "whether limits follow the requests the VPA sets",
        "containerPolicies[].controlledValues";

    // ---- inside a step's producer { … }
    "max-pending" PRODUCER "max-pending 1000" =>
        "messages the producer holds while waiting for acknowledgements",
        "output.producerConf.maxPendingMessages";
    "max-pending-across-partitions" PRODUCER "max-pending-across-partitions 50000" =>
        "the same bound over all partitions of the topic",
        "output.producerConf.maxPendingMessagesAcrossPartitions";
    "thread-local" PRODUCER "thread-local true|false" =>
        "one producer per instance thread",
        "output.producerConf.useThreadLocalProducers";
    "batcher" PRODUCER "batcher default|key-based" =>
        "how messages are batched (key-based keeps a key's messages in one batch)",
        "output.producerConf.batchBuilder";
    "compression" PRODUCER "compression none|lz4|zlib|zstd|snappy" =>
        "how batches are compressed",
        "output.producerConf.compressionType";

    // ---- inside a step's volume-claim NAME { … }
    "size" VOLUME_CLAIM "size 1Gi" =>
        "the storage each pod's claim requests",
        "volumeClaimTemplates[].spec.resources.requests.storage";
    "access" VOLUME_CLAIM "access read-write-once|read-only-many|read-write-many|read-write-once-pod" =>
        "the claim's access mode",
        "volumeClaimTemplates[].spec.accessModes";
    "storage-class" VOLUME_CLAIM "storage-class \"name\"" =>
        "the StorageClass the claim asks for",
        "volumeClaimTemplates[].spec.storageClassName";
    "at" VOLUME_CLAIM "at \"/data\"" =>
        "where the claim is mounted in the main container",
        "volumeMounts[].mountPath";
}

/// The statements that may stand in `block`.
pub fn statements_in(block: Block) -> impl Iterator<Item = &'static Statement> {
    STATEMENTS.iter().filter(move |s| s.blocks.contains(&block))
}

/// The statement of `block` that starts with `first` (and `second`, for the two-word ones
/// such as `in pattern` or `auth secret`).
pub fn statement(block: Block, first: &str, second: Option<&str>) -> Option<&'static Statement> {
    let matching =
        || statements_in(block).filter(move |s| s.keyword.split(' ').next() == Some(first));
    second
        .and_then(|second| matching().find(|s| s.keyword.split(' ').nth(1) == Some(second)))
        .or_else(|| matching().find(|s| !s.keyword.contains(' ')))
        .or_else(|| matching().next())
}

/// The words a statement's argument is one of in `block` (a window's `guarantee` takes the
/// window function's own words).
pub fn enum_words_in(block: Block, keyword: &str) -> Option<&'static [&'static str]> {
    match (block, keyword) {
        (Block::Window, "guarantee") => Some(crate::model::words::WINDOW_GUARANTEES),
        _ => enum_words(keyword),
    }
}

/// The words a statement's argument is one of, taken from the checks that accept them.
pub fn enum_words(keyword: &str) -> Option<&'static [&'static str]> {
    use crate::model::words;
    Some(match keyword {
        "log-rotation" => words::LOG_ROTATIONS,
        "log-format" => words::LOG_FORMATS,
        "log-config-format" => words::LOG_CONFIG_FORMATS,
        "log-topic-agent" => words::LOG_TOPIC_AGENTS,
        "update" => words::VPA_UPDATES,
        "mode" => words::VPA_MODES,
        "values" => words::VPA_VALUES,
        "access" => words::ACCESS_MODES,
        "batcher" => words::BATCHERS,
        "compression" => words::COMPRESSIONS,
        "builtin-autoscale" | "min" | "max" | "controls" => &["cpu", "memory"],
        "forward-properties" | "thread-local" => &["true", "false"],
        "guarantee" => words::GUARANTEES,
        "position" => words::POSITIONS,
        "subscription-type" => words::SUBSCRIPTION_TYPES,
        "image-pull-policy" => words::PULL_POLICIES,
        "log-level" => words::LOG_LEVELS,
        "autoscale" | "resources" | "requests" | "limits" | "no-limits" => &["cpu", "memory"],
        "auto-ack"
        | "cleanup-subscription"
        | "enabled"
        | "allow-insecure"
        | "hostname-verification" => &["true", "false"],
        _ => return None,
    })
}

/// Schema kinds a topic may have (`topic NAME: KIND`), as the grammar lists them.
pub const SCHEMA_KINDS: &[&str] = &[
    "bytes",
    "string",
    "json",
    "avro",
    "protobuf",
    "protobuf-native",
    "key-value",
];

/// The runtimes a step may name after `=`.
pub const RUNTIMES: &[&str] = &[
    "java",
    "python",
    "go",
    "connector",
    "nodejs",
    "wasm",
    "executable",
    "generic-python",
];
