//! The Java instance: `JavaInstanceMain` (Function, Source and Sink).

use fm_api::common::JavaRuntime;

use super::{join, shared_args, write_file, LogFiles, Package, Plan, PRELUDE};
use crate::component::{Component, SpecRef};
use crate::details::FunctionDetails;
use crate::logging::{self, JavaLogSetup};
use crate::quantity;
use crate::quoting::{command_line, shell_words, Word};

pub const DEFAULT_INSTANCE_PATH: &str = "/pulsar/instances/java-instance.jar";
pub const DEFAULT_ENTRY_CLASS: &str = "org.apache.pulsar.functions.instance.JavaInstanceMain";
pub const SECRETS_PROVIDER: &str =
    "org.apache.pulsar.functions.secretsprovider.EnvironmentBasedSecretsProvider";
pub const CONNECTORS_DIR: &str = "/pulsar/connectors";
/// The Java instance's name for the allow-insecure flag (`JavaInstanceStarter`).
pub const TLS_ALLOW_INSECURE_FLAG: &str = "--tls_allow_insecure";

/// `-XX:MaxDirectMemorySize`: a fifth of the memory limit, in plain bytes. Upstream wrote a
/// decimal-SI quantity such as `220M`, which the JVM reads as mebibytes; bytes are exact.
pub fn max_direct_memory(c: &Component<'_>) -> Option<i128> {
    let limit = c
        .common
        .resources
        .as_ref()?
        .limits
        .as_ref()?
        .get("memory")?;
    quantity::to_units(limit)
        .map(|bytes| bytes / 5)
        .filter(|b| *b > 0)
}

pub fn plan(
    c: &Component<'_>,
    j: &JavaRuntime,
    details: &FunctionDetails,
    package: Package,
) -> Plan {
    fn lit(s: impl Into<String>) -> Word {
        Word::lit(s)
    }
    let log = logging::java_setup(j.log.as_ref(), crate::filebeat::wanted(c));
    let mut steps = vec![PRELUDE.to_owned()];
    steps.extend(package.download.clone());
    if let JavaLogSetup::Generated { path, content } = &log {
        steps.push(write_file(logging::JAVA_LOG_DIR, path, content));
    }

    // The YAML log4j configuration needs jackson-dataformat-yaml and snakeyaml, which live in
    // /pulsar/lib under versioned names; the shell expands the globs (Java classpaths cannot).
    let instance_path = j
        .instance_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_INSTANCE_PATH);
    let mut classpath = Word::lit(instance_path).then_raw(
        "\":$(echo /pulsar/lib/com.fasterxml.jackson.dataformat-jackson-dataformat-yaml-*.jar):$(echo /pulsar/lib/org.yaml-snakeyaml-*.jar)\"",
    );
    if let Some(extra) = j
        .extra_dependencies_dir
        .as_deref()
        .filter(|d| !d.is_empty())
    {
        classpath = classpath.then_lit(format!(":{}/*", extra.trim_end_matches('/')));
    }

    let mut words = vec![
        lit("exec"),
        lit("java"),
        lit("-cp"),
        classpath,
        lit("-Dpulsar.functions.instance.classpath=/pulsar/lib/*"),
        lit(format!("-Dlog4j.configurationFile={}", log.path())),
        lit(format!(
            "-Dpulsar.function.log.dir={}",
            logging::FUNCTION_LOG_DIR
        )),
        lit(format!("-Dpulsar.function.log.file={}-", c.pulsar_name())).then_raw("${SHARD_ID}"),
        lit("-Dpulsar.allocator.exit_on_oom=true"),
    ];
    if let Some(level) = j.log.as_ref().and_then(|l| l.level) {
        let level = logging::java_level(level);
        words.push(lit(format!("-Dpulsar.log.level={level}")));
        words.push(lit(format!("-Dbk.log.level={level}")));
    }
    words.push(lit("-XX:MaxRAMPercentage=70"));
    if let Some(bytes) = max_direct_memory(c) {
        words.push(lit(format!("-XX:MaxDirectMemorySize={bytes}")));
    }
    words.extend(
        [
            "-XX:+UseG1GC",
            "-XX:+HeapDumpOnOutOfMemoryError",
            "-XX:HeapDumpPath=/pulsar/tmp/heapdump-%p.hprof",
            "-XX:+ExitOnOutOfMemoryError",
            "-Xlog:gc*:file=/pulsar/logs/gc.log:time,level,tags:filecount=5,filesize=10M",
        ]
        .map(lit),
    );
    // Upstream joins javaOpts with spaces into its script, so the shell splits each entry
    // into words and removes quotes: one entry may hold several options, and a quoted one
    // (`-XX:OnOutOfMemoryError="kill -9 %p"`) stays one argument. Read them the same way;
    // admission refuses entries a shell could not parse.
    for opt in j.java_opts.iter().flatten() {
        words.extend(shell_words(opt).unwrap_or_else(|_| vec![lit(opt)]));
    }
    words.push(lit(j
        .entry_class
        .as_deref()
        .filter(|e| !e.is_empty())
        .unwrap_or(DEFAULT_ENTRY_CLASS)));
    words.push(lit("--jar"));
    words.push(lit(&package.path));
    words.extend(shared_args(c, details, TLS_ALLOW_INSECURE_FLAG));
    if let SpecRef::Function(f) = c.specific {
        if f.source_config.is_some() || f.sink_config.is_some() {
            words.extend([lit("--connectors_directory"), lit(CONNECTORS_DIR)]);
        }
    }
    if c.has_secrets() {
        words.extend([lit("--secrets_provider"), lit(SECRETS_PROVIDER)]);
    }
    if let Some(state) = c.state_storage() {
        words.extend([lit("--state_storage_serviceurl"), lit(&state.service_url)]);
        if let Some(provider) = state
            .java_provider
            .as_ref()
            .filter(|p| !p.class_name.is_empty())
        {
            words.extend([lit("--state_storage_impl_class"), lit(&provider.class_name)]);
        }
    }
    if let SpecRef::Function(f) = c.specific {
        if let Some(n) = f.max_pending_async_requests {
            words.extend([lit("--pending_async_requests"), lit(n.to_string())]);
        }
    }
    steps.push(command_line(&words));
    Plan {
        shell: "bash",
        script: join(steps),
        downloads: package.fetched(),
        init_download: package.init_download.clone(),
        log_files: LogFiles::Java(log),
        read_only_root_ok: true,
        env: Vec::new(),
    }
}
