//! Log configuration of the instances (upstream: `controllers/spec/common.go`,
//! `GenerateJavaLogConfigCommand`, `GeneratePythonLogConfigCommand`, `parseGolangLogLevel`): a
//! generated log4j2 file (XML or YAML) for Java, a generated `logging.config` INI for Python, an
//! env var for Go — or the user's own file from a ConfigMap. Generated text is a pure function
//! of the spec, byte for byte.

use fm_api::common::{
    JavaLog4jConfigFileType, LogFormat, LogLevel, RotatePolicy, RuntimeLogConfig,
};

pub const JAVA_LOG_DIR: &str = "/pulsar/conf/java-log";
pub const PYTHON_LOG_DIR: &str = "/pulsar/conf/python-log";
/// Relative to the runner's working directory `/pulsar`, as upstream.
pub const FUNCTION_LOG_DIR: &str = "logs/functions";

/// log4j level names.
pub fn java_level(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Off => "OFF",
        LogLevel::Trace => "TRACE",
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Warn => "WARN",
        LogLevel::Error => "ERROR",
        // log4j has no "panic"; FATAL is its most severe level.
        LogLevel::Fatal | LogLevel::Panic => "FATAL",
        LogLevel::All => "ALL",
    }
}

/// Python `logging` level names (no OFF/TRACE there: nearest neighbours).
pub fn python_level(level: LogLevel) -> &'static str {
    match level {
        LogLevel::All => "NOTSET",
        LogLevel::Trace | LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Warn => "WARNING",
        LogLevel::Error => "ERROR",
        LogLevel::Fatal | LogLevel::Panic | LogLevel::Off => "CRITICAL",
    }
}

/// logrus level names read by the Go instance from `LOGGING_LEVEL`.
pub fn go_level(level: LogLevel) -> &'static str {
    match level {
        LogLevel::All | LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
        LogLevel::Fatal => "fatal",
        LogLevel::Panic | LogLevel::Off => "panic",
    }
}

/// A small element tree rendered as log4j2 XML or YAML, so both formats say the same thing.
struct Node {
    tag: &'static str,
    attrs: Vec<(&'static str, String)>,
    text: Option<String>,
    children: Vec<Node>,
}

fn node(tag: &'static str, attrs: &[(&'static str, &str)], children: Vec<Node>) -> Node {
    Node {
        tag,
        attrs: attrs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        text: None,
        children,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn render_xml(n: &Node, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    out.push_str(&pad);
    out.push('<');
    out.push_str(n.tag);
    for (k, v) in &n.attrs {
        out.push_str(&format!(" {k}=\"{}\"", xml_escape(v)));
    }
    match (&n.text, n.children.is_empty()) {
        (Some(text), _) => out.push_str(&format!(">{}</{}>\n", xml_escape(text), n.tag)),
        (None, true) => out.push_str("/>\n"),
        (None, false) => {
            out.push_str(">\n");
            for c in &n.children {
                render_xml(c, depth + 1, out);
            }
            out.push_str(&format!("{pad}</{}>\n", n.tag));
        }
    }
}

/// log4j2's YAML form: attributes become keys, `text` becomes `value`, repeated child tags
/// become lists.
fn to_yaml_value(n: &Node) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut m = Map::new();
    for (k, v) in &n.attrs {
        let value = match v.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(v.clone()),
        };
        m.insert((*k).to_owned(), value);
    }
    if let Some(t) = &n.text {
        m.insert("value".into(), Value::String(t.clone()));
    }
    let mut tags: Vec<&'static str> = Vec::new();
    for c in &n.children {
        if !tags.contains(&c.tag) {
            tags.push(c.tag);
        }
    }
    for tag in tags {
        let same: Vec<&Node> = n.children.iter().filter(|c| c.tag == tag).collect();
        let listy = matches!(tag, "Property" | "Logger" | "AppenderRef");
        let value = if same.len() == 1 && !listy {
            to_yaml_value(same[0])
        } else {
            Value::Array(same.into_iter().map(to_yaml_value).collect())
        };
        m.insert(tag.to_owned(), value);
    }
    Value::Object(m)
}

fn java_layout(format: Option<LogFormat>) -> Node {
    match format {
        Some(LogFormat::Json) => node(
            "JsonLayout",
            &[
                ("compact", "true"),
                ("eventEol", "true"),
                ("properties", "true"),
                ("stacktraceAsString", "true"),
            ],
            vec![],
        ),
        _ => node(
            "PatternLayout",
            &[(
                "pattern",
                "%d{ISO8601_OFFSET_DATE_TIME_HHMM} [%t] %-5level %logger{36} - %msg%n",
            )],
            vec![],
        ),
    }
}

fn java_policy(policy: RotatePolicy) -> Node {
    let cron = |s: &str| node("CronTriggeringPolicy", &[("schedule", s)], vec![]);
    let size = |s: &str| node("SizeBasedTriggeringPolicy", &[("size", s)], vec![]);
    match policy {
        RotatePolicy::TimedPolicyWithDaily => cron("0 0 0 * * ?"),
        RotatePolicy::TimedPolicyWithWeekly => cron("0 0 0 ? * 1"),
        RotatePolicy::TimedPolicyWithMonthly => cron("0 0 0 1 * ?"),
        RotatePolicy::SizedPolicyWith10Mb => size("10 MB"),
        RotatePolicy::SizedPolicyWith50Mb => size("50 MB"),
        RotatePolicy::SizedPolicyWith100Mb => size("100 MB"),
    }
}

fn log4j_tree(level: &str, cfg: Option<&RuntimeLogConfig>, rotate: Option<RotatePolicy>) -> Node {
    let format = cfg.and_then(|c| c.format);
    let property = |name: &str| Node {
        tag: "Property",
        attrs: vec![("name", name.to_owned())],
        text: Some(level.to_owned()),
        children: vec![],
    };
    let mut appenders = vec![node(
        "Console",
        &[("name", "Console"), ("target", "SYSTEM_OUT")],
        vec![java_layout(format)],
    )];
    let mut root_refs = vec![node("AppenderRef", &[("ref", "Console")], vec![])];
    if let Some(policy) = rotate {
        appenders.push(node(
            "RollingRandomAccessFile",
            &[
                ("name", "RollingRandomAccessFile"),
                ("fileName", "${sys:pulsar.function.log.dir}/${sys:pulsar.function.log.file}.log"),
                (
                    "filePattern",
                    "${sys:pulsar.function.log.dir}/${sys:pulsar.function.log.file}-%d{MM-dd-yyyy}-%i.log.gz",
                ),
                ("immediateFlush", "true"),
            ],
            vec![
                java_layout(format),
                node("Policies", &[], vec![java_policy(policy)]),
                node("DefaultRolloverStrategy", &[("max", "5")], vec![]),
            ],
        ));
        root_refs.push(node(
            "AppenderRef",
            &[("ref", "RollingRandomAccessFile")],
            vec![],
        ));
    }
    node(
        "Configuration",
        &[
            ("name", "pulsar-functions-kubernetes-instance"),
            ("monitorInterval", "30"),
        ],
        vec![
            node(
                "Properties",
                &[],
                vec![property("pulsar.log.level"), property("bk.log.level")],
            ),
            node("Appenders", &[], appenders),
            node(
                "Loggers",
                &[],
                vec![
                    node(
                        "Logger",
                        &[
                            (
                                "name",
                                "org.apache.pulsar.functions.runtime.shaded.org.apache.bookkeeper",
                            ),
                            ("level", "${sys:bk.log.level}"),
                            ("additivity", "false"),
                        ],
                        vec![node("AppenderRef", &[("ref", "Console")], vec![])],
                    ),
                    node("Root", &[("level", "${sys:pulsar.log.level}")], root_refs),
                ],
            ),
        ],
    )
}

/// Where the Java instance's log configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JavaLogSetup {
    /// Generated: write `content` to `path` before starting.
    Generated { path: String, content: String },
    /// The user's ConfigMap `config_map`: its key `key` is projected under [`JAVA_LOG_DIR`]
    /// as `path`'s file name.
    User {
        path: String,
        config_map: String,
        key: String,
    },
}

impl JavaLogSetup {
    pub fn path(&self) -> &str {
        match self {
            JavaLogSetup::Generated { path, .. } | JavaLogSetup::User { path, .. } => path,
        }
    }
}

/// The log4j2 file the Java instance reads, by format: log4j2 picks its parser from the file
/// name's extension (anything unknown is read as XML), so the name follows
/// `javaLog4JConfigFileType` — for a user's ConfigMap key too, whatever the key is called.
/// XML is the default; `ini` is not a log4j2 format (upstream ignores it too).
fn java_log_path(cfg: Option<&RuntimeLogConfig>) -> String {
    match cfg.and_then(|c| c.java_log4j_config_file_type) {
        Some(JavaLog4jConfigFileType::Yaml) => format!("{JAVA_LOG_DIR}/java_instance_log4j.yaml"),
        _ => format!("{JAVA_LOG_DIR}/java_instance_log4j.xml"),
    }
}

/// The rotation of the instance's log files: the spec's `rotatePolicy`, else, when a filebeat
/// sidecar ships the files, upstream's default for it (10 MB files, 5 kept).
fn rotation(cfg: Option<&RuntimeLogConfig>, sidecar: bool) -> Option<RotatePolicy> {
    cfg.and_then(|c| c.rotate_policy)
        .or(sidecar.then_some(RotatePolicy::SizedPolicyWith10Mb))
}

/// The Java instance's log4j2 configuration; `sidecar`: a filebeat sidecar reads its files.
pub fn java_setup(cfg: Option<&RuntimeLogConfig>, sidecar: bool) -> JavaLogSetup {
    let path = java_log_path(cfg);
    if let Some(user) = cfg.and_then(|c| c.log_config.as_ref()) {
        return JavaLogSetup::User {
            path,
            config_map: user.name.clone(),
            key: user.key.clone(),
        };
    }
    let level = java_level(cfg.and_then(|c| c.level).unwrap_or(LogLevel::Info));
    let tree = log4j_tree(level, cfg, rotation(cfg, sidecar));
    let content = match cfg.and_then(|c| c.java_log4j_config_file_type) {
        Some(JavaLog4jConfigFileType::Yaml) => {
            let mut root = serde_json::Map::new();
            root.insert("Configuration".into(), to_yaml_value(&tree));
            // log4j2 reads YAML with SnakeYAML, i.e. YAML 1.1, where a plain OFF is `false`.
            fm_api::yaml::to_string(&serde_json::Value::Object(root))
        }
        _ => {
            let mut content = String::new();
            render_xml(&tree, 0, &mut content);
            content
        }
    };
    JavaLogSetup::Generated { path, content }
}

/// Where the Python instance's logging configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PythonLogSetup {
    Generated {
        path: String,
        content: String,
    },
    User {
        path: String,
        config_map: String,
        key: String,
    },
}

impl PythonLogSetup {
    pub fn path(&self) -> &str {
        match self {
            PythonLogSetup::Generated { path, .. } | PythonLogSetup::User { path, .. } => path,
        }
    }
}

/// The INI read by `logging.config.fileConfig`. The file handler writes to `$LOG_FILE`,
/// which the Python instance sets to its per-instance log path before loading the file.
pub fn python_setup(cfg: Option<&RuntimeLogConfig>, sidecar: bool) -> PythonLogSetup {
    const SIZED: &str = "rotating_file_handler";
    const TIMED: &str = "timed_rotating_file_handler";
    let path = format!("{PYTHON_LOG_DIR}/python_instance_logging.ini");
    if let Some(user) = cfg.and_then(|c| c.log_config.as_ref()) {
        // The user's key is projected under the generated file's name, as upstream does.
        return PythonLogSetup::User {
            path,
            config_map: user.name.clone(),
            key: user.key.clone(),
        };
    }
    let level = python_level(cfg.and_then(|c| c.level).unwrap_or(LogLevel::Info));
    // Sections and names as upstream's template; only the file and the JSON fields differ.
    let file_handler = rotation(cfg, sidecar).map(|p| {
        let (name, class, args) = match p {
            RotatePolicy::TimedPolicyWithDaily => (TIMED, "TimedRotatingFileHandler", "'D', 1, 5"),
            RotatePolicy::TimedPolicyWithWeekly => (TIMED, "TimedRotatingFileHandler", "'W0', 1, 5"),
            RotatePolicy::TimedPolicyWithMonthly => (TIMED, "TimedRotatingFileHandler", "'D', 30, 5"),
            RotatePolicy::SizedPolicyWith10Mb => (SIZED, "RotatingFileHandler", "'a', 10485760, 5"),
            RotatePolicy::SizedPolicyWith50Mb => (SIZED, "RotatingFileHandler", "'a', 52428800, 5"),
            RotatePolicy::SizedPolicyWith100Mb => (SIZED, "RotatingFileHandler", "'a', 104857600, 5"),
        };
        (
            name,
            format!(
                "[handler_{name}]\nclass=logging.handlers.{class}\nlevel={level}\nformatter=formatter\nargs=(os.getenv('LOG_FILE', ''), {args})\n\n"
            ),
        )
    });
    let handlers = match &file_handler {
        Some((name, _)) => format!("stream_handler,{name}"),
        None => "stream_handler".to_owned(),
    };
    // JSON: the fields named in `format` are the record's keys.
    let formatter = match cfg.and_then(|c| c.format) {
        Some(LogFormat::Json) => {
            "[formatter_formatter]\nclass=pythonjsonlogger.jsonlogger.JsonFormatter\nformat=%(asctime)s %(levelname)s %(name)s %(filename)s %(message)s\n"
        }
        _ => "[formatter_formatter]\nformat=[%(asctime)s] [%(levelname)s] %(filename)s:%(lineno)d %(message)s\ndatefmt=%Y-%m-%d %H:%M:%S %z\n",
    };
    let content = format!(
        "[loggers]\nkeys=root\n\n[handlers]\nkeys={handlers}\n\n[formatters]\nkeys=formatter\n\n\
         [logger_root]\nlevel={level}\nhandlers={handlers}\n\n{}\
         [handler_stream_handler]\nclass=logging.StreamHandler\nlevel={level}\nformatter=formatter\nargs=(sys.stdout,)\n\n{formatter}",
        file_handler.map(|(_, section)| section).unwrap_or_default()
    );
    PythonLogSetup::Generated { path, content }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_java_config_is_console_xml_at_info() {
        let JavaLogSetup::Generated { path, content } = java_setup(None, false) else {
            panic!("generated")
        };
        assert_eq!(path, "/pulsar/conf/java-log/java_instance_log4j.xml");
        assert!(content.starts_with("<Configuration name=\"pulsar-functions-kubernetes-instance\""));
        assert!(content.contains("<Property name=\"pulsar.log.level\">INFO</Property>"));
        assert!(!content.contains("RollingRandomAccessFile"));
    }

    #[test]
    fn yaml_config_with_rotation_and_json() {
        let cfg = RuntimeLogConfig {
            level: Some(LogLevel::Debug),
            rotate_policy: Some(RotatePolicy::SizedPolicyWith50Mb),
            format: Some(LogFormat::Json),
            java_log4j_config_file_type: Some(JavaLog4jConfigFileType::Yaml),
            ..Default::default()
        };
        let JavaLogSetup::Generated { path, content } = java_setup(Some(&cfg), false) else {
            panic!("generated")
        };
        assert!(path.ends_with(".yaml"));
        let parsed: serde_json::Value = serde_yaml_ng::from_str(&content).expect("valid yaml");
        assert_eq!(
            parsed["Configuration"]["Properties"]["Property"][0]["value"],
            "DEBUG"
        );
        assert_eq!(
            parsed["Configuration"]["Appenders"]["RollingRandomAccessFile"]["Policies"]
                ["SizeBasedTriggeringPolicy"]["size"],
            "50 MB"
        );
        assert!(parsed["Configuration"]["Appenders"]["Console"]["JsonLayout"].is_object());
    }

    #[test]
    fn python_ini() {
        let cfg = RuntimeLogConfig {
            level: Some(LogLevel::Warn),
            rotate_policy: Some(RotatePolicy::TimedPolicyWithWeekly),
            ..Default::default()
        };
        let PythonLogSetup::Generated { content, .. } = python_setup(Some(&cfg), false) else {
            panic!("generated")
        };
        assert!(content.contains(
            "[logger_root]\nlevel=WARNING\nhandlers=stream_handler,timed_rotating_file_handler\n"
        ));
        assert!(content.contains("args=(os.getenv('LOG_FILE', ''), 'W0', 1, 5)"));
    }

    #[test]
    fn user_config_maps_win_under_the_name_of_their_format() {
        let mut cfg = RuntimeLogConfig {
            log_config: Some(fm_api::common::LogConfigRef {
                name: "cm".into(),
                key: "settings".into(),
            }),
            ..Default::default()
        };
        let user = |setup: JavaLogSetup| match setup {
            JavaLogSetup::User { path, key, .. } => (path, key),
            other => panic!("user config expected, got {other:?}"),
        };
        // log4j2 chooses its parser by extension: the key's own name does not matter.
        assert_eq!(
            user(java_setup(Some(&cfg), false)),
            (
                "/pulsar/conf/java-log/java_instance_log4j.xml".into(),
                "settings".into()
            )
        );
        cfg.java_log4j_config_file_type = Some(JavaLog4jConfigFileType::Yaml);
        assert_eq!(
            user(java_setup(Some(&cfg), false)).0,
            "/pulsar/conf/java-log/java_instance_log4j.yaml"
        );
        assert_eq!(
            python_setup(Some(&cfg), false).path(),
            "/pulsar/conf/python-log/python_instance_logging.ini"
        );
    }
}
